package io.scarcity.plugins.ucb;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;

/**
 * One expert's LinUCB model (Li et al. 2010, disjoint): the ridge statistics {@code A = lambda I + sum x x^T}
 * and {@code b = sum r x} over the contexts {@code x} it was rewarded on, with {@code A^-1} kept up to date
 * by Sherman-Morrison on each reward, so that {@code theta = A^-1 b} and the confidence width
 * {@code sqrt(x^T A^-1 x)} cost O(d^2). Discounting moves {@code A} towards {@code lambda I} and {@code b}
 * towards 0 and re-inverts {@code A} (Cholesky; d = 8, so about 500 flops); the smallest eigenvalue of
 * {@code A} never falls below {@code lambda}, so the inversion is always well-conditioned.
 */
final class RidgeArm {
    private final int d;
    /** Row-major d x d; both matrices are kept exactly symmetric. */
    private double[] a;
    private double[] aInverse;
    private double[] b;

    RidgeArm(int d, double ridge) {
        this.d = d;
        reset(ridge);
    }

    /** Back to no evidence: {@code A = lambda I}, {@code b = 0}. */
    void reset(double ridge) {
        a = new double[d * d];
        aInverse = new double[d * d];
        b = new double[d];
        for (int i = 0; i < d; i++) {
            a[i * d + i] = ridge;
            aInverse[i * d + i] = 1.0 / ridge;
        }
    }

    /**
     * Replaces the model by {@code weight} observations of reward {@code mean} at the bias-only context
     * {@code (1, 0, ..., 0)}: {@code A = lambda I + weight e0 e0^T}, {@code b = weight * mean * e0}.
     */
    void setPrior(double ridge, double weight, double mean) {
        reset(ridge);
        a[0] = ridge + weight;
        aInverse[0] = 1.0 / (ridge + weight);
        b[0] = weight * mean;
    }

    /** Adds one reward {@code r} observed at context {@code x}: rank-one update of A, Sherman-Morrison on A^-1. */
    void observe(double[] x, double r) {
        double[] u = times(aInverse, x);
        double denominator = 1.0 + dot(x, u);
        for (int i = 0; i < d; i++) {
            b[i] += r * x[i];
            for (int j = 0; j < d; j++) {
                a[i * d + j] += x[i] * x[j];
                aInverse[i * d + j] -= u[i] * u[j] / denominator;
            }
        }
    }

    /** {@code A <- g A + (1 - g) lambda I}, {@code b <- g b}, and {@code A^-1} recomputed from A. */
    void discount(double g, double ridge) {
        double restore = (1 - g) * ridge;
        for (int i = 0; i < d; i++) {
            b[i] *= g;
            for (int j = 0; j < d; j++) {
                a[i * d + j] *= g;
            }
            a[i * d + i] += restore;
        }
        aInverse = inverseSpd(a, d);
    }

    /** The predicted reward {@code theta^T x = b^T A^-1 x}. */
    double predict(double[] x) {
        return dot(b, times(aInverse, x));
    }

    /** The confidence width {@code sqrt(x^T A^-1 x)}. */
    double width(double[] x) {
        return Math.sqrt(Math.max(0.0, dot(x, times(aInverse, x))));
    }

    void save(StateWriter out) throws IOException {
        out.writeDoubles(a);
        out.writeDoubles(aInverse);
        out.writeDoubles(b);
    }

    void restore(StateReader in) throws IOException {
        double[] ra = in.readDoubles(d * d, "LinUCB matrix A");
        double[] rInverse = in.readDoubles(d * d, "LinUCB matrix A^-1");
        double[] rb = in.readDoubles(d, "LinUCB vector b");
        a = ra;
        aInverse = rInverse;
        b = rb;
    }

    private double[] times(double[] m, double[] x) {
        double[] y = new double[d];
        for (int i = 0; i < d; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += m[i * d + j] * x[j];
            }
            y[i] = s;
        }
        return y;
    }

    private static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    /** Inverse of a symmetric positive definite matrix by Cholesky, A = L L^T, A^-1 = L^-T L^-1. */
    static double[] inverseSpd(double[] m, int d) {
        double[] l = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = m[i * d + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * d + k] * l[j * d + k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new IllegalStateException("LinUCB matrix is not positive definite (pivot " + s + ")");
                    }
                    l[i * d + i] = Math.sqrt(s);
                } else {
                    l[i * d + j] = s / l[j * d + j];
                }
            }
        }
        // L^-1, lower triangular, by forward substitution.
        double[] li = new double[d * d];
        for (int j = 0; j < d; j++) {
            li[j * d + j] = 1.0 / l[j * d + j];
            for (int i = j + 1; i < d; i++) {
                double s = 0;
                for (int k = j; k < i; k++) {
                    s -= l[i * d + k] * li[k * d + j];
                }
                li[i * d + j] = s / l[i * d + i];
            }
        }
        // (L^-1)^T L^-1, filled symmetrically.
        double[] inverse = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = i; k < d; k++) {
                    s += li[k * d + i] * li[k * d + j];
                }
                inverse[i * d + j] = s;
                inverse[j * d + i] = s;
            }
        }
        return inverse;
    }
}
