package io.scarcity.plugins.reconstruction;

import io.scarcity.api.FeatureMoments;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Arrays;

/**
 * Running per-feature means and variances that standardise rows, optionally started from the
 * coordinator's pooled moments.
 *
 * <p>Own moments: exponentially weighted (West's update) with step {@code max(w / n, rate * w)} for a row
 * of weight {@code w} after {@code n} weighted rows, so the first {@code 1 / rate} rows are averaged
 * plainly and later ones forget slowly (the network's inputs must not shift under it from batch to
 * batch). Pooled moments ({@link #adoptPrior}) count as {@code k0 = min(priorRows, pooled rows)} rows of
 * their own: the centre and scale used are those of the pooled {@code k0} pseudo-rows combined with the
 * own {@code n} rows (Chan's formula), so the coordinator decides the standardisation of a client that has
 * seen little and fades as {@code n} grows. Variances are floored at {@code minVariance}; standardised
 * values are clipped to [-{@value #MAX_Z}, {@value #MAX_Z}] so that a feature that has hardly varied yet
 * (its variance at the floor) cannot blow a row up.
 */
final class Standardiser {
    /** Largest absolute standardised value. */
    static final double MAX_Z = 10.0;

    private final int dimensions;
    private final double rate;
    private final double minVariance;
    private final double priorRows;

    private double count;
    private final double[] mean;
    private final double[] variance;
    /** Pooled moments from the coordinator, {@code null} until received. */
    private double[] priorMean;
    private double[] priorVariance;
    private double priorCount;

    private final double[] centre;
    private final double[] scale;

    Standardiser(int dimensions, double rate, double minVariance, double priorRows) {
        this.dimensions = dimensions;
        this.rate = rate;
        this.minVariance = minVariance;
        this.priorRows = priorRows;
        mean = new double[dimensions];
        variance = new double[dimensions];
        centre = new double[dimensions];
        scale = new double[dimensions];
        refresh();
    }

    double count() {
        return count;
    }

    /** Learns one row (or target) of weight {@code w}; {@code values} from {@code offset}. */
    void observe(double[] values, int offset, double w) {
        if (!(w > 0)) {
            return;
        }
        count += w;
        double a = Math.min(1.0, Math.max(w / count, rate * w));
        for (int j = 0; j < dimensions; j++) {
            double dev = values[offset + j] - mean[j];
            double step = a * dev;
            mean[j] += step;
            variance[j] = (1 - a) * (variance[j] + dev * step);
        }
    }

    /**
     * Takes pooled moments as the prior, if they are of this dimension, over at least two rows and finite;
     * otherwise keeps what it had.
     */
    void adoptPrior(FeatureMoments moments) {
        if (priorRows == 0 || moments.dimensions() != dimensions || moments.count() < 2) {
            return;
        }
        double[] m = moments.mean();
        double[] v = moments.variance();
        for (int j = 0; j < dimensions; j++) {
            if (!Double.isFinite(m[j]) || !(v[j] >= 0) || Double.isInfinite(v[j])) {
                return; // a corrupt pooled moment must not poison the standardisation
            }
        }
        priorMean = m;
        priorVariance = v;
        priorCount = Math.min(priorRows, moments.count());
        refresh();
    }

    /** Recomputes the centre and scale from the own and pooled moments; call after observing rows. */
    void refresh() {
        double n = count;
        double k0 = priorMean == null ? 0.0 : priorCount;
        for (int j = 0; j < dimensions; j++) {
            double m;
            double v;
            if (k0 > 0) {
                double t = k0 + n;
                double delta = mean[j] - priorMean[j];
                m = priorMean[j] + delta * n / t;
                v = (k0 * priorVariance[j] + n * variance[j] + delta * delta * k0 * n / t) / t;
            } else if (n > 0) {
                m = mean[j];
                v = variance[j];
            } else {
                m = 0.0;
                v = 1.0;
            }
            centre[j] = m;
            scale[j] = Math.sqrt(Math.max(v, minVariance));
        }
    }

    /** Standardises {@code rows} rows (row-major) into {@code out}, clipped to [-MAX_Z, MAX_Z]. */
    void standardise(double[] values, int rows, double[] out) {
        for (int r = 0; r < rows; r++) {
            int base = r * dimensions;
            for (int j = 0; j < dimensions; j++) {
                double z = (values[base + j] - centre[j]) / scale[j];
                out[base + j] = Math.max(-MAX_Z, Math.min(MAX_Z, z));
            }
        }
    }

    /** Back to the original units, in place. */
    void destandardise(double[] values, int rows) {
        for (int r = 0; r < rows; r++) {
            int base = r * dimensions;
            for (int j = 0; j < dimensions; j++) {
                values[base + j] = centre[j] + scale[j] * values[base + j];
            }
        }
    }

    double[] mean() {
        return mean.clone();
    }

    double[] variance() {
        return variance.clone();
    }

    /** Replaces the own moments (gossip); the count is kept if {@code newCount} is not finite and >= 0. */
    void set(double[] newMean, double[] newVariance, double newCount) {
        System.arraycopy(newMean, 0, mean, 0, dimensions);
        for (int j = 0; j < dimensions; j++) {
            variance[j] = Math.max(0.0, newVariance[j]);
        }
        if (newCount >= 0 && Double.isFinite(newCount)) {
            count = newCount;
        }
        refresh();
    }

    void save(StateWriter out) throws IOException {
        out.writeDouble(count);
        out.writeDoubles(mean);
        out.writeDoubles(variance);
        out.writeDoubles(priorMean);
        out.writeDoubles(priorVariance);
        out.writeDouble(priorCount);
    }

    void restore(StateReader in, String what) throws IOException {
        double newCount = in.readDouble();
        double[] newMean = in.readDoubles(dimensions, what + " means");
        double[] newVariance = in.readDoubles(dimensions, what + " variances");
        double[] newPriorMean = in.readDoubles();
        double[] newPriorVariance = in.readDoubles();
        double newPriorCount = in.readDouble();
        if ((newPriorMean == null) != (newPriorVariance == null)
                || newPriorMean != null && (newPriorMean.length != dimensions || newPriorVariance.length != dimensions)) {
            throw new IOException(what + ": pooled moments of the wrong size (the checkpoint was written with other data)");
        }
        if (!(newCount >= 0) || !(newPriorCount >= 0)) {
            throw new IOException(what + ": invalid row count " + newCount + " or pooled row count " + newPriorCount);
        }
        count = newCount;
        System.arraycopy(newMean, 0, mean, 0, dimensions);
        System.arraycopy(newVariance, 0, variance, 0, dimensions);
        priorMean = newPriorMean;
        priorVariance = newPriorVariance;
        priorCount = newPriorCount;
        refresh();
    }

    @Override
    public String toString() {
        return "Standardiser[n=" + count + ", centre=" + Arrays.toString(centre) + "]";
    }
}
