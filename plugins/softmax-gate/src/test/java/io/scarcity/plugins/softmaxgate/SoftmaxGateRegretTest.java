package io.scarcity.plugins.softmaxgate;

import static io.scarcity.api.testing.RouterTestKit.BATCH;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Pseudo-regret on simulated Bernoulli bandits with known means, fixed seeds. With {@code k} active
 * experts the regret of a batch is that of the top-k semi-bandit: the sum of the {@code k} best means
 * minus the sum of the active experts' means (for k = 1, {@code mu* - mu_chosen}). The mixture weights do
 * not enter it: on independent Bernoulli rewards the likelihood-optimal mixture is not a single expert.
 */
class SoftmaxGateRegretTest {
    private static final double[] STATIONARY = {0.3, 0.5, 0.7, 0.2, 0.4, 0.6};
    private static final int T = 20_000;

    private static Router router(Map<String, ?> config, long seed) {
        return new SoftmaxGateRouterFactory().create(PluginConfig.of("router", config),
                PluginContext.standalone(seed, null, "softmax-gate"));
    }

    private static List<String> arms(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "arm" + i).toList();
    }

    /** Cumulative pseudo-regret after each step; {@code router == null} routes uniformly at random. */
    private static double[] play(Router router, IntFunction<double[]> means, int k, long seed) {
        Random env = new Random(seed * 1_000_003 + 11);
        Random uniform = new Random(seed);
        int n = means.apply(0).length;
        List<String> arms = arms(n);
        double[] regret = new double[T];
        double cumulative = 0;
        for (int t = 0; t < T; t++) {
            double[] mu = means.apply(t);
            double[] sorted = mu.clone();
            Arrays.sort(sorted);
            double best = 0;
            for (int i = 0; i < k; i++) {
                best += sorted[n - 1 - i];
            }
            List<String> active;
            Routing routing = null;
            if (router == null) {
                List<String> shuffled = new java.util.ArrayList<>(arms);
                java.util.Collections.shuffle(shuffled, uniform);
                active = shuffled.subList(0, k);
            } else {
                routing = router.route(new RoutingContext(arms, BATCH, new InMemorySignalBoard(), t / 100));
                active = routing.active();
            }
            Map<String, Double> rewards = new HashMap<>();
            for (String name : active) {
                int i = arms.indexOf(name);
                best -= mu[i];
                rewards.put(name, env.nextDouble() < mu[i] ? 1.0 : 0.0);
            }
            cumulative += best;
            regret[t] = cumulative;
            if (router != null) {
                router.reward(routing, rewards);
            }
        }
        return regret;
    }

    @Test
    void stationaryRegretIsSublinearAndFarBelowUniform() {
        for (int k : new int[] {1, 2}) {
            for (double discount : new double[] {1.0, 0.99}) {
                double total = 0;
                double tenth = 0;
                double uniform = 0;
                double worstRatio = 0;
                for (long seed = 1; seed <= 3; seed++) {
                    double[] r = play(router(Map.of("k", k, "discount", discount), seed), t -> STATIONARY, k, seed);
                    double[] u = play(null, t -> STATIONARY, k, seed);
                    total += r[T - 1];
                    tenth += r[T / 10 - 1];
                    uniform += u[T - 1];
                    worstRatio = Math.max(worstRatio, r[T - 1] / r[T / 10 - 1]);
                }
                double ratio = total / tenth;
                System.out.printf("stationary k=%d discount=%.2f: R(T)=%.1f R(T/10)=%.1f ratio %.2f (worst seed %.2f), uniform R(T)=%.1f (%.1f%%)%n",
                        k, discount, total / 3, tenth / 3, ratio, worstRatio, uniform / 3, 100 * total / uniform);
                // Linear regret would give a ratio of 10. Without forgetting (discount 1) the bonus is
                // UCB's and the regret sublinear. With the default discount 0.99 the counts of idle experts
                // fade, so they are retried every few dozen batches forever: a linear floor (the price of
                // following a switch, next test), hence the looser bounds.
                if (discount == 1.0) {
                    assertTrue(ratio < 2, "k " + k + ": ratio " + ratio);
                    assertTrue(worstRatio < 3, "k " + k + ": worst seed's ratio " + worstRatio);
                } else {
                    assertTrue(ratio < 7.5, "k " + k + ": ratio " + ratio);
                }
                assertTrue(total < (discount == 1.0 ? 0.02 : 0.12) * uniform,
                        "k " + k + ", discount " + discount + ": " + total / 3 + " vs uniform " + uniform / 3);
            }
        }
    }

    /**
     * The best expert changes at T/2 to one that the gate had learnt to leave idle (for k = 1, the 0.5
     * arm becomes 0.95; for k = 2, the 0.3 arm outside the top two). Only forgetting brings it back: with
     * discount 0.99 its exploration bonus regrows while it is idle.
     */
    @Test
    void afterASwitchToAnIdleExpertForgettingRecovers() {
        for (int k : new int[] {1, 2}) {
            int improved = k == 1 ? 1 : 0;
            IntFunction<double[]> means = t -> {
                double[] mu = {0.3, 0.5, 0.7, 0.2};
                if (t >= T / 2) {
                    mu[improved] = 0.95;
                }
                return mu;
            };
            double forgetting = 0;
            double forgettingEarly = 0;
            double stationary = 0;
            for (long seed = 1; seed <= 3; seed++) {
                double[] r = play(router(Map.of("k", k), seed), means, k, seed);
                double[] s = play(router(Map.of("k", k, "discount", 1.0), seed), means, k, seed);
                forgetting += r[T - 1] - r[T / 2 - 1];
                forgettingEarly += r[T / 2 + T / 20 - 1] - r[T / 2 - 1];
                stationary += s[T - 1] - s[T / 2 - 1];
            }
            double ratio = forgetting / forgettingEarly;
            System.out.printf("switch to an idle expert, k=%d: second-half regret %.1f with discount 0.99 (ratio to its first tenth %.2f), %.1f with discount 1%n",
                    k, forgetting / 3, ratio, stationary / 3);
            assertTrue(ratio < 6, "k " + k + ": second half regret " + forgetting + " vs its first tenth " + forgettingEarly);
            assertTrue(forgetting < 0.4 * stationary, "k " + k + ": " + forgetting + " vs " + stationary + " without forgetting");
        }
    }

    /**
     * The best expert (0.7) drops to 0.1 at T/2. The gate's own learning (its logit falls as the expert
     * is punished) recovers with or without discounting: a router that kept it would lose 0.4 per batch,
     * 4000 over the second half.
     */
    @Test
    void afterTheBestExpertFailsTheGateRecovers() {
        IntFunction<double[]> means = t -> t < T / 2 ? new double[] {0.3, 0.5, 0.7, 0.2} : new double[] {0.3, 0.5, 0.1, 0.2};
        for (double discount : new double[] {0.99, 1.0}) {
            double second = 0;
            double early = 0;
            for (long seed = 1; seed <= 3; seed++) {
                double[] r = play(router(Map.of("k", 1, "discount", discount), seed), means, 1, seed);
                second += r[T - 1] - r[T / 2 - 1];
                early += r[T / 2 + T / 20 - 1] - r[T / 2 - 1];
            }
            System.out.printf("best expert fails, k=1, discount %.2f: second-half regret %.1f (ratio to its first tenth %.2f)%n",
                    discount, second / 3, second / early);
            assertTrue(second / 3 < 300, "discount " + discount + ": second-half regret " + second / 3);
            assertTrue(second / early < 4.5, "discount " + discount + ": second half " + second + " vs its first tenth " + early);
        }
    }
}
