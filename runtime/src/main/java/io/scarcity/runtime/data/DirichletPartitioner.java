package io.scarcity.runtime.data;

import java.util.Objects;
import java.util.Random;

/**
 * Label skew, the usual non-IID benchmark split (Hsu et al., 2019): for each class c, proportions
 * p_c over the clients are drawn from a symmetric Dirichlet(alpha), and each row of class c goes to
 * client k with probability p_c[k]. Small alpha concentrates each class on few clients; large alpha
 * approaches an IID split.
 */
public final class DirichletPartitioner implements Partitioner {
    /** Cumulative client proportions per class; the last entry of each row is exactly 1. */
    private final double[][] cumulative;
    private final double alpha;
    private final Random rnd;

    /**
     * @param alpha concentration, > 0
     * @param clients number of clients, >= 1
     * @param classes number of classes, >= 1
     */
    public DirichletPartitioner(double alpha, int clients, int classes, long seed) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be a finite number > 0, got " + alpha);
        }
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be >= 1, got " + clients);
        }
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        this.alpha = alpha;
        this.rnd = new Random(seed);
        this.cumulative = new double[classes][];
        for (int c = 0; c < classes; c++) {
            double[] p = sampleDirichlet(alpha, clients, rnd);
            double sum = 0;
            for (int k = 0; k < clients; k++) {
                sum += p[k];
                p[k] = sum;
            }
            p[clients - 1] = 1.0;
            cumulative[c] = p;
        }
    }

    @Override
    public int assign(Row row) {
        Objects.requireNonNull(row, "row is null");
        int label = row.label();
        if (label < 0 || label >= cumulative.length) {
            throw new IllegalArgumentException("row " + row.index() + " has label " + label
                    + ", outside the " + cumulative.length + " classes of the schema");
        }
        double[] cum = cumulative[label];
        double u = rnd.nextDouble();
        // Binary search for the first k with u < cum[k]; cum[last] = 1 > u guarantees a hit.
        int lo = 0;
        int hi = cum.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (u < cum[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    public double alpha() {
        return alpha;
    }

    /** Client proportions of class {@code c}, for reports and tests. */
    public double[] proportions(int c) {
        double[] cum = cumulative[c];
        double[] p = new double[cum.length];
        double previous = 0;
        for (int k = 0; k < cum.length; k++) {
            p[k] = cum[k] - previous;
            previous = cum[k];
        }
        return p;
    }

    /**
     * A draw from the symmetric Dirichlet(alpha) over {@code k} components, by normalising Gamma draws.
     * Works in log space: for alpha well below 1 every Gamma draw can underflow to 0, which would
     * leave nothing to normalise.
     */
    static double[] sampleDirichlet(double alpha, int k, Random rnd) {
        double[] logs = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            logs[i] = logGamma(alpha, rnd);
            max = Math.max(max, logs[i]);
        }
        double sum = 0;
        double[] p = new double[k];
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp(logs[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < k; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /**
     * Log of a Gamma(shape, 1) draw, by Marsaglia and Tsang (2000). For shape < 1 it uses their boost:
     * G(a) = G(a + 1) * U^(1/a), whose log is safe from underflow.
     */
    static double logGamma(double shape, Random rnd) {
        if (shape < 1) {
            double u = rnd.nextDouble();
            while (u == 0) {
                u = rnd.nextDouble();
            }
            return logGamma(shape + 1, rnd) + Math.log(u) / shape;
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.sqrt(9.0 * d);
        while (true) {
            double x = rnd.nextGaussian();
            double v = 1.0 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = rnd.nextDouble();
            double x2 = x * x;
            if (u < 1.0 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1.0 - v + Math.log(v))) {
                return Math.log(d * v);
            }
        }
    }
}
