package io.scarcity.plugins.statistical;

import io.scarcity.api.Batch;
import io.scarcity.api.ExpertState;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Map;

/**
 * The statistical expert's outlier scoring: flags rows, publishes the outlier signals and gives each row
 * its training factor.
 *
 * <p>Every batch that the expert learns is scored row by row before anything learns from it, labelled or
 * not, in two ways:
 * <ul>
 *   <li>the largest robust z-score {@code |x - median| / (1.4826 * MAD)} over the features, against
 *       streaming medians and MADs ({@link RobustStatistics}); above {@code outlierThreshold} the row is
 *       flagged. This catches a row that is extreme in one feature;</li>
 *   <li>with {@code mahalanobis} (the default), the squared Mahalanobis distance {@code D^2} from an EW mean
 *       and covariance of the features ({@link RunningCovariance}; full up to {@code maxMahalanobisFeatures}
 *       features, diagonal beyond); above the {@code mahalanobisQuantile} of the chi-square distribution
 *       with one degree of freedom per feature ({@link ChiSquare}) the row is flagged. This catches a row
 *       whose every feature is ordinary but whose combination is not (off the correlation structure), and
 *       many moderately unusual features together. The covariance learns at the expert's rate, but for a
 *       full covariance at most {@code 0.1 / features}, so that it rests on about {@code 20 x features}
 *       rows, and never faster than 0.1.</li>
 * </ul>
 * It publishes {@code statistical.outlier-rate}, the fraction of flagged rows in the batch (or, with
 * {@code outlierWindow > 0}, in the last {@code outlierWindow} rows), and, once the covariance is warmed up,
 * {@value StatisticalExpert#MAHALANOBIS_SIGNAL}, the batch's mean of {@code D^2 / features} (about 1 when the
 * rows follow the running covariance; each row's {@code D^2} capped at 1e12).
 *
 * <p><b>Down-weighting</b> ({@code outlierWeighting}): the expert's class statistics (and the target mean)
 * learn each row with its own weight ({@link Batch#weight}) times a factor: {@code huber}
 * {@code min(1, t / z, c / D)} with {@code t} the z threshold and {@code c^2} the chi-square threshold, so
 * rows within both thresholds count fully and a gross outlier pulls a class mean no further than a row on
 * the threshold would; {@code reject} 0 for flagged rows; {@code off} (the default) 1. Off by default
 * because the flags are relative to all rows, not to a row's class: on digits, rows with unusual strokes
 * are ordinary members of their class, and down-weighting them cost 0.5-0.9 points of accuracy. Replayed
 * rows are scored against the current estimates (without updating them) and weighted the same way. The
 * factor is relative to the statistics of all rows, so after an abrupt change of the whole distribution the
 * new rows count less for a while: the robust and covariance estimates follow them at a bounded pace, by
 * design.
 *
 * <p>Gossip arrays: {@code median} and {@code mad} once the robust statistics are warmed up, and
 * {@code covarianceMean}, {@code covarianceSecond} (second moments {@code C + m m'}, see
 * {@link RunningCovariance#secondMoments}) and {@code covarianceCount} once the covariance is: averaged over
 * peers they are the moments of the pooled rows, and a merge recovers the pooled covariance from them.
 */
final class OutlierScorer {
    /** A row's term in the Mahalanobis signal is capped here, so that an overflowing row keeps the signal finite. */
    private static final double MAX_SIGNAL_DISTANCE2 = 1e12;
    /** Sign-based robust updates oscillate with large steps; they never go faster than this. */
    private static final double MAX_ROBUST_RATE = 0.1;

    private final Options options;
    private final int features;
    private final RobustStatistics robust;
    /** {@code null} without {@code mahalanobis}. */
    private final RunningCovariance covariance;
    /** Chi-square quantile above which {@code D^2} flags a row, and its square root (the Huber constant). */
    private final double mahalanobisThreshold;
    private final double mahalanobisRadius;
    /** The last {@code outlierWindow} rows' flags, a ring; empty when the signal covers the last batch. */
    private final boolean[] window;
    private int windowNext;
    private int windowFilled;
    private int windowFlagged;
    /** With {@code outlierMerge: own}: merges leave warm estimates as they are. */
    private boolean keepOwn;
    /** The flags of the last batch scanned, or null before the first. */
    private boolean[] lastFlags;

    OutlierScorer(Options options, int features) {
        this.options = options;
        this.features = features;
        this.robust = new RobustStatistics(features, Math.sqrt(options.minVariance()));
        if (options.mahalanobis() && features > 0) {
            this.covariance = new RunningCovariance(features, features <= options.maxMahalanobisFeatures(),
                    options.covarianceShrinkage(), options.minVariance());
            this.mahalanobisThreshold = ChiSquare.quantile(features, options.mahalanobisQuantile());
        } else {
            this.covariance = null;
            this.mahalanobisThreshold = Double.POSITIVE_INFINITY;
        }
        this.mahalanobisRadius = Math.sqrt(mahalanobisThreshold);
        this.window = new boolean[options.outlierWindow()];
    }

    /** Whether rows are also scored by their Mahalanobis distance (and the Mahalanobis signal is published). */
    boolean scoresMahalanobis() {
        return covariance != null;
    }

    /**
     * Scores every row of a non-empty batch (robust z and Mahalanobis distance against the estimates before
     * the batch), lets the outlier statistics learn the batch at {@code rate} (capped as described above),
     * publishes the signals and returns the rows' training factors ({@code null}: all 1).
     */
    double[] scan(Batch batch, double rate, SignalBoard signals) {
        int rows = batch.rows();
        double[] z = new double[rows];
        robust.scan(batch, Math.min(rate, MAX_ROBUST_RATE), options.outlierThreshold(), z);
        double[] d2 = null;
        if (covariance != null) {
            d2 = new double[rows];
            // Every row against the snapshot first: updating marks it stale.
            covariance.distances(batch, d2);
            double covRate = Math.min(rate, MAX_ROBUST_RATE);
            if (covariance.full()) {
                covRate = Math.min(covRate, 0.1 / features);
            }
            for (int r = 0; r < rows; r++) {
                double w = batch.weight(r);
                if (w > 0) {
                    covariance.update(batch, r, w, covRate, d2[r] > mahalanobisThreshold ? mahalanobisRadius / Math.sqrt(d2[r]) : 1.0);
                }
            }
            covariance.normalise(); // every batch ends with plain entries, whether or not a checkpoint follows
        }
        double[] factors = options.outlierWeighting() == Options.Weighting.OFF ? null : new double[rows];
        lastFlags = new boolean[rows];
        int flagged = 0;
        int scored = 0;
        double sumD2 = 0;
        for (int r = 0; r < rows; r++) {
            double distance2 = d2 == null ? Double.NaN : d2[r];
            if (distance2 >= 0) {
                scored++;
                sumD2 += Math.min(distance2, MAX_SIGNAL_DISTANCE2);
            }
            boolean outlier = z[r] > options.outlierThreshold() || distance2 > mahalanobisThreshold;
            if (outlier) {
                flagged++;
                lastFlags[r] = true;
            }
            if (factors != null) {
                factors[r] = factor(z[r], distance2, outlier);
            }
            if (window.length > 0) {
                remember(outlier);
            }
        }
        signals.publish(StandardSignals.OUTLIER_RATE,
                window.length > 0 ? (double) windowFlagged / windowFilled : (double) flagged / rows);
        if (scored > 0) {
            signals.publish(StatisticalExpert.MAHALANOBIS_SIGNAL, sumD2 / scored / features);
        }
        return factors;
    }

    /**
     * A structural prior: the coordinator's pooled feature moments of the domain ({@link io.scarcity.api.MetaParameters#normalisation})
     * start a scorer that has not yet learned anything (robust statistics still in their warm-up, covariance empty), so
     * that a new client's flags are calibrated from its first batch instead of waiting for its own warm-up. The medians
     * become the pooled means and each MAD the pooled standard deviation / 1.4826; the covariance starts diagonal with
     * the pooled variances, standing for just enough rows to be trusted ({@code max(32, 10 x features)} for a full
     * one), so the client's own rows soon outweigh it. A prior of fewer than 32 rows is ignored; a scorer that has
     * learned keeps its own estimates.
     */
    void adoptPrior(io.scarcity.api.FeatureMoments prior) {
        if (prior.count() < RobustStatistics.WARM_UP || prior.dimensions() != features || robust.ready() || robust.buffered() > 0
                || covariance != null && covariance.count() > 0) {
            return;
        }
        double[] mean = prior.mean();
        double[] variance = prior.variance();
        double[] mad = new double[features];
        for (int j = 0; j < features; j++) {
            if (!Double.isFinite(mean[j]) || !(variance[j] >= 0) || Double.isInfinite(variance[j])) {
                return;
            }
            mad[j] = Math.sqrt(variance[j]) / RobustStatistics.MAD_TO_SD;
        }
        robust.set(mean, mad);
        if (covariance != null) {
            double[] second = new double[covariance.secondLength()];
            int p = 0;
            for (int i = 0; i < features; i++) {
                if (covariance.full()) {
                    for (int k = 0; k <= i; k++) {
                        second[p++] = mean[i] * mean[k] + (k == i ? variance[i] : 0.0);
                    }
                } else {
                    second[p++] = variance[i] + mean[i] * mean[i];
                }
            }
            covariance.setMoments(Math.min(prior.count(), covariance.warmUpRows()), mean, second);
        }
    }

    /** Which rows of the last batch scanned were flagged (each against the estimates before it), or null before any. */
    boolean[] lastFlags() {
        return lastFlags == null ? null : lastFlags.clone();
    }

    /** Adds a row's flag to the window, forgetting the oldest once it is full. */
    private void remember(boolean outlier) {
        if (windowFilled == window.length) {
            windowFlagged -= window[windowNext] ? 1 : 0;
        } else {
            windowFilled++;
        }
        window[windowNext] = outlier;
        windowFlagged += outlier ? 1 : 0;
        windowNext = (windowNext + 1) % window.length;
    }

    /** A row's training factor (see the class description); {@code distance2} is NaN when not scored. */
    private double factor(double z, double distance2, boolean outlier) {
        if (options.outlierWeighting() == Options.Weighting.REJECT) {
            return outlier ? 0.0 : 1.0;
        }
        double f = 1.0;
        if (z > options.outlierThreshold()) {
            f = options.outlierThreshold() / z;
        }
        if (distance2 > mahalanobisThreshold) {
            f = Math.min(f, mahalanobisRadius / Math.sqrt(distance2));
        }
        return f;
    }

    /** Training factors of replayed rows, scored against the current estimates without updating them. */
    double[] replayFactors(Batch batch) {
        if (options.outlierWeighting() == Options.Weighting.OFF || !batch.hasLabels()) {
            return null;
        }
        double[] factors = new double[batch.rows()];
        for (int r = 0; r < batch.rows(); r++) {
            double z = robust.maxZ(batch, r);
            double distance2 = covariance == null ? Double.NaN : covariance.distance2(batch, r);
            factors[r] = factor(z, distance2, z > options.outlierThreshold() || distance2 > mahalanobisThreshold);
        }
        return factors;
    }

    // ---------------------------------------------------------------- gossip

    /** Puts the warmed-up estimates' gossip arrays into {@code w}. */
    void export(Map<String, double[]> w) {
        if (robust.ready()) {
            w.put("median", robust.median());
            w.put("mad", robust.mad());
        }
        if (covariance != null && covariance.ready()) {
            w.put("covarianceMean", covariance.mean());
            w.put("covarianceSecond", covariance.secondMoments());
            w.put("covarianceCount", new double[] {covariance.count()});
        }
    }

    /**
     * Checks the merged state's outlier arrays (each may be absent) and returns what adopts them, so that
     * the expert can check its other arrays before anything changes. Estimates the merged state lacks stay (and, with {@code outlierMerge: own}, warm ones stay)
     * as they are.
     */
    void keepOwnEstimates(boolean own) {
        this.keepOwn = own;
    }

    Runnable prepareMerge(ExpertState merged) {
        double[] median = StatisticalExpert.optional(merged, "median", features);
        double[] mad = StatisticalExpert.optional(merged, "mad", features);
        double[] covarianceMean = covariance == null ? null : StatisticalExpert.optional(merged, "covarianceMean", features);
        double[] covarianceSecond = covariance == null ? null
                : StatisticalExpert.optional(merged, "covarianceSecond", covariance.secondLength());
        double[] covarianceCount = covariance == null ? null : StatisticalExpert.optional(merged, "covarianceCount", 1);
        return () -> {
            if (median != null && mad != null && !(keepOwn && robust.ready())) {
                robust.set(median, mad);
            }
            if (covarianceMean != null && covarianceSecond != null && covarianceCount != null
                    && !(keepOwn && covariance.ready())) {
                // Averaged means and second moments are those of the pooled rows (see RunningCovariance).
                covariance.setMoments(covarianceCount[0], covarianceMean, covarianceSecond);
            }
        };
    }

    // ---------------------------------------------------------------- checkpoints

    /** Writes the robust statistics, the covariance (with {@code mahalanobis}) and the window. */
    void save(StateWriter out) throws IOException {
        robust.save(out);
        if (covariance != null) {
            covariance.save(out);
        }
        out.writeInt(windowNext);
        out.writeInt(windowFilled);
        out.writeInt(windowFlagged);
        byte[] flags = new byte[window.length];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = (byte) (window[i] ? 1 : 0);
        }
        out.writeBytes(flags);
    }

    /**
     * Reads what {@link #save} wrote into this scorer; the estimates read into themselves, so a failure
     * leaves it half-restored (the runtime discards it with the failed resume).
     */
    void restore(StateReader in) throws IOException {
        robust.restore(in);
        if (covariance != null) {
            covariance.restore(in);
        }
        int newNext = in.readInt();
        int newFilled = in.readInt();
        int newFlagged = in.readInt();
        byte[] flags = in.readBytes();
        if (flags.length != window.length || newNext < 0 || (window.length > 0 && newNext >= window.length) || newFilled < 0
                || newFilled > window.length || newFlagged < 0 || newFlagged > newFilled) {
            throw new IOException("statistical expert checkpoint: an outlier window of " + flags.length + " rows at "
                    + newNext + " (" + newFlagged + " of " + newFilled + " flagged), expected " + window.length + " rows");
        }
        for (int i = 0; i < flags.length; i++) {
            window[i] = flags[i] != 0;
        }
        windowNext = newNext;
        windowFilled = newFilled;
        windowFlagged = newFlagged;
    }
}
