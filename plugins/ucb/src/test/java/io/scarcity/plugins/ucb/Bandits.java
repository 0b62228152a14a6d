package io.scarcity.plugins.ucb;

import static io.scarcity.api.testing.RouterTestKit.context;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Simulated Bernoulli bandits whose means depend on the drift signals (contexts from
 * {@code RouterTestKit.context}), for UCB1 and LinUCB regret tests; context-free ones use the kit's.
 */
final class Bandits {
    private Bandits() {
    }

    /** The mean reward of every arm at step {@code t} in the signals' situation. */
    interface Means {
        double[] at(int t, double driftDetected, double driftScore);
    }

    static Router router(Map<String, ?> config) {
        return new UcbRouterFactory().create(PluginConfig.of("router", config), PluginContext.standalone(1, null, "ucb"));
    }

    /** Cumulative pseudo-regrets of a router and of the uniform-random router (in expectation). */
    record Regret(double[] router, double[] uniform) {
        double at(int steps) {
            return router[steps - 1];
        }

        double between(int from, int to) {
            return router[to - 1] - (from == 0 ? 0.0 : router[from - 1]);
        }

        double uniformAt(int steps) {
            return uniform[steps - 1];
        }
    }

    /**
     * Plays {@code steps} rounds with k = 1: each round draws drift.detected (a fair coin) and
     * drift.score (uniform) from {@code seed}, routes, pays the chosen arm a Bernoulli reward and
     * accumulates {@code max_i mu_i - mu_chosen}.
     */
    static Regret play(Router router, List<String> arms, Means means, int steps, long seed) {
        Random random = new Random(seed);
        double[] regret = new double[steps];
        double[] uniform = new double[steps];
        double cumulative = 0;
        double cumulativeUniform = 0;
        for (int t = 0; t < steps; t++) {
            double detected = random.nextBoolean() ? 1.0 : 0.0;
            double score = random.nextDouble();
            double[] mu = means.at(t, detected, score);
            Routing routing = router.route(context(arms, detected, score));
            if (routing.active().size() != 1) {
                throw new AssertionError("k = 1 activated " + routing.active());
            }
            int arm = arms.indexOf(routing.active().get(0));
            double best = Double.NEGATIVE_INFINITY;
            double sum = 0;
            for (double m : mu) {
                best = Math.max(best, m);
                sum += m;
            }
            cumulative += best - mu[arm];
            cumulativeUniform += best - sum / mu.length;
            regret[t] = cumulative;
            uniform[t] = cumulativeUniform;
            router.reward(routing, Map.of(arms.get(arm), random.nextDouble() < mu[arm] ? 1.0 : 0.0));
        }
        return new Regret(regret, uniform);
    }
}
