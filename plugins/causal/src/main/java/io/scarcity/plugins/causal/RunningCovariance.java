package io.scarcity.plugins.causal;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;

/**
 * An exponentially weighted mean and scatter matrix of weighted rows (West's weighted update), with the
 * sums of the weights and of their squares that give the effective sample size.
 *
 * <p>Row {@code t} enters with its weight {@code w_t}; every later row multiplies the weights of all
 * earlier rows by {@code decay = 1 - learningRate}. With {@code W = sum w} and {@code W2 = sum w^2} (both
 * decayed), the covariance is {@code scatter / W} and the effective number of rows is {@code W^2 / W2}:
 * {@code n} for {@code n} unit rows without forgetting, about {@code 2 / learningRate - 1} in the steady
 * state with it. That is the sample size the Fisher z tests use, so forgetting widens them honestly.
 *
 * <p>Per row the scatter's upper triangle takes one rank-one update, {@code O(n^2 / 2)}; the decay of the
 * whole matrix is deferred to the end of the batch by keeping it scaled ({@code stored = scatter /
 * scale}), so a row never touches the matrix twice.
 */
final class RunningCovariance {
    /** Below this the stored matrix is rescaled mid-batch so that the deferred decay cannot underflow. */
    private static final double MIN_SCALE = 1e-100;

    private final int n;
    private final double[] mean;
    /** Upper triangle (row-major, full n x n storage) of the scatter divided by {@link #scale}. */
    private final double[] scatter;
    private final double[] delta;
    private double weight;
    private double weight2;
    private double scale = 1.0;

    RunningCovariance(int columns) {
        this.n = columns;
        this.mean = new double[columns];
        this.scatter = new double[columns * columns];
        this.delta = new double[columns];
    }

    int columns() {
        return n;
    }

    /** Adds one row of weight {@code w > 0}, decaying everything before it by {@code decay}. */
    void add(double[] x, double w, double decay) {
        weight = decay * weight + w;
        weight2 = decay * decay * weight2 + w * w;
        scale *= decay;
        double share = w / weight;
        double c = w * (1 - share) / scale;
        double[] d = delta;
        for (int i = 0; i < n; i++) {
            d[i] = x[i] - mean[i];
            mean[i] += share * d[i];
        }
        double[] s = scatter;
        for (int i = 0; i < n; i++) {
            double ci = c * d[i];
            int base = i * n;
            for (int j = i; j < n; j++) {
                s[base + j] += ci * d[j];
            }
        }
        if (scale < MIN_SCALE) {
            settle();
        }
    }

    /** Applies the deferred decay; call after a batch (the accessors below assume it). */
    void settle() {
        if (scale != 1.0) {
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    scatter[i * n + j] *= scale;
                }
            }
            scale = 1.0;
        }
    }

    /** Forgets a share of everything seen so far: later rows weigh relatively more. */
    void discount(double share) {
        settle();
        double keep = 1 - share;
        weight *= keep;
        weight2 *= keep * keep;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                scatter[i * n + j] *= keep;
            }
        }
    }

    /** Decayed sum of the row weights. */
    double weight() {
        return weight;
    }

    /** The effective number of rows, {@code W^2 / W2}; 0 before any row. */
    double effectiveRows() {
        return weight2 > 0 ? weight * weight / weight2 : 0.0;
    }

    double mean(int i) {
        return mean[i];
    }

    /** The weighted covariance of columns {@code i} and {@code j} ({@code scatter / W}); 0 before any row. */
    double covariance(int i, int j) {
        if (weight <= 0) {
            return 0.0;
        }
        return (i <= j ? scatter[i * n + j] : scatter[j * n + i]) * (1.0 / weight);
    }

    /**
     * The correlation matrix, full {@code n x n}. A column whose variance is negligible against its
     * magnitude (a constant) gets a zero row and a unit diagonal: it is independent of everything.
     */
    double[] correlation(double[] out) {
        double[] inv = new double[n];
        for (int i = 0; i < n; i++) {
            double v = scatter[i * n + i];
            double scaleOfValue = weight * (1.0 + mean[i] * mean[i]);
            inv[i] = v > 1e-14 * scaleOfValue && v > 0 ? 1.0 / Math.sqrt(v) : 0.0;
        }
        for (int i = 0; i < n; i++) {
            out[i * n + i] = 1.0;
            for (int j = i + 1; j < n; j++) {
                double r = scatter[i * n + j] * inv[i] * inv[j];
                r = Math.max(-1.0, Math.min(1.0, r));
                out[i * n + j] = r;
                out[j * n + i] = r;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- gossip

    /** The means, {@code n} values. */
    double[] means() {
        return mean.clone();
    }

    /**
     * The weighted second moments {@code E[x x^T] = covariance + mean mean^T}, full {@code n x n}: averaging
     * them (and the means) across peers gives the pooled mixture's moments exactly.
     */
    double[] secondMoments() {
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double v = covariance(i, j) + mean[i] * mean[j];
                out[i * n + j] = v;
                out[j * n + i] = v;
            }
        }
        return out;
    }

    /** {@code [W, W2]}. */
    double[] weights() {
        return new double[] {weight, weight2};
    }

    /** Adopts pooled moments; {@code weights} as from {@link #weights()}. */
    void set(double[] means, double[] second, double[] weights) {
        double w = Math.max(0.0, weights[0]);
        double w2 = Math.max(0.0, weights[1]);
        // (sum w)^2 >= sum w^2 for any weights; an average of peers' pairs need not keep it: cap at one row.
        w2 = Math.min(w2, w * w);
        System.arraycopy(means, 0, mean, 0, n);
        weight = w;
        weight2 = w2;
        scale = 1.0;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double c = 0.5 * (second[i * n + j] + second[j * n + i]) - means[i] * means[j];
                scatter[i * n + j] = (i == j ? Math.max(0.0, c) : c) * w;
            }
        }
    }

    // ---------------------------------------------------------------- checkpoints

    void save(StateWriter out) throws IOException {
        settle();
        out.writeDoubles(mean);
        out.writeDoubles(scatter);
        out.writeDouble(weight);
        out.writeDouble(weight2);
    }

    void restore(StateReader in) throws IOException {
        double[] m = in.readDoubles(n, "running means (one per column)");
        double[] s = in.readDoubles(n * n, "running scatter (columns x columns)");
        double w = in.readDouble();
        double w2 = in.readDouble();
        if (!(w >= 0) || !(w2 >= 0)) {
            throw new IOException("causal expert checkpoint: invalid weights " + w + ", " + w2);
        }
        System.arraycopy(m, 0, mean, 0, n);
        System.arraycopy(s, 0, scatter, 0, n * n);
        weight = w;
        weight2 = w2;
        scale = 1.0;
    }
}
