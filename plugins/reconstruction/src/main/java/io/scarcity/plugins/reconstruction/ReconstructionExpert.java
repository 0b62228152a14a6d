package io.scarcity.plugins.reconstruction;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.EwcPenalty;
import io.scarcity.api.ExpertState;
import io.scarcity.api.HintedRate;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.Prediction;
import io.scarcity.api.RowCodec;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A variational autoencoder (see {@link Vae}) on a client's standardised features: an anomaly signal
 * from its reconstruction error, latent codes for a memory's compressed storage, and a small head on the
 * latent means that predicts.
 *
 * <p><b>Standardisation</b> ({@link BatchScaling}, with a {@link Standardiser} each): running per-feature
 * means and variances; until the client has seen {@code priorRows} rows of its own, the coordinator's pooled moments
 * ({@link MetaParameters#normalisation()}) weigh in. Each batch's rows update the moments before the
 * network learns from them, so the very first batch is standardised by its own moments. Regression
 * targets are standardised the same way (without a prior) and predictions mapped back.
 *
 * <p><b>Learning</b> ({@link #learn}): one gradient step per batch on the whole batch (labelled or not), or with
 * {@code rowsPerStep: r} one step per {@code r} consecutive rows of it, so that the network learns as much from a
 * stream whatever its batch size (each row's reconstruction error then comes from its own step's forward pass); the
 * head learns only from labelled batches. {@link #replay} takes its steps on replayed rows the same way, without
 * touching the moments, the signals or the sample count.
 *
 * <p><b>Signals</b>, published on every {@link #learn}:
 * <ul>
 *   <li>{@value #ERROR}: the batch's mean reconstruction error, the squared error per standardised
 *       feature (so about 1 for a model that predicts each feature's mean, 0 for a perfect one), from the
 *       training step's forward pass, i.e. before the batch is learned, with one sample of the code: a
 *       one-sample estimate of the expected reconstruction error under {@code q(z|x)}, the usual VAE
 *       anomaly score;</li>
 *   <li>{@value #ANOMALY_RATE}: the share of the batch's rows whose error exceeds the running mean of past
 *       rows' errors by more than {@code anomalyThreshold} running standard deviations
 *       ({@link RunningError}; 0 during its warm-up). The batch's errors join the running statistics
 *       after the rate is taken.</li>
 * </ul>
 *
 * <p><b>Codec</b> ({@link RowCodec}): a row's code is its latent mean {@code mu} ({@code latent} values);
 * decoding runs the decoder on the code and maps its output back to feature units with the current
 * moments. No randomness is drawn.
 *
 * <p><b>Prediction</b>: the head on {@code mu} (softmax over the classes, or the standardised target's
 * value mapped back). Its loss also trains the encoder, scaled by {@code headWeight} (default 5): on
 * labelled streams the code becomes predictive as well as compressive. With {@code headWeight: 0} the
 * code is purely unsupervised and the head is a softmax (or linear) regression on it. On digits (five
 * passes over 1500 rows, three seeds) the prequential accuracy was about 0.71 with 0, 0.79 with 1 and
 * 0.86 with 5, for a held-out reconstruction error of about 0.42 with 0 or 1 and 0.43 with 5.
 *
 * <p><b>Randomness</b>: the reparameterisation's noise and the learning-rate jitter come from the
 * context's generator (saved in checkpoints). The initial weights come from a generator seeded by the
 * run seed and the instance name only, so that every client of a run starts from the same network:
 * averaging networks (FedAvg, Reptile, gossip) is only meaningful from a common initialisation.
 *
 * <p><b>Gossip state</b>: every parameter array (named as in {@link Vae}) and the standardisation's own
 * moments ({@code norm.mean}, {@code norm.variance}, {@code norm.count}; for regression also
 * {@code target.*}); merging replaces them. The optimiser's moments stay local.
 *
 * <p><b>Importance</b> ({@link #importance()}): each parameter's running mean of squared per-step
 * gradients, the diagonal Fisher estimate for elastic weight consolidation.
 *
 * <p><b>Learning-rate scale</b> ({@link #scaleLearningRate}, asked by a supervisor): the optimiser's step
 * size (the network's, and the head's through its factor, on learned and replayed batches alike) is the
 * effective rate {@code min(1, rate * scale)}, with {@code rate} the configured or hinted one; a hint
 * replaces the rate, not the scale.
 *
 * <p><b>Elastic weight consolidation</b> ({@link #penalise}, asked by a supervisor): from then on every
 * optimiser step (learned and replayed batches) adds {@code strength * importance_i * (theta_i - anchor_i)}
 * to the clipped gradient of each network parameter, the gradient of the penalty
 * {@code strength / 2 * sum_i importance_i (theta_i - anchor_i)^2}; the head, which takes no step on
 * unlabelled batches, takes none then either. The standardisation's moments are not learned by gradient:
 * their anchors and importances are checked but not used. A strength of 0 removes the penalty, and
 * training is then bit for bit what it is without one.
 *
 * <p><b>Checkpoints</b>: shape (checked on restore), parameters with their optimiser moments ({@link VaeParameters}),
 * Fisher estimates and step count, moments and pooled prior, error statistics, learning rate and its scale, sample
 * count, the random generator's position and the EWC penalty (strength, anchors and importances of the
 * network's parameters, {@link EwcPenalty}).
 */
final class ReconstructionExpert implements Expert, Checkpointable, RowCodec {
    /** Signal: the last batch's mean reconstruction error per standardised feature. */
    static final String ERROR = "reconstruction.error";
    /** Signal: the share of the last batch's rows whose reconstruction error was anomalously high. */
    static final String ANOMALY_RATE = "reconstruction.anomaly-rate";
    /** The last batch learned: its mean reconstruction error and its rows' anomaly flags (not state: read right after). */
    private double lastError = Double.NaN;
    private boolean[] lastFlags;
    /**
     * Format of {@link #saveState}; bump when it changes (2: the learning-rate scale; 3: the EWC penalty; 4: without
     * the options).
     */
    static final int STATE_VERSION = 4;
    static final double MIN_RATE = 1e-5;
    static final double MAX_RATE = 1.0;
    private static final ExpertCapabilities CAPABILITIES =
            new ExpertCapabilities(true, true, Set.of(), Set.of(ERROR, ANOMALY_RATE), true);

    private final Options options;
    private final int features;
    private final int classes;
    private final boolean classification;
    /** Not final: a restored checkpoint replaces it with a generator at the saved position. */
    private Random random;
    private final Vae vae;
    /** The network's parameter arrays: names, gossip, importance, checkpoint. */
    private final VaeParameters parameters;
    /** The features' and regression targets' standardisation. */
    private final BatchScaling scaling;
    private final RunningError errors = new RunningError();
    private long samples;
    /** The configured or hinted rate and the supervisor's scale. */
    private final HintedRate hintedRate;
    /** The EWC penalty, {@link EwcPenalty#none()} without one (the network holds the same arrays in {@link Vae.Param}). */
    private EwcPenalty penalty = EwcPenalty.none();

    /**
     * @param random the context's generator (noise, jitter)
     * @param init the generator of the initial weights (the same on every client, see the class description)
     */
    ReconstructionExpert(Options options, DataSchema schema, Random random, Random init) {
        this.options = Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(schema, "schema is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.features = schema.numFeatures();
        this.classification = schema.task() == Task.CLASSIFICATION;
        this.classes = classification ? schema.numClasses() : 0;
        this.vae = new Vae(features, options, classification, classification ? classes : 1, init);
        this.parameters = new VaeParameters(vae);
        this.scaling = new BatchScaling(features, classification, options);
        this.hintedRate = new HintedRate("reconstruction expert", options.learningRate(), MIN_RATE, MAX_RATE, options.explore());
    }

    /** A generator for the initial weights from the run seed and the instance name alone. */
    static Random initRandom(long seed, String instanceName) {
        return new Random(seed ^ 0x9E3779B97F4A7C15L * (31L + instanceName.hashCode()) ^ 0x5245434F4EL);
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
        if (rows == 0) {
            return classification ? Prediction.ofProbabilities(0, classes, new double[0]) : Prediction.ofValues(new double[0]);
        }
        double[] out = vae.predict(scaling.standardised(batch), rows);
        if (classification) {
            return Prediction.ofProbabilities(rows, classes, out);
        }
        scaling.destandardiseTargets(out, rows);
        return Prediction.ofValues(out);
    }

    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(signals, "signals is null");
        checkShape(batch);
        int rows = batch.rows();
        if (rows == 0) {
            return;
        }
        double[] raw = batch.featuresCopy();
        double[] weights = weights(batch);
        scaling.observe(batch, raw);
        double[] rowErrors = new double[rows];
        step(batch, raw, weights, rowErrors);
        double threshold = errors.threshold(options.anomalyThreshold());
        double sum = 0;
        int anomalous = 0;
        lastFlags = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            double e = rowErrors[r];
            sum += e;
            if (e > threshold) {
                anomalous++;
                lastFlags[r] = true;
            }
        }
        for (double e : rowErrors) {
            errors.observe(e);
        }
        double meanError = sum / rows;
        lastError = Double.isFinite(meanError) ? meanError : Double.NaN;
        if (Double.isFinite(meanError)) {
            signals.publish(ERROR, meanError);
        }
        signals.publish(ANOMALY_RATE, (double) anomalous / rows);
        for (int r = 0; r < rows; r++) {
            if (batch.weight(r) > 0) {
                samples++;
            }
        }
    }

    /** The last batch's mean reconstruction error ({@value #ERROR}), measured before it was learned. */
    @Override
    public double selfSupervisedLoss() {
        return lastError;
    }

    /** The rows of the last batch whose reconstruction error was above the anomaly threshold. */
    @Override
    public boolean[] anomalies() {
        return lastFlags == null ? null : lastFlags.clone();
    }

    @Override
    public void replay(Batch batch) {
        Objects.requireNonNull(batch, "batch is null");
        checkShape(batch);
        if (batch.rows() == 0) {
            return;
        }
        step(batch, batch.featuresCopy(), weights(batch), null);
    }

    /** The batch's gradient steps, one per {@code rowsPerStep} rows or one for all (its features standardised in place). */
    private void step(Batch batch, double[] raw, double[] weights, double[] rowErrors) {
        int rows = batch.rows();
        scaling.standardise(raw, rows);
        int[] labels = scaling.labels(batch);
        double[] targets = scaling.targets(batch);
        int per = options.rowsPerStep();
        if (per == Options.WHOLE_BATCH || rows <= per) {
            vae.train(raw, rows, weights, labels, targets, random, hintedRate.effective(), rowErrors);
            return;
        }
        for (int from = 0; from < rows; from += per) {
            int to = Math.min(rows, from + per);
            double[] chunkErrors = rowErrors == null ? null : new double[to - from];
            vae.train(Arrays.copyOfRange(raw, from * features, to * features), to - from,
                    weights == null ? null : Arrays.copyOfRange(weights, from, to),
                    labels == null ? null : Arrays.copyOfRange(labels, from, to),
                    targets == null ? null : Arrays.copyOfRange(targets, from, to),
                    random, hintedRate.effective(), chunkErrors);
            if (chunkErrors != null) {
                System.arraycopy(chunkErrors, 0, rowErrors, from, to - from);
            }
        }
    }

    /** The rows' weights, or {@code null} when they are all 1. */
    private static double[] weights(Batch batch) {
        double[] w = null;
        for (int r = 0; r < batch.rows(); r++) {
            if (batch.weight(r) != 1.0) {
                if (w == null) {
                    w = new double[batch.rows()];
                    java.util.Arrays.fill(w, 1.0);
                }
                w[r] = batch.weight(r);
            }
        }
        return w;
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
     * The mean reconstruction error per standardised feature of a batch, with the latent means as codes
     * (no noise, nothing learned): what {@link #ERROR} measures, without the sampling. For tests and
     * diagnostics.
     */
    double reconstructionError(Batch batch) {
        checkShape(batch);
        double[] x = scaling.standardised(batch);
        double[] xh = vae.decode(vae.encodeMeans(x, batch.rows()), batch.rows());
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double d = xh[i] - x[i];
            s += d * d;
        }
        return s / x.length;
    }

    /** The error {@link #reconstructionError} would give a model that predicts every feature's mean. */
    double meanPredictorError(Batch batch) {
        checkShape(batch);
        double[] x = scaling.standardised(batch);
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return s / x.length;
    }

    Vae network() {
        return vae;
    }

    // ------------------------------------------------------------------------------------ codec

    @Override
    public int codeSize() {
        return options.latent();
    }

    @Override
    public double[] encode(Batch batch) {
        Objects.requireNonNull(batch, "batch is null");
        checkShape(batch);
        if (batch.rows() == 0) {
            return new double[0];
        }
        return vae.encodeMeans(scaling.standardised(batch), batch.rows());
    }

    @Override
    public double[] decode(double[] codes, int rows) {
        Objects.requireNonNull(codes, "codes is null");
        if (rows < 0 || codes.length != rows * options.latent()) {
            throw new IllegalArgumentException("expected " + rows + " x " + options.latent() + " codes, got " + codes.length
                    + " values");
        }
        if (rows == 0) {
            return new double[0];
        }
        double[] x = vae.decode(codes, rows);
        scaling.destandardise(x, rows);
        return x;
    }

    // ------------------------------------------------------------------------------------ coordinator

    /**
     * The effective rate, the optimiser's step size on learned and replayed batches: the configured or hinted
     * rate times the supervisor's scale ({@link #scaleLearningRate}), at most {@value #MAX_RATE}. The head's
     * extra factor (see {@link Vae}) is not included.
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
     * Sets (or with {@code strength} 0 removes) the elastic-weight-consolidation penalty, see the class
     * description. Everything is checked before anything changes.
     *
     * @param anchor exactly the arrays of {@link #exportState()}, of its lengths, finite
     * @param importance the same arrays (as {@link #importance()} gives them), finite and {@code >= 0}
     * @param strength finite and {@code >= 0}
     * @throws IllegalArgumentException naming the array or value that is wrong ({@link EwcPenalty#check})
     */
    @Override
    public boolean penalise(ExpertState anchor, ExpertState importance, double strength) {
        EwcPenalty checked = EwcPenalty.check("reconstruction expert", exportState().weights(), parameters.names(), true,
                anchor, importance, strength);
        vae.setPenalty(checked.strength(), checked.anchors(), checked.importances());
        penalty = checked;
        return true;
    }

    /** The optimiser steps taken so far; for tests. */
    long steps() {
        return vae.steps();
    }

    /** The EWC penalty's strength, 0 without one; for tests. */
    double penaltyStrength() {
        return penalty.strength();
    }

    /**
     * Takes the pooled feature moments as the standardisation's prior (see {@link Standardiser}) and this
     * instance's learning-rate hint, if any, jittered by a log-normal factor {@code exp(N(0, explore))}
     * (so that clients keep exploring around it) and clamped to [1e-5, 1].
     */
    @Override
    public void adapt(MetaParameters parameters, String instanceName) {
        Objects.requireNonNull(parameters, "parameters is null");
        Objects.requireNonNull(instanceName, "instanceName is null");
        scaling.adoptPrior(parameters.normalisation());
        hintedRate.hint(parameters, instanceName, random);
    }

    @Override
    public ExpertState exportState() {
        Map<String, double[]> w = new TreeMap<>();
        parameters.export(w);
        scaling.export(w);
        return new ExpertState("reconstruction", w, samples);
    }

    /**
     * The diagonal Fisher estimate of every parameter: the running mean of its squared per-step gradient
     * of the loss (see {@link Vae}), over learned and replayed batches (the head's over labelled ones
     * only), with the names and shapes of {@link #exportState()}; the standardisation's moments are not
     * learned by gradient and get zeros. Empty before the first step.
     */
    @Override
    public Optional<ExpertState> importance() {
        if (vae.steps() == 0) {
            return Optional.empty();
        }
        Map<String, double[]> w = new TreeMap<>();
        parameters.importance(w);
        scaling.zeroImportance(w);
        return Optional.of(new ExpertState("reconstruction", w, samples));
    }

    /** Replaces parameters and moments with the merged ones; every array is checked before anything changes. */
    @Override
    public void mergeState(ExpertState merged) {
        Objects.requireNonNull(merged, "merged is null");
        Runnable network = parameters.checkMerge(merged);
        Runnable standardisation = scaling.checkMerge(merged);
        network.run();
        standardisation.run();
        samples = merged.samples();
    }

    // ------------------------------------------------------------------------------------ checkpoints

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(features);
        out.writeInt(classes);
        parameters.save(out);
        scaling.save(out);
        errors.save(out);
        out.writeLong(samples);
        out.writeDouble(hintedRate.base());
        out.writeDouble(hintedRate.scale());
        out.writeRandom(random);
        penalty.save(out);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("reconstruction expert", STATE_VERSION);
        int f = in.readInt();
        int k = in.readInt();
        if (f != features || k != classes) {
            throw new IOException("reconstruction expert checkpoint is of " + f + " features and " + k
                    + " classes, but this run's stream has " + features + " features and " + classes + " classes");
        }
        // Read everything before changing anything that a failure could leave half-done in the network.
        Runnable network = parameters.read(in);
        scaling.restore(in);
        errors.restore(in);
        long newSamples = in.readLong();
        double newRate = in.readDouble();
        double newScale = in.readDouble();
        Random newRandom = in.readRandom();
        EwcPenalty newPenalty = EwcPenalty.read(in, "reconstruction expert", parameters.names(), parameters.lengths());
        if (newSamples < 0 || !(newRate >= MIN_RATE && newRate <= MAX_RATE) || !(newScale > 0) || !Double.isFinite(newScale)) {
            throw new IOException("reconstruction expert checkpoint: invalid samples " + newSamples + ", rate " + newRate
                    + " or rate scale " + newScale);
        }
        network.run();
        samples = newSamples;
        hintedRate.restore(newRate, newScale);
        random = newRandom;
        vae.setPenalty(newPenalty.strength(), newPenalty.anchors(), newPenalty.importances());
        penalty = newPenalty;
    }

}
