package io.scarcity.runtime.eval;

/**
 * How long accuracy takes to come back after a drift, from a per-round accuracy series. The level
 * before the drift is the mean of up to three rounds before the drift's round; the drift's effect
 * starts at the first round (from the drift's round on) whose accuracy is below that level minus
 * {@code tolerance}; recovery is the first later round back within {@code tolerance} of the level.
 * The answer is in rounds after the drift's round (0 if accuracy never dropped below the tolerance),
 * or NaN if it never recovered within the series. Granularity is one round.
 */
public final class DriftRecovery {
    private DriftRecovery() {
    }

    /**
     * @param accuracyByRound accuracy of round {@code r} at index {@code r - 1}
     * @param driftRound the 1-based round in which the drift happens
     */
    public static double rounds(double[] accuracyByRound, int driftRound, double tolerance) {
        int d = driftRound - 1;
        if (d <= 0 || d >= accuracyByRound.length) {
            return Double.NaN;
        }
        double level = 0;
        int n = 0;
        for (int r = Math.max(0, d - 3); r < d; r++) {
            if (!Double.isNaN(accuracyByRound[r])) {
                level += accuracyByRound[r];
                n++;
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        level /= n;
        int drop = -1;
        for (int r = d; r < accuracyByRound.length; r++) {
            if (accuracyByRound[r] < level - tolerance) {
                drop = r;
                break;
            }
        }
        if (drop < 0) {
            return 0;
        }
        for (int r = drop + 1; r < accuracyByRound.length; r++) {
            if (accuracyByRound[r] >= level - tolerance) {
                return r - d;
            }
        }
        return Double.NaN;
    }
}
