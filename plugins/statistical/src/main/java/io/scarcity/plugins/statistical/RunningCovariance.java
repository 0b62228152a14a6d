package io.scarcity.plugins.statistical;

import io.scarcity.api.Batch;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;

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
 * expert's {@code minVariance}) and its Cholesky factor {@code L}, so that {@code D^2 = |y|^2} with
 * {@code L y = x - m} solved by forward substitution ({@code d^2 / 2} multiply-adds per row). It is recomputed
 * lazily after the estimates changed, i.e. once per batch and never per row ({@code d^3 / 6}), and it is a
 * function of the estimates alone, so a restored checkpoint scores exactly as the original would. Both the
 * factorisation (right-looking) and the substitution run over contiguous columns of a packed column-major
 * {@code L}, so their inner loops are vectorisable updates rather than dot products.
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
    /**
     * Full: the lower triangle packed by rows (row i at {@code i (i + 1) / 2}), times {@link #scale}.
     * Diagonal: the d variances.
     */
    private final double[] cov;
    /**
     * The full covariance is {@code scale * cov}: forgetting multiplies {@code scale} instead of every entry,
     * so a row costs one multiply-add per entry. {@link #normalise} folds it back (to 1) after each batch.
     */
    private double scale = 1.0;
    /**
     * Rows learned but not yet added to {@link #cov} (full only): their deviations and gains. They are
     * added four at a time, one pass over the matrix per four rows; {@link #normalise} adds the rest.
     */
    private final double[][] pending;
    private final double[] pendingGain = new double[BLOCK];
    private int pendingRows;
    /** Rows per pass over the covariance or the factor. */
    private static final int BLOCK = 4;

    // Snapshot (derived from the above; never saved).
    private boolean stale = true;
    private final double[] snapMean;
    /** Full: {@code L} packed by columns (column k, rows k..d-1, at {@link #column}(k)). Empty when diagonal. */
    private final double[] factor;
    /** Full: {@code 1 / L_kk}. Diagonal: {@code 1 / variance}. */
    private final double[] inverseDiagonal;
    private final double[] dev;
    /** Scratch of {@link #distances}: one array per feature, one entry per row of the batch. */
    private double[][] block = new double[0][0];

    RunningCovariance(int features, boolean full, double shrinkage, double floor) {
        this.d = features;
        this.full = full;
        this.shrinkage = shrinkage;
        this.floor = floor;
        this.warmUpRows = Math.max(RobustStatistics.WARM_UP, full ? 10.0 * features : 0.0);
        this.mean = new double[d];
        this.cov = new double[full ? d * (d + 1) / 2 : d];
        this.snapMean = new double[d];
        this.factor = new double[full ? d * (d + 1) / 2 : 0];
        this.inverseDiagonal = new double[d];
        this.dev = new double[d];
        this.pending = new double[full ? BLOCK : 0][d];
    }

    /** Offset of column {@code k} (rows k..d-1) in the column-packed factor. */
    private int column(int k) {
        return k * d - k * (k - 1) / 2;
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
                s += z * z * inverseDiagonal[j];
            }
            return s >= 0 ? s : Double.POSITIVE_INFINITY;
        }
        double[] y = dev;
        for (int j = 0; j < d; j++) {
            y[j] = batch.value(row, j) - snapMean[j];
        }
        // Forward substitution L y = x - m by columns: once y_k is known, it leaves the rest of the system.
        double[] l = factor;
        for (int k = 0; k < d; k++) {
            double yk = y[k] * inverseDiagonal[k];
            s += yk * yk;
            int o = column(k) - k;
            for (int i = k + 1; i < d; i++) {
                y[i] -= yk * l[o + i];
            }
        }
        return s >= 0 ? s : Double.POSITIVE_INFINITY;
    }

    /**
     * {@link #distance2} of every row of a batch into {@code out}. With a full covariance the batch is
     * solved at once, {@code L Y = (X - m)'} with one column per row: each step of the substitution is then
     * an update over the batch's rows (long, contiguous, vectorisable) rather than over a short column.
     */
    void distances(Batch batch, double[] out) {
        int rows = batch.rows();
        if (!full || !ready() || rows < BLOCK) {
            for (int r = 0; r < rows; r++) {
                out[r] = distance2(batch, r);
            }
            return;
        }
        if (stale) {
            refresh();
        }
        if (block.length < d || block[0].length < rows) {
            block = new double[d][Math.max(rows, 64)];
        }
        double[][] y = block;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                y[j][r] = batch.value(r, j) - snapMean[j];
            }
        }
        java.util.Arrays.fill(out, 0, rows, 0.0);
        double[] l = factor;
        for (int k = 0; k < d; k++) {
            double inv = inverseDiagonal[k];
            double[] yk = y[k];
            for (int r = 0; r < rows; r++) {
                double v = yk[r] * inv;
                yk[r] = v;
                out[r] += v * v;
            }
            int o = column(k) - k;
            for (int i = k + 1; i < d; i++) {
                double lik = l[o + i];
                double[] yi = y[i];
                for (int r = 0; r < rows; r++) {
                    yi[r] -= lik * yk[r];
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            if (!(out[r] >= 0)) {
                out[r] = Double.POSITIVE_INFINITY;
            }
        }
    }

    /**
     * Learns one row of weight {@code w > 0} with EW rate {@code rate}, its deviation shrunk by
     * {@code huber} in [0, 1] (see the class description). A row whose shrunk deviation is not finite or beyond
     * {@link #MAX_DEVIATION} is ignored: the stored covariance holds {@code C / scale} with {@code scale} down to
     * 1e-100 within a batch, so a larger deviation could overflow it, and an infinite entry would never leave. Marks the snapshot stale.
     */
    void update(Batch batch, int row, double w, double rate, double huber) {
        for (int j = 0; j < d; j++) {
            double z = huber * (batch.value(row, j) - mean[j]);
            if (!(Math.abs(z) <= MAX_DEVIATION)) {
                return; // a non-finite value, or one so far out that the covariance would overflow
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
            if (keep == 0) {
                java.util.Arrays.fill(cov, 0.0); // the first row: no spread yet
                pendingRows = 0;
                scale = 1.0;
                stale = true;
                return;
            }
            // C' = (1 - a) (C + a dev dev') with C = scale * cov: cov gains (a / scale) dev dev'.
            System.arraycopy(dev, 0, pending[pendingRows], 0, d);
            pendingGain[pendingRows++] = a / scale;
            scale *= keep;
            if (pendingRows == BLOCK) {
                flush();
            }
            if (scale < 1e-100) {
                normalise();
            }
        } else {
            for (int j = 0; j < d; j++) {
                cov[j] = keep * (cov[j] + a * dev[j] * dev[j]);
            }
        }
        stale = true;
    }

    /** Adds the pending rows' outer products to {@link #cov}. */
    private void flush() {
        int r = 0;
        if (pendingRows == BLOCK) {
            double[] d0 = pending[0];
            double[] d1 = pending[1];
            double[] d2 = pending[2];
            double[] d3 = pending[3];
            double g0 = pendingGain[0];
            double g1 = pendingGain[1];
            double g2 = pendingGain[2];
            double g3 = pendingGain[3];
            for (int i = 0; i < d; i++) {
                double c0 = g0 * d0[i];
                double c1 = g1 * d1[i];
                double c2 = g2 * d2[i];
                double c3 = g3 * d3[i];
                int o = i * (i + 1) / 2;
                for (int k = 0; k <= i; k++) {
                    cov[o + k] += c0 * d0[k] + c1 * d1[k] + c2 * d2[k] + c3 * d3[k];
                }
            }
            r = BLOCK;
        }
        for (; r < pendingRows; r++) {
            double[] v = pending[r];
            double g = pendingGain[r];
            for (int i = 0; i < d; i++) {
                double ci = g * v[i];
                int o = i * (i + 1) / 2;
                for (int k = 0; k <= i; k++) {
                    cov[o + k] += ci * v[k];
                }
            }
        }
        pendingRows = 0;
    }

    /**
     * Adds the pending rows and folds {@link #scale} into the entries; the expert calls it after each
     * batch's updates, so that a batch always ends in the same state whether or not a checkpoint follows.
     */
    void normalise() {
        if (pendingRows > 0) {
            flush();
        }
        if (scale != 1.0) {
            for (int i = 0; i < cov.length; i++) {
                cov[i] *= scale;
            }
            scale = 1.0;
        }
    }

    /** Recomputes the snapshot: the mean, the regularised covariance's Cholesky factor. */
    private void refresh() {
        normalise();
        System.arraycopy(mean, 0, snapMean, 0, d);
        if (!full) {
            for (int j = 0; j < d; j++) {
                // a variance that overflowed elsewhere (a peer, a checkpoint) weighs nothing, as in diagonalFactor
                inverseDiagonal[j] = Double.isFinite(cov[j]) ? 1.0 / (Math.max(cov[j], 0.0) + floor) : 0.0;
            }
            stale = false;
            return;
        }
        double jitter = 0;
        boolean finite = true;
        for (double c : cov) {
            finite &= Double.isFinite(c);
        }
        boolean factored = finite && cholesky(jitter);
        double t = trace();
        for (int attempt = 0; finite && !factored && attempt < MAX_RIDGES; attempt++) {
            // Only reachable through rounding on a (nearly) singular matrix: add a growing ridge.
            jitter = jitter == 0 ? 1e-12 * (1 + t) : jitter * 10;
            factored = cholesky(jitter);
        }
        if (!factored) {
            diagonalFactor();
        }
        stale = false;
    }

    /**
     * Largest deviation from the mean a row may have to be learned: its square times the stored gain (at most
     * 1e100) stays near 1e300, and the entries far from overflowing over many such rows.
     */
    static final double MAX_DEVIATION = 1e100;

    /** Ridges tried before {@link #diagonalFactor}: from 1e-12 to 1e+20 times the trace. */
    private static final int MAX_RIDGES = 33;

    /**
     * The factor of the diagonal alone: the snapshot of estimates with a non-finite entry (moments adopted from
     * a checkpoint or a peer that overflowed) or that no ridge makes positive definite. Scoring then goes on by
     * z-scores instead of searching for a ridge on every batch; a feature of infinite (or undefined) variance
     * weighs nothing, as in the diagonal mode.
     */
    private void diagonalFactor() {
        java.util.Arrays.fill(factor, 0.0);
        for (int k = 0; k < d; k++) {
            double v = cov[k * (k + 1) / 2 + k];
            if (Double.isFinite(v)) {
                double lkk = Math.sqrt(Math.max(v, 0.0) + floor);
                factor[column(k)] = lkk;
                inverseDiagonal[k] = 1.0 / lkk;
            } else {
                factor[column(k)] = 1.0;
                inverseDiagonal[k] = 0.0;
            }
        }
    }

    private double trace() {
        double t = 0;
        for (int j = 0; j < d; j++) {
            t += Math.abs(cov[j * (j + 1) / 2 + j]);
        }
        return t;
    }

    /**
     * Factors the regularised covariance into {@link #factor} (right-looking: each column, once final,
     * is subtracted from the columns to its right); false if it is not positive definite.
     */
    private boolean cholesky(double jitter) {
        double[] l = factor;
        for (int i = 0; i < d; i++) {
            int row = i * (i + 1) / 2;
            for (int k = 0; k < i; k++) {
                l[column(k) + i - k] = (1 - shrinkage) * cov[row + k];
            }
            l[column(i)] = Math.max(cov[row + i], 0.0) + floor + jitter;
        }
        for (int k = 0; k < d; k++) {
            int ok = column(k);
            double pivot = l[ok];
            if (!(pivot > 0) || Double.isInfinite(pivot)) {
                return false;
            }
            double lkk = Math.sqrt(pivot);
            l[ok] = lkk;
            double inv = 1.0 / lkk;
            inverseDiagonal[k] = inv;
            for (int i = ok + 1; i < ok + d - k; i++) {
                l[i] *= inv;
            }
            for (int j = k + 1; j < d; j++) {
                double ljk = l[ok + j - k];
                int oj = column(j) - j;
                int ojk = ok - k;
                for (int i = j; i < d; i++) {
                    l[oj + i] -= ljk * l[ojk + i];
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
        normalise();
        double[] out = new double[secondLength()];
        int p = 0;
        for (int i = 0; i < d; i++) {
            if (full) {
                for (int k = 0; k <= i; k++) {
                    out[p] = cov[p] + mean[i] * mean[k];
                    p++;
                }
            } else {
                out[p++] = cov[i] + mean[i] * mean[i];
            }
        }
        return out;
    }

    /** Weighted rows before distances are trusted. */
    double warmUpRows() {
        return warmUpRows;
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
        scale = 1.0;
        pendingRows = 0;
        System.arraycopy(newMean, 0, mean, 0, d);
        int p = 0;
        for (int i = 0; i < d; i++) {
            if (full) {
                for (int k = 0; k <= i; k++) {
                    double c = second[p] - mean[i] * mean[k];
                    cov[p++] = k == i ? Math.max(0.0, c) : c;
                }
            } else {
                cov[i] = Math.max(0.0, second[p++] - mean[i] * mean[i]);
            }
        }
        stale = true;
    }

    // ---------------------------------------------------------------- checkpoints

    void save(StateWriter out) throws IOException {
        normalise();
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
        double[] v = in.readDoubles(cov.length, "running covariance (" + (full ? "lower triangle of features x features" : "one per feature") + ")");
        if (!(c >= 0)) {
            throw new IOException("running covariance: invalid count " + c);
        }
        count = c;
        scale = 1.0;
        pendingRows = 0;
        System.arraycopy(m, 0, mean, 0, d);
        System.arraycopy(v, 0, cov, 0, cov.length);
        stale = true;
    }
}
