package io.scarcity.plugins.ucb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.MetricsSink;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingFeatures;
import io.scarcity.api.testing.PluginTestKit;
import io.scarcity.api.testing.RouterTestKit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The router under {@code context: linear} (LinUCB). */
class LinUcbRouterTest {
    private static final Map<String, Object> LINEAR = Map.of("context", "linear");
    private static final List<String> THREE = List.of("a", "b", "c");

    /** The context vector of {@link Bandits#context}: bias, drift score and flag, novelty and spread 0.5. */
    private static double[] x(double detected, double score) {
        return new double[] {1, score, detected, 0, 0, 0.5, 0.5, 0};
    }

    private static Map<String, Object> linear(Object... keyValues) {
        Map<String, Object> config = new HashMap<>(LINEAR);
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put((String) keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    @Test
    void topKIsDistinctWithWeightsSummingToOneAsCandidatesJoinAndLeave() {
        for (Object weighting : List.of("reward", "uniform")) {
            RouterTestKit.assertSelectionAsCandidatesChange(Bandits.router(linear("k", 2, "weighting", weighting)), 2, 4, 400);
        }
        RouterTestKit.assertActivatesAllEqually(Bandits.router(linear("k", 9)), List.of("a", "b", "c", "d", "e", "f"));
    }

    @Test
    void isDeterministicForASeed() {
        PluginTestKit.assertDeterministic(() -> Bandits.router(linear("k", 2, "discount", 0.99)),
                RouterTestKit.driver(RouterTestKit.churn(RouterTestKit.changing(RouterTestKit.SCHEMA, 8))), 8, 300);
    }

    @Test
    void anEmptyRewardOfAnUnlabelledBatchChangesNothing() {
        UcbRouter a = (UcbRouter) Bandits.router(LINEAR);
        UcbRouter b = (UcbRouter) Bandits.router(LINEAR);
        for (int t = 0; t < 5; t++) {
            Routing ra = a.route(RouterTestKit.context(THREE, 1, 0.3));
            Routing rb = b.route(RouterTestKit.context(THREE, 1, 0.3));
            a.reward(ra, Map.of(ra.active().get(0), 0.7));
            b.reward(rb, Map.of(rb.active().get(0), 0.7));
        }
        Routing ra = a.route(RouterTestKit.context(THREE, 0, 0.9));
        b.route(RouterTestKit.context(THREE, 0, 0.9));
        a.reward(ra, Map.of());
        a.reward(ra, Map.of("not-active", 1.0));
        for (String name : THREE) {
            assertEquals(b.predicted(name, x(1, 0.3)), a.predicted(name, x(1, 0.3)), name);
            assertEquals(b.pulls(name), a.pulls(name), name);
        }
    }

    @Test
    void rewardsMoveThePredictionAtTheirContextOnly() {
        UcbRouter router = (UcbRouter) Bandits.router(linear("k", 2));
        for (int t = 0; t < 200; t++) {
            boolean drift = t % 2 == 0;
            Routing routing = router.route(RouterTestKit.context(List.of("a", "b"), drift ? 1 : 0, 0.5));
            Map<String, Double> rewards = new HashMap<>();
            rewards.put("a", drift ? 0.9 : 0.2);
            rewards.put("b", 0.5);
            router.reward(routing, rewards);
        }
        assertEquals(0.9, router.predicted("a", x(1, 0.5)), 0.03);
        assertEquals(0.2, router.predicted("a", x(0, 0.5)), 0.03);
        assertEquals(0.5, router.predicted("b", x(1, 0.5)), 0.03);
        assertEquals(0.5, router.predicted("b", x(0, 0.5)), 0.03);
        assertEquals(200.0, router.pulls("a"));

        // Reward weighting: proportional to the predicted rewards in this batch's context.
        Routing drifted = router.route(RouterTestKit.context(List.of("a", "b"), 1, 0.5));
        double pa = router.predicted("a", x(1, 0.5));
        double pb = router.predicted("b", x(1, 0.5));
        assertEquals(List.of("a", "b"), drifted.active());
        assertEquals(pa / (pa + pb), drifted.weight(0), 1e-12);
    }

    @Test
    void learnsAContextDependentBestArm() {
        Router router = Bandits.router(LINEAR);
        Random random = new Random(21);
        int[] right = new int[2];
        int[] seen = new int[2];
        for (int t = 0; t < 3000; t++) {
            int detected = random.nextBoolean() ? 1 : 0;
            double[] means = {0.3 + 0.5 * detected, 0.7 - 0.4 * detected, 0.5};
            Routing routing = router.route(RouterTestKit.context(THREE, detected, random.nextDouble()));
            String chosen = routing.active().get(0);
            if (t >= 2000) {
                seen[detected]++;
                if (chosen.equals(detected == 1 ? "a" : "b")) {
                    right[detected]++;
                }
            }
            int arm = THREE.indexOf(chosen);
            router.reward(routing, Map.of(chosen, random.nextDouble() < means[arm] ? 1.0 : 0.0));
        }
        System.out.printf("LinUCB, last 1000 routes: a chosen in %d of %d drifted batches, b in %d of %d others%n",
                right[1], seen[1], right[0], seen[0]);
        assertTrue(right[1] > 0.9 * seen[1], right[1] + " of " + seen[1]);
        assertTrue(right[0] > 0.9 * seen[0], right[0] + " of " + seen[0]);
    }

    @Test
    void aPriorSteersTheFirstChoicesAndOwnRewardsOverrideIt() {
        UcbRouter router = (UcbRouter) Bandits.router(LINEAR);
        assertEquals(List.of("a"), Bandits.router(LINEAR).route(RouterTestKit.context(THREE, 0, 0.5)).active(),
                "without priors the tie goes to the first candidate");
        router.adoptPriors(Map.of("a", 0.2, "b", 0.9, "c", 0.3), 20);
        // weight p / (lambda + weight) at the bias-only context, and the same in every other context.
        assertEquals(20 * 0.9 / 21, router.predicted("b", new double[] {1, 0, 0, 0, 0, 0, 0, 0}), 1e-12);
        assertEquals(20 * 0.9 / 21, router.predicted("b", x(1, 0.7)), 1e-12);
        for (int detected = 0; detected <= 1; detected++) {
            assertEquals(List.of("b"), router.route(RouterTestKit.context(THREE, detected, 0.5)).active(),
                    "drift.detected " + detected);
        }
        // b's own rewards of 0 override its prior of 0.9.
        for (int t = 0; t < 40; t++) {
            Routing routing = router.route(RouterTestKit.context(THREE, t % 2, 0.5));
            router.reward(routing, Map.of(routing.active().get(0), routing.active().contains("b") ? 0.0 : 0.5));
        }
        double own = router.predicted("b", x(1, 0.5));
        assertTrue(own < 0.3, "b's own zero rewards pull its prediction down: " + own);
        router.adoptPriors(Map.of("b", 0.9), 20);
        assertEquals(own, router.predicted("b", x(1, 0.5)), "a prior does not replace an expert's own rewards");
        assertNotEquals(List.of("b"), router.route(RouterTestKit.context(THREE, 0, 0.5)).active());
    }

    /**
     * As for UCB1: priors on every arm, the strong one (0.8) on the best arm, weight 20. A prior informs
     * only the bias direction of an arm's model; the confidence width in the other directions of the
     * context stays {@code alpha / sqrt(lambda)}-sized, so with the default alpha = 1 LinUCB explores every
     * arm early whatever the prior (measured: no gain). With a small alpha the prior pays.
     */
    @Test
    void aStrongPriorOnTheBestArmLowersEarlyRegretWhenExplorationIsModest() {
        double[] means = {0.25, 0.45, 0.8};
        for (double alpha : new double[] {1.0, 0.3}) {
            double withPrior = 0;
            double without = 0;
            for (long seed = 1; seed <= 20; seed++) {
                Router informed = Bandits.router(linear("alpha", alpha));
                informed.adoptPriors(Map.of("a", 0.25, "b", 0.45, "c", 0.8), 20);
                withPrior += Bandits.play(informed, THREE, (t, d, s) -> means, 100, seed).at(100);
                without += Bandits.play(Bandits.router(linear("alpha", alpha)), THREE, (t, d, s) -> means, 100, seed)
                        .at(100);
            }
            System.out.printf("LinUCB alpha %.1f: regret over 100 steps (mean of 20 seeds) %.2f with priors, %.2f "
                    + "without%n", alpha, withPrior / 20, without / 20);
            if (alpha < 1) {
                assertTrue(withPrior < 0.7 * without, withPrior / 20 + " with prior vs " + without / 20);
            } else {
                assertTrue(withPrior < 1.2 * without, "a prior does not hurt: " + withPrior / 20 + " vs " + without / 20);
            }
        }
    }

    @Test
    void aNewCandidateIsTriedSoon() {
        Router router = Bandits.router(LINEAR);
        Random random = new Random(2);
        for (int t = 0; t < 300; t++) {
            Routing routing = router.route(RouterTestKit.context(List.of("a", "b"), 0, 0.5));
            router.reward(routing, Map.of(routing.active().get(0), random.nextDouble() < 0.6 ? 1.0 : 0.0));
        }
        boolean tried = false;
        for (int t = 0; t < 5 && !tried; t++) {
            Routing routing = router.route(RouterTestKit.context(List.of("a", "b", "c"), 0, 0.5));
            tried = routing.active().contains("c");
            router.reward(routing, Map.of(routing.active().get(0), 0.6));
        }
        assertTrue(tried, "a joining expert's wide confidence gets it tried");
    }

    @Test
    void discountingForgetsTowardsTheRidgePrior() {
        UcbRouter router = (UcbRouter) Bandits.router(linear("discount", 0.9));
        Routing routing = router.route(RouterTestKit.context(List.of("a"), 0, 0.5));
        router.reward(routing, Map.of("a", 1.0));
        double before = router.predicted("a", x(0, 0.5));
        for (int t = 0; t < 200; t++) {
            router.route(RouterTestKit.context(List.of("b"), 0, 0.5));
        }
        assertTrue(before > 0.4, "one reward of 1 moves the prediction: " + before);
        assertEquals(0.0, router.predicted("a", x(0, 0.5)), 1e-6, "old evidence fades to the prior theta = 0");
        assertTrue(router.pulls("a") < 1e-6);
    }

    @Test
    void shermanMorrisonAndDiscountKeepTheExactInverse() {
        RidgeArm arm = new RidgeArm(RoutingFeatures.SIZE, 0.5);
        double[] a = new double[64];
        for (int i = 0; i < 8; i++) {
            a[i * 8 + i] = 0.5;
        }
        double[] b = new double[8];
        Random random = new Random(3);
        for (int t = 0; t < 300; t++) {
            double[] x = new double[8];
            x[0] = 1;
            for (int i = 1; i < 8; i++) {
                x[i] = random.nextDouble();
            }
            double r = random.nextDouble();
            arm.observe(x, r);
            for (int i = 0; i < 8; i++) {
                b[i] += r * x[i];
                for (int j = 0; j < 8; j++) {
                    a[i * 8 + j] += x[i] * x[j];
                }
            }
            if (t % 50 == 49) {
                arm.discount(0.9, 0.5);
                for (int i = 0; i < 8; i++) {
                    b[i] *= 0.9;
                    for (int j = 0; j < 8; j++) {
                        a[i * 8 + j] = 0.9 * a[i * 8 + j] + (i == j ? 0.1 * 0.5 : 0);
                    }
                }
            }
        }
        double[] inverse = RidgeArm.inverseSpd(a, 8);
        // A A^-1 = I for the Cholesky inverse.
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 8; j++) {
                double s = 0;
                for (int k = 0; k < 8; k++) {
                    s += a[i * 8 + k] * inverse[k * 8 + j];
                }
                assertEquals(i == j ? 1.0 : 0.0, s, 1e-9);
            }
        }
        double[] probe = {1, 0.2, 0.9, 0.1, 0.4, 0.5, 0.6, 0};
        double[] theta = new double[8];
        double width = 0;
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 8; j++) {
                theta[i] += inverse[i * 8 + j] * b[j];
                width += probe[i] * inverse[i * 8 + j] * probe[j];
            }
        }
        double predicted = 0;
        for (int i = 0; i < 8; i++) {
            predicted += theta[i] * probe[i];
        }
        assertEquals(predicted, arm.predict(probe), 1e-9);
        assertEquals(Math.sqrt(width), arm.width(probe), 1e-9);
    }

    @Test
    void reportsExplorationsUnderTheSameMetricName() {
        Map<String, Long> counts = new HashMap<>();
        MetricsSink sink = new MetricsSink() {
            @Override
            public void gauge(String name, double value) {
            }

            @Override
            public void count(String name, long delta) {
                counts.merge(name, delta, Long::sum);
            }
        };
        UcbRouter router = new UcbRouter(Options.from(PluginConfig.of("router", LINEAR)), sink);
        Random random = new Random(5);
        for (int t = 0; t < 200; t++) {
            Routing routing = router.route(RouterTestKit.context(THREE, t % 2, random.nextDouble()));
            router.reward(routing, Map.of(routing.active().get(0), random.nextDouble()));
        }
        assertEquals(Set.of("ucb.explorations"), counts.keySet());
        assertTrue(counts.get("ucb.explorations") > 0);
    }
}
