package io.scarcity.plugins.geometry;

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
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The geometry expert: an online principal subspace of the standardised features, with novelty and
 * change signals and a light learner on the projection.
 *
 * <p><b>Standardisation</b> ({@link FeatureStandardiser}): per feature an exponentially weighted (EW) mean
 * and variance; {@code z = clip((x - mean) / sqrt(max(variance, minVariance)))}. A batch is standardised
 * with the statistics from before it (test-then-train: a novel row is judged by what came before), except
 * the very first batch, which initialises them.
 *
 * <p><b>Subspace.</b> {@link PrincipalSubspace}: block power iteration with Rayleigh-Ritz on the EW
 * covariance of {@code z}, kept at rank {@code k + oversampling}; the batch's share {@code gamma} of the
 * covariance is {@code 1 - prod_r (1 - a_r)} over the rows' steps {@code a_r} of the standardisation,
 * so both forget at the same rate.
 *
 * <p><b>Signals</b> (published on every {@link #learn}, computed against the subspace before the batch):
 * <ul>
 *   <li>{@code geometry.residual}: the batch mean of the residual {@code |z - U_k^T U_k z|}, the distance
 *       of the standardised row to the principal subspace ({@code k} directions);</li>
 *   <li>{@code geometry.novelty-rate}: the share of the batch's rows whose residual exceeds a running
 *       {@code noveltyQuantile} quantile of the residual ({@link NoveltyQuantile});</li>
 *   <li>{@code geometry.subspace-change}: {@code 1 - |U_now U_then^T|_F^2 / k} in [0, 1], the mean squared
 *       sine of the principal angles between the subspace after this batch and the one {@code changeLag}
 *       batches ago ({@link SubspaceHistory}).</li>
 * </ul>
 *
 * <p><b>Learner</b> on the {@code k} coordinates {@code U_k z}: per-class Gaussians
 * ({@link ProjectionClassifier}) for classification, RLS ({@link ProjectionRegressor}) for regression. It
 * learns on the coordinates of the basis before the batch's update, then its state is transported to the
 * new basis ({@code T = U_new U_old^T}). Replayed rows train the learner only: the subspace follows the
 * live stream.
 *
 * <p><b>Gossip</b> arrays: {@code basis} ({@code m x d}, {@code m = k + oversampling} capped at d),
 * {@code eigenvalues}, {@code featureMean}, {@code featureSecond} (mean of {@code x^2}: averages to the
 * pooled mixture's moment), {@code noveltyThreshold} (log residual), {@code minVariance} (the configured
 * variance floor, which the merge needs), and the learner's arrays ({@link ProjectionLearner#names()}).
 * They merge by {@link GeometryMerge}, the plugin's merge law: the basis is re-derived from the pooled
 * covariance and the learner's statistics are carried into the new coordinates before they are pooled.
 * A merged basis is re-orthonormalised on adoption.
 *
 * <p><b>Learning-rate scale</b> ({@link #scaleLearningRate}, asked by a supervisor): the rate used above
 * (standardisation, hence the subspace's share {@code gamma}, and the learner, replay included) is the
 * effective rate {@code min(1, rate * scale)}, with {@code rate} the configured or hinted one; a hint
 * replaces the rate, not the scale. The scale is checkpointed.
 *
 * <p><b>Importance</b> ({@link ParameterImportance}): for every exported array, the EW mean squared change
 * of each value between the ends of consecutive {@link #learn} calls, a diagonal Fisher proxy.
 */
final class GeometryExpert implements Expert, Checkpointable {
    static final String RESIDUAL = "geometry.residual";
    static final String NOVELTY_RATE = "geometry.novelty-rate";
    static final String SUBSPACE_CHANGE = "geometry.subspace-change";
    /** The last batch's self-supervised loss (not state: read right after {@link #learn}). */
    private double lastLoss = Double.NaN;
    private static final ExpertCapabilities CAPABILITIES = new ExpertCapabilities(true, true, Set.of(),
            Set.of(RESIDUAL, NOVELTY_RATE, SUBSPACE_CHANGE), true);
    /** Format of {@link #saveState}; bump when it changes (2: the learning-rate scale, 3: without the options). */
    static final int STATE_VERSION = 3;
    /** Bounds of the base learning rate after a hint. */
    static final double MIN_RATE = 1e-5;
    static final double MAX_RATE = 1.0;
    private static final String[] OWN_NAMES = {"basis", "eigenvalues", "featureMean", "featureSecond", "noveltyThreshold",
        "minVariance"};

    private final int d;
    private final int k;
    private final int m;
    private final int classes;
    /** Not final: a restored checkpoint replaces it with a generator at the saved position. */
    private Random random;
    /** The configured or hinted rate and the supervisor's scale. */
    private final HintedRate hintedRate;
    /** Rows of positive weight learned (the weight of this state in gossip). */
    private long samples;

    private final FeatureStandardiser standardiser;
    private final PrincipalSubspace subspace;
    private final ProjectionLearner learner;
    private final NoveltyQuantile novelty;
    private final SubspaceHistory history;
    /** The exported arrays' names: {@link #OWN_NAMES}, then the learner's. */
    private final String[] names;
    private final ParameterImportance importance;
    /** The variance floor of the standardisation, exported for the merge law ({@link GeometryMerge}); never changes. */
    private final double[] minVariance;

    // Scratch, reused. The standardised rows are one array each (see Dense on vectorisation).
    private double[][] z = new double[0][];
    private double[] projections = new double[0];
    private double[] weights = new double[0];
    private double[] residuals = new double[0];
    /** Per row of the batch being learned: its squared norm after standardisation (NaN if a value is NaN). */
    private double[] squaredNorms = new double[0];
    private final double[] oldPrincipal;
    private final double[] transport;

    GeometryExpert(Options options, DataSchema schema, Random random) {
        Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(schema, "schema is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.d = schema.numFeatures();
        options.checkAgainst(d);
        this.k = options.components();
        this.m = options.tracked(d);
        boolean classification = schema.task() == Task.CLASSIFICATION;
        this.classes = classification ? schema.numClasses() : 0;
        this.hintedRate = new HintedRate("geometry expert", options.learningRate(), MIN_RATE, MAX_RATE, options.explore());
        this.standardiser = new FeatureStandardiser(d, options);
        this.minVariance = new double[] {options.minVariance()};
        this.subspace = new PrincipalSubspace(d, m, k, this.random);
        this.learner = classification ? new ProjectionClassifier(k, classes, options.minVariance(), options.priorRows())
                : new ProjectionRegressor(k);
        this.novelty = new NoveltyQuantile(options);
        this.history = new SubspaceHistory(options.changeLag(), k, d);
        this.oldPrincipal = new double[k * d];
        this.transport = new double[k * k];
        // The random start is the first entry of the history: the subspace moving away from it is change.
        history.push(subspace);
        String[] learnerNames = learner.names();
        this.names = new String[OWN_NAMES.length + learnerNames.length];
        System.arraycopy(OWN_NAMES, 0, names, 0, OWN_NAMES.length);
        System.arraycopy(learnerNames, 0, names, OWN_NAMES.length, learnerNames.length);
        this.importance = new ParameterImportance(names, views());
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
        ensureCapacity(rows);
        standardiser.standardise(batch, z);
        subspace.project(z, rows, k, projections);
        return learner.predict(rows, projections, k, subspace.eigenvalues());
    }

    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(outcome, "outcome is null");
        Objects.requireNonNull(signals, "signals is null");
        checkShape(batch);
        int rows = batch.rows();
        if (rows == 0) {
            return;
        }
        ensureCapacity(rows);
        double rate = hintedRate.effective();
        double totalWeight = 0;
        for (int r = 0; r < rows; r++) {
            weights[r] = batch.weight(r);
            totalWeight += weights[r];
            if (weights[r] > 0) {
                samples++; // weights are >= 0: every such row is learned by the statistics below
            }
        }
        double gamma;
        if (totalWeight > 0 && standardiser.warm()) {
            // The statistics move only after the batch is standardised with them, in one pass over the rows.
            gamma = standardiser.standardiseAndUpdate(batch, rate, weights, z, squaredNorms);
        } else {
            // Nothing to standardise with yet: the first batch sets the statistics, then is standardised.
            gamma = totalWeight > 0 ? standardiser.update(batch, rate, weights) : 0;
            standardiser.standardise(batch, z);
            for (int r = 0; r < rows; r++) {
                squaredNorms[r] = Dense.dot(z[r], 0, z[r], 0, d);
            }
        }
        subspace.project(z, rows, m, projections);
        publishNovelty(rows, signals);
        learner.learn(batch, projections, m, rate);
        if (totalWeight > 0) {
            subspace.copyPrincipal(oldPrincipal, 0);
            subspace.update(z, projections, weights, rows, totalWeight, gamma);
            subspace.transport(oldPrincipal, transport);
            learner.transport(transport, subspace.eigenvalues());
        }
        signals.publish(SUBSPACE_CHANGE, history.change(subspace.basis(), transport));
        history.push(subspace);
        importance.update(views(), gamma);
    }

    @Override
    public void replay(Batch batch) {
        Objects.requireNonNull(batch, "batch is null");
        checkShape(batch);
        if (!batch.hasLabels() || batch.rows() == 0) {
            return;
        }
        ensureCapacity(batch.rows());
        standardiser.standardise(batch, z);
        subspace.project(z, batch.rows(), k, projections);
        learner.learn(batch, projections, k, hintedRate.effective());
    }

    /** Replaces NaNs in row {@code r} of {@code z} by 0 (the feature's mean); returns whether there were any. */
    private boolean sanitise(int r) {
        double[] row = z[r];
        boolean any = false;
        for (int j = 0; j < d; j++) {
            if (row[j] != row[j]) {
                row[j] = 0.0;
                any = true;
            }
        }
        return any;
    }

    /**
     * Residuals against the first k directions; publishes their mean and the novelty rate (which moves the
     * quantile). Reads the rows' squared norms from {@link #squaredNorms}; rows with a NaN are sanitised.
     */
    private void publishNovelty(int rows, SignalBoard signals) {
        double sum = 0;
        double squares = 0;
        for (int r = 0; r < rows; r++) {
            double[] row = z[r];
            double total = squaredNorms[r];
            if (total != total && sanitise(r)) {
                // A non-finite input: learn from the row with the offending values at their means.
                for (int i = 0; i < m; i++) {
                    projections[r * m + i] = Dense.dot(row, 0, subspace.basis(), i * d, d);
                }
                total = Dense.dot(row, 0, row, 0, d);
            }
            double inside = 0;
            for (int i = 0; i < k; i++) {
                double p = projections[r * m + i];
                inside += p * p;
            }
            double residual = Math.sqrt(Math.max(0.0, total - inside));
            residuals[r] = residual;
            sum += residual;
            squares += residual * residual;
        }
        lastLoss = squares / rows / d;
        signals.publish(RESIDUAL, sum / rows);
        signals.publish(NOVELTY_RATE, novelty.observe(residuals, rows));
    }

    /**
     * The last batch's squared residual per standardised feature: the error of reconstructing each row from its
     * projection on the principal subspace before the batch ({@code |z - U_k^T U_k z|^2 / d}).
     */
    @Override
    public double selfSupervisedLoss() {
        return lastLoss;
    }

    /** Live arrays in the order of {@link #names}, derived ones refreshed. */
    private double[][] views() {
        double[][] learnerViews = learner.views();
        double[][] out = new double[OWN_NAMES.length + learnerViews.length][];
        out[0] = subspace.basis();
        out[1] = subspace.eigenvalues();
        out[2] = standardiser.mean();
        out[3] = standardiser.second();
        out[4] = novelty.view();
        out[5] = minVariance;
        System.arraycopy(learnerViews, 0, out, OWN_NAMES.length, learnerViews.length);
        return out;
    }

    private void ensureCapacity(int rows) {
        if (z.length < rows) {
            z = new double[rows][d];
            projections = new double[rows * m];
            weights = new double[rows];
            residuals = new double[rows];
            squaredNorms = new double[rows];
        }
    }

    private void checkShape(Batch batch) {
        if (batch.numFeatures() != d) {
            throw new IllegalArgumentException("batch has " + batch.numFeatures() + " features, expected " + d);
        }
    }

    /**
     * The effective rate that learning and replay use: the configured or hinted rate times the supervisor's
     * scale ({@link #scaleLearningRate}), at most {@value #MAX_RATE}.
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
     * Takes this instance's learning-rate hint, if any, jittered by a log-normal factor
     * {@code exp(N(0, explore))} so that clients keep exploring around it (the coordinator compares their
     * losses), clamped to [{@value #MIN_RATE}, {@value #MAX_RATE}].
     */
    @Override
    public void adapt(MetaParameters parameters, String instanceName) {
        Objects.requireNonNull(parameters, "parameters is null");
        Objects.requireNonNull(instanceName, "instanceName is null");
        hintedRate.hint(parameters, instanceName, random);
    }

    @Override
    public ExpertState exportState() {
        return new ExpertState("geometry", ParameterImportance.byName(names, views()), samples);
    }

    @Override
    public Optional<ExpertState> importance() {
        return Optional.of(new ExpertState("geometry", importance.arrays(), samples));
    }

    /**
     * Adopts the merged arrays (all checked before anything changes): the basis is re-orthonormalised in
     * the order of the merged eigenvalues, feature variances are recovered from the pooled second moments,
     * the learner recovers its statistics (see its {@link ProjectionLearner#merge}).
     */
    @Override
    public void mergeState(ExpertState merged) {
        Objects.requireNonNull(merged, "merged is null");
        double[][] views = views();
        Map<String, double[]> arrays = new TreeMap<>();
        for (int a = 0; a < names.length; a++) {
            arrays.put(names[a], merged.requireWeight(names[a], views[a].length));
        }
        subspace.set(arrays.get("basis"), arrays.get("eigenvalues"));
        standardiser.merge(arrays.get("featureMean"), arrays.get("featureSecond"));
        novelty.merge(arrays.get("noveltyThreshold")[0]);
        learner.merge(arrays);
        samples = merged.samples();
        importance.rebase(views());
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(d);
        out.writeInt(classes);
        standardiser.save(out);
        out.writeLong(samples);
        subspace.save(out);
        learner.save(out);
        novelty.save(out);
        history.save(out);
        importance.save(out);
        out.writeDouble(hintedRate.base());
        out.writeDouble(hintedRate.scale());
        out.writeRandom(random);
    }

    /**
     * Reads what {@link #saveState} wrote; the state changes once all of it has been read and checked, but
     * for the subspace and the learner, which read into themselves: a failure after them leaves a
     * half-restored expert, which the runtime discards with the failed resume.
     */
    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("geometry expert", STATE_VERSION);
        int f = in.readInt();
        int c = in.readInt();
        if (f != d || c != classes) {
            throw new IOException("geometry expert checkpoint is of " + f + " features and " + c + " classes, but this run's stream has "
                    + d + " features and " + classes + " classes");
        }
        Runnable standardisation = standardiser.read(in);
        long newSamples = in.readLong();
        subspace.restore(in);
        learner.restore(in);
        Runnable noveltyQuantile = novelty.read(in);
        Runnable bases = history.read(in);
        Runnable fisher = importance.read(in);
        double rate = in.readDouble();
        double scale = in.readDouble();
        Random newRandom = in.readRandom();
        if (newSamples < 0 || !(rate >= MIN_RATE && rate <= MAX_RATE) || !(scale > 0) || !Double.isFinite(scale)) {
            throw new IOException("geometry expert checkpoint: invalid samples " + newSamples + ", rate " + rate
                    + " or rate scale " + scale);
        }
        standardisation.run();
        noveltyQuantile.run();
        bases.run();
        fisher.run();
        samples = newSamples;
        hintedRate.restore(rate, scale);
        random = newRandom;
    }

    // ---------------------------------------------------------------- for tests

    /** A copy of the first {@code k} principal directions ({@code k x d}, orthonormal rows). */
    double[] principalBasis() {
        double[] out = new double[k * d];
        subspace.copyPrincipal(out, 0);
        return out;
    }

    double[] eigenvalues() {
        return subspace.eigenvalues().clone();
    }
}
