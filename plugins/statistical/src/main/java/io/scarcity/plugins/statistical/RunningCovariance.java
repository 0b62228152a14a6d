package io.scarcity.plugins.statistical;

import io.scarcity.api.Batch;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Arrays;

/**
 * An exponentially weighted mean and covariance of the features, and the squared Mahalanobis distance
 * {@code D^2 = (x - m)' C^-1 (x - m)} of rows from them.
 *
 * <p><b>Full or diagonal.</b> With {@code full} the whole covariance is kept (quadratic cost per row);
 * otherwise only the variances, and {@code D^2} is the sum of squared z-scores (linear cost).
 *
 * <p><b>Updates.</b> West's EW update with step {@code a = min(1, max(rate * w, w / n))} after {@code n}
 * weighted rows (a plain average for the first rows, as for the class statistics). Each row's deviation
 * from the running mean is first shrunk by the Huber factor {@code h = min(1, c / D)}, {@code D} its
 * distance from the snapshot and {@code c} the square root of the flagging threshold: a gross outlier
 * moves mean and covariance no more than a row on the threshold does, so it cannot inflate the covariance
 * that is meant to expose it, while a real change of the distribution still moves the estimates (by at
 * most {@code a * c} standard deviations per row) until its rows look ordinary again. For Gaussian data the
 * shrinkage touches only the rows beyond the threshold (0.1% at the default level) and biases the
 * covariance by well under 0.1%.
 *
 * <p><b>Snapshot.</b> Rows are scored against a snapshot of the estimates: a regularised covariance
 * {@code (1 - s) C + s diag(C) + floor I} ({@code s} the shrinkage towards the diagonal, {@code floor} the
 * expert's {@code minVariance}), its Cholesky factor {@code L} and {@code L^-1}, so that
 * {@code D^2 = |L^-1 (x - m)|^2}. It is recomputed lazily after the estimates changed, i.e. once per batch
 * and never per row, and it is a function of the estimates alone, so a restored checkpoint scores exactly
 * as the original would.
 *
 * <p><b>Warm-up.</b> Nothing is scored (every distance is {@code NaN}) until the estimates rest on
 * {@link #warmUpRows} weighted rows: an estimated covariance of few rows inflates distances (with
 * {@code n} rows, {@code E[D^2]} of a new row is about {@code d n / (n - d - 1)}); the expert also keeps
 * the rate of a full covariance at most {@code 0.1 / d}, so that the EW estimate rests on at least about
 * {@code 20 d} rows.
 */
final class RunningCovariance {
    private final int d;
    private final boolean full;
    private final double shrinkage;
    private final double floor;
    private final double warmUpRows;

    private double count;
    private final double[] mean;
    /** Full: lower triangle of a row-major d x d matrix. Diagonal: the d variances. */
    private final double[] cov;

    // Snapshot (derived from the above; never saved).
    private boolean stale = true;
    private final double[] snapMean;
    /** Full: {@code L^-1} column-major, column k holding rows k..d-1 at [k d + k, k d + d). Diagonal: 1 / variance. */
    private final double[] inverse;
    private final double[] work;
    private final double[] dev;

    RunningCovariance(int features, boolean full, double shrinkage, double floor) {
        this.d = features;
        this.full = full;
        this.shrinkage = shrinkage;
        this.floor = floor;
        this.warmUpRows = Math.max(RobustStatistics.WARM_UP, full ? 10.0 * features : 0.0);
        this.mean = new double[d];
        this.cov = new double[full ? d * d : d];
        this.snapMean = new double[d];
        this.inverse = new double[full ? d * d : d];
        this.work = new double[full ? d * d : 0];
        this.dev = new double[d];
    }

    boolean full() {
        return full;
    }

    /** Whether rows are scored yet (see the warm-up above). */
    boolean ready() {
        return count >= warmUpRows;
    }

    double count() {
        return count;
    }

    /**
     * Squared Mahalanobis distance of a row from the snapshot; {@code NaN} during the warm-up, infinite for
     * a row with a non-finite value or one so far out that the distance overflows.
     */
    double distance2(Batch batch, int row) {
        if (!ready()) {
            return Double.NaN;
        }
        if (stale) {
            refresh();
        }
        double s = 0;
        if (!full) {
            for (int j = 0; j < d; j++) {
                double z = batch.value(row, j) - snapMean[j];
                s += z * z * inverse[j];
            }
            return s >= 0 ? s : Double.POSITIVE_INFINITY;
        }
        double[] y = dev;
        Arrays.fill(y, 0.0);
        // y = L^-1 (x - m) by columns: each step is an axpy over a contiguous column, which vectorises.
        for (int k = 0; k < d; k++) {
            double z = batch.value(row, k) - snapMean[k];
            int o = k * d;
            for (int i = k; i < d; i++) {
                y[i] += inverse[o + i] * z;
            }
        }
        for (int i = 0; i < d; i++) {
            s += y[i] * y[i];
        }
        return s >= 0 ? s : Double.POSITIVE_INFINITY;
    }

    /**
     * Learns one row of weight {@code w > 0} with EW rate {@code rate}, its deviation shrunk by
     * {@code huber} in [0, 1] (see the class description). A row whose shrunk deviation is not finite
     * (a non-finite value) is ignored. Marks the snapshot stale.
     */
    void update(Batch batch, int row, double w, double rate, double huber) {
        for (int j = 0; j < d; j++) {
            double z = huber * (batch.value(row, j) - mean[j]);
            if (!Double.isFinite(z)) {
                return;
            }
            dev[j] = z;
        }
        count += w;
        double a = Math.min(1.0, Math.max(rate * w, w / count));
        double keep = 1 - a;
        for (int j = 0; j < d; j++) {
            mean[j] += a * dev[j];
        }
        if (full) {
            for (int i = 0; i < d; i++) {
                double ci = keep * a * dev[i];
                int o = i * d;
                for (int k = 0; k <= i; k++) {
                    cov[o + k] = keep * cov[o + k] + ci * dev[k];
                }
            }
        } else {
            for (int j = 0; j < d; j++) {
                cov[j] = keep * (cov[j] + a * dev[j] * dev[j]);
            }
        }
        stale = true;
    }

    /** Recomputes the snapshot: regularised covariance, Cholesky factor and its inverse. */
    private void refresh() {
        System.arraycopy(mean, 0, snapMean, 0, d);
        if (!full) {
            for (int j = 0; j < d; j++) {
                inverse[j] = 1.0 / (Math.max(cov[j], 0.0) + floor);
            }
            stale = false;
            return;
        }
        double[] l = work; // row-major lower triangle, becomes L in place
        double jitter = 0;
        while (!cholesky(l, jitter)) {
            // Only reachable through rounding on a (nearly) singular matrix: add a growing ridge.
            jitter = jitter == 0 ? 1e-12 * (1 + trace()) : jitter * 10;
        }
        // inverse = L^-1, column-major: column k solves L y = e_k by forward substitution.
        Arrays.fill(inverse, 0.0);
        for (int k = 0; k < d; k++) {
            int o = k * d;
            inverse[o + k] = 1.0 / l[k * d + k];
            for (int i = k + 1; i < d; i++) {
                double s = 0;
                int r = i * d;
                for (int m = k; m < i; m++) {
                    s -= l[r + m] * inverse[o + m];
                }
                inverse[o + i] = s / l[r + i];
            }
        }
        stale = false;
    }

    private double trace() {
        double t = 0;
        for (int j = 0; j < d; j++) {
            t += Math.abs(cov[j * d + j]);
        }
        return t;
    }

    /** Fills {@code l} with the Cholesky factor of the regularised covariance; false if it is not positive definite. */
    private boolean cholesky(double[] l, double jitter) {
        for (int i = 0; i < d; i++) {
            int o = i * d;
            for (int k = 0; k < i; k++) {
                l[o + k] = (1 - shrinkage) * cov[o + k];
            }
            l[o + i] = Math.max(cov[o + i], 0.0) + floor + jitter;
        }
        for (int i = 0; i < d; i++) {
            int oi = i * d;
            for (int k = 0; k <= i; k++) {
                int ok = k * d;
                double s = l[oi + k];
                for (int m = 0; m < k; m++) {
                    s -= l[oi + m] * l[ok + m];
                }
                if (k == i) {
                    if (!(s > 0)) {
                        return false;
                    }
                    l[oi + i] = Math.sqrt(s);
                } else {
                    l[oi + k] = s / l[ok + k];
                }
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- gossip

    double[] mean() {
        return mean.clone();
    }

    /**
     * The second moments {@code C + m m'}: full, the lower triangle packed row by row
     * ({@code d (d + 1) / 2} values); diagonal, {@code d} values. An average of these over peers is the
     * second moment of the pooled rows, so {@link #setMoments} recovers the pooled covariance.
     */
    double[] secondMoments() {
        double[] out = new double[secondLength()];
        int p = 0;
        for (int i = 0; i < d; i++) {
            if (full) {
                for (int k = 0; k <= i; k++) {
                    out[p++] = cov[i * d + k] + mean[i] * mean[k];
                }
            } else {
                out[p++] = cov[i] + mean[i] * mean[i];
            }
        }
        return out;
    }

    int secondLength() {
        return full ? d * (d + 1) / 2 : d;
    }

    /** Adopts merged moments (see {@link #secondMoments}) standing for {@code newCount} weighted rows. */
    void setMoments(double newCount, double[] newMean, double[] second) {
        if (newMean.length != d || second.length != secondLength()) {
            throw new IllegalArgumentException("moments of " + newMean.length + " features / " + second.length
                    + " second moments, expected " + d + " / " + secondLength());
        }
        count = Math.max(0.0, newCount);
        System.arraycopy(newMean, 0, mean, 0, d);
        int p = 0;
        for (int i = 0; i < d; i++) {
            if (full) {
                for (int k = 0; k <= i; k++) {
                    double c = second[p++] - mean[i] * mean[k];
                    cov[i * d + k] = k == i ? Math.max(0.0, c) : c;
                }
            } else {
                cov[i] = Math.max(0.0, second[p++] - mean[i] * mean[i]);
            }
        }
        stale = true;
    }

    // ---------------------------------------------------------------- checkpoints

    void save(StateWriter out) throws IOException {
        out.writeBoolean(full);
        out.writeDouble(count);
        out.writeDoubles(mean);
        out.writeDoubles(cov);
    }

    void restore(StateReader in) throws IOException {
        boolean f = in.readBoolean();
        if (f != full) {
            throw new IOException("running covariance: the checkpoint keeps a " + (f ? "full" : "diagonal")
                    + " covariance, this expert a " + (full ? "full" : "diagonal") + " one");
        }
        double c = in.readDouble();
        double[] m = in.readDoubles(d, "running covariance's mean (one per feature)");
        double[] v = in.readDoubles(cov.length, "running covariance (" + (full ? "features x features" : "one per feature") + ")");
        if (!(c >= 0)) {
            throw new IOException("running covariance: invalid count " + c);
        }
        count = c;
        System.arraycopy(m, 0, mean, 0, d);
        System.arraycopy(v, 0, cov, 0, cov.length);
        stale = true;
    }
}
