package io.scarcity.plugins.statistical;

import io.scarcity.api.Batch;
import java.util.Arrays;

/**
 * Online robust location and scale per feature, for outlier scoring.
 *
 * <p>The first {@link #WARM_UP} rows are buffered and give an exact median and median absolute
 * deviation (MAD). After that both follow stochastic-approximation updates that only look at the
 * sign of a deviation, so a single extreme value moves them no more than a typical one does: the
 * median steps by {@code rate * scale} towards each value, and the MAD is multiplied by
 * {@code exp(+-rate)} depending on whether the absolute deviation is above or below it (whose fixed
 * point is exactly the median absolute deviation). Scores are computed against the estimates before
 * the row updates them. The scale never goes below {@code minScale}, so a constant feature does not
 * divide by zero (a value that differs from it is then flagged).
 *
 * <p><b>Accuracy.</b> With a constant step the estimates do not converge but fluctuate around the true
 * median and MAD. Linearising the sign updates for normal data gives a standard deviation of about
 * {@code sqrt(rate / (4 phi(0))) = 0.79 sqrt(rate)} standard deviations for the median and a relative
 * {@code sqrt(rate / 1.71) = 0.76 sqrt(rate)} for the MAD: at the default rate 0.02 about 0.11 each, so the
 * effective z threshold of 3.5 wanders by roughly +-0.4 (the expert caps the rate at 0.1). A single
 * extreme value moves either estimate by one step only, which is the point. {@code StatisticalOutlierTest}
 * measures both on normal data.
 */
final class RobustStatistics {
    /** Rows buffered before the estimates start; none is flagged during the warm-up. */
    static final int WARM_UP = 32;
    /** Makes the MAD a consistent estimate of the standard deviation under normality. */
    static final double MAD_TO_SD = 1.4826;

    private final int features;
    private final double minScale;
    private final double[] median;
    private final double[] mad;
    private final double[] warmUp;
    private int buffered;
    private boolean ready;

    RobustStatistics(int features, double minScale) {
        this.features = features;
        this.minScale = minScale;
        this.median = new double[features];
        this.mad = new double[features];
        this.warmUp = new double[WARM_UP * features];
    }

    /**
     * Scores every row of a batch, then lets it update the estimates.
     *
     * @param rate the step of the stochastic-approximation updates, in (0, 1)
     * @param threshold robust z-score above which a row counts
     * @param maxZ if not null, receives each row's largest robust z-score (0 during the warm-up)
     * @return the number of rows whose largest robust z-score exceeds {@code threshold}
     */
    int scan(Batch batch, double rate, double threshold, double[] maxZ) {
        // Multiplicative MAD steps, computed once per batch rather than per value.
        double up = Math.exp(rate);
        double down = 1.0 / up;
        double madFloor = minScale / MAD_TO_SD;
        int outliers = 0;
        for (int r = 0; r < batch.rows(); r++) {
            if (!ready) {
                for (int j = 0; j < features; j++) {
                    warmUp[buffered * features + j] = batch.value(r, j);
                }
                if (++buffered == WARM_UP) {
                    initialise();
                }
                if (maxZ != null) {
                    maxZ[r] = 0.0;
                }
                continue;
            }
            double rowZ = 0;
            for (int j = 0; j < features; j++) {
                double dev = batch.value(r, j) - median[j];
                double abs = Math.abs(dev);
                double scale = Math.max(MAD_TO_SD * mad[j], minScale);
                double z = abs / scale;
                if (z > rowZ) {
                    rowZ = z;
                }
                if (dev > 0) {
                    median[j] += rate * scale;
                } else if (dev < 0) {
                    median[j] -= rate * scale;
                }
                mad[j] = abs > mad[j] ? mad[j] * up : Math.max(mad[j] * down, madFloor);
            }
            if (rowZ > threshold) {
                outliers++;
            }
            if (maxZ != null) {
                maxZ[r] = rowZ;
            }
        }
        return outliers;
    }

    /** A row's largest robust z-score against the current estimates, without updating them; 0 during the warm-up. */
    double maxZ(Batch batch, int row) {
        if (!ready) {
            return 0.0;
        }
        double rowZ = 0;
        for (int j = 0; j < features; j++) {
            double z = Math.abs(batch.value(row, j) - median[j]) / Math.max(MAD_TO_SD * mad[j], minScale);
            if (z > rowZ) {
                rowZ = z;
            }
        }
        return rowZ;
    }

    private void initialise() {
        double[] column = new double[WARM_UP];
        for (int j = 0; j < features; j++) {
            for (int i = 0; i < WARM_UP; i++) {
                column[i] = warmUp[i * features + j];
            }
            median[j] = medianOf(column);
            for (int i = 0; i < WARM_UP; i++) {
                column[i] = Math.abs(column[i] - median[j]);
            }
            mad[j] = Math.max(medianOf(column), minScale / MAD_TO_SD);
        }
        ready = true;
    }

    private static double medianOf(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    }

    boolean ready() {
        return ready;
    }

    /** Rows in the warm-up buffer (0 once ready). */
    int buffered() {
        return ready ? 0 : buffered;
    }

    double[] median() {
        return median.clone();
    }

    double[] mad() {
        return mad.clone();
    }

    /** Writes everything that changes after construction: estimates, warm-up buffer and its fill. */
    void save(io.scarcity.api.StateWriter out) throws java.io.IOException {
        out.writeBoolean(ready);
        out.writeInt(buffered);
        out.writeDoubles(median);
        out.writeDoubles(mad);
        out.writeDoubles(warmUp);
    }

    /** Reads what {@link #save} wrote, checking every length against the number of features. */
    void restore(io.scarcity.api.StateReader in) throws java.io.IOException {
        boolean r = in.readBoolean();
        int b = in.readInt();
        if (b < 0 || b > WARM_UP) {
            throw new java.io.IOException("robust statistics: " + b + " buffered rows, expected 0.." + WARM_UP);
        }
        double[] m = in.readDoubles(features, "robust statistics' medians (one per feature)");
        double[] d = in.readDoubles(features, "robust statistics' MADs (one per feature)");
        double[] w = in.readDoubles(WARM_UP * features, "robust statistics' warm-up buffer (" + WARM_UP + " rows x features)");
        ready = r;
        buffered = b;
        System.arraycopy(m, 0, median, 0, features);
        System.arraycopy(d, 0, mad, 0, features);
        System.arraycopy(w, 0, warmUp, 0, warmUp.length);
    }

    /** Adopts estimates from gossip; ends the warm-up. */
    void set(double[] newMedian, double[] newMad) {
        if (newMedian.length != features || newMad.length != features) {
            throw new IllegalArgumentException("robust statistics for " + newMedian.length + "/" + newMad.length
                    + " features, expected " + features);
        }
        for (int j = 0; j < features; j++) {
            median[j] = newMedian[j];
            mad[j] = Math.max(newMad[j], minScale / MAD_TO_SD);
        }
        ready = true;
    }
}
