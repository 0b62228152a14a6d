package io.scarcity.api.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.BanditArms;
import io.scarcity.api.Batch;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.RouterFactory;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * What router tests share (published in api's test-jar), on top of the contract all plugins share
 * ({@link PluginTestKit}, whose checkpoint, registration and option checks it uses): a one-row batch and contexts over it, a
 * metrics sink that counts, checkpoint round trips of a {@link Checkpointable} router, the selection
 * contract of {@link Router#route} as assertions, and a seeded Bernoulli-bandit regret simulator.
 */
public final class RouterTestKit {
    /** A two-class schema with one feature. */
    public static final DataSchema SCHEMA = new DataSchema(List.of("a"), Task.CLASSIFICATION, List.of("x", "y"));
    /** One row, for routers that do not look at the batch. */
    public static final Batch BATCH = Batch.ofClasses(SCHEMA, "d", 0, new double[] {0}, new int[] {0});

    private RouterTestKit() {
    }

    /** A context over {@link #BATCH} with an empty signal board. */
    public static RoutingContext context(List<String> candidates, int round) {
        return new RoutingContext(candidates, BATCH, new InMemorySignalBoard(), round);
    }

    /** A context over {@link #BATCH} in round 1 whose board carries the given drift signals. */
    public static RoutingContext context(List<String> candidates, double driftDetected, double driftScore) {
        InMemorySignalBoard board = new InMemorySignalBoard();
        board.publish(StandardSignals.DRIFT_DETECTED, driftDetected);
        board.publish(StandardSignals.DRIFT_SCORE, driftScore);
        return new RoutingContext(candidates, BATCH, board, 1);
    }

    /**
     * Sums a router's counters and keeps its gauges' last values ({@link PluginTestKit.RecordingMetrics}),
     * and every gauge reported, in order.
     */
    public static final class Counting extends PluginTestKit.RecordingMetrics {
        /** Every gauge reported, in order, as {@code name=value} (the value written exactly). */
        public final List<String> reports = new ArrayList<>();

        @Override
        public void gauge(String name, double value) {
            super.gauge(name, value);
            reports.add(name + "=" + value);
        }
    }

    /** {@code base} reporting its metrics to {@code metrics}: {@link PluginTestKit#withMetrics}. */
    public static PluginContext withMetrics(PluginContext base, MetricsSink metrics) {
        return PluginTestKit.withMetrics(base, metrics);
    }

    /** The checkpoint of a router (which must be {@link Checkpointable}). */
    public static byte[] save(Router router) throws IOException {
        return PluginTestKit.save(router);
    }

    /** Restores a checkpoint written by {@link #save} into a router. */
    public static void restore(Router router, byte[] state) throws IOException {
        PluginTestKit.restore(router, state);
    }

    /**
     * A checkpoint that starts with {@code stateVersion + 1} (then the given ints) is refused by
     * {@code router} with a message naming that version.
     */
    public static void assertUnknownVersionRefused(Router router, int stateVersion, int... trailing) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        out.writeInt(stateVersion + 1);
        for (int i : trailing) {
            out.writeInt(i);
        }
        out.flush();
        IOException e = assertThrows(IOException.class, () -> restore(router, bytes.toByteArray()));
        assertTrue(e.getMessage().contains("version " + (stateVersion + 1)), e.getMessage());
    }

    /**
     * {@code router} refuses {@code checkpoint} with an {@link IOException} whose message contains
     * {@code says}, and saves the same bytes afterwards as before: a refused checkpoint changes nothing.
     */
    public static void assertRefusedAndUnchanged(Router router, byte[] checkpoint, String says) throws IOException {
        byte[] before = save(router);
        IOException e = assertThrows(IOException.class, () -> restore(router, checkpoint), "the checkpoint is read");
        assertTrue(String.valueOf(e.getMessage()).contains(says), "the message does not say '" + says + "': " + e.getMessage());
        assertArrayEquals(before, save(router), "the refused checkpoint changed the router");
    }

    /** Writes a part of a checkpoint (what comes before or after a table, say). */
    @FunctionalInterface
    public interface Part {
        void write(StateWriter out) throws IOException;
    }

    /**
     * A checkpoint of {@code before}, a {@link BanditArms} table that holds the arm {@code a} twice
     * ({@link #writeArmTwice} with {@code extra}) and {@code after} is refused saying {@code 'a' twice}, and
     * changes nothing ({@link #assertRefusedAndUnchanged}), by a fresh router and by one driven 30 steps of
     * {@link #churn}{@code (}{@link #QUIET}{@code )}.
     */
    public static void assertArmTwiceRefused(Supplier<Router> maker, Part before, BanditArms.ExtraWriter extra, Part after)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        before.write(out);
        writeArmTwice(out, "a", extra);
        after.write(out);
        out.flush();
        Router router = maker.get();
        assertRefusedAndUnchanged(router, bytes.toByteArray(), "'a' twice");
        churn(QUIET).drive(router, new Random(4), 0, 30);
        assertRefusedAndUnchanged(router, bytes.toByteArray(), "'a' twice");
    }

    /**
     * Writes a {@link BanditArms} table (its checkpoint layout) that holds the arm {@code expert} twice,
     * each with one reward of 1 and rewarded here, each followed by what {@code extra} writes: a corrupt
     * table, for a router's checkpoint tests.
     */
    public static void writeArmTwice(StateWriter out, String expert, BanditArms.ExtraWriter extra) throws IOException {
        out.writeInt(2);
        for (int i = 0; i < 2; i++) {
            out.writeString(expert);
            out.writeDouble(1);
            out.writeDouble(1);
            out.writeBoolean(true);
            extra.write(expert, out);
        }
    }

    /**
     * A router factory whose one option is {@code k}: without options its router activates {@code defaultK}
     * of four candidates, with {@code k: 3} three (and the key is read), a bad k (0, -2, 1.5, "two") is
     * refused at its full path ({@link PluginTestKit#assertBadOptionsRefused}) and any other key is left
     * unread ({@link PluginTestKit#assertUnknownOptionLeftUnread}).
     */
    public static void assertKIsTheOnlyOption(RouterFactory factory, PluginContext context, int defaultK) {
        List<String> four = List.of("a", "b", "c", "d");
        assertEquals(defaultK, PluginTestKit.create(factory, Map.of(), context).route(context(four, 0)).active().size(),
                "experts activated by default");
        PluginConfig three = PluginConfig.of(PluginTestKit.CONFIG_PATH, Map.of("k", 3));
        assertEquals(3, factory.create(three, context).route(context(four, 0)).active().size(), "experts activated with k: 3");
        assertEquals(Set.of(), three.unreadKeys());
        PluginTestKit.assertBadOptionsRefused(factory, context, PluginTestKit.bad("k", 0, -2, 1.5, "two"));
        PluginTestKit.assertUnknownOptionLeftUnread(factory, context, "kk", 3);
    }

    /**
     * {@code router} activates every one of {@code candidates}, in their order, with equal weights (its k
     * being at least their number, and nothing learnt yet or uniform weighting).
     */
    public static void assertActivatesAllEqually(Router router, List<String> candidates) {
        Routing routing = router.route(context(candidates, 1));
        assertEquals(candidates, routing.active());
        assertUniformSelection(routing, candidates, candidates.size());
    }

    /**
     * The service registration of a router plugin: {@link PluginTestKit#assertRegistered}, and no other
     * {@link RouterFactory} on the test class path.
     */
    public static void assertTheOnlyRouterFactory(Class<? extends RouterFactory> type, String name) {
        PluginTestKit.assertTheOnlyFactory(RouterFactory.class, type, name);
    }

    /** A scenario a router is driven through: {@code steps} routings from step {@code from}, drawing from {@code random}. */
    @FunctionalInterface
    public interface Scenario {
        List<Routing> drive(Router router, Random random, int from, int steps);
    }

    /** A router built with the given metrics sink (same options and seed every time). */
    @FunctionalInterface
    public interface RouterMaker {
        Router make(Counting metrics);
    }

    /** What {@link #assertRoundTrip} drove: both routers and their counters over the continuation. */
    public record RoundTrip(Router original, Router restored, Counting originalMetrics, Counting restoredMetrics) {
    }

    /**
     * The checkpoint contract: router A is driven {@code warmUp} steps with {@code new Random(seed)} and
     * saved; B, built the same way, restores it and saves the same bytes; then both are driven
     * {@code steps} more with the same generator (the next long of A's) and must route identically
     * (experts and bit-identical weights), count the same metrics, report the same gauges (every value, in
     * order) and end with identical checkpoints, while a fresh router (no restore) routes differently, so
     * the scenario does tell them apart.
     */
    public static RoundTrip assertRoundTrip(RouterMaker maker, Scenario scenario, long seed, int warmUp, int steps)
            throws IOException {
        return roundTrip(maker, scenario, seed, warmUp, steps, null);
    }

    /**
     * {@link #assertRoundTrip} over {@link #churn}{@code (situation)}, with A saved between a route and its
     * reward: after the warm-up A routes one more batch ({@code situation}'s, over a, b and c), is saved, and
     * A and B are then both given the reward 0.8 of that routing's first expert before the continuation
     * from step {@code warmUp + 1}. For routers that keep something of a routing until it is rewarded (its
     * context, its cluster).
     */
    public static RoundTrip assertRoundTripBetweenRouteAndReward(RouterMaker maker, Situation situation, long seed,
            int warmUp, int steps) throws IOException {
        return roundTrip(maker, churn(situation), seed, warmUp, steps, situation);
    }

    private static RoundTrip roundTrip(RouterMaker maker, Scenario scenario, long seed, int warmUp, int steps,
            Situation pending) throws IOException {
        Counting metricsA = new Counting();
        Router a = maker.make(metricsA);
        Random random = new Random(seed);
        scenario.drive(a, random, 0, warmUp);
        Routing unrewarded = pending == null ? null : a.route(pending.at(List.of("a", "b", "c"), warmUp, random));
        byte[] state = save(a);

        Counting metricsB = new Counting();
        Router b = maker.make(metricsB);
        restore(b, state);
        assertArrayEquals(state, save(b), "a restored router saves what it was restored from");
        int from = warmUp;
        if (unrewarded != null) {
            a.reward(unrewarded, Map.of(unrewarded.active().get(0), 0.8));
            b.reward(unrewarded, Map.of(unrewarded.active().get(0), 0.8));
            from++;
        }

        long next = random.nextLong();
        metricsA.counts.clear();
        metricsA.reports.clear();
        List<Routing> fromA = scenario.drive(a, new Random(next), from, steps);
        List<Routing> fromB = scenario.drive(b, new Random(next), from, steps);
        assertSameRoutings(fromA, fromB);
        assertEquals(metricsA.counts, metricsB.counts);
        assertEquals(metricsA.reports, metricsB.reports, "the gauges reported");
        assertArrayEquals(save(a), save(b));

        List<Routing> fresh = scenario.drive(maker.make(new Counting()), new Random(next), from, steps);
        assertNotEquals(fromA.stream().map(Routing::active).toList(), fresh.stream().map(Routing::active).toList(),
                "without the state, routing differs");
        return new RoundTrip(a, b, metricsA, metricsB);
    }

    /** A scenario as a {@link PluginTestKit.Driver}, one {@link #fingerprint(Routing) fingerprint} per routing. */
    public static PluginTestKit.Driver<Router> driver(Scenario scenario) {
        return (router, random, from, steps) -> scenario.drive(router, random, from, steps).stream()
                .map(RouterTestKit::fingerprint).toList();
    }

    /** The active experts and their weights, exactly. */
    public static String fingerprint(Routing routing) {
        return routing.active() + " " + PluginTestKit.fingerprint(routing.weights());
    }

    // ---------------------------------------------------------------- the churn scenario

    /** The batch and signals a router is shown at a step of {@link #churn}; it may draw from {@code random}. */
    @FunctionalInterface
    public interface Situation {
        RoutingContext at(List<String> candidates, int step, Random random);
    }

    /** {@link #BATCH}, an empty signal board, round {@code step / 10}: for routers that look at neither. */
    public static final Situation QUIET = (candidates, step, random) ->
            new RoutingContext(candidates, BATCH, new InMemorySignalBoard(), step / 10);

    /**
     * Batches of {@code rows} rows of {@code schema}'s features, Gaussian with a scale of 1, 2 or 3 that
     * changes every 30 steps (so that the routing features' novelty and spread vary), and signals: a drift
     * detected in about 3 batches of 10 (score in [0.6, 1], else [0, 0.3]), an outlier rate in [0, 0.5]
     * and a mixture loss in [0, 1]. For routers that route on the context.
     */
    public static Situation changing(DataSchema schema, int rows) {
        return (candidates, step, random) -> {
            double[] features = new double[rows * schema.numFeatures()];
            double scale = 1 + (step / 30) % 3;
            for (int i = 0; i < features.length; i++) {
                features[i] = random.nextGaussian() * scale;
            }
            Batch batch = Batch.ofClasses(schema, "d", (long) rows * step, features, new int[rows]);
            InMemorySignalBoard signals = new InMemorySignalBoard();
            boolean drift = random.nextDouble() < 0.3;
            signals.publish(StandardSignals.DRIFT_DETECTED, drift ? 1 : 0);
            signals.publish(StandardSignals.DRIFT_SCORE, drift ? 0.6 + 0.4 * random.nextDouble() : 0.3 * random.nextDouble());
            signals.publish(StandardSignals.OUTLIER_RATE, 0.5 * random.nextDouble());
            signals.publish(StandardSignals.MIXTURE_LOSS, random.nextDouble());
            return new RoutingContext(candidates, batch, signals, step / 10);
        };
    }

    /** The experts of {@link #churn}. */
    public static final List<String> CHURN_EXPERTS = List.of("a", "b", "c", "d", "e");

    /**
     * The learning routers' scenario: at step {@code t} the router is shown {@code situation}'s context
     * over a, b, c, d while {@code t % 50 < 25}, else over b, c, d, e (experts leave and join); each active
     * expert, the i-th of {@link #CHURN_EXPERTS}, earns 1 with probability {@code (i + 1) / 6}, expert a
     * 0.5 more after step 150 and in batches with a drift detected, else a partial reward in [0, 0.3);
     * every 17th batch ({@code t % 17 == 16}) is unlabelled (empty rewards); after every 40th the
     * coordinator's priors {@code e: 0.9, f: 0.4, b: 0.2} (f never a candidate) are adopted with weight 3.
     */
    public static Scenario churn(Situation situation) {
        return (router, random, from, steps) -> {
            List<Routing> out = new ArrayList<>();
            for (int t = from; t < from + steps; t++) {
                List<String> candidates = t % 50 < 25 ? CHURN_EXPERTS.subList(0, 4) : CHURN_EXPERTS.subList(1, 5);
                RoutingContext context = situation.at(candidates, t, random);
                Routing routing = router.route(context);
                Map<String, Double> rewards = new HashMap<>();
                if (t % 17 != 16) {
                    boolean drift = context.signals().get(StandardSignals.DRIFT_DETECTED, 0) > 0;
                    for (String name : routing.active()) {
                        double mean = (CHURN_EXPERTS.indexOf(name) + 1) / 6.0
                                + (name.equals("a") && (t > 150 || drift) ? 0.5 : 0.0);
                        rewards.put(name, random.nextDouble() < mean ? 1.0 : random.nextDouble() * 0.3);
                    }
                }
                router.reward(routing, rewards);
                if (t % 40 == 39) {
                    router.adoptPriors(Map.of("e", 0.9, "f", 0.4, "b", 0.2), 3.0);
                }
                out.add(routing);
            }
            return out;
        };
    }

    /**
     * The selection contract ({@link #assertSelection}: {@code min(k, candidates)} distinct candidates with
     * positive weights summing to one) at every one of {@code steps} routings over candidates that join and
     * leave: of a to f, a is missing in the middle third of the steps and f comes every third batch;
     * contexts from {@link #changing} (one feature, 8 rows); the active experts earn 1 with probability
     * {@code (i + 1) / 7} for the i-th of a to f, drawn from {@code new Random(seed)}.
     */
    public static void assertSelectionAsCandidatesChange(Router router, int k, long seed, int steps) {
        List<String> six = List.of("a", "b", "c", "d", "e", "f");
        Situation situation = changing(SCHEMA, 8);
        Random random = new Random(seed);
        for (int t = 0; t < steps; t++) {
            List<String> candidates = six.subList(t >= steps / 3 && t < 2 * steps / 3 ? 1 : 0, t % 3 == 0 ? 6 : 5);
            Routing routing = router.route(situation.at(candidates, t, random));
            assertSelection(routing, candidates, Math.min(k, candidates.size()));
            Map<String, Double> rewards = new HashMap<>();
            for (String name : routing.active()) {
                rewards.put(name, random.nextDouble() < (six.indexOf(name) + 1) / 7.0 ? 1.0 : 0.0);
            }
            router.reward(routing, rewards);
        }
    }

    /** Same active experts and bit-identical weights, routing by routing. */
    public static void assertSameRoutings(List<Routing> expected, List<Routing> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).active(), actual.get(i).active(), "routing " + i);
            assertArrayEquals(expected.get(i).weights(), actual.get(i).weights(), "weights of routing " + i);
        }
    }

    /**
     * The selection contract: {@code size} distinct experts, all among the candidates, with positive
     * weights summing to one.
     */
    public static void assertSelection(Routing routing, List<String> candidates, int size) {
        assertEquals(size, routing.active().size());
        assertEquals(size, new HashSet<>(routing.active()).size(), "distinct");
        assertTrue(candidates.containsAll(routing.active()), routing.active() + " outside " + candidates);
        double sum = 0;
        for (double w : routing.weights()) {
            assertTrue(w > 0, "weight " + w);
            sum += w;
        }
        assertEquals(1.0, sum, 1e-12);
    }

    /** {@link #assertSelection} with equal weights {@code 1 / size}. */
    public static void assertUniformSelection(Routing routing, List<String> candidates, int size) {
        assertSelection(routing, candidates, size);
        for (double w : routing.weights()) {
            assertEquals(1.0 / size, w, 1e-15);
        }
    }

    /**
     * Plays a Bernoulli bandit over {@code arms} with k = 1 (contexts from {@link #context(List, int)},
     * round 1): means {@code before} up to step {@code switchAt} and {@code after} from then on, rewards
     * drawn from {@code new Random(seed)}. Returns the cumulative pseudo-regret
     * ({@code max_i mu_i - mu_chosen}) after each step.
     */
    public static double[] play(Router router, List<String> arms, double[] before, double[] after, int switchAt,
            int steps, long seed) {
        Random random = new Random(seed);
        double[] regret = new double[steps];
        double cumulative = 0;
        for (int t = 0; t < steps; t++) {
            double[] means = t < switchAt ? before : after;
            Routing routing = router.route(context(arms, 1));
            int arm = arms.indexOf(routing.active().get(0));
            cumulative += max(means) - means[arm];
            regret[t] = cumulative;
            router.reward(routing, Map.of(arms.get(arm), random.nextDouble() < means[arm] ? 1.0 : 0.0));
        }
        return regret;
    }

    /** {@link #play} with stationary means. */
    public static double[] play(Router router, List<String> arms, double[] means, int steps, long seed) {
        return play(router, arms, means, means, steps, steps, seed);
    }

    /**
     * A learning router's regret on a stationary Bernoulli bandit ({@link #play}, k = 1) is sublinear and
     * far below uniform routing's: for seeds 1 to {@code seeds}, the router {@code bySeed.apply(seed)}
     * played {@code steps} steps with rewards drawn from {@code seed} has {@code R(T) < growth * R(T / 10)}
     * (linear regret gives 10) and {@code R(T) < share * }{@link #uniformRegret}. The numbers are printed
     * under {@code name}.
     */
    public static void assertSublinearRegret(String name, LongFunction<Router> bySeed, List<String> arms, double[] means,
            int steps, int seeds, double growth, double share) {
        double uniform = uniformRegret(means, steps);
        for (long seed = 1; seed <= seeds; seed++) {
            double[] regret = play(bySeed.apply(seed), arms, means, steps, seed);
            double atT = regret[steps - 1];
            double atTenth = regret[steps / 10 - 1];
            System.out.printf("%s seed %d: R(%d) = %.1f, R(%d) = %.1f, ratio %.2f, uniform %.0f%n", name, seed, steps, atT,
                    steps / 10, atTenth, atT / atTenth, uniform);
            assertTrue(atT < growth * atTenth, name + " seed " + seed + ": R(T) " + atT + " vs R(T/10) " + atTenth);
            assertTrue(atT < share * uniform, name + " seed " + seed + ": R(T) " + atT + " vs uniform " + uniform);
        }
    }

    /**
     * Forgetting follows a switch of the best arm: the arms pay {@code before} up to step T/2, then
     * {@code after} ({@link #play}, k = 1, seeds 1 to {@code seeds}); for each seed the {@code forgetting}
     * router's regret over the second half is below {@code growth} times its regret over the first tenth of
     * it (it settles on the new best), and summed over the seeds below {@code share} of the
     * {@code stationary} router's second-half regret. The numbers are printed under {@code name}.
     */
    public static void assertForgettingFollowsASwitch(String name, LongFunction<Router> forgetting,
            LongFunction<Router> stationary, List<String> arms, double[] before, double[] after, int steps, int seeds,
            double growth, double share) {
        int half = steps / 2;
        double forgettingSum = 0;
        double stationarySum = 0;
        for (long seed = 1; seed <= seeds; seed++) {
            double[] with = play(forgetting.apply(seed), arms, before, after, half, steps, seed);
            double[] without = play(stationary.apply(seed), arms, before, after, half, steps, seed);
            double secondHalf = with[steps - 1] - with[half - 1];
            double firstTenth = with[half + half / 10 - 1] - with[half - 1];
            double secondHalfWithout = without[steps - 1] - without[half - 1];
            System.out.printf("%s switch seed %d: second-half R = %.1f (first tenth %.1f) forgetting, %.1f without;"
                    + " first half %.1f vs %.1f%n", name, seed, secondHalf, firstTenth, secondHalfWithout, with[half - 1],
                    without[half - 1]);
            assertTrue(secondHalf < growth * firstTenth, name + " seed " + seed + ": the second half's regret keeps growing: "
                    + secondHalf + " vs " + firstTenth + " in its first tenth");
            forgettingSum += secondHalf;
            stationarySum += secondHalfWithout;
        }
        assertTrue(forgettingSum < share * stationarySum, name + ": second-half regret " + forgettingSum + " forgetting vs "
                + stationarySum + " without");
    }

    /** The largest value ({@code -Infinity} for none). */
    public static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    /** Expected pseudo-regret of picking an arm uniformly at random for {@code steps} steps. */
    public static double uniformRegret(double[] means, int steps) {
        double sum = 0;
        for (double m : means) {
            sum += max(means) - m;
        }
        return steps * sum / means.length;
    }
}
