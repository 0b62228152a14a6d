package io.scarcity.runtime.data;

import java.util.Random;

/**
 * Shares of the rows over the clients, drawn once from a symmetric Dirichlet(alpha), and the draw of
 * a client by those shares: the step both the label-skew and the quantity-skew partitioners take. The
 * shares are kept cumulative so that drawing a client is a binary search.
 */
final class DirichletShares {
    /** Cumulative shares; the last entry is exactly 1. */
    private final double[] cumulative;

    /**
     * @param alpha concentration, > 0
     * @param clients number of clients, >= 1
     * @param rnd the source of the draw
     */
    DirichletShares(double alpha, int clients, Random rnd) {
        double[] p = sample(alpha, clients, rnd);
        double sum = 0;
        for (int k = 0; k < clients; k++) {
            sum += p[k];
            p[k] = sum;
        }
        // Rounding can leave the sum a hair below 1; the last client must catch every u < 1.
        p[clients - 1] = 1.0;
        this.cumulative = p;
    }

    /** A client drawn by share, using one {@code rnd.nextDouble()}. */
    int draw(Random rnd) {
        double u = rnd.nextDouble();
        // Binary search for the first k with u < cumulative[k]; cumulative[last] = 1 > u guarantees a hit.
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (u < cumulative[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Each client's share, summing to 1. */
    double[] shares() {
        double[] p = new double[cumulative.length];
        double previous = 0;
        for (int k = 0; k < p.length; k++) {
            p[k] = cumulative[k] - previous;
            previous = cumulative[k];
        }
        return p;
    }

    /**
     * A draw from the symmetric Dirichlet(alpha) over {@code k} components, by normalising Gamma draws.
     * Works in log space: for alpha well below 1 every Gamma draw can underflow to 0, which would
     * leave nothing to normalise.
     */
    static double[] sample(double alpha, int k, Random rnd) {
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
