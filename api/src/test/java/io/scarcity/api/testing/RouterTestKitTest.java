package io.scarcity.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.BanditArms;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.RouterFactory;
import io.scarcity.api.Routers;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The router checks of the kit fail on toy routers that break them, and pass on the same toy without the flaw. */
class RouterTestKitTest {
    /** What the toy gets wrong. */
    enum Flaw { NONE, FORGETS_LEAVERS, FORGETS_PENDING, GAUGES_ITS_OWN_COUNT, ROUTES_A_LEAVER, RESTORES_AS_IT_READS }

    /**
     * An epsilon-greedy toy with k = 1: an untried candidate first, else with probability 0.2 a random
     * candidate, else the best mean; a routing is rewarded only while it is the pending one.
     */
    static final class ToyRouter implements Router, Checkpointable {
        final Flaw flaw;
        final MetricsSink metrics;
        Random random = new Random(9);
        Map<String, double[]> arms = new TreeMap<>();
        List<String> pending;
        List<String> candidatesNow = List.of();
        long routes;
        long routesHere;

        ToyRouter(Flaw flaw, MetricsSink metrics) {
            this.flaw = flaw;
            this.metrics = metrics;
        }

        @Override
        public Routing route(RoutingContext context) {
            routes++;
            routesHere++;
            metrics.gauge("toy.routes", flaw == Flaw.GAUGES_ITS_OWN_COUNT ? routesHere : routes);
            List<String> candidates = new ArrayList<>(Routers.distinctCandidates(context));
            candidatesNow = List.copyOf(candidates);
            if (flaw == Flaw.ROUTES_A_LEAVER) {
                arms.keySet().stream().filter(name -> !candidates.contains(name)).findFirst().ifPresent(candidates::add);
            }
            String chosen = candidates.stream().filter(name -> !arms.containsKey(name)).findFirst().orElse(null);
            if (chosen == null) {
                chosen = random.nextDouble() < 0.2 ? candidates.get(random.nextInt(candidates.size())) : best(candidates);
            }
            pending = List.of(chosen);
            return Routing.uniform(pending);
        }

        private String best(List<String> candidates) {
            String best = candidates.get(0);
            for (String name : candidates) {
                if (mean(name) > mean(best)) {
                    best = name;
                }
            }
            return best;
        }

        private double mean(String name) {
            double[] arm = arms.get(name);
            return arm[1] / arm[0];
        }

        @Override
        public void reward(Routing routing, Map<String, Double> rewards) {
            if (!routing.active().equals(pending) || rewards.isEmpty()) {
                return;
            }
            for (String name : routing.active()) {
                double r = Routers.unitReward(rewards.get(name));
                if (!Double.isNaN(r)) {
                    double[] arm = arms.computeIfAbsent(name, x -> new double[2]);
                    arm[0]++;
                    arm[1] += r;
                }
            }
            pending = null;
        }

        @Override
        public void adoptPriors(Map<String, Double> priors, double weight) {
            priors.forEach((name, p) -> arms.putIfAbsent(name, new double[] {weight, weight * p}));
        }

        @Override
        public void saveState(StateWriter out) throws IOException {
            out.writeVersion(1);
            out.writeRandom(random);
            out.writeLong(routes);
            Map<String, double[]> saved = new TreeMap<>(arms);
            if (flaw == Flaw.FORGETS_LEAVERS && !candidatesNow.isEmpty()) {
                saved.keySet().retainAll(candidatesNow);
            }
            out.writeInt(saved.size());
            for (Map.Entry<String, double[]> e : saved.entrySet()) {
                out.writeString(e.getKey());
                out.writeDoubles(e.getValue());
            }
            List<String> kept = flaw == Flaw.FORGETS_PENDING ? null : pending;
            out.writeString(kept == null ? null : kept.get(0));
        }

        @Override
        public void restoreState(StateReader in) throws IOException {
            in.readVersion("toy router", 1);
            Random g = in.readRandom();
            long r = in.readLong();
            if (flaw == Flaw.RESTORES_AS_IT_READS) {
                random = g;
                routes = r;
                arms = new TreeMap<>();
            }
            int n = in.readInt();
            Map<String, double[]> read = flaw == Flaw.RESTORES_AS_IT_READS ? arms : new TreeMap<>();
            for (int i = 0; i < n; i++) {
                read.put(in.readString(), in.readDoubles(2, "toy arm"));
            }
            String p = in.readString();
            random = g;
            routes = r;
            arms = read;
            pending = p == null ? null : List.of(p);
        }
    }

    private static void roundTrip(Flaw flaw) throws IOException {
        RouterTestKit.assertRoundTrip(metrics -> new ToyRouter(flaw, metrics), RouterTestKit.churn(RouterTestKit.QUIET),
                3, 110, 200);
    }

    private static void roundTripBetweenRouteAndReward(Flaw flaw) throws IOException {
        RouterTestKit.assertRoundTripBetweenRouteAndReward(metrics -> new ToyRouter(flaw, metrics),
                RouterTestKit.changing(RouterTestKit.SCHEMA, 4), 3, 110, 200);
    }

    @Test
    void aWholeToyRouterPassesTheRouterChecks() throws IOException {
        roundTrip(Flaw.NONE);
        roundTripBetweenRouteAndReward(Flaw.NONE);
        RouterTestKit.assertSelectionAsCandidatesChange(new ToyRouter(Flaw.NONE, MetricsSink.NONE), 1, 3, 300);
        PluginTestKit.assertTruncationsRefused(() -> new ToyRouter(Flaw.NONE, MetricsSink.NONE),
                RouterTestKit.driver(RouterTestKit.churn(RouterTestKit.QUIET)), 5, 60);
    }

    @Test
    void aRouterWhoseCheckpointForgetsTheExpertsThatLeftFailsTheRoundTripOfTheChurn() {
        assertThrows(AssertionError.class, () -> roundTrip(Flaw.FORGETS_LEAVERS));
    }

    @Test
    void aRouterWhoseCheckpointForgetsTheUnrewardedRoutingFailsOnlyTheRoundTripBetweenRouteAndReward() throws IOException {
        roundTrip(Flaw.FORGETS_PENDING);
        assertThrows(AssertionError.class, () -> roundTripBetweenRouteAndReward(Flaw.FORGETS_PENDING));
    }

    @Test
    void aGaugeThatARestoredRouterReportsOtherwiseFailsTheRoundTrip() {
        assertThrows(AssertionError.class, () -> roundTrip(Flaw.GAUGES_ITS_OWN_COUNT));
    }

    @Test
    void aRouterThatRoutesAnExpertThatLeftFailsTheSelectionCheck() {
        assertThrows(AssertionError.class, () -> RouterTestKit.assertSelectionAsCandidatesChange(
                new ToyRouter(Flaw.ROUTES_A_LEAVER, MetricsSink.NONE), 1, 3, 300));
    }

    @Test
    void aRouterThatRestoresAsItReadsFailsTheTruncationCheck() {
        assertThrows(AssertionError.class, () -> PluginTestKit.assertTruncationsRefused(
                () -> new ToyRouter(Flaw.RESTORES_AS_IT_READS, MetricsSink.NONE),
                RouterTestKit.driver(RouterTestKit.churn(RouterTestKit.QUIET)), 5, 60));
    }

    @Test
    void aCheckpointRefusedAfterChangingTheRouterFailsTheRefusalCheck() throws IOException {
        ToyRouter careful = new ToyRouter(Flaw.NONE, MetricsSink.NONE);
        ToyRouter careless = new ToyRouter(Flaw.RESTORES_AS_IT_READS, MetricsSink.NONE);
        RouterTestKit.Scenario churn = RouterTestKit.churn(RouterTestKit.QUIET);
        churn.drive(careful, new Random(1), 0, 40);
        churn.drive(careless, new Random(1), 0, 40);
        ToyRouter other = new ToyRouter(Flaw.NONE, MetricsSink.NONE);
        churn.drive(other, new Random(2), 0, 40);
        byte[] state = RouterTestKit.save(other);
        byte[] truncated = Arrays.copyOf(state, state.length - 3);
        RouterTestKit.assertRefusedAndUnchanged(careful, truncated, "");
        assertThrows(AssertionError.class, () -> RouterTestKit.assertRefusedAndUnchanged(careless, truncated, ""));
        assertThrows(AssertionError.class, () -> RouterTestKit.assertRefusedAndUnchanged(careful, truncated, "twice"),
                "the message does not say it");
        assertThrows(AssertionError.class, () -> RouterTestKit.assertRefusedAndUnchanged(careful, state, ""), "accepted");
    }

    /** A bandit over {@link BanditArms}: the first untried candidate, else the best mean; {@code lenient} ignores a corrupt table. */
    static final class BanditToy implements Router, Checkpointable {
        final boolean lenient;
        BanditArms arms = new BanditArms();

        BanditToy(boolean lenient) {
            this.lenient = lenient;
        }

        @Override
        public Routing route(RoutingContext context) {
            List<String> candidates = Routers.distinctCandidates(context);
            String best = candidates.get(0);
            for (String name : candidates) {
                if (arms.find(name) == null || !arms.find(name).tried()) {
                    return Routing.uniform(List.of(name));
                }
                best = arms.mean(name) > arms.mean(best) ? name : best;
            }
            return Routing.uniform(List.of(best));
        }

        @Override
        public void reward(Routing routing, Map<String, Double> rewards) {
            arms.reward(routing, rewards);
        }

        @Override
        public void saveState(StateWriter out) throws IOException {
            out.writeVersion(1);
            arms.save(out);
        }

        @Override
        public void restoreState(StateReader in) throws IOException {
            in.readVersion("bandit toy", 1);
            try {
                arms = BanditArms.read(in, "bandit toy", "");
            } catch (IOException e) {
                if (!lenient) {
                    throw e;
                }
            }
        }
    }

    @Test
    void aRouterThatIgnoresACorruptTableFailsTheArmTwiceCheck() throws IOException {
        RouterTestKit.Part version = out -> out.writeVersion(1);
        RouterTestKit.Part nothing = out -> { };
        RouterTestKit.assertArmTwiceRefused(() -> new BanditToy(false), version, (expert, out) -> { }, nothing);
        assertThrows(AssertionError.class,
                () -> RouterTestKit.assertArmTwiceRefused(() -> new BanditToy(true), version, (expert, out) -> { }, nothing));
    }

    @Test
    void anArmWrittenTwiceIsACorruptTable() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        RouterTestKit.writeArmTwice(out, "a", (expert, o) -> o.writeLong(7));
        out.flush();
        List<Long> extras = new ArrayList<>();
        IOException e = assertThrows(IOException.class, () -> BanditArms.read(
                new StateReader(new ByteArrayInputStream(bytes.toByteArray())), "toy", "",
                (expert, in) -> extras.add(in.readLong())));
        assertTrue(e.getMessage().contains("'a' twice"), e.getMessage());
        assertEquals(List.of(7L, 7L), extras);
    }

    @Test
    void theCheckpointRefusalsFailOnARouterThatRestoresAsItReads() throws IOException {
        PluginTestKit.Driver<Router> churn = RouterTestKit.driver(RouterTestKit.churn(RouterTestKit.QUIET));
        PluginTestKit.assertCheckpointRefusals(() -> new ToyRouter(Flaw.NONE, MetricsSink.NONE), "toy router", 1, churn, 5, 60);
        assertThrows(AssertionError.class, () -> PluginTestKit.assertCheckpointRefusals(
                () -> new ToyRouter(Flaw.RESTORES_AS_IT_READS, MetricsSink.NONE), "toy router", 1, churn, 5, 60));
    }

    /**
     * Epsilon-greedy over {@link BanditArms} with k = 1: the first untried candidate, else with probability
     * {@code max(epsilon / (1 + t / 1000), floor)} a uniformly drawn one, else the best mean; every route
     * discounts the evidence by {@code discount}.
     */
    static final class GreedyToy implements Router {
        final Random random;
        final double epsilon;
        final double floor;
        final double discount;
        final BanditArms arms = new BanditArms();
        long routes;

        GreedyToy(long seed, double epsilon, double floor, double discount) {
            this.random = new Random(seed);
            this.epsilon = epsilon;
            this.floor = floor;
            this.discount = discount;
        }

        @Override
        public Routing route(RoutingContext context) {
            List<String> candidates = Routers.distinctCandidates(context);
            arms.discount(discount);
            String chosen = candidates.stream().filter(name -> arms.pulls(name) == 0).findFirst().orElse(null);
            if (chosen == null && random.nextDouble() < Math.max(epsilon / (1 + routes / 1000.0), floor)) {
                chosen = candidates.get(random.nextInt(candidates.size()));
            }
            if (chosen == null) {
                chosen = candidates.get(0);
                for (String name : candidates) {
                    chosen = arms.mean(name) > arms.mean(chosen) ? name : chosen;
                }
            }
            routes++;
            return Routing.uniform(List.of(chosen));
        }

        @Override
        public void reward(Routing routing, Map<String, Double> rewards) {
            arms.reward(routing, rewards);
        }
    }

    private static final List<String> FIVE = List.of("a", "b", "c", "d", "e");
    private static final double[] MEANS = {0.3, 0.5, 0.7, 0.4, 0.6};
    private static final double[] SWITCHED = {0.8, 0.5, 0.2, 0.4, 0.6};

    @Test
    void aRouterThatKeepsExploringAsMuchFailsTheSublinearRegretCheck() {
        RouterTestKit.assertSublinearRegret("greedy toy", seed -> new GreedyToy(seed, 0.1, 0.01, 1.0), FIVE, MEANS, 20_000, 3, 4,
                0.15);
        assertThrows(AssertionError.class, () -> RouterTestKit.assertSublinearRegret("greedy toy", seed -> new GreedyToy(seed,
                0.5, 0.5, 1.0), FIVE, MEANS, 20_000, 3, 4, 0.15));
    }

    @Test
    void aRouterThatDoesNotForgetFailsTheSwitchCheck() {
        RouterTestKit.assertForgettingFollowsASwitch("greedy toy", seed -> new GreedyToy(seed, 0.1, 0.01, 0.99),
                seed -> new GreedyToy(seed, 0.1, 0.01, 1.0), FIVE, MEANS, SWITCHED, 20_000, 3, 5, 0.25);
        assertThrows(AssertionError.class, () -> RouterTestKit.assertForgettingFollowsASwitch("greedy toy",
                seed -> new GreedyToy(seed, 0.1, 0.01, 1.0), seed -> new GreedyToy(seed, 0.1, 0.01, 1.0), FIVE, MEANS, SWITCHED,
                20_000, 3, 5, 0.25));
    }

    /** Routes the first k candidates; its one option is k (default 1), unless it ignores k. */
    record KToyFactory(boolean ignoresK) implements RouterFactory {
        @Override
        public String name() {
            return "k-toy";
        }

        @Override
        public Router create(PluginConfig config, PluginContext context) {
            int k = ignoresK ? 1 : Routers.readK(config, 1);
            return new Router() {
                @Override
                public Routing route(RoutingContext routing) {
                    List<String> candidates = Routers.distinctCandidates(routing);
                    return Routing.uniform(candidates.subList(0, Math.min(k, candidates.size())));
                }

                @Override
                public void reward(Routing routing, Map<String, Double> rewards) {
                }
            };
        }
    }

    @Test
    void aFactoryThatIgnoresKOrHasAnotherDefaultFailsTheKOnlyCheck() {
        PluginContext context = PluginTestKit.context(1, null, "k-toy");
        RouterTestKit.assertKIsTheOnlyOption(new KToyFactory(false), context, 1);
        assertThrows(AssertionError.class, () -> RouterTestKit.assertKIsTheOnlyOption(new KToyFactory(false), context, 2));
        assertThrows(AssertionError.class, () -> RouterTestKit.assertKIsTheOnlyOption(new KToyFactory(true), context, 1));
    }

    @Test
    void aRouterThatLeavesOutACandidateFailsTheAllCheck() {
        List<String> five = List.of("a", "b", "c", "d", "e");
        RouterTestKit.assertActivatesAllEqually(new KToyFactory(false).create(
                PluginConfig.of("router", Map.of("k", 9)), PluginTestKit.context(1, null, "k-toy")), five);
        assertThrows(AssertionError.class, () -> RouterTestKit.assertActivatesAllEqually(new KToyFactory(false).create(
                PluginConfig.of("router", Map.of("k", 4)), PluginTestKit.context(1, null, "k-toy")), five));
    }
}
