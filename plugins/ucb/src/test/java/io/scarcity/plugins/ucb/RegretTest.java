package io.scarcity.plugins.ucb;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Cumulative pseudo-regret {@code R(T) = sum_t (mu*_t - mu_chosen_t)} on simulated Bernoulli bandits with
 * known means and fixed seeds, for UCB1 ({@code context: none}) and LinUCB ({@code context: linear}). The
 * measured numbers are printed so that they can be quoted.
 */
class RegretTest {
    private static final int T = 20_000;
    private static final List<String> FIVE = List.of("a", "b", "c", "d", "e");
    private static final double[] STATIONARY = {0.3, 0.4, 0.5, 0.6, 0.7};
    private static final long[] SEEDS = {11, 12, 13};

    /**
     * Means 0.3 .. 0.7 for T/2 steps, then 0.5 .. 0.1: the best arm becomes the worst and the worst the
     * best, at a mean (0.5) below what the old best arm's long record says (0.7), so that a router without
     * forgetting keeps pulling the old best arm until its mean has worn down.
     */
    private static double[] switching(int t) {
        return t < T / 2 ? STATIONARY : new double[] {0.5, 0.4, 0.3, 0.2, 0.1};
    }

    /** Arm a is best when a drift was detected (0.8 vs 0.3), arm b otherwise (0.7 vs 0.3); c pays 0.5. */
    private static double[] contextual(double detected) {
        return new double[] {0.3 + 0.5 * detected, 0.7 - 0.4 * detected, 0.5};
    }

    private static double mean(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s / values.length;
    }

    @Test
    void ucb1RegretIsSublinearOnAStationaryBandit() {
        for (long seed : SEEDS) {
            Bandits.Regret r = Bandits.play(Bandits.router(Map.of()), FIVE, (t, d, s) -> STATIONARY, T, seed);
            double ratio = r.at(T) / r.at(T / 10);
            System.out.printf("UCB1 stationary seed %d: R(%d) = %.1f, R(%d) = %.1f, ratio %.2f, uniform R(T) = %.1f%n",
                    seed, T / 10, r.at(T / 10), T, r.at(T), ratio, r.uniformAt(T));
            assertTrue(ratio < 4, "seed " + seed + ": R(T) / R(T/10) = " + ratio);
            assertTrue(r.at(T) < 0.15 * r.uniformAt(T), "seed " + seed + ": " + r.at(T) + " vs uniform " + r.uniformAt(T));
        }
    }

    /**
     * Both routers use exploration 0.3 (discounted UCB wants a smaller constant than UCB1's default, as in
     * Garivier and Moulines' tuning); the discount 0.995 forgets in about 200 routes.
     */
    @Test
    void discountedUcb1KeepsSecondHalfRegretFarBelowPlainUcb1AfterASwitch() {
        for (long seed : SEEDS) {
            Bandits.Regret plain = Bandits.play(Bandits.router(Map.of("exploration", 0.3)), FIVE,
                    (t, d, s) -> switching(t), T, seed);
            Bandits.Regret discounted = Bandits.play(Bandits.router(Map.of("exploration", 0.3, "discount", 0.995)),
                    FIVE, (t, d, s) -> switching(t), T, seed);
            double plainSecond = plain.between(T / 2, T);
            double discountedSecond = discounted.between(T / 2, T);
            double firstTenth = discounted.between(T / 2, T / 2 + T / 20);
            double uniformSecond = plain.uniformAt(T) - plain.uniformAt(T / 2);
            System.out.printf("UCB1 switch seed %d: second-half regret plain %.1f, discount 0.995 %.1f "
                    + "(of which the first %d steps %.1f: ratio %.2f), uniform %.1f%n", seed, plainSecond,
                    discountedSecond, T / 20, firstTenth, discountedSecond / firstTenth, uniformSecond);
            assertTrue(discountedSecond < 0.35 * plainSecond, "seed " + seed + ": " + discountedSecond + " vs " + plainSecond);
            assertTrue(discountedSecond < 0.4 * uniformSecond, "seed " + seed + ": " + discountedSecond + " vs uniform "
                    + uniformSecond);
            assertTrue(discountedSecond / firstTenth < 8, "seed " + seed + ": second half " + discountedSecond
                    + " vs its first tenth " + firstTenth);
        }
    }

    /**
     * LinUCB's bonus {@code alpha sqrt(x^T A^-1 x)} does not grow with time as UCB1's {@code ln N} does, so
     * an arm that was unlucky early in one region of the context can be dropped there for good: with the
     * default alpha = 1 one of these six seeds (13) settles on sharing the best arm with the second best
     * (R(T) about 1000, still a quarter of uniform). The test tolerates one such seed and no more.
     */
    @Test
    void linUcbRegretIsSublinearOnAStationaryBanditWithIrrelevantContext() {
        int sublinear = 0;
        for (long seed = 11; seed <= 16; seed++) {
            Bandits.Regret r = Bandits.play(Bandits.router(Map.of("context", "linear")), FIVE,
                    (t, d, s) -> STATIONARY, T, seed);
            double ratio = r.at(T) / r.at(T / 10);
            System.out.printf("LinUCB stationary seed %d: R(%d) = %.1f, R(%d) = %.1f, ratio %.2f, uniform R(T) = %.1f%n",
                    seed, T / 10, r.at(T / 10), T, r.at(T), ratio, r.uniformAt(T));
            if (ratio < 3 && r.at(T) < 0.1 * r.uniformAt(T)) {
                sublinear++;
            }
            assertTrue(r.at(T) < 0.3 * r.uniformAt(T), "seed " + seed + ": " + r.at(T) + " vs uniform " + r.uniformAt(T));
        }
        assertTrue(sublinear >= 5, sublinear + " of 6 seeds with sublinear regret");
    }

    @Test
    void linUcbLearnsAContextDependentBestArmWhereUcb1CannotAndBeatsIt() {
        List<String> three = List.of("a", "b", "c");
        for (long seed : SEEDS) {
            Bandits.Regret lin = Bandits.play(Bandits.router(Map.of("context", "linear")), three,
                    (t, d, s) -> contextual(d), T, seed);
            Bandits.Regret ucb1 = Bandits.play(Bandits.router(Map.of()), three, (t, d, s) -> contextual(d), T, seed);
            double ratio = lin.at(T) / lin.at(T / 10);
            System.out.printf("contextual seed %d: LinUCB R(%d) = %.1f, R(%d) = %.1f (ratio %.2f); UCB1 R(T) = %.1f; "
                    + "uniform %.1f%n", seed, T / 10, lin.at(T / 10), T, lin.at(T), ratio, ucb1.at(T), lin.uniformAt(T));
            assertTrue(ratio < 4, "seed " + seed + ": LinUCB R(T) / R(T/10) = " + ratio);
            assertTrue(lin.at(T) < 0.2 * ucb1.at(T), "seed " + seed + ": LinUCB " + lin.at(T) + " vs UCB1 " + ucb1.at(T));
            // Context-free, the best single arm (a: 0.55 on average) still loses 0.2 per step to the oracle.
            assertTrue(ucb1.at(T) > 0.1 * T, "seed " + seed + ": UCB1 " + ucb1.at(T));
        }
    }

    @Test
    void discountedLinUcbFollowsASwitchOfTheContextualBestArm() {
        List<String> three = List.of("a", "b", "c");
        Bandits.Means means = (t, d, s) -> t < T / 2 ? contextual(d) : contextual(1 - d);
        for (long seed : SEEDS) {
            Bandits.Regret plain = Bandits.play(Bandits.router(Map.of("context", "linear")), three, means, T, seed);
            Bandits.Regret discounted = Bandits.play(Bandits.router(Map.of("context", "linear", "discount", 0.99)),
                    three, means, T, seed);
            double plainSecond = plain.between(T / 2, T);
            double discountedSecond = discounted.between(T / 2, T);
            System.out.printf("LinUCB switch seed %d: second-half regret plain %.1f, discount 0.99 %.1f, uniform %.1f%n",
                    seed, plainSecond, discountedSecond, plain.uniformAt(T) - plain.uniformAt(T / 2));
            assertTrue(discountedSecond < 0.4 * plainSecond, "seed " + seed + ": " + discountedSecond + " vs " + plainSecond);
        }
    }

    @Test
    void theUniformBaselineIsWhatItSays() {
        Bandits.Regret r = Bandits.play(Bandits.router(Map.of()), FIVE, (t, d, s) -> STATIONARY, 100, 1);
        assertTrue(Math.abs(r.uniformAt(100) - 100 * (0.7 - mean(STATIONARY))) < 1e-9);
    }
}
