package io.scarcity.plugins.statistical;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.ExpertState;
import io.scarcity.api.HintedRate;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Running statistics as a predictor.
 *
 * <p><b>Classification:</b> per class an exponentially weighted (EW) mean and variance of every
 * feature plus EW class priors, combined as Gaussian naive Bayes. <b>Regression:</b> the EW mean of
 * the target, a baseline the other experts should beat.
 *
 * <p>Each EW estimate of a class (and the priors, and the target) starts as a plain running average:
 * its step is {@code max(rate * w, w / n)} for a row of weight {@code w} after {@code n} weighted
 * rows, so the first {@code ~1/rate} rows are averaged equally instead of being shrunk towards the
 * initial zeros. Classes never seen get probability zero; before any class is seen the prediction is
 * uniform.
 *
 * <p>When {@code drift.detected} is 1 the rate is multiplied by {@code driftBoost} for
 * {@code boostBatches} batches (the detecting one included) so the statistics forget the old concept
 * faster. Replayed rows are learned at the base rate: rehearsal should not be amplified.
 *
 * <p><b>Outliers.</b> Every batch that {@link #learn} sees is scored row by row before anything learns
 * from it, labelled or not, in two ways:
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
 * {@value #MAHALANOBIS_SIGNAL}, the batch's mean of {@code D^2 / features} (about 1 when the rows follow
 * the running covariance; each row's {@code D^2} capped at 1e12).
 *
 * <p><b>Down-weighting</b> ({@code outlierWeighting}): the class statistics (and the target mean) learn
 * each row with its own weight ({@link Batch#weight}) times a factor: {@code huber}
 * {@code min(1, t / z, c / D)} with {@code t} the z threshold and {@code c^2} the chi-square threshold, so
 * rows within both thresholds count fully and a gross outlier pulls a class mean no further than a row on
 * the threshold would; {@code reject} 0 for flagged rows; {@code off} (the default) 1. Off by default
 * because the flags are relative to all rows, not to a row's class: on digits, rows with unusual strokes
 * are ordinary members of their class, and down-weighting them cost 0.5-0.9 points of accuracy. Replayed rows are scored against
 * the current estimates (without updating them) and weighted the same way. The factor is relative to
 * the statistics of all rows, so after an abrupt change of the whole distribution the new rows count
 * less for a while: the robust and covariance estimates follow them at a bounded pace, by design.
 *
 * <p>Gossip state: {@code mean}, {@code variance} (class-major, {@code classes x features}),
 * {@code prior} and {@code count} per class, {@code priorCount}, and the prior-weighted moments
 * {@code weightedMean = prior * mean} and {@code weightedSecond = prior * (variance + mean^2)}. An
 * average of the weighted moments is the moment of the pooled mixture, so merging with a peer that
 * never saw a class (all zeros) does not pull that class's mean towards zero; {@code mergeState}
 * recovers mean and variance from them. {@code weightedShare = prior * pi} carries the variance prior's
 * share per class (below) the same way. For regression the arrays hold one value (the target).
 * {@code median} and {@code mad} carry the robust statistics once they are warmed up, and
 * {@code covarianceMean}, {@code covarianceSecond} (second moments {@code C + m m'}, see
 * {@link RunningCovariance#secondMoments}) and {@code covarianceCount} the running covariance once it is:
 * averaged over peers they are the moments of the pooled rows, and {@code mergeState} recovers the pooled
 * covariance from them.
 *
 * <p><b>Variance prior from the coordinator</b> (classification). A class seen a few times has a
 * useless variance estimate: after one row it is zero (so the floor {@code minVariance} decides, and the
 * class looks far more certain than a class with twenty rows), after a few rows it is noise. Each
 * class's per-feature variance therefore gets a conjugate prior, a scaled inverse chi-squared with
 * {@code nu0 = priorRows} degrees of freedom, whose posterior scale after {@code n} rows with sample
 * variance {@code s^2} is {@code (nu0 S + n s^2) / (nu0 + n)}. The prior's scale {@code S} is itself
 * estimated hierarchically:
 * <ul>
 *   <li>top level, from the coordinator: {@code T_j}, feature {@code j}'s variance in the pooled feature
 *       moments ({@link MetaParameters#normalisation()}, over many clients' rows), worth {@code nu0}
 *       rows. It includes the spread between classes, so it errs on the wide side: a class seen once is
 *       not treated as certain;</li>
 *   <li>client level: {@code W_j = sum_c n_c s_cj^2 / N}, the client's own within-class variance pooled
 *       over its classes ({@code N = sum_c n_c}), so {@code S_j = (nu0 T_j + N W_j) / (nu0 + N)}. A
 *       client with few rows relies on the coordinator; one with many has its classes' typical spread
 *       as the prior of a rarely seen class, and the coordinator's part fades.</li>
 * </ul>
 * With forgetting, the prior's pseudo-rows are treated as the class's oldest rows and forgotten like any
 * other: each class keeps the prior's share {@code pi_c}, starting at 1 and multiplied by
 * {@code (1 - a')} on each of the class's rows, with {@code a' = max(rate * w, w / (nu0 + n))} the step an
 * EW average that began with {@code nu0} pseudo-rows would take, so {@code pi_c = nu0 / (nu0 + n)}
 * exactly while the average is plain and then decays geometrically at the learning rate. Prediction uses
 * {@code pi_c S_j + (1 - pi_c) s_cj^2} (then the floor). The prior's weight therefore vanishes as the
 * client's own rows of the class accumulate: with the default {@code nu0 = 2} it is 1/6 after 10 rows and
 * below 1% after about {@code 1/rate + 2.3/rate} rows. The learned statistics themselves are untouched:
 * the prior applies only when predicting, with the latest moments received, so a client that receives
 * them later is in exactly the state of one that had them from the start. Nothing happens until the
 * coordinator has sent moments (of this dimension, over at least two rows): a local run is unchanged.
 * Gossip merges {@code pi_c} weighted by the class prior, like the variance it is part of (a peer that
 * never saw the class adds nothing to either). The means get no prior: the pooled mean mixes every
 * class, so shrinking a class's mean towards it would only blur the classes into each other. Regression
 * predicts the target mean, which a variance does not change.
 *
 * <p><b>Learning-rate hint</b>: {@link #adapt} takes it (jittered). The rate is the forgetting rate of
 * the EW estimates; a class's first {@code ~1/rate} rows are averaged plainly whatever the rate, because
 * for a class seen that few times forgetting would only throw away evidence. The hint therefore changes
 * learning once a class has more rows than the expert's memory, and how fast the prior's share decays.
 *
 * <p><b>Learning-rate scale</b> ({@link #scaleLearningRate}, asked by a supervisor): the effective rate is
 * {@code min(1, rate * scale)}, with {@code rate} the configured or hinted one; it replaces the rate
 * everywhere above (the EW estimates, the outlier statistics' and covariance's capped rates, replay),
 * and the drift boost multiplies it in turn. A hint replaces the rate, not the scale.
 *
 * <p>Checkpoints ({@link Checkpointable}): the format version and shape (checked on restore; not the options,
 * the runtime resumes only under the same config), every learned
 * array and count, the robust statistics with their warm-up buffer, the running covariance, the outlier
 * window, the rate and its scale, the boost, the prior's variances and shares, and the random generator's position (the
 * jitter of the next hint).
 */
final class StatisticalExpert implements Expert, Checkpointable {
    /** Format of {@link #saveState}; bump when it changes (3: the learning-rate scale, 4: without the options). */
    static final int STATE_VERSION = 4;
    /** The batch's mean squared Mahalanobis distance per feature, published when the covariance is warmed up. */
    static final String MAHALANOBIS_SIGNAL = "statistical.mahalanobis";
    /** A row's term in {@link #MAHALANOBIS_SIGNAL} is capped here, so that an overflowing row keeps the signal finite. */
    private static final double MAX_SIGNAL_DISTANCE2 = 1e12;
    /** Bounds of the base learning rate after a hint. */
    static final double MIN_RATE = 1e-4;
    static final double MAX_RATE = 1.0;
    /** Keeps a class that has not been seen for long from being ruled out by its prior alone. */
    private static final double PRIOR_FLOOR = 1e-6;
    /** Below this pooled prior the weighted moments are too degraded to divide by. */
    private static final double MIN_POOLED_PRIOR = 1e-250;
    /** Sign-based robust updates oscillate with large steps; they never go faster than this. */
    private static final double MAX_ROBUST_RATE = 0.1;

    private final Options options;
    private final DataSchema schema;
    /** Not final: a restored checkpoint replaces it with a generator at the saved position. */
    private Random random;
    private final int features;
    private final int classes;
    private final boolean classification;

    // Classification state, class-major.
    private final double[] mean;
    private final double[] variance;
    private final double[] prior;
    private final double[] count;
    private double priorCount;

    // Regression state.
    private double targetMean;
    private double targetVariance;
    private double targetCount;

    private final ExpertCapabilities capabilities;
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
    private long samples;
    /** The configured or hinted rate and the supervisor's scale. */
    private final HintedRate hintedRate;
    private int boostLeft;

    /** The coordinator's pooled per-feature variance, the prior's scale; {@code null} until received. */
    private double[] priorVariance;
    /** Per class, the share {@code pi_c} of the prior's pseudo-rows in the class's variance (see above). */
    private final double[] priorShare;
    /** Per feature, the prior's scale {@code S_j} for the current batch (scratch, recomputed per prediction). */
    private final double[] priorScale;

    // Per-batch buffers for prediction, reused.
    private final double[] logConstant;
    private final double[] inverseVariance;

    StatisticalExpert(Options options, DataSchema schema, Random random) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.schema = Objects.requireNonNull(schema, "schema is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.features = schema.numFeatures();
        this.classification = schema.task() == Task.CLASSIFICATION;
        this.classes = classification ? schema.numClasses() : 0;
        this.mean = new double[classes * features];
        this.variance = new double[classes * features];
        this.prior = new double[classes];
        this.count = new double[classes];
        this.priorShare = new double[classes];
        Arrays.fill(priorShare, 1.0);
        this.priorScale = new double[features];
        this.logConstant = new double[classes];
        this.inverseVariance = new double[classes * features];
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
        this.capabilities = new ExpertCapabilities(true, true, Set.of(StandardSignals.DRIFT_DETECTED), covariance == null
                ? Set.of(StandardSignals.OUTLIER_RATE) : Set.of(StandardSignals.OUTLIER_RATE, MAHALANOBIS_SIGNAL));
        this.hintedRate = new HintedRate("statistical expert", options.learningRate(), MIN_RATE, MAX_RATE, options.explore());
    }

    @Override
    public ExpertCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public Prediction predict(Batch batch, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        checkShape(batch);
        int rows = batch.rows();
        if (!classification) {
            double[] values = new double[rows];
            Arrays.fill(values, targetMean);
            return Prediction.ofValues(values);
        }
        double[] out = new double[rows * classes];
        boolean anySeen = prepareLikelihoods();
        if (!anySeen) {
            Arrays.fill(out, 1.0);
            return Prediction.ofProbabilities(rows, classes, out);
        }
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                if (count[c] <= 0) {
                    continue;
                }
                double s = logConstant[c];
                int o = c * features;
                for (int j = 0; j < features; j++) {
                    double dev = batch.value(r, j) - mean[o + j];
                    s -= 0.5 * dev * dev * inverseVariance[o + j];
                }
                // Values far outside the learned scale (|x| ~ 1e155 and up) overflow to -inf or NaN.
                s = s > Double.NEGATIVE_INFINITY ? s : Double.NEGATIVE_INFINITY;
                out[base + c] = s;
                if (s > max) {
                    max = s;
                }
            }
            if (max == Double.NEGATIVE_INFINITY) {
                // No class gives the row a finite likelihood: fall back to the class priors.
                for (int c = 0; c < classes; c++) {
                    out[base + c] = count[c] > 0 ? Math.max(prior[c], PRIOR_FLOOR) : 0.0;
                }
                continue;
            }
            // Log-sum-exp: shift by the maximum so that the best class gets exp(0) = 1.
            for (int c = 0; c < classes; c++) {
                out[base + c] = count[c] > 0 ? Math.exp(out[base + c] - max) : 0.0;
            }
        }
        return Prediction.ofProbabilities(rows, classes, out);
    }

    /** Fills the per-class constants; returns whether any class has been seen. */
    private boolean prepareLikelihoods() {
        boolean anySeen = false;
        double floor = options.minVariance();
        if (priorVariance != null) {
            preparePriorScale();
        }
        for (int c = 0; c < classes; c++) {
            if (count[c] <= 0) {
                continue;
            }
            anySeen = true;
            double s = Math.log(Math.max(prior[c], PRIOR_FLOOR));
            int o = c * features;
            double share = priorVariance == null ? 0.0 : priorShare[c];
            for (int j = 0; j < features; j++) {
                double own = variance[o + j];
                // The posterior scale of the variance prior (see the class description).
                double v = Math.max(share > 0 ? share * priorScale[j] + (1 - share) * own : own, floor);
                inverseVariance[o + j] = 1.0 / v;
                s -= 0.5 * Math.log(v);
            }
            logConstant[c] = s;
        }
        return anySeen;
    }

    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(outcome, "outcome is null");
        Objects.requireNonNull(signals, "signals is null");
        checkShape(batch);
        if (signals.get(StandardSignals.DRIFT_DETECTED, 0.0) >= 0.5) {
            boostLeft = options.boostBatches();
        }
        double rate = hintedRate.effective();
        if (boostLeft > 0) {
            rate = Math.min(MAX_RATE, rate * options.driftBoost());
            boostLeft--;
        }
        double[] factors = batch.rows() > 0 ? scan(batch, rate, signals) : null;
        train(batch, rate, true, factors);
    }

    /**
     * Scores every row (robust z and Mahalanobis distance against the estimates before the batch), lets
     * the outlier statistics learn the batch, publishes the signals and returns the rows' training
     * factors ({@code null}: all 1).
     */
    private double[] scan(Batch batch, double rate, SignalBoard signals) {
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
            }
            if (factors != null) {
                factors[r] = factor(z[r], distance2, outlier);
            }
            if (window.length > 0) {
                if (windowFilled == window.length) {
                    windowFlagged -= window[windowNext] ? 1 : 0;
                } else {
                    windowFilled++;
                }
                window[windowNext] = outlier;
                windowFlagged += outlier ? 1 : 0;
                windowNext = (windowNext + 1) % window.length;
            }
        }
        signals.publish(StandardSignals.OUTLIER_RATE,
                window.length > 0 ? (double) windowFlagged / windowFilled : (double) flagged / rows);
        if (scored > 0) {
            signals.publish(MAHALANOBIS_SIGNAL, sumD2 / scored / features);
        }
        return factors;
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
    private double[] replayFactors(Batch batch) {
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

    @Override
    public void replay(Batch batch) {
        Objects.requireNonNull(batch, "batch is null");
        checkShape(batch);
        // Replayed rows were counted when first seen; counting them again would inflate the
        // sample weight this state gets in gossip.
        train(batch, hintedRate.effective(), false, replayFactors(batch));
    }

    private void train(Batch batch, double rate, boolean countSamples, double[] factors) {
        if (!batch.hasLabels()) {
            return;
        }
        for (int r = 0; r < batch.rows(); r++) {
            double w = batch.weight(r);
            if (w <= 0) {
                continue;
            }
            if (countSamples) {
                samples++;
            }
            if (factors != null) {
                w *= factors[r];
                if (w <= 0) {
                    continue;
                }
            }
            double ew = Math.min(1.0, rate * w);
            if (classification) {
                learnClass(batch, r, batch.label(r), w, ew);
            } else {
                targetCount += w;
                double a = Math.max(ew, w / targetCount);
                double dev = batch.target(r) - targetMean;
                double step = a * dev;
                targetMean += step;
                targetVariance = (1 - a) * (targetVariance + dev * step);
            }
        }
    }

    private void learnClass(Batch batch, int row, int label, double w, double ew) {
        priorCount += w;
        double ap = Math.max(ew, w / priorCount);
        for (int c = 0; c < classes; c++) {
            prior[c] += ap * ((c == label ? 1.0 : 0.0) - prior[c]);
        }
        count[label] += w;
        double a = Math.max(ew, w / count[label]);
        // The step an average that began with priorRows pseudo-rows would take: the prior's share shrinks by it.
        priorShare[label] *= 1 - Math.min(1.0, Math.max(ew, w / (options.priorRows() + count[label])));
        int o = label * features;
        for (int j = 0; j < features; j++) {
            // West's incremental EW mean and variance.
            double dev = batch.value(row, j) - mean[o + j];
            double step = a * dev;
            mean[o + j] += step;
            variance[o + j] = (1 - a) * (variance[o + j] + dev * step);
        }
    }

    private void checkShape(Batch batch) {
        if (batch.numFeatures() != features) {
            throw new IllegalArgumentException("batch has " + batch.numFeatures() + " features, expected " + features);
        }
        if (batch.schema().numClasses() != classes) {
            throw new IllegalArgumentException("batch has " + batch.schema().numClasses() + " classes, expected " + classes);
        }
    }

    /**
     * The effective rate, the one replay and (outside a drift boost) learning use: the configured or hinted
     * rate times the supervisor's scale ({@link #scaleLearningRate}), at most {@value #MAX_RATE}. The drift
     * boost is not included.
     */
    @Override
    public double learningRate() {
        return hintedRate.effective();
    }

    /**
     * Multiplies the configured or hinted rate by {@code scale} from now on (see the class description);
     * later hints replace the rate underneath and keep the scale, and {@code 1} restores the unscaled rate.
     *
     * @throws IllegalArgumentException if {@code scale} is not finite and {@code > 0}
     */
    @Override
    public boolean scaleLearningRate(double scale) {
        return hintedRate.setScale(scale);
    }

    /**
     * Takes the pooled feature moments as the variance prior's scale (when they are of this expert's
     * dimension and of at least two rows; see the class description), and this instance's learning-rate
     * hint, if any, jittered by a log-normal factor {@code exp(N(0, explore))} so that clients keep
     * exploring around the hint (the coordinator compares their losses), and clamped to [1e-4, 1].
     */
    @Override
    public void adapt(MetaParameters parameters, String instanceName) {
        Objects.requireNonNull(parameters, "parameters is null");
        Objects.requireNonNull(instanceName, "instanceName is null");
        adoptPrior(parameters.normalisation());
        hintedRate.hint(parameters, instanceName, random);
    }

    /**
     * {@code S_j = (nu0 T_j + N W_j) / (nu0 + N)}: the client's within-class variance pooled over its
     * classes, {@code W_j = sum_c n_c s_cj^2 / N} with {@code N = sum_c n_c}, shrunk towards the
     * coordinator's variance {@code T_j} with {@code nu0} pseudo-rows (see the class description).
     */
    private void preparePriorScale() {
        double nu0 = options.priorRows();
        double total = 0;
        Arrays.fill(priorScale, 0.0);
        for (int c = 0; c < classes; c++) {
            double n = count[c];
            if (n <= 0) {
                continue;
            }
            total += n;
            int o = c * features;
            for (int j = 0; j < features; j++) {
                priorScale[j] += n * variance[o + j];
            }
        }
        for (int j = 0; j < features; j++) {
            priorScale[j] = (nu0 * priorVariance[j] + priorScale[j]) / (nu0 + total);
        }
    }

    private void adoptPrior(io.scarcity.api.FeatureMoments moments) {
        if (!classification || options.priorRows() == 0 || moments.dimensions() != features || moments.count() < 2) {
            return;
        }
        double[] v = moments.variance();
        for (double x : v) {
            if (!(x >= 0) || Double.isInfinite(x)) {
                return; // a corrupt pooled moment must not poison every class
            }
        }
        priorVariance = v;
    }

    /** The prior's share of a class's variance (for tests). */
    double priorShare(int c) {
        return priorShare[c];
    }

    @Override
    public ExpertState exportState() {
        Map<String, double[]> w = new TreeMap<>();
        if (classification) {
            double[] weightedMean = new double[mean.length];
            double[] weightedSecond = new double[mean.length];
            for (int c = 0; c < classes; c++) {
                for (int j = 0; j < features; j++) {
                    int i = c * features + j;
                    weightedMean[i] = prior[c] * mean[i];
                    weightedSecond[i] = prior[c] * (variance[i] + mean[i] * mean[i]);
                }
            }
            w.put("mean", mean);
            w.put("variance", variance);
            w.put("prior", prior);
            w.put("count", count);
            w.put("priorCount", new double[] {priorCount});
            w.put("weightedMean", weightedMean);
            w.put("weightedSecond", weightedSecond);
            double[] weightedShare = new double[classes];
            for (int c = 0; c < classes; c++) {
                weightedShare[c] = prior[c] * priorShare[c];
            }
            w.put("weightedShare", weightedShare);
        } else {
            w.put("mean", new double[] {targetMean});
            w.put("variance", new double[] {targetVariance});
            w.put("count", new double[] {targetCount});
        }
        if (robust.ready()) {
            w.put("median", robust.median());
            w.put("mad", robust.mad());
        }
        if (covariance != null && covariance.ready()) {
            w.put("covarianceMean", covariance.mean());
            w.put("covarianceSecond", covariance.secondMoments());
            w.put("covarianceCount", new double[] {covariance.count()});
        }
        return new ExpertState("statistical", w, samples);
    }

    /**
     * Replaces the state with the merged one. Every array is checked before anything changes; the
     * robust statistics are kept as they are if the merged state lacks them.
     */
    @Override
    public void mergeState(ExpertState merged) {
        Objects.requireNonNull(merged, "merged is null");
        double[] median = optional(merged, "median", features);
        double[] mad = optional(merged, "mad", features);
        double[] covarianceMean = covariance == null ? null : optional(merged, "covarianceMean", features);
        double[] covarianceSecond = covariance == null ? null : optional(merged, "covarianceSecond", covariance.secondLength());
        double[] covarianceCount = covariance == null ? null : optional(merged, "covarianceCount", 1);
        if (classification) {
            int n = classes * features;
            double[] newMean = require(merged, "mean", n);
            double[] newVariance = require(merged, "variance", n);
            double[] newPrior = require(merged, "prior", classes);
            double[] newCount = require(merged, "count", classes);
            double[] newPriorCount = require(merged, "priorCount", 1);
            double[] weightedMean = optional(merged, "weightedMean", n);
            double[] weightedSecond = optional(merged, "weightedSecond", n);
            double[] weightedShare = optional(merged, "weightedShare", classes);
            for (int c = 0; c < classes; c++) {
                prior[c] = Math.max(0.0, newPrior[c]);
                count[c] = Math.max(0.0, newCount[c]);
                if (weightedShare != null && prior[c] > MIN_POOLED_PRIOR) {
                    // The prior's share merges like the variance it is part of: weighted by the class prior.
                    priorShare[c] = Math.min(1.0, Math.max(0.0, weightedShare[c] / prior[c]));
                } else {
                    // A peer without shares: the merged statistics stand for count[c] rows, so the prior
                    // weighs at most what it would after that many rows.
                    double share = options.priorRows() + count[c] > 0 ? options.priorRows() / (options.priorRows() + count[c]) : 1.0;
                    priorShare[c] = Math.min(priorShare[c], share);
                }
                boolean pooled = weightedMean != null && weightedSecond != null && prior[c] > MIN_POOLED_PRIOR;
                for (int j = 0; j < features; j++) {
                    int i = c * features + j;
                    if (pooled) {
                        double m = weightedMean[i] / prior[c];
                        mean[i] = m;
                        variance[i] = Math.max(0.0, weightedSecond[i] / prior[c] - m * m);
                    } else {
                        mean[i] = newMean[i];
                        variance[i] = Math.max(0.0, newVariance[i]);
                    }
                }
            }
            priorCount = Math.max(0.0, newPriorCount[0]);
        } else {
            double newMean = require(merged, "mean", 1)[0];
            double newVariance = require(merged, "variance", 1)[0];
            double newCount = require(merged, "count", 1)[0];
            targetMean = newMean;
            targetVariance = Math.max(0.0, newVariance);
            targetCount = Math.max(0.0, newCount);
        }
        if (median != null && mad != null) {
            robust.set(median, mad);
        }
        if (covarianceMean != null && covarianceSecond != null && covarianceCount != null) {
            // Averaged means and second moments are those of the pooled rows (see RunningCovariance).
            covariance.setMoments(covarianceCount[0], covarianceMean, covarianceSecond);
        }
        samples = merged.samples();
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(features);
        out.writeInt(classes);
        out.writeDoubles(mean);
        out.writeDoubles(variance);
        out.writeDoubles(prior);
        out.writeDoubles(count);
        out.writeDouble(priorCount);
        out.writeDouble(targetMean);
        out.writeDouble(targetVariance);
        out.writeDouble(targetCount);
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
        out.writeLong(samples);
        out.writeDouble(hintedRate.base());
        out.writeDouble(hintedRate.scale());
        out.writeInt(boostLeft);
        out.writeDoubles(priorVariance);
        out.writeDoubles(priorShare);
        out.writeRandom(random);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("statistical expert", STATE_VERSION);
        int f = in.readInt();
        int k = in.readInt();
        if (f != features || k != classes) {
            throw new IOException("statistical expert checkpoint is of " + f + " features and " + k + " classes, but this run's stream has "
                    + features + " features and " + classes + " classes");
        }
        int n = classes * features;
        double[] newMean = in.readDoubles(n, "class means (classes x features)");
        double[] newVariance = in.readDoubles(n, "class variances (classes x features)");
        double[] newPrior = in.readDoubles(classes, "class priors (one per class)");
        double[] newCount = in.readDoubles(classes, "class counts (one per class)");
        double newPriorCount = in.readDouble();
        double newTargetMean = in.readDouble();
        double newTargetVariance = in.readDouble();
        double newTargetCount = in.readDouble();
        // The robust statistics read into themselves; everything before was only read so far, and a
        // failure below leaves a half-restored expert, which the runtime discards with the failed resume.
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
        long newSamples = in.readLong();
        double newRate = in.readDouble();
        double newScale = in.readDouble();
        int newBoost = in.readInt();
        double[] newPriorVariance = in.readDoubles();
        if (newPriorVariance != null && newPriorVariance.length != features) {
            throw new IOException("variance prior: expected " + features + " values, found " + newPriorVariance.length
                    + " (the checkpoint was written with other options or data)");
        }
        double[] newShare = in.readDoubles(classes, "variance prior's share (one per class)");
        Random newRandom = in.readRandom();
        if (!(newRate >= MIN_RATE && newRate <= MAX_RATE) || !(newScale > 0) || !Double.isFinite(newScale) || newBoost < 0
                || newSamples < 0) {
            throw new IOException("statistical expert checkpoint: invalid rate " + newRate + ", rate scale " + newScale
                    + ", boost " + newBoost + " or samples " + newSamples);
        }
        System.arraycopy(newMean, 0, mean, 0, n);
        System.arraycopy(newVariance, 0, variance, 0, n);
        System.arraycopy(newPrior, 0, prior, 0, classes);
        System.arraycopy(newCount, 0, count, 0, classes);
        System.arraycopy(newShare, 0, priorShare, 0, classes);
        priorCount = newPriorCount;
        targetMean = newTargetMean;
        targetVariance = newTargetVariance;
        targetCount = newTargetCount;
        samples = newSamples;
        hintedRate.restore(newRate, newScale);
        boostLeft = newBoost;
        priorVariance = newPriorVariance;
        random = newRandom;
    }

    private static double[] require(ExpertState state, String name, int length) {
        return state.requireWeight(name, length);
    }

    private static double[] optional(ExpertState state, String name, int length) {
        return state.weight(name) == null ? null : state.requireWeight(name, length);
    }
}
