package io.scarcity.plugins.epsilongreedy;

import static io.scarcity.api.testing.RouterTestKit.BATCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.testing.PluginTestKit;
import io.scarcity.api.testing.RouterTestKit;
import io.scarcity.api.testing.RouterTestKit.Counting;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EpsilonGreedyRouterTest {
    private static final List<String> ARMS = List.of("a", "b", "c", "d", "e");
    private static final double[] MEANS = {0.3, 0.5, 0.7, 0.4, 0.6};
    private static final double[] SWITCHED = {0.8, 0.5, 0.2, 0.4, 0.6};

    private static Router router(Map<String, ?> config, long seed) {
        return new EpsilonGreedyRouterFactory().create(PluginConfig.of("router", config),
                PluginContext.standalone(seed, null, "epsilon-greedy"));
    }

    private static EpsilonGreedyRouter router(Options options, long seed, MetricsSink metrics) {
        return new EpsilonGreedyRouter(options, new Random(seed), metrics);
    }

    private static RoutingContext context(List<String> candidates) {
        return new RoutingContext(candidates, BATCH, new InMemorySignalBoard(), 1);
    }

    @Test
    void stationaryRegretIsSublinearAndFarBelowUniform() {
        RouterTestKit.assertSublinearRegret("epsilon-greedy", seed -> router(Map.of(), seed), ARMS, MEANS, 20_000, 3, 4, 0.15);
    }

    /**
     * The best arm (0.7) drops to 0.2 at T/2 and the worst (0.3) becomes the best (0.8). Without
     * discounting, the old best's long record keeps it the greedy choice for thousands of steps.
     */
    @Test
    void discountingFollowsASwitchOfTheBestArm() {
        RouterTestKit.assertForgettingFollowsASwitch("epsilon-greedy, discount 0.99", seed -> router(Map.of("discount", 0.99), seed),
                seed -> router(Map.of(), seed), ARMS, MEANS, SWITCHED, 20_000, 3, 5, 0.25);
    }

    @Test
    void triesEveryArmFirstInCandidateOrderThenExploitsWithoutExploration() {
        EpsilonGreedyRouter router = router(new Options(1, 0.0, 0.0, 0.0, 1.0, Options.Weighting.REWARD), 1, MetricsSink.NONE);
        double[] rewards = {0.2, 0.9, 0.5};
        List<String> arms = List.of("x", "y", "z");
        for (int i = 0; i < 3; i++) {
            Routing routing = router.route(context(arms));
            assertEquals(List.of(arms.get(i)), routing.active());
            router.reward(routing, Map.of(arms.get(i), rewards[i]));
        }
        for (int t = 0; t < 20; t++) {
            assertEquals(List.of("y"), router.route(context(arms)).active());
        }
        // A new candidate is untried: it comes first.
        assertEquals(List.of("w"), router.route(context(List.of("x", "y", "z", "w"))).active());
        // Equal means: ties go to the first candidate.
        EpsilonGreedyRouter tied = router(new Options(1, 0.0, 0.0, 0.0, 1.0, Options.Weighting.REWARD), 1, MetricsSink.NONE);
        tied.reward(Routing.uniform(arms), Map.of("x", 0.5, "y", 0.5, "z", 0.5));
        assertEquals(List.of("x"), tied.route(context(arms)).active());
    }

    @Test
    void eachSlotExploresWithProbabilityEpsilonUniformlyAmongTheOthers() {
        Counting metrics = new Counting();
        EpsilonGreedyRouter router = router(new Options(2, 0.3, 0.3, 0.0, 1.0, Options.Weighting.REWARD), 4, metrics);
        List<String> arms = List.of("a", "b", "c", "d", "e", "f");
        Map<String, Double> fixed = Map.of("a", 0.9, "b", 0.8, "c", 0.1, "d", 0.1, "e", 0.1, "f", 0.1);
        router.reward(Routing.uniform(arms), fixed);
        int steps = 10_000;
        Map<String, Integer> chosen = new HashMap<>();
        for (int t = 0; t < steps; t++) {
            Routing routing = router.route(context(arms));
            for (String name : routing.active()) {
                chosen.merge(name, 1, Integer::sum);
            }
        }
        long explorations = metrics.counts.getOrDefault("epsilon-greedy.explorations", 0L);
        System.out.printf("epsilon-greedy exploration: %d of %d slots replaced (epsilon 0.3), choices %s%n", explorations,
                2 * steps, chosen);
        assertEquals(0.3, explorations / (2.0 * steps), 0.015);
        assertEquals(0.3, metrics.gauges.get("epsilon-greedy.epsilon"), 1e-15);
        // Each of the four others gets a quarter of the replaced slots.
        for (String other : List.of("c", "d", "e", "f")) {
            assertEquals(explorations / 4.0, chosen.get(other), 0.1 * explorations / 4.0, other);
        }
        assertEquals(2 * steps - explorations, chosen.get("a") + chosen.get("b"));

        // All candidates active: there is no other candidate to explore.
        Counting none = new Counting();
        EpsilonGreedyRouter all = router(new Options(3, 1.0, 1.0, 0.0, 1.0, Options.Weighting.UNIFORM), 4, none);
        assertEquals(List.of("a", "b", "c"), all.route(context(List.of("a", "b", "c"))).active());
        assertTrue(none.counts.isEmpty());
    }

    @Test
    void epsilonDecaysWithTheNumberOfRoutes() {
        Counting metrics = new Counting();
        EpsilonGreedyRouter router = router(new Options(1, 0.5, 0.05, 0.01, 1.0, Options.Weighting.REWARD), 2, metrics);
        int early = 0;
        int late = 0;
        for (int t = 0; t < 4000; t++) {
            long before = metrics.counts.getOrDefault("epsilon-greedy.explorations", 0L);
            router.route(context(List.of("a", "b", "c")));
            long explored = metrics.counts.getOrDefault("epsilon-greedy.explorations", 0L) - before;
            if (t < 100) {
                early += explored;
            } else if (t >= 3000) {
                late += explored;
            }
        }
        assertEquals(4000, router.routes());
        assertEquals(0.05, metrics.gauges.get("epsilon-greedy.epsilon"), 1e-15, "0.5 / (1 + 0.01 * 3999) is below the floor");
        // Expected: sum over t < 100 of 0.5 / (1 + 0.01 t) = 35; 1000 x 0.05 = 50 over the last thousand.
        assertTrue(early > 22 && early < 48, "explorations over the first 100 routes: " + early);
        assertTrue(late > 30 && late < 70, "explorations over the last 1000 routes: " + late);
    }

    @Test
    void topKActivatesKDistinctCandidatesWithWeightsSummingToOne() {
        RouterTestKit.assertSelectionAsCandidatesChange(router(Map.of("k", 2, "epsilon", 0.5, "minEpsilon", 0.2), 3), 2, 3, 300);
        RouterTestKit.assertActivatesAllEqually(router(Map.of("k", 9, "weighting", "uniform"), 1), ARMS);
    }

    @Test
    void isDeterministicForASeedAndRandomisedAcrossSeeds() {
        Map<String, Object> config = Map.of("k", 2, "epsilon", 0.4, "minEpsilon", 0.4);
        PluginTestKit.Driver<Router> driver = RouterTestKit.driver(RouterTestKit.churn(RouterTestKit.QUIET));
        PluginTestKit.assertDeterministic(() -> router(config, 11), driver, 5, 100);
        PluginTestKit.assertSeedMatters(seed -> router(config, seed), driver, 11, 100);
    }

    @Test
    void rewardsUpdateTheMeansAndTheWeights() {
        EpsilonGreedyRouter router = router(new Options(2, 0.0, 0.0, 0.0, 1.0, Options.Weighting.REWARD), 1, MetricsSink.NONE);
        Routing first = router.route(context(List.of("a", "b")));
        assertEquals(0.5, first.weight(0), 1e-12, "untried experts share the floor");
        router.reward(first, Map.of("a", 0.9, "b", 0.3));
        Routing next = router.route(context(List.of("a", "b")));
        assertEquals(0.75, next.weight(0), 1e-12);
        assertEquals(0.25, next.weight(1), 1e-12);

        // An unlabelled batch brings no rewards: nothing changes.
        router.reward(next, Map.of());
        assertEquals(1.0, router.pulls("a"));
        // Rewards are clamped to [0, 1]; non-finite ones and those of inactive experts are ignored.
        router.reward(next, Map.of("a", 7.0, "b", Double.NaN, "c", 1.0));
        assertEquals(2.0, router.pulls("a"));
        assertEquals(0.95, router.mean("a"), 1e-12);
        assertEquals(1.0, router.pulls("b"));
        assertEquals(0.0, router.pulls("c"));

        router.reward(router.route(context(List.of("a", "b"))), Map.of("a", 0.9, "b", 0.0));
        Routing floored = router.route(context(List.of("a", "b")));
        assertTrue(floored.weight(1) > 0, "a floor keeps every active expert in the mixture");

        Router uniform = router(Map.of("k", 2, "weighting", "uniform"), 1);
        uniform.reward(uniform.route(context(List.of("a", "b"))), Map.of("a", 0.9, "b", 0.3));
        assertEquals(0.5, uniform.route(context(List.of("a", "b"))).weight(0), 1e-12);
    }

    @Test
    void discountShrinksCountsButKeepsMeans() {
        EpsilonGreedyRouter router = router(new Options(1, 0.0, 0.0, 0.0, 0.5, Options.Weighting.REWARD), 1, MetricsSink.NONE);
        Routing routing = router.route(context(List.of("a")));
        router.reward(routing, Map.of("a", 1.0));
        router.reward(routing, Map.of("a", 0.0));
        router.route(context(List.of("a")));
        assertEquals(1.0, router.pulls("a"));
        assertEquals(0.5, router.mean("a"), 1e-12);
        router.reward(routing, Map.of("a", 1.0));
        assertEquals(0.75, router.mean("a"), 1e-12, "the new reward weighs as much as the two discounted ones");
    }

    @Test
    void aPriorSteersTheFirstChoicesAndOwnRewardsOverrideIt() {
        List<String> arms = List.of("a", "b", "c");
        EpsilonGreedyRouter fresh = router(new Options(1, 0.0, 0.0, 0.0, 1.0, Options.Weighting.REWARD), 1, MetricsSink.NONE);
        assertEquals(List.of("a"), fresh.route(context(arms)).active(), "without priors: the first untried");

        EpsilonGreedyRouter router = router(new Options(1, 0.0, 0.0, 0.0, 1.0, Options.Weighting.REWARD), 1, MetricsSink.NONE);
        router.adoptPriors(Map.of("a", 0.2, "b", 0.4, "c", 0.9), 10);
        assertEquals(10.0, router.pulls("c"));
        assertEquals(0.9, router.mean("c"), 1e-12);
        for (int t = 0; t < 30; t++) {
            Routing routing = router.route(context(arms));
            assertEquals(List.of("c"), routing.active(), "the prior steers the choice at step " + t);
            router.reward(routing, Map.of("c", 0.0));
            if (t == 5) {
                router.adoptPriors(Map.of("c", 0.9), 10);
                assertEquals(16.0, router.pulls("c"), "rewarded here: the prior no longer replaces the evidence");
            }
            if (router.mean("c") < 0.4) {
                break;
            }
        }
        // 10 pseudo-pulls at 0.9 and 13 zeros: mean 0.39 < b's 0.4.
        assertEquals(List.of("b"), router.route(context(arms)).active(), "own rewards override the prior");
        router.adoptPriors(Map.of("b", 0.1), 0);
        assertEquals(0.4, router.mean("b"), 1e-12, "weight 0 changes nothing");
    }

    @Test
    void repeatedCandidatesAreRoutedOnce() {
        Routing routing = router(Map.of("k", 3), 1).route(context(List.of("a", "b", "a")));
        assertEquals(List.of("a", "b"), routing.active());
    }

}
