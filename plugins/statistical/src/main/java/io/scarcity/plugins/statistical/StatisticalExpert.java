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
import io.scarcity.api.RowSums;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Running statistics as a predictor.
 *
 * <p><b>Classification:</b> per class an exponentially weighted (EW) mean and variance of every feature
 * plus EW class priors, combined as Gaussian naive Bayes, with a variance prior from the coordinator's
 * pooled feature moments ({@link ClassStatistics}). <b>Regression:</b> the EW mean of the target, a
 * baseline the other experts should beat (it starts as a plain running average, like the class
 * statistics: step {@code max(rate * w, w / n)}).
 *
 * <p>When {@code drift.detected} is 1 the rate is multiplied by {@code driftBoost} for
 * {@code boostBatches} batches (the detecting one included) so the statistics forget the old concept
 * faster. Replayed rows are learned at the base rate: rehearsal should not be amplified.
 *
 * <p><b>Outliers</b> ({@link OutlierScorer}): every batch that {@link #learn} sees is scored row by row
 * (robust z-scores and the Mahalanobis distance) before anything learns from it; the expert publishes
 * {@code statistical.outlier-rate} and {@value #MAHALANOBIS_SIGNAL}, and with {@code outlierWeighting} the
 * statistics learn each row with its weight times the scorer's factor (replayed rows too).
 *
 * <p>Gossip state: the class statistics' arrays ({@link ClassStatistics}; for regression {@code mean},
 * {@code variance} and {@code count} hold one value, the target's) and the outlier scorer's warmed-up
 * estimates ({@link OutlierScorer}).
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
final class StatisticalExpert implements Expert, Checkpointable, RowSums {
    /**
     * Format of {@link #saveState}; bump when it changes (3: the learning-rate scale, 4: without the options, 5: row sums
     * and peers' sums for private gossip, 6: what the union merge law counts against, 7: the clients a merge stands for).
     */
    static final int STATE_VERSION = 7;
    /** The batch's mean squared Mahalanobis distance per feature, published when the covariance is warmed up. */
    static final String MAHALANOBIS_SIGNAL = "statistical.mahalanobis";
    /** Bounds of the base learning rate after a hint. */
    static final double MIN_RATE = 1e-4;
    static final double MAX_RATE = 1.0;

    private final Options options;
    /** Not final: a restored checkpoint replaces it with a generator at the saved position. */
    private Random random;
    private final int features;
    private final int classes;
    private final boolean classification;

    /** Classification state; empty for regression. */
    private final ClassStatistics statistics;
    /** Under private gossip, the rows as bounded sums ({@link RowSums}); idle otherwise. */
    private final RowSumRelease release;

    // Regression state.
    private double targetMean;
    private double targetVariance;
    private double targetCount;

    private final ExpertCapabilities capabilities;
    private final OutlierScorer outliers;
    private long samples;
    /** The configured or hinted rate and the supervisor's scale. */
    private final HintedRate hintedRate;
    private int boostLeft;

    StatisticalExpert(Options options, DataSchema schema, Random random) {
        this.options = Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(schema, "schema is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.features = schema.numFeatures();
        this.classification = schema.task() == Task.CLASSIFICATION;
        this.classes = classification ? schema.numClasses() : 0;
        this.statistics = new ClassStatistics(options, features, classes);
        this.release = new RowSumRelease(features, classes);
        this.outliers = new OutlierScorer(options, features);
        this.capabilities = new ExpertCapabilities(true, true, Set.of(StandardSignals.DRIFT_DETECTED), outliers.scoresMahalanobis()
                ? Set.of(StandardSignals.OUTLIER_RATE, MAHALANOBIS_SIGNAL) : Set.of(StandardSignals.OUTLIER_RATE), true);
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
        if (classification) {
            return statistics.predict(batch);
        }
        double[] values = new double[batch.rows()];
        Arrays.fill(values, targetMean);
        return Prediction.ofValues(values);
    }

    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(outcome, "outcome is null");
        Objects.requireNonNull(signals, "signals is null");
        checkShape(batch);
        if (signals.get(StandardSignals.DRIFT_DETECTED, 0.0) >= 0.5) {
            boostLeft = options.boostBatches();
            statistics.changed();
        }
        double rate = hintedRate.effective();
        if (boostLeft > 0) {
            rate = Math.min(MAX_RATE, rate * options.driftBoost());
            boostLeft--;
        }
        double[] factors = batch.rows() > 0 ? outliers.scan(batch, rate, signals) : null;
        train(batch, rate, true, factors);
    }

    /** Whether merges use the union law ({@code mergeLaw: union}; classification only). */
    void unionMerge(boolean on) {
        statistics.union(on && classification);
    }

    /** Whether merges leave warm outlier estimates as they are ({@code outlierMerge: own}). */
    void keepOwnOutlierEstimates(boolean own) {
        outliers.keepOwnEstimates(own);
    }

    /** The rows of the last batch learned that the outlier scoring flagged (robust z or Mahalanobis distance). */
    @Override
    public boolean[] anomalies() {
        return outliers.lastFlags();
    }

    @Override
    public void replay(Batch batch) {
        Objects.requireNonNull(batch, "batch is null");
        checkShape(batch);
        // Replayed rows were counted when first seen; counting them again would inflate the
        // sample weight this state gets in gossip.
        train(batch, hintedRate.effective(), false, outliers.replayFactors(batch));
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
                statistics.learn(batch, r, w, ew);
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
     * dimension and of at least two rows; see {@link ClassStatistics}), and this instance's learning-rate
     * hint, if any, jittered by a log-normal factor {@code exp(N(0, explore))} so that clients keep
     * exploring around the hint (the coordinator compares their losses), and clamped to [1e-4, 1].
     */
    @Override
    public void adapt(MetaParameters parameters, String instanceName) {
        Objects.requireNonNull(parameters, "parameters is null");
        Objects.requireNonNull(instanceName, "instanceName is null");
        statistics.adoptPrior(parameters.normalisation());
        release.frame(parameters.normalisation());
        outliers.adoptPrior(parameters.normalisation());
        hintedRate.hint(parameters, instanceName, random);
        Double clients = parameters.values().get(MetaParameters.CLIENTS);
        if (clients != null) {
            statistics.clients(clients);
        }
    }

    /** The prior's share of a class's variance (for tests). */
    double priorShare(int c) {
        return statistics.priorShare(c);
    }

    @Override
    public ExpertState exportState() {
        Map<String, double[]> w = new TreeMap<>();
        if (classification) {
            // still adapting to a detected change (the boost's batches) counts as a change for the union law
            statistics.export(w, boostLeft > 0);
        } else {
            w.put("mean", new double[] {targetMean});
            w.put("variance", new double[] {targetVariance});
            w.put("count", new double[] {targetCount});
        }
        outliers.export(w);
        return new ExpertState("statistical", w, samples);
    }

    /**
     * Replaces the state with the merged one. Every array is checked before anything changes; the
     * outlier estimates are kept as they are if the merged state lacks them.
     */
    @Override
    public void mergeState(ExpertState merged) {
        Objects.requireNonNull(merged, "merged is null");
        Runnable adoptOutlierEstimates = outliers.prepareMerge(merged);
        if (classification) {
            statistics.merge(merged);
        } else {
            double newMean = merged.requireWeight("mean", 1)[0];
            double newVariance = merged.requireWeight("variance", 1)[0];
            double newCount = merged.requireWeight("count", 1)[0];
            targetMean = newMean;
            targetVariance = Math.max(0.0, newVariance);
            targetCount = Math.max(0.0, newCount);
        }
        adoptOutlierEstimates.run();
        samples = merged.samples();
    }

    /** The array {@code name} of a merged state, checked to hold {@code length} values; {@code null} if absent. */
    static double[] optional(ExpertState state, String name, int length) {
        return state.weight(name) == null ? null : state.requireWeight(name, length);
    }

    // ---------------------------------------------------------------- private gossip (RowSums)

    @Override
    public boolean sharesRowSums() {
        return classification;
    }

    @Override
    public void startRowSums(double bound) {
        if (!classification) {
            throw new IllegalStateException("the statistical expert shares row sums of classification streams only");
        }
        release.start(bound);
    }

    /** Each labelled row once, unweighted (its outlier factor would depend on the other rows). */
    @Override
    public void sumRows(Batch batch) {
        Objects.requireNonNull(batch, "batch is null");
        checkShape(batch);
        if (!classification || !release.started() || !batch.hasLabels()) {
            return;
        }
        for (int r = 0; r < batch.rows(); r++) {
            if (batch.labelled(r)) {
                release.add(batch, r);
            }
        }
    }

    @Override
    public List<Chunk> drainRowSums() {
        return release.drain();
    }

    @Override
    public Map<String, double[]> pooled(Chunk noised, Map<String, Double> noiseSd) {
        return release.pooled(noised, noiseSd);
    }

    /**
     * {@code 1 - rate / classes}: the EW estimates forget at the rate per row of a class, a class's rows being ~1/classes.
     * The rate is the configured or hinted one, not a supervisor's scale of it: the scale follows this client's losses,
     * and a factor applied to released sums must not depend on the client's rows.
     */
    @Override
    public double forgettingPerRow() {
        return 1.0 - Math.min(1.0, hintedRate.base()) / Math.max(1, classes);
    }

    @Override
    public void adoptPeerSums(Map<String, double[]> sums) {
        Objects.requireNonNull(sums, "sums is null");
        statistics.adoptPeers(sums);
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(features);
        out.writeInt(classes);
        statistics.saveMoments(out);
        out.writeDouble(targetMean);
        out.writeDouble(targetVariance);
        out.writeDouble(targetCount);
        outliers.save(out);
        out.writeLong(samples);
        out.writeDouble(hintedRate.base());
        out.writeDouble(hintedRate.scale());
        out.writeInt(boostLeft);
        statistics.saveVariancePrior(out);
        statistics.savePeers(out);
        release.save(out);
        statistics.saveUnion(out);
        out.writeRandom(random);
    }

    /**
     * Reads what {@link #saveState} wrote; the state changes once all of it has been read and checked, but
     * for the outlier scorer's estimates, which read into themselves: a failure after them leaves a
     * half-restored expert, which the runtime discards with the failed resume.
     */
    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("statistical expert", STATE_VERSION);
        int f = in.readInt();
        int k = in.readInt();
        if (f != features || k != classes) {
            throw new IOException("statistical expert checkpoint is of " + f + " features and " + k + " classes, but this run's stream has "
                    + features + " features and " + classes + " classes");
        }
        Runnable moments = statistics.readMoments(in);
        double newTargetMean = in.readDouble();
        double newTargetVariance = in.readDouble();
        double newTargetCount = in.readDouble();
        outliers.restore(in);
        long newSamples = in.readLong();
        double newRate = in.readDouble();
        double newScale = in.readDouble();
        int newBoost = in.readInt();
        Runnable variancePrior = statistics.readVariancePrior(in);
        Runnable peers = statistics.readPeers(in);
        Runnable rowSums = release.read(in);
        Runnable union = statistics.readUnion(in);
        Random newRandom = in.readRandom();
        if (!(newRate >= MIN_RATE && newRate <= MAX_RATE) || !(newScale > 0) || !Double.isFinite(newScale) || newBoost < 0
                || newSamples < 0) {
            throw new IOException("statistical expert checkpoint: invalid rate " + newRate + ", rate scale " + newScale
                    + ", boost " + newBoost + " or samples " + newSamples);
        }
        moments.run();
        variancePrior.run();
        peers.run();
        rowSums.run();
        union.run();
        targetMean = newTargetMean;
        targetVariance = newTargetVariance;
        targetCount = newTargetCount;
        samples = newSamples;
        hintedRate.restore(newRate, newScale);
        boostLeft = newBoost;
        random = newRandom;
    }
}
