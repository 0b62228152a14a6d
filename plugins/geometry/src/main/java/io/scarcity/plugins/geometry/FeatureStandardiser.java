package io.scarcity.plugins.geometry;

import io.scarcity.api.Batch;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;

/**
 * The geometry expert's standardisation of the features, and the statistics it rests on.
 *
 * <p>Per feature an exponentially weighted (EW) mean and variance (West's update, step
 * {@code max(rate * w, w / n)}: a plain average for the first {@code ~1/rate} rows, then EW);
 * {@code z = clip((x - mean) / sqrt(max(variance, minVariance)))}. A batch is standardised with the
 * statistics from before it (test-then-train: a novel row is judged by what came before), except the very
 * first batch, which initialises them.
 *
 * <p>Once the statistics exist (after the first batch), each deviation is winsorised at {@code 10 * clip}
 * standard deviations, so that a wild or non-finite value cannot overflow them or drag the mean far; NaN
 * counts as the mean. The bound is ten times the clip of the standardised values because rare but genuine
 * spikes (a digits pixel that is almost always 0) lie far out in units of a still small early variance,
 * and winsorising them at the clip keeps that variance too small (measured: the digits subspace drifts
 * from the batch PCA's). During the first batch a deviation is only kept finite.
 *
 * <p>The standardised rows are one array each (see {@link Dense} on vectorisation); they belong to the
 * caller, which passes them in.
 */
final class FeatureStandardiser {
    /** Largest deviation the first batch may move the statistics by: its square stays finite. */
    private static final double FIRST_BATCH_LIMIT = 1e150;

    private final int d;
    private final double clip;
    private final double minVariance;
    private final double[] mean;
    private final double[] variance;
    /** Mean of {@code x^2}, derived for gossip (see {@link #second}). */
    private final double[] second;
    private double seen;

    // Scratch, reused.
    private final double[] inverseScale;
    private final double[] deviationLimit;
    private final double[] meanBefore;
    private final double[] tmpRow;

    FeatureStandardiser(int d, Options options) {
        this.d = d;
        this.clip = options.clip();
        this.minVariance = options.minVariance();
        this.mean = new double[d];
        this.variance = new double[d];
        this.second = new double[d];
        this.inverseScale = new double[d];
        this.deviationLimit = new double[d];
        this.meanBefore = new double[d];
        this.tmpRow = new double[d];
    }

    /** Whether the statistics exist, i.e. some row of positive weight has been learned. */
    boolean warm() {
        return seen > 0;
    }

    /** Standardises the batch's rows into {@code z} (one array of at least {@code d} values per row). */
    void standardise(Batch batch, double[][] z) {
        int rows = batch.rows();
        setScales();
        for (int r = 0; r < rows; r++) {
            double[] row = batch.copyRow(r, z[r]);
            standardise(row, mean, row);
        }
    }

    /**
     * {@code out = clip((x - m) * inverseScale)}, {@code out} may be {@code x}. min/max keep this loop
     * vectorisable; a NaN (from a non-finite input) passes through, for the caller to catch where it would
     * do harm.
     */
    private void standardise(double[] x, double[] m, double[] out) {
        double[] inverse = inverseScale;
        for (int j = 0; j < d; j++) {
            out[j] = Math.max(-clip, Math.min(clip, (x[j] - m[j]) * inverse[j]));
        }
    }

    /**
     * Learns the rows of positive weight ({@code weights}, one per row); returns the batch's share
     * {@code gamma = 1 - prod_r (1 - a_r)} over the rows' steps {@code a_r}.
     */
    double update(Batch batch, double rate, double[] weights) {
        setDeviationLimits();
        double keep = 1.0;
        for (int r = 0; r < batch.rows(); r++) {
            double w = weights[r];
            if (w <= 0) {
                continue;
            }
            keep *= 1 - absorb(batch.copyRow(r, tmpRow), w, rate, true);
        }
        return 1 - keep;
    }

    /**
     * For a batch once the statistics are warm: {@link #standardise} with the statistics from before the
     * batch, the rows' squared norms into {@code squaredNorms}, and {@link #update}, in one pass over the
     * rows, so that each row of the batch is read once; returns {@code gamma}. Same values as the three in
     * turn: the standardisation reads a copy of the means from before the batch ({@link #meanBefore}) and
     * the scales computed before the first update.
     *
     * <p>A row whose standardised values hold no NaN takes a branch-free, vectorisable update (clamping
     * by min/max); the others the loop that also maps a NaN deviation to 0. Both give the same values:
     * a deviation is NaN only when the value is NaN (then so is its standardised value) or an infinite
     * value meets an infinite mean, which needs the variance to be infinite (scale 0, standardised
     * value NaN again) or a mean to overflow within the batch by a deviation bounded by a finite limit.
     */
    double standardiseAndUpdate(Batch batch, double rate, double[] weights, double[][] z, double[] squaredNorms) {
        setScales();
        setDeviationLimits();
        double[] before = meanBefore;
        System.arraycopy(mean, 0, before, 0, d);
        double keep = 1.0;
        for (int r = 0; r < batch.rows(); r++) {
            double[] x = batch.copyRow(r, tmpRow);
            double[] row = z[r];
            standardise(x, before, row);
            double squared = Dense.dot(row, 0, row, 0, d);
            squaredNorms[r] = squared;
            double w = weights[r];
            if (w <= 0) {
                continue;
            }
            keep *= 1 - absorb(x, w, rate, squared != squared);
        }
        return 1 - keep;
    }

    /** Per feature, the bound of a deviation in this batch (see the class description). */
    private void setDeviationLimits() {
        boolean warm = seen > 0;
        for (int j = 0; j < d; j++) {
            deviationLimit[j] = warm ? 10 * clip * Math.sqrt(Math.max(variance[j], minVariance)) : FIRST_BATCH_LIMIT;
        }
    }

    /**
     * Moves the statistics by one row {@code x} of weight {@code w > 0}; returns its step {@code a}.
     * {@code mayHaveNaN}: false only if no deviation can be NaN (see {@link #standardiseAndUpdate}).
     */
    private double absorb(double[] x, double w, double rate, boolean mayHaveNaN) {
        seen += w;
        double a = Math.max(Math.min(1.0, rate * w), w / seen);
        double shrink = 1 - a;
        double[] mean = this.mean;
        double[] variance = this.variance;
        double[] limits = deviationLimit;
        if (mayHaveNaN) {
            for (int j = 0; j < d; j++) {
                double limit = limits[j];
                double dev = x[j] - mean[j];
                dev = dev > limit ? limit : dev < -limit ? -limit : dev == dev ? dev : 0.0;
                double step = a * dev;
                mean[j] += step;
                variance[j] = shrink * (variance[j] + dev * step);
            }
        } else {
            for (int j = 0; j < d; j++) {
                double limit = limits[j];
                double dev = Math.max(-limit, Math.min(limit, x[j] - mean[j]));
                double step = a * dev;
                mean[j] += step;
                variance[j] = shrink * (variance[j] + dev * step);
            }
        }
        return a;
    }

    /** One division per feature per batch, not per value. */
    private void setScales() {
        for (int j = 0; j < d; j++) {
            inverseScale[j] = 1.0 / Math.sqrt(Math.max(variance[j], minVariance));
        }
    }

    // ---------------------------------------------------------------- gossip

    /** The live means; do not modify. */
    double[] mean() {
        return mean;
    }

    /**
     * The live mean of {@code x^2} per feature, {@code variance + mean^2} refreshed now (an average over
     * peers is the pooled mixture's); do not modify.
     */
    double[] second() {
        for (int j = 0; j < d; j++) {
            second[j] = variance[j] + mean[j] * mean[j];
        }
        return second;
    }

    /** Adopts merged means and means of {@code x^2}, the variances recovered from them. */
    void merge(double[] newMean, double[] newSecond) {
        for (int j = 0; j < d; j++) {
            mean[j] = newMean[j];
            variance[j] = Math.max(0.0, newSecond[j] - newMean[j] * newMean[j]);
        }
    }

    // ---------------------------------------------------------------- checkpoints

    void save(StateWriter out) throws IOException {
        out.writeDoubles(mean);
        out.writeDoubles(variance);
        out.writeDouble(seen);
    }

    /** Reads what {@link #save} wrote and checks it; returns what adopts it (the expert's restore applies it last). */
    Runnable read(StateReader in) throws IOException {
        double[] newMean = in.readDoubles(d, "feature means (one per feature)");
        double[] newVariance = in.readDoubles(d, "feature variances (one per feature)");
        double newSeen = in.readDouble();
        if (!(newSeen >= 0)) {
            throw new IOException("geometry expert checkpoint: invalid weight of the rows seen " + newSeen);
        }
        return () -> {
            System.arraycopy(newMean, 0, mean, 0, d);
            System.arraycopy(newVariance, 0, variance, 0, d);
            seen = newSeen;
        };
    }
}
