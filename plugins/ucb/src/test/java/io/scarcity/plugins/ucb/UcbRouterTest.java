package io.scarcity.plugins.ucb;

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
import io.scarcity.api.testing.RouterTestKit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UcbRouterTest {
    private static final List<String> ARMS = List.of("low", "mid", "high");
    private static final double[] MEANS = {0.2, 0.5, 0.8};

    private static Router router(Map<String, ?> config) {
        return new UcbRouterFactory().create(PluginConfig.of("router", config), PluginContext.standalone(1, null, "ucb"));
    }

    private static RoutingContext context(List<String> candidates) {
        return new RoutingContext(candidates, BATCH, new InMemorySignalBoard(), 1);
    }

    /** Plays a Bernoulli bandit with k = 1; returns the pseudo-regret after each step and counts pulls. */
    private static double[] play(Router router, double[] means, int steps, long seed, int[] pulls) {
        Random random = new Random(seed);
        double best = 0;
        for (double m : means) {
            best = Math.max(best, m);
        }
        double[] regret = new double[steps];
        double cumulative = 0;
        for (int t = 0; t < steps; t++) {
            Routing routing = router.route(context(ARMS));
            assertEquals(1, routing.active().size());
            int arm = ARMS.indexOf(routing.active().get(0));
            pulls[arm]++;
            cumulative += best - means[arm];
            regret[t] = cumulative;
            router.reward(routing, Map.of(ARMS.get(arm), random.nextDouble() < means[arm] ? 1.0 : 0.0));
        }
        return regret;
    }

    @Test
    void findsTheBestArmWithSublinearRegret() {
        for (long seed = 1; seed <= 5; seed++) {
            int[] pulls = new int[3];
            double[] regret = play(router(Map.of()), MEANS, 5000, seed, pulls);
            assertTrue(pulls[2] > 0.8 * 5000, "seed " + seed + ": best arm pulled " + pulls[2] + " times");
            assertTrue(regret[4999] < 5 * regret[499],
                    "seed " + seed + ": regret " + regret[4999] + " at 5000 vs " + regret[499] + " at 500");
        }
    }

    @Test
    void triesEveryArmFirstInCandidateOrderThenIsDeterministic() {
        Router router = router(Map.of());
        for (String expected : ARMS) {
            Routing routing = router.route(context(ARMS));
            assertEquals(List.of(expected), routing.active());
            router.reward(routing, Map.of(expected, 0.5));
        }
        // All equal: ties go to the first candidate.
        assertEquals(List.of("low"), router.route(context(ARMS)).active());
    }

    @Test
    void topKActivatesKDistinctExpertsWithWeightsSummingToOne() {
        RouterTestKit.assertSelectionAsCandidatesChange(router(Map.of("k", 2)), 2, 3, 300);
        RouterTestKit.assertActivatesAllEqually(router(Map.of("k", 9)), List.of("a", "b", "c", "d", "e"));
    }

    @Test
    void rewardWeightingFollowsMeanRewards() {
        Router router = router(Map.of("k", 2));
        Routing first = router.route(context(List.of("a", "b")));
        router.reward(first, Map.of("a", 0.9, "b", 0.3));
        Routing next = router.route(context(List.of("a", "b")));
        assertEquals(0.75, next.weight(0), 1e-12);
        assertEquals(0.25, next.weight(1), 1e-12);

        Router uniform = router(Map.of("k", 2, "weighting", "uniform"));
        uniform.reward(uniform.route(context(List.of("a", "b"))), Map.of("a", 0.9, "b", 0.3));
        assertEquals(0.5, uniform.route(context(List.of("a", "b"))).weight(0), 1e-12);

        router.reward(next, Map.of("a", 0.9, "b", 0.0));
        Routing floored = router.route(context(List.of("a", "b")));
        assertTrue(floored.weight(1) > 0, "a floor keeps every active expert in the mixture");
    }

    @Test
    void aNewCandidateStartsUntried() {
        Router router = router(Map.of());
        for (int t = 0; t < 20; t++) {
            Routing routing = router.route(context(List.of("a", "b")));
            router.reward(routing, Map.of(routing.active().get(0), 1.0));
        }
        assertEquals(List.of("c"), router.route(context(List.of("a", "b", "c"))).active());
    }

    /**
     * The coordinator's priors cover every expert it has heard of; the strong one (0.8) is on the best
     * arm. (A prior on the best arm alone does not help UCB1: the other arms are still unknown and must
     * be explored either way.)
     */
    @Test
    void aStrongPriorOnTheBestArmLowersEarlyRegret() {
        double withPrior = 0;
        double without = 0;
        for (long seed = 1; seed <= 20; seed++) {
            Router informed = router(Map.of());
            informed.adoptPriors(Map.of("low", 0.25, "mid", 0.45, "high", 0.8), 20);
            withPrior += play(informed, MEANS, 100, seed, new int[3])[99];
            without += play(router(Map.of()), MEANS, 100, seed, new int[3])[99];
        }
        assertTrue(withPrior < 0.7 * without, "regret over 100 steps: " + withPrior / 20 + " with prior vs " + without / 20);
    }

    @Test
    void priorsOnlySeedExpertsThisClientHasNotRewarded() {
        UcbRouter router = new UcbRouter(Options.defaults(), MetricsSink.NONE);
        Routing routing = router.route(context(List.of("a", "b")));
        router.reward(routing, Map.of("a", 1.0));
        router.adoptPriors(Map.of("a", 0.1, "b", 0.6), 10);
        assertEquals(1.0, router.pulls("a"));
        assertEquals(1.0, router.mean("a"));
        assertEquals(10.0, router.pulls("b"));
        assertEquals(0.6, router.mean("b"), 1e-12);
        router.adoptPriors(Map.of("b", 0.4), 0);
        assertEquals(0.6, router.mean("b"), 1e-12, "weight 0 changes nothing");
    }

    @Test
    void discountingFollowsASwitchOfTheBestArm() {
        double stationaryShare = shareOfNewBestAfterSwitch(1.0);
        double discountedShare = shareOfNewBestAfterSwitch(0.99);
        assertTrue(discountedShare > 0.65, "discounted share " + discountedShare);
        assertTrue(discountedShare > stationaryShare + 0.2, discountedShare + " vs stationary " + stationaryShare);
    }

    /**
     * Arm a pays 0.8 for 10,000 steps, then 0.1; arm b pays 0.5 throughout. Returns b's share of the
     * 1000 pulls after the switch: a stationary router trusts a's long record for a long time.
     */
    private static double shareOfNewBestAfterSwitch(double discount) {
        Router router = router(Map.of("discount", discount));
        Random random = new Random(9);
        List<String> arms = List.of("a", "b");
        int good = 0;
        for (int t = 0; t < 11_000; t++) {
            double[] means = t < 10_000 ? new double[] {0.8, 0.5} : new double[] {0.1, 0.5};
            Routing routing = router.route(context(arms));
            int arm = arms.indexOf(routing.active().get(0));
            if (t >= 10_000 && arm == 1) {
                good++;
            }
            router.reward(routing, Map.of(arms.get(arm), random.nextDouble() < means[arm] ? 1.0 : 0.0));
        }
        return good / 1000.0;
    }

    @Test
    void repeatedCandidatesAreRoutedOnce() {
        Routing routing = router(Map.of("k", 3)).route(context(List.of("a", "b", "a")));
        assertEquals(List.of("a", "b"), routing.active());
    }
}
