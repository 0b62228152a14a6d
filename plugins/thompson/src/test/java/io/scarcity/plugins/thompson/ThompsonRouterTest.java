package io.scarcity.plugins.thompson;

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
import io.scarcity.api.StandardSignals;
import io.scarcity.api.testing.PluginTestKit;
import io.scarcity.api.testing.RouterTestKit;
import io.scarcity.api.testing.RouterTestKit.Counting;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ThompsonRouterTest {
    private static final List<String> ARMS = List.of("a", "b", "c", "d", "e");
    private static final double[] MEANS = {0.3, 0.5, 0.7, 0.4, 0.6};
    private static final double[] SWITCHED = {0.8, 0.5, 0.2, 0.4, 0.6};

    private static Router router(Map<String, ?> config, long seed) {
        return new ThompsonRouterFactory().create(PluginConfig.of("router", config),
                PluginContext.standalone(seed, null, "thompson"));
    }

    private static RoutingContext context(List<String> candidates) {
        return new RoutingContext(candidates, BATCH, new InMemorySignalBoard(), 1);
    }

    @Test
    void stationaryRegretIsSublinearAndFarBelowUniform() {
        for (String posterior : List.of("beta", "gaussian")) {
            RouterTestKit.assertSublinearRegret("thompson " + posterior, seed -> router(Map.of("posterior", posterior), seed),
                    ARMS, MEANS, 20_000, 3, 4, 0.05);
        }
    }

    /**
     * The best arm (0.7) drops to 0.2 at T/2 and the worst (0.3) becomes the best (0.8). Without
     * forgetting, the old best's long record keeps it chosen for thousands of steps.
     */
    @Test
    void discountingFollowsASwitchOfTheBestArm() {
        RouterTestKit.assertForgettingFollowsASwitch("thompson, discount 0.999", seed -> router(Map.of("discount", 0.999), seed),
                seed -> router(Map.of(), seed), ARMS, MEANS, SWITCHED, 20_000, 3, 5, 0.3);
    }

    /**
     * Two contexts (calm, or drift and outliers signalled) in which opposite experts are best; pooled,
     * every expert looks average.
     */
    @Test
    void contextClustersBeatOnePooledPosterior() {
        double pooled = contextualRegret(1, 4000, 7);
        double clustered = contextualRegret(2, 4000, 7);
        System.out.printf("thompson contextual: R(4000) clusters 1 = %.1f, clusters 2 = %.1f%n", pooled, clustered);
        assertTrue(pooled > 800, "pooled regret " + pooled);
        assertTrue(clustered < 0.15 * pooled, "clustered " + clustered + " vs pooled " + pooled);
    }

    private static double contextualRegret(int clusters, int steps, long seed) {
        Counting metrics = new Counting();
        ThompsonRouter router = new ThompsonRouter(new Options(1, Options.Posterior.BETA, 0.25, Options.Weighting.REWARD,
                1.0, clusters, 0.05), new Random(seed), metrics);
        List<String> arms = List.of("x", "y", "z");
        double[][] means = {{0.8, 0.2, 0.5}, {0.2, 0.8, 0.5}};
        InMemorySignalBoard calm = new InMemorySignalBoard();
        InMemorySignalBoard drifting = new InMemorySignalBoard();
        drifting.publish(StandardSignals.DRIFT_SCORE, 1.0);
        drifting.publish(StandardSignals.OUTLIER_RATE, 0.8);
        Random random = new Random(seed + 1);
        double regret = 0;
        int[] contextClusterAgreement = new int[4];
        for (int t = 0; t < steps; t++) {
            int c = random.nextInt(2);
            Routing routing = router.route(new RoutingContext(arms, BATCH, c == 0 ? calm : drifting, t / 50));
            contextClusterAgreement[2 * c + router.lastCluster()]++;
            int arm = arms.indexOf(routing.active().get(0));
            regret += 0.8 - means[c][arm];
            router.reward(routing, Map.of(arms.get(arm), random.nextDouble() < means[c][arm] ? 1.0 : 0.0));
        }
        if (clusters == 2) {
            // Each context lands in one cluster of its own: counts [calm in 0, calm in 1, drifting in 0, drifting in 1].
            int[] n = contextClusterAgreement;
            boolean separated = (n[0] == 0 && n[3] == 0 && n[1] > 0 && n[2] > 0) || (n[1] == 0 && n[2] == 0 && n[0] > 0 && n[3] > 0);
            assertTrue(separated, java.util.Arrays.toString(n));
            assertEquals(steps, metrics.counts.get("thompson.cluster.0") + metrics.counts.get("thompson.cluster.1"));
        } else {
            assertTrue(metrics.counts.keySet().stream().noneMatch(k -> k.startsWith("thompson.cluster.")));
        }
        return regret;
    }

    @Test
    void topKActivatesKDistinctCandidatesWithWeightsSummingToOne() {
        for (String posterior : List.of("beta", "gaussian")) {
            RouterTestKit.assertSelectionAsCandidatesChange(router(Map.of("k", 2, "posterior", posterior), 3), 2, 3, 300);
        }
        RouterTestKit.assertActivatesAllEqually(router(Map.of("k", 9, "weighting", "uniform"), 1), ARMS);
    }

    @Test
    void isDeterministicForASeedAndRandomisedAcrossSeeds() {
        PluginTestKit.Driver<Router> driver = RouterTestKit.driver(RouterTestKit.churn(RouterTestKit.QUIET));
        PluginTestKit.assertDeterministic(() -> router(Map.of("k", 2), 11), driver, 5, 100);
        PluginTestKit.assertSeedMatters(seed -> router(Map.of("k", 2), seed), driver, 11, 100);
    }

    @Test
    void rewardsUpdateThePosteriorsAndTheWeights() {
        ThompsonRouter beta = new ThompsonRouter(new Options(2, Options.Posterior.BETA, 0.25, Options.Weighting.REWARD,
                1.0, 1, 0.05), new Random(1), MetricsSink.NONE);
        Routing first = beta.route(context(List.of("a", "b")));
        beta.reward(first, Map.of("a", 0.9, "b", 0.3));
        assertEquals(1.0, beta.pulls(0, "a"));
        assertEquals(1.9 / 3, beta.mean(0, "a"), 1e-12, "Beta(1 + 0.9, 1 + 0.1)");
        assertEquals(1.3 / 3, beta.mean(0, "b"), 1e-12);
        Routing next = beta.route(context(List.of("a", "b")));
        assertEquals(List.of("a", "b"), next.active());
        assertEquals(1.9 / 3.2, next.weight(0), 1e-12);

        ThompsonRouter gaussian = new ThompsonRouter(new Options(2, Options.Posterior.GAUSSIAN, 0.25,
                Options.Weighting.REWARD, 1.0, 1, 0.05), new Random(1), MetricsSink.NONE);
        assertEquals(0.5, gaussian.mean(0, "a"), 1e-12, "the prior mean");
        gaussian.reward(gaussian.route(context(List.of("a", "b"))), Map.of("a", 1.0, "b", 0.0));
        assertEquals((0.5 + 4.0) / 5, gaussian.mean(0, "a"), 1e-12, "precision 1 + 1/0.25");
        assertEquals(0.5 / 5, gaussian.mean(0, "b"), 1e-12);

        // An unlabelled batch brings no rewards: nothing changes.
        beta.reward(next, Map.of());
        assertEquals(1.0, beta.pulls(0, "a"));
        // Rewards are clamped to [0, 1]; non-finite ones and those of inactive experts are ignored.
        beta.reward(next, Map.of("a", 7.0, "b", Double.NaN, "c", 1.0));
        assertEquals(2.0, beta.pulls(0, "a"));
        assertEquals(2.9 / 4, beta.mean(0, "a"), 1e-12);
        assertEquals(1.0, beta.pulls(0, "b"));
        assertEquals(0.0, beta.pulls(0, "c"));
    }

    @Test
    void discountShrinksEvidenceTowardsThePrior() {
        ThompsonRouter router = new ThompsonRouter(new Options(1, Options.Posterior.BETA, 0.25, Options.Weighting.REWARD,
                0.5, 1, 0.05), new Random(1), MetricsSink.NONE);
        Routing routing = router.route(context(List.of("a")));
        router.reward(routing, Map.of("a", 1.0));
        router.reward(routing, Map.of("a", 1.0));
        assertEquals(2.0, router.pulls(0, "a"));
        router.route(context(List.of("a")));
        assertEquals(1.0, router.pulls(0, "a"));
        assertEquals(2.0 / 3, router.mean(0, "a"), 1e-12, "Beta(1 + 1, 1 + 0)");
    }

    @Test
    void aPriorSteersTheFirstChoicesAndOwnRewardsOverrideIt() {
        int withPrior = 0;
        int without = 0;
        for (long seed = 1; seed <= 20; seed++) {
            Router informed = router(Map.of(), seed);
            informed.adoptPriors(Map.of("a", 0.9, "b", 0.1, "c", 0.1), 30);
            Router fresh = router(Map.of(), seed);
            for (int t = 0; t < 10; t++) {
                withPrior += informed.route(context(List.of("a", "b", "c"))).active().contains("a") ? 1 : 0;
                without += fresh.route(context(List.of("a", "b", "c"))).active().contains("a") ? 1 : 0;
            }
        }
        System.out.printf("thompson prior: 'a' chosen %d / 200 with prior 0.9, %d / 200 without%n", withPrior, without);
        assertTrue(withPrior > 190, "with prior " + withPrior);
        assertTrue(without < 110, "without prior " + without);

        ThompsonRouter router = new ThompsonRouter(new Options(1, Options.Posterior.BETA, 0.25, Options.Weighting.REWARD,
                1.0, 2, 0.05), new Random(1), MetricsSink.NONE);
        router.adoptPriors(Map.of("a", 0.9, "b", 0.1, "c", 0.1), 30);
        for (int cluster = 0; cluster < 2; cluster++) {
            assertEquals(30.0, router.pulls(cluster, "a"), "every cluster takes the prior");
            assertEquals((1 + 27.0) / 32, router.mean(cluster, "a"), 1e-12, "Beta(1 + w p, 1 + w (1 - p))");
        }
        for (int t = 0; t < 200; t++) {
            Routing routing = router.route(context(List.of("a")));
            router.reward(routing, Map.of("a", 0.0));
        }
        router.adoptPriors(Map.of("a", 0.9), 30);
        assertEquals(230.0, router.pulls(0, "a"), "rewarded here: the prior no longer replaces the evidence");
        assertEquals(30.0, router.pulls(1, "a"), "not rewarded in the other cluster: it keeps the prior");
        int chosenA = 0;
        for (int t = 0; t < 100; t++) {
            // a: Beta(1 + 27, 1 + 203), mean 0.12, against two untried experts at Beta(1, 1): about 1.5 % of draws.
            chosenA += router.route(context(List.of("a", "d", "e"))).active().contains("a") ? 1 : 0;
        }
        System.out.printf("thompson prior overridden: 'a' chosen %d / 100%n", chosenA);
        assertTrue(chosenA < 8, "own zero rewards override the prior: 'a' chosen " + chosenA + " / 100 against untried d, e");
        double before = router.mean(0, "b");
        router.adoptPriors(Map.of("b", 0.6), 0);
        assertEquals(before, router.mean(0, "b"), 1e-15, "weight 0 changes nothing");
    }

    @Test
    void repeatedCandidatesAreRoutedOnce() {
        Routing routing = router(Map.of("k", 3), 1).route(context(List.of("a", "b", "a")));
        assertEquals(2, routing.active().size());
        assertEquals(new HashSet<>(List.of("a", "b")), new HashSet<>(routing.active()));
    }
}
