package io.scarcity.plugins.softmaxgate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import io.scarcity.api.testing.PluginTestKit;
import io.scarcity.api.testing.RouterTestKit;
import io.scarcity.api.testing.RouterTestKit.Counting;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxGateRouterTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("u", "v"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final Batch BATCH = Batch.ofClasses(SCHEMA, "d", 0, new double[] {0, 0}, new int[] {0});

    private static SoftmaxGateRouter router(Map<String, ?> config, long seed) {
        return (SoftmaxGateRouter) new SoftmaxGateRouterFactory().create(PluginConfig.of("router", config),
                PluginContext.standalone(seed, SCHEMA, "softmax-gate"));
    }

    private static SoftmaxGateRouter router(Map<String, ?> config) {
        return router(config, 1);
    }

    private static RoutingContext context(List<String> candidates) {
        return new RoutingContext(candidates, BATCH, new InMemorySignalBoard(), 1);
    }

    /** A batch of 16 Gaussian rows, so that the novelty and spread components vary as on a real stream. */
    private static Batch randomBatch(Random random) {
        double[] f = new double[32];
        int[] y = new int[16];
        for (int i = 0; i < f.length; i++) {
            f[i] = random.nextGaussian();
        }
        return Batch.ofClasses(SCHEMA, "d", 0, f, y);
    }

    // ---- selection contract ----

    @Test
    void topKActivatesKDistinctCandidatesWithWeightsSummingToOne() {
        RouterTestKit.assertSelectionAsCandidatesChange(router(Map.of("k", 2)), 2, 3, 300);
        // Zero logits: equal weights.
        RouterTestKit.assertActivatesAllEqually(router(Map.of("k", 9)), List.of("a", "b", "c", "d", "e"));
        assertEquals(List.of("a", "b"), router(Map.of("k", 3)).route(context(List.of("a", "b", "a"))).active());
    }

    @Test
    void isDeterministicForASeedAndTheSeedMatters() {
        PluginTestKit.Driver<Router> driver = RouterTestKit.driver(RouterTestKit.churn(RouterTestKit.changing(SCHEMA, 8)));
        PluginTestKit.assertDeterministic(() -> router(Map.of(), 7), driver, 1, 200);
        PluginTestKit.assertSeedMatters(seed -> router(Map.of(), seed), driver, 7, 200);
    }

    @Test
    void candidatesMayJoinAndLeaveAndANewcomerIsTriedAtOnce() {
        SoftmaxGateRouter router = router(Map.of("k", 2));
        Random env = new Random(5);
        for (int t = 0; t < 300; t++) {
            List<String> candidates = t % 40 < 20 ? List.of("a", "b", "c") : List.of("b", "c");
            Routing routing = router.route(context(candidates));
            assertTrue(candidates.containsAll(routing.active()), routing.active() + " not in " + candidates);
            Map<String, Double> rewards = new HashMap<>();
            for (String name : routing.active()) {
                rewards.put(name, env.nextDouble() < 0.5 ? 1.0 : 0.0);
            }
            router.reward(routing, rewards);
        }
        // d has never been active: its exploration bonus is the largest, and its logit starts at zero.
        Routing joined = router.route(context(List.of("a", "b", "c", "d")));
        assertTrue(joined.active().contains("d"), joined.active().toString());
        assertEquals(0.0, router.logit("d", new double[8]));
        assertEquals(List.of("b"), router.route(context(List.of("b"))).active(), "a single candidate is always active");
    }

    @Test
    void emptyRewardsOfAnUnlabelledBatchAndStaleRoutingsAreIgnored() {
        SoftmaxGateRouter router = router(Map.of("k", 2));
        Routing routing = router.route(context(List.of("a", "b")));
        router.reward(routing, Map.of());
        assertArrayEquals(new double[8], router.gateWeights("a"));
        assertEquals(0.0, router.count("a"));
        router.reward(routing, Map.of("a", Double.NaN));
        assertEquals(0.0, router.count("a"), "a non-finite reward is no reward");
        // Still pending: the labels may come later.
        router.reward(routing, Map.of("a", 0.9, "b", 0.1));
        assertEquals(1.0, router.count("a"));
        double[] trained = router.gateWeights("a");
        router.reward(routing, Map.of("a", 0.9, "b", 0.1));
        assertArrayEquals(trained, router.gateWeights("a"), "a routing is trained on once");
        Routing next = router.route(context(List.of("a", "b")));
        router.reward(routing, Map.of("a", 0.9, "b", 0.1));
        assertArrayEquals(trained, router.gateWeights("a"), "an older routing is not trained on");
        router.reward(next, Map.of("b", 0.8));
        assertEquals(0.99, router.count("a"), 1e-15, "an active expert without a reward is left out (only discounted)");
        assertTrue(router.count("b") > 1.9);
    }

    // ---- reward updates ----

    /** The mixture's gradient alone (anchor 0), checked against the formula of the class comment. */
    @Test
    void theMixtureGradientIsExact() {
        SoftmaxGateRouter router = router(Map.of("k", 2, "anchor", 0.0, "noise", 0.0));
        Routing routing = router.route(context(List.of("a", "b")));
        assertEquals(0.5, routing.weight(0), 1e-15);
        router.reward(routing, Map.of("a", 0.9, "b", 0.2));
        double likelihood = 0.5 * 0.9 + 0.5 * 0.2;
        // x[0] is the bias 1; the weights started at zero, so the L2 term is zero.
        assertEquals(0.1 * 0.5 * (0.9 - likelihood) / likelihood, router.gateWeights("a")[0], 1e-15);
        assertEquals(0.1 * 0.5 * (0.2 - likelihood) / likelihood, router.gateWeights("b")[0], 1e-15);
        assertEquals(0.9, router.meanReward("a"), 1e-15);

        SoftmaxGateRouter anchored = router(Map.of("k", 2, "noise", 0.0, "temperature", 2.0));
        anchored.reward(anchored.route(context(List.of("a", "b"))), Map.of("a", 0.9, "b", 0.2));
        assertEquals(0.1 * (0.5 * (0.9 - likelihood) / likelihood / 2.0 + (0.9 - 0.5)), anchored.gateWeights("a")[0], 1e-15);
    }

    @Test
    void afterARewardWhereABeatBItsWeightRisesForThatContext() {
        for (double anchor : new double[] {0.0, 1.0}) {
            SoftmaxGateRouter router = router(Map.of("k", 2, "anchor", anchor));
            InMemorySignalBoard signals = new InMemorySignalBoard();
            signals.publish(StandardSignals.DRIFT_DETECTED, 1);
            RoutingContext drift = new RoutingContext(List.of("a", "b"), BATCH, signals, 1);
            Routing before = router.route(drift);
            int a = before.active().indexOf("a");
            // Both low, so that the anchor alone would push both logits down: the gate must still prefer a.
            router.reward(before, Map.of("a", 0.3, "b", 0.1));
            Routing after = router.route(drift);
            assertTrue(after.weight(after.active().indexOf("a")) > before.weight(a) + 0.01,
                    "anchor " + anchor + ": weight of a " + before.weight(a) + " -> " + after.weight(after.active().indexOf("a")));
            double[] x = {1, 0, 1, 0, 0, 0.5, 0.5, 0};
            assertTrue(router.logit("a", x) > router.logit("b", x));
        }
    }

    /**
     * Expert a is right after a detected drift (0.9, else 0.2), b the other way round. After training on
     * random contexts, the gate puts most of the weight on the right expert in each context.
     */
    @Test
    void learnsAContextDependentChoice() {
        for (long seed = 1; seed <= 4; seed++) {
            // Seed 4 without the anchor: the mixture's loss alone learns the context when both are active.
            SoftmaxGateRouter router = router(seed == 4 ? Map.of("k", 2, "anchor", 0.0) : Map.of("k", 2), seed);
            Random env = new Random(seed);
            List<String> experts = List.of("a", "b");
            for (int t = 0; t < 3000; t++) {
                boolean drift = env.nextBoolean();
                Routing routing = router.route(contextWithDrift(experts, drift, env));
                Map<String, Double> rewards = new HashMap<>();
                for (String name : routing.active()) {
                    boolean right = name.equals("a") == drift;
                    rewards.put(name, Math.min(1, Math.max(0, (right ? 0.9 : 0.2) + 0.05 * env.nextGaussian())));
                }
                router.reward(routing, rewards);
            }
            for (boolean drift : new boolean[] {true, false}) {
                double right = 0;
                for (int t = 0; t < 50; t++) {
                    Routing routing = router.route(contextWithDrift(experts, drift, env));
                    right += routing.weight(routing.active().indexOf(drift ? "a" : "b")) / 50;
                }
                System.out.printf("context gate seed %d drift=%s: mean weight on the right expert %.3f%n", seed, drift, right);
                assertTrue(right > 0.8, "seed " + seed + ", drift " + drift + ": weight on the right expert " + right);
            }
        }
        // With k = 1 over three experts, the choice itself follows the context.
        SoftmaxGateRouter router = router(Map.of("k", 1), 4);
        Random env = new Random(4);
        List<String> experts = List.of("a", "b", "c");
        int right = 0;
        for (int t = 0; t < 4000; t++) {
            boolean drift = env.nextBoolean();
            Routing routing = router.route(contextWithDrift(experts, drift, env));
            String chosen = routing.active().get(0);
            double mean = chosen.equals("c") ? 0.5 : chosen.equals("a") == drift ? 0.9 : 0.2;
            if (t >= 3000 && (chosen.equals("a") == drift) && !chosen.equals("c")) {
                right++;
            }
            router.reward(routing, Map.of(chosen, env.nextDouble() < mean ? 1.0 : 0.0));
        }
        System.out.printf("context gate k=1: right expert chosen in %d of the last 1000 batches%n", right);
        assertTrue(right > 850, "right choices " + right);
    }

    private static RoutingContext contextWithDrift(List<String> experts, boolean drift, Random env) {
        SignalBoard signals = new InMemorySignalBoard();
        signals.publish(StandardSignals.DRIFT_DETECTED, drift ? 1 : 0);
        signals.publish(StandardSignals.DRIFT_SCORE, drift ? 0.6 + 0.4 * env.nextDouble() : 0.3 * env.nextDouble());
        return new RoutingContext(experts, randomBatch(env), signals, 1);
    }

    @Test
    void explorationsCountActivationsTheCleanTopKWouldNotHaveMade() {
        Counting noisy = new Counting();
        Router router = new SoftmaxGateRouter(new Options(1, 2.0, 0.0, 1, 0.1, 1e-4, 0.99, 0.0, 1), new Random(1), noisy);
        Counting quiet = new Counting();
        Router greedy = new SoftmaxGateRouter(new Options(1, 0.0, 0.0, 1, 0.1, 1e-4, 0.99, 0.0, 1), new Random(1), quiet);
        List<String> arms = List.of("a", "b", "c");
        for (Router r : List.of(router, greedy)) {
            for (int t = 0; t < 200; t++) {
                Routing routing = r.route(context(arms));
                r.reward(routing, Map.of(routing.active().get(0), routing.active().get(0).equals("a") ? 0.9 : 0.1));
            }
        }
        long explored = noisy.count(SoftmaxGateRouter.EXPLORATIONS);
        assertTrue(explored > 20 && explored < 180, "explorations with noise 2: " + explored);
        assertEquals(0L, quiet.count(SoftmaxGateRouter.EXPLORATIONS));
        assertTrue(noisy.gauges.isEmpty() && quiet.gauges.isEmpty(), "the softmax gate reports no gauge");
    }

    // ---- priors ----

    @Test
    void priorMappingIsThePosteriorLogOdds() {
        assertEquals(0.0, SoftmaxGateRouter.priorLogOdds(0.5, 30), 1e-15);
        assertEquals(0.0, SoftmaxGateRouter.priorLogOdds(0.9, 0), 1e-15);
        assertEquals(Math.log(0.9 / 0.1), SoftmaxGateRouter.priorLogOdds(0.9, 1e9), 1e-6);
        assertEquals(Math.log(21), SoftmaxGateRouter.priorLogOdds(1.0, 20), 1e-12);
        assertTrue(SoftmaxGateRouter.priorLogOdds(0.2, 5) < 0);
        assertTrue(SoftmaxGateRouter.priorLogOdds(0.8, 20) > SoftmaxGateRouter.priorLogOdds(0.8, 5));
    }

    @Test
    void aPriorSteersTheFirstRoutingOfAFreshRouter() {
        List<String> arms = List.of("a", "b", "c");
        int withoutC = 0;
        for (long seed = 1; seed <= 30; seed++) {
            SoftmaxGateRouter informed = router(Map.of("k", 1), seed);
            informed.adoptPriors(Map.of("a", 0.2, "b", 0.3, "c", 0.8), 20);
            assertEquals(List.of("c"), informed.route(context(arms)).active(), "seed " + seed);
            if (router(Map.of("k", 1), seed).route(context(arms)).active().equals(List.of("c"))) {
                withoutC++;
            }
        }
        assertTrue(withoutC < 20, "without a prior c was first in " + withoutC + " of 30");
        SoftmaxGateRouter mixed = router(Map.of("k", 2));
        mixed.adoptPriors(Map.of("a", 0.2, "b", 0.8), 20);
        assertEquals(20.0, mixed.count("b"));
        assertEquals(0.8, mixed.meanReward("b"), 1e-12);
        Routing routing = mixed.route(context(List.of("a", "b")));
        assertTrue(routing.weight(routing.active().indexOf("b")) > 0.9, "prior odds set the mixture weights");
    }

    @Test
    void ownRewardsOverrideAPrior() {
        SoftmaxGateRouter router = router(Map.of("k", 1));
        router.reward(router.route(context(List.of("a"))), Map.of("a", 0.1));
        double[] own = router.gateWeights("a");
        router.adoptPriors(Map.of("a", 0.95, "b", 0.9), 10);
        assertArrayEquals(own, router.gateWeights("a"), "a prior never overwrites what this client learned");
        assertEquals(SoftmaxGateRouter.priorLogOdds(0.9, 10), router.gateWeights("b")[0], 1e-15);
        router.adoptPriors(Map.of("b", 0.1), 0);
        assertEquals(SoftmaxGateRouter.priorLogOdds(0.9, 10), router.gateWeights("b")[0], 1e-15, "weight 0 changes nothing");

        // b's prior says 0.9, but it pays 0.1 here and a pays 0.6: the gate turns to a.
        List<String> arms = List.of("a", "b");
        assertEquals(List.of("b"), router.route(context(arms)).active());
        Random env = new Random(2);
        int aLate = 0;
        for (int t = 0; t < 600; t++) {
            Routing routing = router.route(context(arms));
            String chosen = routing.active().get(0);
            if (t >= 400 && chosen.equals("a")) {
                aLate++;
            }
            router.reward(routing, Map.of(chosen, env.nextDouble() < (chosen.equals("a") ? 0.6 : 0.1) ? 1.0 : 0.0));
        }
        assertTrue(aLate > 170, "a chosen " + aLate + " of the last 200 times");
        double[] learned = router.gateWeights("b");
        router.adoptPriors(Map.of("b", 0.99), 50);
        assertArrayEquals(learned, router.gateWeights("b"), "b was rewarded here: a prior no longer applies");
    }
}
