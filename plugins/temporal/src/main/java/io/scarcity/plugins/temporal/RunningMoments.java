package io.scarcity.plugins.temporal;

import io.scarcity.api.FeatureMoments;
import java.io.IOException;

/**
 * Running mean and variance of a few values per row (the features, or a regression target), for
 * standardising them: an LSTM's gates saturate on raw values far from zero.
 *
 * <p>After {@code n} rows the estimates are exponentially weighted averages with step
 * {@code max(1/n, 1/HORIZON)}: a plain running average (Welford's, exactly) for the first
 * {@link #HORIZON} rows, then one that forgets with that time constant, so that a slow drift of scale
 * is followed without the inputs' meaning moving from batch to batch.
 *
 * <p>The coordinator's pooled moments of the domain ({@code MetaParameters.normalisation()}) are a
 * prior worth {@code min(pooled rows, PRIOR_ROWS)} rows, pooled with the own estimates (Chan et
 * al.'s formula) until the own rows outnumber them: a client that starts late, or has seen few rows,
 * standardises like its domain. Before any row and any prior, a batch is standardised by its own
 * moments.
 */
final class RunningMoments {
    /** Rows after which the estimates start to forget. */
    static final double HORIZON = 10_000;
    /** The most rows the coordinator's pooled moments are worth. */
    static final double PRIOR_ROWS = 50;
    /** Floor of every variance, so that a constant value does not divide by zero. */
    static final double MIN_VARIANCE = 1e-12;

    private final int dimensions;
    private double rows;
    private final double[] mean;
    private final double[] variance;
    private double priorRows;
    private double[] priorMean;
    private double[] priorVariance;

    RunningMoments(int dimensions) {
        this.dimensions = dimensions;
        this.mean = new double[dimensions];
        this.variance = new double[dimensions];
        this.priorMean = new double[dimensions];
        this.priorVariance = new double[dimensions];
    }

    double rows() {
        return rows;
    }

    /** Learns one row: {@code values[offset .. offset + dimensions)}. */
    void add(double[] values, int offset) {
        rows++;
        double step = Math.max(1.0 / rows, 1.0 / HORIZON);
        for (int j = 0; j < dimensions; j++) {
            double delta = values[offset + j] - mean[j];
            mean[j] += step * delta;
            variance[j] = (1 - step) * (variance[j] + step * delta * delta);
        }
    }

    /** Adopts the coordinator's pooled moments as the prior if they are usable (finite, >= 2 rows). */
    void adoptPrior(FeatureMoments moments) {
        if (moments.dimensions() != dimensions || moments.count() < 2) {
            return;
        }
        double[] m = moments.mean();
        double[] v = moments.variance();
        for (int j = 0; j < dimensions; j++) {
            if (!Double.isFinite(m[j]) || !(v[j] >= 0) || Double.isInfinite(v[j])) {
                return; // a corrupt pooled moment must not poison the inputs
            }
        }
        priorRows = Math.min(moments.count(), PRIOR_ROWS);
        priorMean = m;
        priorVariance = v;
    }

    /**
     * The mean and standard deviation to standardise with: own estimates pooled with the prior; if
     * neither has a row, the moments of {@code fallback} ({@code fallbackRows} rows of
     * {@code dimensions} values, row-major).
     */
    void scale(double[] meanOut, double[] stdOut, double[] fallback, int fallbackRows) {
        double own = Math.min(rows, HORIZON);
        double total = own + priorRows;
        if (total == 0) {
            fallbackMoments(meanOut, stdOut, fallback, fallbackRows);
            return;
        }
        for (int j = 0; j < dimensions; j++) {
            double delta = priorMean[j] - mean[j];
            double m = mean[j] + delta * priorRows / total;
            double v = (own * variance[j] + priorRows * priorVariance[j] + delta * delta * own * priorRows / total) / total;
            meanOut[j] = m;
            stdOut[j] = Math.sqrt(Math.max(v, MIN_VARIANCE));
        }
    }

    private void fallbackMoments(double[] meanOut, double[] stdOut, double[] values, int n) {
        for (int j = 0; j < dimensions; j++) {
            double m = 0;
            double s = 0;
            for (int i = 0; i < n; i++) {
                double delta = values[i * dimensions + j] - m;
                m += delta / (i + 1);
                s += delta * (values[i * dimensions + j] - m);
            }
            meanOut[j] = m;
            stdOut[j] = Math.sqrt(Math.max(n > 0 ? s / n : 1.0, MIN_VARIANCE));
        }
    }

    double[] mean() {
        return mean.clone();
    }

    double[] variance() {
        return variance.clone();
    }

    /** Adopts merged estimates (gossip). */
    void set(double newRows, double[] newMean, double[] newVariance) {
        rows = Math.max(0, newRows);
        for (int j = 0; j < dimensions; j++) {
            mean[j] = newMean[j];
            variance[j] = Math.max(0, newVariance[j]);
        }
    }

    void save(io.scarcity.api.StateWriter out) throws IOException {
        out.writeDouble(rows);
        out.writeDoubles(mean);
        out.writeDoubles(variance);
        out.writeDouble(priorRows);
        out.writeDoubles(priorMean);
        out.writeDoubles(priorVariance);
    }

    void restore(io.scarcity.api.StateReader in, String what) throws IOException {
        double r = in.readDouble();
        double[] m = in.readDoubles(dimensions, what + " means");
        double[] v = in.readDoubles(dimensions, what + " variances");
        double pr = in.readDouble();
        double[] pm = in.readDoubles(dimensions, what + " prior means");
        double[] pv = in.readDoubles(dimensions, what + " prior variances");
        if (!(r >= 0) || !(pr >= 0)) {
            throw new IOException(what + ": invalid row counts " + r + " and " + pr);
        }
        rows = r;
        System.arraycopy(m, 0, mean, 0, dimensions);
        System.arraycopy(v, 0, variance, 0, dimensions);
        priorRows = pr;
        priorMean = pm;
        priorVariance = pv;
    }
}
