package io.scarcity.api;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * The context vector that contextual routers (LinUCB, per-context Thompson sampling, a softmax gate,
 * the variance rule) see for a batch: a few statistics of the batch relative to the stream so far and
 * the signals the client's analysers published. One definition, so that routers are compared on the
 * same context and a third-party router can reuse it.
 *
 * <p>Components ({@link #NAMES}, every one in [0, 1]):
 * <ol>
 *   <li>{@code bias}: always 1 (the intercept of linear models).</li>
 *   <li>{@code drift.score}: {@link StandardSignals#DRIFT_SCORE}, clamped to [0, 1] (0 when absent).</li>
 *   <li>{@code drift.detected}: {@link StandardSignals#DRIFT_DETECTED} (0 when absent).</li>
 *   <li>{@code outlier-rate}: {@link StandardSignals#OUTLIER_RATE}, clamped (0 when absent).</li>
 *   <li>{@code mixture.loss}: the mixture's loss on the previous batch {@code l}, as {@code l / (1 + l)}
 *       (0 when absent), so that a log loss is bounded too.</li>
 *   <li>{@code novelty}: {@code m / (1 + m)} with {@code m} the batch's mean squared z-score against the
 *       running per-feature mean and variance of the rows seen before it: about 0.5 on a stationary
 *       stream, towards 1 on rows far from anything seen, towards 0 on rows packed near the mean.</li>
 *   <li>{@code spread}: {@code s / (1 + s)} with {@code s} the mean over features of the batch's own
 *       variance divided by the running variance: about 0.5 when a batch is as varied as the stream,
 *       lower for a homogeneous batch, higher for a scattered one (the variance rule's input).</li>
 *   <li>{@code missing}: the fraction of missing values (NaN or infinite) in the batch.</li>
 * </ol>
 * The signals are those on the board when the router is called, i.e. published while the previous
 * batch was learned. The first batch has no running statistics: its novelty and spread are 0.5.
 *
 * <p>Running statistics: per feature, exponentially weighted mean and variance with rate {@code rate},
 * a plain average over the first {@code 1 / rate} rows (like the experts' estimates), updated with the
 * batch after its features are computed (a batch never explains itself); a value whose square would
 * overflow is not learned. Features whose running variance is below {@code 1e-12} (constant so far) are
 * left out of novelty and spread. Batch variances are summed as deviations from the running mean, so a
 * large feature that varies little (a timestamp) keeps its precision.
 *
 * <p>One instance per router, used from one thread. A router that checkpoints itself saves this with
 * {@link #save} and restores it with {@link #restore}.
 */
public final class RoutingFeatures {
    /** Names of the components, in order. */
    public static final List<String> NAMES = List.of("bias", "drift.score", "drift.detected", "outlier-rate",
            "mixture.loss", "novelty", "spread", "missing");
    /** Length of the context vector. */
    public static final int SIZE = 8;
    /** Default rate of the running statistics. */
    public static final double DEFAULT_RATE = 0.001;
    private static final int VERSION = 1;
    private static final double MIN_VARIANCE = 1e-12;

    private final double rate;
    private double[] mean;
    private double[] variance;
    private double[] seen;

    /** Running statistics with {@link #DEFAULT_RATE}. */
    public RoutingFeatures() {
        this(DEFAULT_RATE);
    }

    /**
     * @param rate rate of the running per-feature statistics, in (0, 1]
     * @throws IllegalArgumentException if the rate is out of range
     */
    public RoutingFeatures(double rate) {
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException("rate must be in (0, 1], got " + rate);
        }
        this.rate = rate;
    }

    /**
     * The context of this batch, then learns the batch's rows into the running statistics.
     *
     * @param context the routing context, never {@code null}
     * @return a new array of {@link #SIZE} values in [0, 1]
     */
    public double[] extract(RoutingContext context) {
        Objects.requireNonNull(context, "context is null");
        Batch batch = context.batch();
        SignalBoard signals = context.signals();
        double[] x = new double[SIZE];
        x[0] = 1.0;
        x[1] = unit(signals.get(StandardSignals.DRIFT_SCORE, 0.0));
        x[2] = unit(signals.get(StandardSignals.DRIFT_DETECTED, 0.0));
        x[3] = unit(signals.get(StandardSignals.OUTLIER_RATE, 0.0));
        double loss = signals.get(StandardSignals.MIXTURE_LOSS, 0.0);
        x[4] = loss > 0 && Double.isFinite(loss) ? loss / (1 + loss) : loss == Double.POSITIVE_INFINITY ? 1.0 : 0.0;
        int f = batch.numFeatures();
        int n = batch.rows();
        if (mean == null || mean.length != f) {
            mean = new double[f];
            variance = new double[f];
            seen = new double[f];
        }
        double zSum = 0;
        long zCount = 0;
        double spreadSum = 0;
        int spreadCount = 0;
        long missing = 0;
        for (int j = 0; j < f; j++) {
            double v = variance[j];
            boolean known = seen[j] >= 2 && v > MIN_VARIANCE && Double.isFinite(v);
            // Sums of deviations from the running mean, not of raw values: the batch variance keeps its
            // precision when a feature is large (a timestamp) and varies little.
            double shift = mean[j];
            double s = 0;
            double s2 = 0;
            int m = 0;
            for (int r = 0; r < n; r++) {
                double value = batch.value(r, j);
                if (!Double.isFinite(value)) {
                    missing++;
                    continue;
                }
                double d = value - shift;
                if (known) {
                    zSum += d * d / v;
                    zCount++;
                }
                s += d;
                s2 += d * d;
                m++;
            }
            if (known && m >= 2 && Double.isFinite(s2)) {
                double bm = s / m;
                double bv = Math.max(0, (s2 - m * bm * bm) / (m - 1));
                spreadSum += bv / v;
                spreadCount++;
            }
        }
        x[5] = zCount > 0 ? ratio(zSum / zCount) : 0.5;
        x[6] = spreadCount > 0 ? ratio(spreadSum / spreadCount) : 0.5;
        long cells = (long) n * f;
        x[7] = cells > 0 ? (double) missing / cells : 0.0;
        learn(batch);
        return x;
    }

    private void learn(Batch batch) {
        int f = batch.numFeatures();
        int n = batch.rows();
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < f; j++) {
                double value = batch.value(r, j);
                if (!Double.isFinite(value)) {
                    continue;
                }
                double a = Math.max(rate, 1.0 / (seen[j] + 1));
                double d = value - mean[j];
                // West's weighted update: the variance about the new mean.
                double v = (1 - a) * (variance[j] + a * d * d);
                if (!Double.isFinite(v)) {
                    continue; // a value so large that its square overflows would poison the feature for good
                }
                seen[j]++;
                mean[j] += a * d;
                variance[j] = v;
            }
        }
    }

    private static double unit(double v) {
        return v > 0 ? Math.min(1.0, v) : 0.0;
    }

    private static double ratio(double v) {
        if (!(v >= 0)) {
            return 0.5;
        }
        return Double.isInfinite(v) ? 1.0 : v / (1 + v);
    }

    /** Writes the running statistics. */
    public void save(StateWriter out) throws IOException {
        Objects.requireNonNull(out, "out is null");
        out.writeVersion(VERSION);
        out.writeDouble(rate);
        out.writeBoolean(mean != null);
        if (mean != null) {
            out.writeDoubles(mean);
            out.writeDoubles(variance);
            out.writeDoubles(seen);
        }
    }

    /** Reads what {@link #save} wrote; fails on another version, rate or inconsistent lengths. */
    public void restore(StateReader in) throws IOException {
        Objects.requireNonNull(in, "in is null");
        in.readVersion("routing features", VERSION);
        double r = in.readDouble();
        if (Double.compare(r, rate) != 0) {
            throw new IOException("routing features: the checkpoint was written with rate " + r + ", this router uses "
                    + rate);
        }
        if (!in.readBoolean()) {
            mean = null;
            variance = null;
            seen = null;
            return;
        }
        double[] m = in.readDoubles();
        double[] v = in.readDoubles(m.length, "routing features variances");
        double[] s = in.readDoubles(m.length, "routing features counts");
        mean = m;
        variance = v;
        seen = s;
    }
}
