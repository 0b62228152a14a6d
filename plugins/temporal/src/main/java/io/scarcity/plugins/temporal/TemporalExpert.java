package io.scarcity.plugins.temporal;

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
import io.scarcity.api.SignalBoard;
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
 * An LSTM over a sliding window of the client's most recent rows.
 *
 * <p><b>Windows.</b> Rows of a batch are consecutive in the client's stream ({@link Batch#firstRow()}
 * is the first one's position), so the window of row {@code r} is rows {@code r - window + 1 .. r}, the
 * row itself last: its features are known when it is predicted, its label is what is predicted. The
 * last {@code window - 1} rows learned are kept ({@link RowHistory}) for the windows of the next
 * batch's first rows. Where a window reaches before the first row known (the stream's start, or after a
 * gap: a batch that does not continue the previous one starts afresh), it is padded by repeating the
 * earliest row known; padded steps are never forecast targets. Replayed rows (from memory) are not
 * consecutive and are ignored.
 *
 * <p><b>Inputs</b> are standardised with running feature means and variances, pooled early on with the
 * coordinator's moments of the domain ({@link RunningMoments}), and clipped to +-{@value WindowedPass#INPUT_CLIP}
 * ({@link WindowedPass}).
 *
 * <p><b>Outputs.</b> Classification: a softmax over the classes from the top layer's last hidden state; before the
 * expert has learned (or adopted) anything, every class equally likely, not what the random initial head says.
 * Regression: one value, in units of the running mean and standard deviation of the targets. Always: a
 * forecast head that predicts, from the hidden state at every step, the next step's standardised
 * features.
 *
 * <p><b>Training</b>, once per learned batch: one forward pass for all rows and all window steps
 * ({@link LstmNetwork}; reused from {@link #predict} on the same batch), one backward pass through the
 * window (truncated back-propagation through time, length {@code window}), the gradient clipped to norm
 * {@code clip} and one Adam step ({@link Adam}). The loss per row is the cross-entropy or half the squared
 * standardised error of the label (none if unlabelled), plus {@code forecastWeight} times half the mean
 * squared forecast error over the window's steps and features; rows weigh {@link Batch#weight(int)}.
 *
 * <p><b>Signal</b> {@value #FORECAST_ERROR}, published on every learned batch (with a window of at least
 * two rows): the mean over the batch's rows of the squared error of forecasting each row's standardised
 * features from the rows before it (the hidden state one step before the window's end), i.e. squared
 * error in units of the running feature variances, averaged over features. It is prequential: the
 * weights have not yet learned from the row forecast. About 1 means no better than the running mean;
 * a jump means the series stopped behaving as it did.
 *
 * <p><b>Coordinator.</b> The learning-rate hint for this instance, jittered by a log-normal factor
 * {@code exp(N(0, explore))} and clamped to [{@value #MIN_RATE}, {@value #MAX_RATE}], replaces the rate;
 * the pooled feature moments become the standardisation prior.
 *
 * <p><b>Learning-rate scale</b> ({@link #scaleLearningRate}, asked by a supervisor): Adam's step size is
 * the effective rate {@code min(1, rate * scale)}, with {@code rate} the configured or hinted one; a hint
 * replaces the rate, not the scale. The scale is checkpointed.
 *
 * <p><b>Importance</b> ({@link #importance()}): each parameter's running mean of squared per-batch
 * gradients, the diagonal Fisher estimate for elastic weight consolidation.
 *
 * <p><b>Elastic weight consolidation</b> ({@link #penalise}, asked by a supervisor): from then on every
 * Adam step adds {@code strength * importance_i * (theta_i - anchor_i)} to the clipped gradient of each
 * network parameter (one loop over the flat parameter vector, the same whichever matrix backend), the
 * gradient of the penalty {@code strength / 2 * sum_i importance_i (theta_i - anchor_i)^2}; the Fisher
 * estimate stays that of the data's loss. Replayed rows are ignored (see above), so only learned batches
 * take steps. The standardisation estimates are not learned by gradient: their anchors (and importances,
 * if given) are checked but not used. A strength of 0 removes the penalty; training is then bit for bit
 * what it is without one. The penalty is checkpointed.
 *
 * <p><b>Gossip</b> exchanges the network's parameters ({@code lstmL.weights}, {@code lstmL.bias},
 * {@code head.*}, {@code forecast.*}) and the standardisation estimates ({@code scaler.*}, and
 * {@code target.*} for regression). The initial weights are drawn from the run seed and the instance name
 * only, so every client of a run starts from the same network and gossip averages networks that share
 * an initialisation, as FedAvg assumes.
 */
final class TemporalExpert implements Expert, Checkpointable {
    /** Signal: prequential next-row forecast error in units of the feature variances. */
    static final String FORECAST_ERROR = "temporal.forecast-error";
    static final double MIN_RATE = 1e-5;
    static final double MAX_RATE = 1.0;
    /** Products of at least this many multiply-adds go to ND4J, smaller ones to plain Java. */
    static final long ND4J_MIN_MULTIPLY_ADDS = 32_768;
    /**
     * Format of {@link #saveState}; bump when it changes (2: the learning-rate scale; 3: the EWC penalty; 4: without
     * the options).
     */
    static final int STATE_VERSION = 4;
    /** The name of the one array of the EWC penalty: the network's flat parameter vector, slices in order. */
    static final String PENALISED = "parameters";

    private final Options options;
    private final DataSchema schema;
    private final int features;
    private final boolean classification;
    private final int outputs;
    private final LstmNetwork net;
    private final Adam adam;
    private final RunningMoments scaler;
    private final RunningMoments targets;
    private final RowHistory history;
    private Random random;
    /** The configured or hinted rate and the supervisor's scale. */
    private final HintedRate hintedRate;
    private long samples;
    private final FisherEstimate fisher;
    /**
     * The EWC penalty over the flat parameter vector (one array, {@value #PENALISED}), {@link EwcPenalty#none()}
     * without one, and its {@code strength * importance} ({@code null} without one).
     */
    private EwcPenalty penalty = EwcPenalty.none();
    private double[] penaltyPull;

    /** The forward pass held by the network, and what it was computed for. */
    private final WindowedPass pass;
    private double lastForecastError = Double.NaN;
    /** The forecast error of the last batch learned (NaN if it had none); not state: read right after. */
    private double batchForecastError = Double.NaN;

    TemporalExpert(Options options, DataSchema schema, Random random, Random init, MatMul matMul) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.schema = Objects.requireNonNull(schema, "schema is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.features = schema.numFeatures();
        this.classification = schema.task() == Task.CLASSIFICATION;
        this.outputs = classification ? schema.numClasses() : 1;
        this.net = new LstmNetwork(features, options.hidden(), options.layers(), outputs, matMul, init);
        this.adam = new Adam(net.parameters().length);
        this.scaler = new RunningMoments(features);
        this.targets = new RunningMoments(1);
        this.history = new RowHistory(features, options.window() - 1);
        this.hintedRate = new HintedRate("temporal expert", options.learningRate(), MIN_RATE, MAX_RATE, options.explore());
        this.fisher = new FisherEstimate(net.parameters().length);
        this.pass = new WindowedPass(net, scaler, history, options.window(), features);
    }

    @Override
    public ExpertCapabilities capabilities() {
        return new ExpertCapabilities(true, true, Set.of(), Set.of(FORECAST_ERROR), options.window() > 1 && options.forecastWeight() > 0);
    }

    /**
     * The effective rate, Adam's step size: the configured or hinted rate times the supervisor's scale
     * ({@link #scaleLearningRate}), at most {@value #MAX_RATE}.
     */
    @Override
    public double learningRate() {
        return hintedRate.effective();
    }

    /**
     * Multiplies the configured or hinted rate by {@code scale} from now on (see the class description);
     * later hints replace the rate underneath and keep the scale, and {@code 1} restores the unscaled rate.
     * The forward pass does not depend on the rate, so a held pass stays valid.
     *
     * @throws IllegalArgumentException if {@code scale} is not finite and {@code > 0}
     */
    @Override
    public boolean scaleLearningRate(double scale) {
        return hintedRate.setScale(scale);
    }

    @Override
    public Prediction predict(Batch batch, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        check(batch);
        int n = batch.rows();
        if (n > 0) {
            pass.ensure(batch);
        }
        if (classification) {
            double[] p = new double[n * outputs];
            if (samples == 0) {
                // Nothing learned yet (nor adopted from a peer): the randomly initialised head would lean one way for no
                // reason, and in a mixture outvote experts that honestly know nothing yet. Every class equally likely.
                Arrays.fill(p, 1.0 / outputs);
                return Prediction.ofProbabilities(n, outputs, p);
            }
            for (int r = 0; r < n; r++) {
                softmax(r, p, r * outputs);
            }
            return Prediction.ofProbabilities(n, outputs, p);
        }
        double[] scale = targetScale(null, 0);
        double[] v = new double[n];
        for (int r = 0; r < n; r++) {
            double y = scale[0] + scale[1] * net.output(r, 0);
            v[r] = Double.isFinite(y) ? y : scale[0];
        }
        return Prediction.ofValues(v);
    }

    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(signals, "signals is null");
        check(batch);
        int n = batch.rows();
        if (n == 0) {
            return;
        }
        pass.ensure(batch);
        int t = options.window();
        double forecastError = pass.forecastError(n);
        batchForecastError = forecastError;
        if (!Double.isNaN(forecastError)) {
            lastForecastError = forecastError;
            signals.publish(FORECAST_ERROR, forecastError);
        }

        double weightSum = 0;
        for (int r = 0; r < n; r++) {
            weightSum += batch.weight(r);
        }
        boolean labelled = batch.hasLabels();
        boolean forecasting = t > 1 && options.forecastWeight() > 0;
        if (weightSum > 0 && (labelled || forecasting)) {
            double[] dOutput = new double[n * outputs];
            double[] targetBatch = null;
            if (labelled) {
                if (classification) {
                    for (int r = 0; r < n; r++) {
                        double w = batch.weight(r) / weightSum;
                        softmax(r, dOutput, r * outputs);
                        for (int k = 0; k < outputs; k++) {
                            dOutput[r * outputs + k] *= w;
                        }
                        dOutput[r * outputs + batch.label(r)] -= w;
                    }
                } else {
                    targetBatch = new double[n];
                    for (int r = 0; r < n; r++) {
                        targetBatch[r] = batch.target(r);
                    }
                    double[] scale = targetScale(targetBatch, n);
                    for (int r = 0; r < n; r++) {
                        double z = (targetBatch[r] - scale[0]) / scale[1];
                        dOutput[r] = batch.weight(r) / weightSum * (net.output(r, 0) - z);
                    }
                }
            }
            double[] forecastScale = new double[n * t];
            if (forecasting) {
                double perStep = options.forecastWeight() / ((t - 1) * (double) features);
                for (int s = 0; s + 1 < t; s++) {
                    for (int r = 0; r < n; r++) {
                        if (pass.valid(s, n, r)) {
                            forecastScale[s * n + r] = perStep * batch.weight(r) / weightSum;
                        }
                    }
                }
            }
            net.backward(dOutput, forecastScale);
            fisher.accumulate(net.gradients());
            adam.step(net.parameters(), net.gradients(), hintedRate.effective(), options.clip(),
                    penalty.active() ? penalty.anchors()[0] : null, penaltyPull);
        }
        if (!classification && labelled) {
            double[] y = new double[1];
            for (int r = 0; r < n; r++) {
                y[0] = batch.target(r);
                targets.add(y, 0);
            }
        }
        double[] row = new double[features];
        for (int r = 0; r < n; r++) {
            scaler.add(batch.copyRow(r, row), 0);
        }
        history.append(batch);
        samples += n;
        pass.invalidate();
    }

    /**
     * The diagonal Fisher estimate of every network parameter, under the names of {@link #exportState()}'s
     * network arrays: the running mean of its squared per-batch gradient of the training loss (before
     * clipping), over about the last {@code 1 / FisherEstimate.RATE} batches ({@link FisherEstimate}). Empty
     * before the first update.
     */
    @Override
    public java.util.Optional<ExpertState> importance() {
        return fisher.importance("temporal", net.sliceNames(), net.sliceOffsets(), samples);
    }

    /**
     * Sets (or with {@code strength} 0 removes) the elastic-weight-consolidation penalty, see the class
     * description. Everything is checked before anything changes.
     *
     * @param anchor exactly the arrays of {@link #exportState()}, of its lengths, finite
     * @param importance the network's arrays, as {@link #importance()} names them, finite and {@code >= 0};
     *        the standardisation's arrays of {@link #exportState()} may be present too (and are ignored), no others
     * @param strength finite and {@code >= 0}
     * @throws IllegalArgumentException naming the array or value that is wrong ({@link EwcPenalty#check})
     */
    @Override
    public boolean penalise(ExpertState anchor, ExpertState importance, double strength) {
        EwcPenalty checked = EwcPenalty.check("temporal expert", exportState().weights(), List.of(net.sliceNames()), false,
                anchor, importance, strength);
        setPenalty(checked.joined(PENALISED));
        return true;
    }

    /** Installs a checked penalty over the flat parameter vector (or removes it: an inactive one). */
    private void setPenalty(EwcPenalty flat) {
        penalty = flat;
        penaltyPull = flat.active() ? flat.pull(0) : null;
    }

    /** The EWC penalty's strength, 0 without one; for tests. */
    double penaltyStrength() {
        return penalty.strength();
    }

    /** Softmax of row {@code r}'s logits into {@code dest[offset ..]}. */
    private void softmax(int r, double[] dest, int offset) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < outputs; k++) {
            max = Math.max(max, net.output(r, k));
        }
        double sum = 0;
        for (int k = 0; k < outputs; k++) {
            double e = Math.exp(net.output(r, k) - max);
            dest[offset + k] = e;
            sum += e;
        }
        for (int k = 0; k < outputs; k++) {
            double p = dest[offset + k] / sum;
            dest[offset + k] = Double.isFinite(p) ? p : 1.0 / outputs;
        }
    }

    /** {mean, std} of the regression targets; before the first target, those of {@code batchTargets} (or 0, 1). */
    private double[] targetScale(double[] batchTargets, int n) {
        double[] mean = new double[1];
        double[] std = new double[1];
        targets.scale(mean, std, batchTargets, batchTargets == null ? 0 : n);
        return new double[] {mean[0], std[0]};
    }

    private void check(Batch batch) {
        if (batch.numFeatures() != features) {
            throw new IllegalArgumentException("batch has " + batch.numFeatures() + " features, expected " + features);
        }
        if (batch.schema().task() != schema.task() || (classification && batch.schema().numClasses() != outputs)) {
            throw new IllegalArgumentException("batch is " + batch.schema().task() + " with " + batch.schema().numClasses()
                    + " classes, expected " + schema.task() + (classification ? " with " + outputs + " classes" : ""));
        }
    }

    /** The last batch's forecast error ({@value #FORECAST_ERROR}), measured before it was learned; NaN without one. */
    @Override
    public double selfSupervisedLoss() {
        return batchForecastError;
    }

    /** The last published forecast error (NaN before any); for tests. */
    double lastForecastError() {
        return lastForecastError;
    }

    @Override
    public void adapt(MetaParameters parameters, String instanceName) {
        Objects.requireNonNull(parameters, "parameters is null");
        Objects.requireNonNull(instanceName, "instanceName is null");
        scaler.adoptPrior(parameters.normalisation());
        pass.invalidate();
        hintedRate.hint(parameters, instanceName, random);
    }

    // ---------------------------------------------------------------- gossip

    @Override
    public ExpertState exportState() {
        Map<String, double[]> w = new TreeMap<>();
        String[] names = net.sliceNames();
        int[] offsets = net.sliceOffsets();
        double[] p = net.parameters();
        for (int i = 0; i < names.length; i++) {
            w.put(names[i], java.util.Arrays.copyOfRange(p, offsets[i], offsets[i + 1]));
        }
        w.put("scaler.rows", new double[] {scaler.rows()});
        w.put("scaler.mean", scaler.mean());
        w.put("scaler.variance", scaler.variance());
        if (!classification) {
            w.put("target.rows", new double[] {targets.rows()});
            w.put("target.mean", targets.mean());
            w.put("target.variance", targets.variance());
        }
        return new ExpertState("temporal", w, samples);
    }

    /** Replaces parameters and standardisation with the merged ones; every array is checked before anything changes. */
    @Override
    public void mergeState(ExpertState merged) {
        Objects.requireNonNull(merged, "merged is null");
        String[] names = net.sliceNames();
        int[] offsets = net.sliceOffsets();
        double[][] slices = new double[names.length][];
        for (int i = 0; i < names.length; i++) {
            slices[i] = merged.requireWeight(names[i], offsets[i + 1] - offsets[i]);
        }
        double[] scalerRows = merged.requireWeight("scaler.rows", 1);
        double[] scalerMean = merged.requireWeight("scaler.mean", features);
        double[] scalerVariance = merged.requireWeight("scaler.variance", features);
        double[] targetRows = classification ? null : merged.requireWeight("target.rows", 1);
        double[] targetMean = classification ? null : merged.requireWeight("target.mean", 1);
        double[] targetVariance = classification ? null : merged.requireWeight("target.variance", 1);
        double[] p = net.parameters();
        for (int i = 0; i < names.length; i++) {
            System.arraycopy(slices[i], 0, p, offsets[i], slices[i].length);
        }
        scaler.set(scalerRows[0], scalerMean, scalerVariance);
        if (!classification) {
            targets.set(targetRows[0], targetMean, targetVariance);
        }
        samples = merged.samples();
        pass.invalidate();
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(features);
        out.writeInt(outputs);
        out.writeDoubles(net.parameters());
        adam.save(out);
        scaler.save(out);
        targets.save(out);
        history.save(out);
        out.writeDouble(hintedRate.base());
        out.writeDouble(hintedRate.scale());
        out.writeLong(samples);
        fisher.save(out);
        out.writeRandom(random);
        penalty.save(out);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("temporal expert", STATE_VERSION);
        int f = in.readInt();
        int k = in.readInt();
        if (f != features || k != outputs) {
            throw new IOException("temporal expert checkpoint is of " + f + " features and " + k + " outputs, but this run's stream has "
                    + features + " features and " + outputs + " outputs");
        }
        double[] p = in.readDoubles(net.parameters().length, "network parameters");
        // the parts below read into themselves; a failure leaves a half-restored expert, which the runtime
        // discards with the failed resume
        adam.restore(in);
        scaler.restore(in, "feature standardisation");
        targets.restore(in, "target standardisation");
        history.restore(in);
        double newRate = in.readDouble();
        double newScale = in.readDouble();
        long newSamples = in.readLong();
        Runnable newFisher = fisher.read(in);
        Random newRandom = in.readRandom();
        EwcPenalty newPenalty = EwcPenalty.read(in, "temporal expert", List.of(PENALISED), new int[] {p.length});
        if (!(newRate > 0 && newRate <= MAX_RATE) || !(newScale > 0) || !Double.isFinite(newScale) || newSamples < 0) {
            throw new IOException("temporal expert checkpoint: invalid rate " + newRate + ", rate scale " + newScale
                    + " or samples " + newSamples);
        }
        newFisher.run();
        System.arraycopy(p, 0, net.parameters(), 0, p.length);
        hintedRate.restore(newRate, newScale);
        samples = newSamples;
        random = newRandom;
        setPenalty(newPenalty);
        pass.invalidate();
    }
}
