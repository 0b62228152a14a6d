package io.scarcity.runtime.eval;

/**
 * Cohen's kappa from a confusion matrix: agreement beyond chance,
 * {@code (p_o - p_e) / (1 - p_e)} with {@code p_o} the accuracy and {@code p_e} the agreement expected
 * from the true and predicted class frequencies. 0 is chance, 1 perfect. On a stream where one class
 * dominates (e.g. 99% normal sensor readings) it tells a learner that always says "normal" (kappa 0)
 * from one that finds the anomalies, which accuracy cannot.
 */
public final class Kappa {
    private Kappa() {
    }

    /**
     * @param confusion counts of (true, predicted) pairs, row-major {@code k x k}
     * @return kappa, or NaN when undefined (no rows, or both the truth and the predictions are all one class)
     */
    public static double of(long[] confusion, int k) {
        if (confusion.length != k * k) {
            throw new IllegalArgumentException(confusion.length + " counts for " + k + " classes");
        }
        long n = 0;
        long agree = 0;
        double[] truth = new double[k];
        double[] predicted = new double[k];
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                long c = confusion[t * k + p];
                n += c;
                truth[t] += c;
                predicted[p] += c;
                if (t == p) {
                    agree += c;
                }
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        double po = (double) agree / n;
        double pe = 0;
        for (int i = 0; i < k; i++) {
            pe += (truth[i] / n) * (predicted[i] / n);
        }
        return pe >= 1.0 ? Double.NaN : (po - pe) / (1 - pe);
    }

    /** Adds {@code b} into {@code a} (same size) and returns {@code a}. */
    public static long[] add(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }
}
