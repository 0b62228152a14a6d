package io.scarcity.plugins.statistical;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.ExpertState;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
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
 * <p>On every batch it also publishes {@code statistical.outlier-rate}, the fraction of rows whose
 * largest robust z-score {@code |x - median| / (1.4826 * MAD)} exceeds the threshold (see
 * {@link RobustStatistics}).
 *
 * <p>Gossip state: {@code mean}, {@code variance} (class-major, {@code classes x features}),
 * {@code prior} and {@code count} per class, {@code priorCount}, and the prior-weighted moments
 * {@code weightedMean = prior * mean} and {@code weightedSecond = prior * (variance + mean^2)}. An
 * average of the weighted moments is the moment of the pooled mixture, so merging with a peer that
 * never saw a class (all zeros) does not pull that class's mean towards zero; {@code mergeState}
 * recovers mean and variance from them. For regression the arrays hold one value (the target).
 * {@code median} and {@code mad} carry the robust statistics once they are warmed up.
 */
final class StatisticalExpert implements Expert {
    private static final ExpertCapabilities CAPABILITIES = new ExpertCapabilities(true, true,
            Set.of(StandardSignals.DRIFT_DETECTED), Set.of(StandardSignals.OUTLIER_RATE));
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
    private final Random random;
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

    private final RobustStatistics robust;
    private long samples;
    private double baseRate;
    private int boostLeft;

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
        this.logConstant = new double[classes];
        this.inverseVariance = new double[classes * features];
        this.robust = new RobustStatistics(features, Math.sqrt(options.minVariance()));
        this.baseRate = options.learningRate();
    }

    @Override
    public ExpertCapabilities capabilities() {
        return CAPABILITIES;
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
        for (int c = 0; c < classes; c++) {
            if (count[c] <= 0) {
                continue;
            }
            anySeen = true;
            double s = Math.log(Math.max(prior[c], PRIOR_FLOOR));
            int o = c * features;
            for (int j = 0; j < features; j++) {
                double v = Math.max(variance[o + j], floor);
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
        double rate = baseRate;
        if (boostLeft > 0) {
            rate = Math.min(MAX_RATE, baseRate * options.driftBoost());
            boostLeft--;
        }
        if (batch.rows() > 0) {
            int outliers = robust.scan(batch, Math.min(rate, MAX_ROBUST_RATE), options.outlierThreshold());
            signals.publish(StandardSignals.OUTLIER_RATE, (double) outliers / batch.rows());
        }
        train(batch, rate, true);
    }

    @Override
    public void replay(Batch batch) {
        Objects.requireNonNull(batch, "batch is null");
        checkShape(batch);
        // Replayed rows were counted when first seen; counting them again would inflate the
        // sample weight this state gets in gossip.
        train(batch, baseRate, false);
    }

    private void train(Batch batch, double rate, boolean countSamples) {
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

    @Override
    public double learningRate() {
        return baseRate;
    }

    /**
     * Takes this instance's learning-rate hint, if any, jittered by a log-normal factor
     * {@code exp(N(0, explore))} so that clients keep exploring around the hint (the coordinator
     * compares their losses), and clamped to [1e-4, 1].
     */
    @Override
    public void adapt(MetaParameters parameters, String instanceName) {
        Objects.requireNonNull(parameters, "parameters is null");
        Objects.requireNonNull(instanceName, "instanceName is null");
        Double hint = parameters.learningRates().get(instanceName);
        if (hint == null || !Double.isFinite(hint) || hint <= 0) {
            return;
        }
        double jitter = options.explore() > 0 ? Math.exp(options.explore() * random.nextGaussian()) : 1.0;
        baseRate = Math.min(MAX_RATE, Math.max(MIN_RATE, hint * jitter));
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
        } else {
            w.put("mean", new double[] {targetMean});
            w.put("variance", new double[] {targetVariance});
            w.put("count", new double[] {targetCount});
        }
        if (robust.ready()) {
            w.put("median", robust.median());
            w.put("mad", robust.mad());
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
        if (classification) {
            int n = classes * features;
            double[] newMean = require(merged, "mean", n);
            double[] newVariance = require(merged, "variance", n);
            double[] newPrior = require(merged, "prior", classes);
            double[] newCount = require(merged, "count", classes);
            double[] newPriorCount = require(merged, "priorCount", 1);
            double[] weightedMean = optional(merged, "weightedMean", n);
            double[] weightedSecond = optional(merged, "weightedSecond", n);
            for (int c = 0; c < classes; c++) {
                prior[c] = Math.max(0.0, newPrior[c]);
                count[c] = Math.max(0.0, newCount[c]);
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
        samples = merged.samples();
    }

    private static double[] require(ExpertState state, String name, int length) {
        double[] v = optional(state, name, length);
        if (v == null) {
            throw new IllegalArgumentException("merged state lacks '" + name + "'");
        }
        return v;
    }

    private static double[] optional(ExpertState state, String name, int length) {
        double[] v = state.weight(name);
        if (v == null) {
            return null;
        }
        if (v.length != length) {
            throw new IllegalArgumentException("merged state's '" + name + "' has " + v.length + " values, expected " + length);
        }
        for (double x : v) {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("merged state's '" + name + "' has a non-finite value");
            }
        }
        return v;
    }
}
