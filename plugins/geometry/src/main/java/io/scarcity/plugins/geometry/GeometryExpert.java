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
import java.util.Arrays;
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
 * <p><b>Standardisation.</b> Per feature an exponentially weighted (EW) mean and variance (step
 * {@code max(rate * w, w / n)}: a plain average for the first {@code ~1/rate} rows, then EW);
 * {@code z = clip((x - mean) / sqrt(max(variance, minVariance)))}. A batch is standardised with the
 * statistics from before it (test-then-train: a novel row is judged by what came before), except the
 * very first batch, which initialises them.
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
 *       {@code noveltyQuantile} quantile of the residual (stochastic approximation on the log residual:
 *       {@code q += quantileStep * (tau - 1[log r <= q])} per row, after the batch is scored; the first
 *       batch sets it to its empirical quantile). About {@code 1 - noveltyQuantile} on familiar data,
 *       near 1 when rows from elsewhere arrive, falling back as the quantile and the subspace adapt;</li>
 *   <li>{@code geometry.subspace-change}: {@code 1 - |U_now U_then^T|_F^2 / k} in [0, 1], the mean squared
 *       sine of the principal angles between the subspace after this batch and the one {@code changeLag}
 *       batches ago (or the oldest kept, the random start included, until that many batches have passed).</li>
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
 * pooled mixture's moment), {@code noveltyThreshold} (log residual), and the learner's arrays
 * ({@link ProjectionLearner#names()}). The merged basis is re-orthonormalised.
 *
 * <p><b>Learning-rate scale</b> ({@link #scaleLearningRate}, asked by a supervisor): the rate used above
 * (standardisation, hence the subspace's share {@code gamma}, and the learner, replay included) is the
 * effective rate {@code min(1, rate * scale)}, with {@code rate} the configured or hinted one; a hint
 * replaces the rate, not the scale. The scale is checkpointed.
 *
 * <p><b>Importance</b>: for every exported array, the EW mean (at the batch's {@code gamma}, a plain mean
 * at first) of the squared change of each value between the ends of consecutive {@link #learn} calls:
 * a diagonal Fisher proxy (squared updates are squared gradients times the squared step). Changes made by
 * gossip merges are not counted.
 */
final class GeometryExpert implements Expert, Checkpointable {
    static final String RESIDUAL = "geometry.residual";
    static final String NOVELTY_RATE = "geometry.novelty-rate";
    static final String SUBSPACE_CHANGE = "geometry.subspace-change";
    private static final ExpertCapabilities CAPABILITIES = new ExpertCapabilities(true, true, Set.of(),
            Set.of(RESIDUAL, NOVELTY_RATE, SUBSPACE_CHANGE));
    /** Format of {@link #saveState}; bump when it changes (2: the learning-rate scale, 3: without the options). */
    static final int STATE_VERSION = 3;
    /** Largest deviation the first batch may move the statistics by: its square stays finite. */
    private static final double FIRST_BATCH_LIMIT = 1e150;
    /** Bounds of the base learning rate after a hint. */
    static final double MIN_RATE = 1e-5;
    static final double MAX_RATE = 1.0;
    private static final String[] OWN_NAMES = {"basis", "eigenvalues", "featureMean", "featureSecond", "noveltyThreshold"};

    private final Options options;
    private final DataSchema schema;
    private final int d;
    private final int k;
    private final int m;
    private final int classes;
    private final boolean classification;
    /** Not final: a restored checkpoint replaces it with a generator at the saved position. */
    private Random random;
    /** The configured or hinted rate and the supervisor's scale. */
    private final HintedRate hintedRate;

    // Standardisation.
    private final double[] featureMean;
    private final double[] featureVariance;
    private final double[] featureSecond;
    private double seen;
    private long samples;

    private final PrincipalSubspace subspace;
    private final ProjectionLearner learner;

    // Novelty.
    private final double[] noveltyThreshold = new double[1];
    private boolean noveltyReady;

    // Subspace history: a ring of the last changeLag principal bases (k x d each).
    private final double[] history;
    private int historyHead;
    private int historyFill;

    // Importance: per exported array, its value at the end of the last learn and the EW mean squared change.
    private final String[] names;
    private final double[][] previous;
    private final double[][] fisher;
    private long batches;

    // Scratch, reused. The standardised rows are one array each (see Dense on vectorisation).
    private double[][] z = new double[0][];
    private double[] projections = new double[0];
    private double[] weights = new double[0];
    private double[] residuals = new double[0];
    /** Per row of the batch being learned: its squared norm after standardisation (NaN if a value is NaN). */
    private double[] squaredNorms = new double[0];
    private final double[] inverseScale;
    private final double[] deviationLimit;
    private final double[] meanBefore;
    private final double[] tmpRow;
    private final double[] oldPrincipal;
    private final double[] transport;

    GeometryExpert(Options options, DataSchema schema, Random random) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.schema = Objects.requireNonNull(schema, "schema is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.d = schema.numFeatures();
        options.checkAgainst(d);
        this.k = options.components();
        this.m = options.tracked(d);
        this.classification = schema.task() == Task.CLASSIFICATION;
        this.classes = classification ? schema.numClasses() : 0;
        this.hintedRate = new HintedRate("geometry expert", options.learningRate(), MIN_RATE, MAX_RATE, options.explore());
        this.featureMean = new double[d];
        this.featureVariance = new double[d];
        this.featureSecond = new double[d];
        this.subspace = new PrincipalSubspace(d, m, k, this.random);
        this.learner = classification ? new ProjectionClassifier(k, classes, options.minVariance(), options.priorRows())
                : new ProjectionRegressor(k);
        this.history = new double[options.changeLag() * k * d];
        this.inverseScale = new double[d];
        this.deviationLimit = new double[d];
        this.meanBefore = new double[d];
        this.tmpRow = new double[d];
        this.oldPrincipal = new double[k * d];
        this.transport = new double[k * k];
        // The random start is the first entry of the history: the subspace moving away from it is change.
        pushHistory();
        String[] learnerNames = learner.names();
        this.names = new String[OWN_NAMES.length + learnerNames.length];
        System.arraycopy(OWN_NAMES, 0, names, 0, OWN_NAMES.length);
        System.arraycopy(learnerNames, 0, names, OWN_NAMES.length, learnerNames.length);
        double[][] views = views();
        this.previous = new double[names.length][];
        this.fisher = new double[names.length][];
        for (int i = 0; i < names.length; i++) {
            previous[i] = views[i].clone();
            fisher[i] = new double[views[i].length];
        }
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
        standardise(batch);
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
        }
        double gamma;
        if (totalWeight > 0 && seen > 0) {
            // The statistics move only after the batch is standardised with them: in one pass over the rows
            // (each row is read once), see standardiseAndUpdate.
            gamma = standardiseAndUpdate(batch, rate);
        } else {
            // Nothing to standardise with yet: the first batch sets the statistics, then is standardised.
            gamma = totalWeight > 0 ? updateStatistics(batch, rate) : 0;
            standardise(batch);
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
        int then = historyFill < options.changeLag() ? (historyHead - historyFill + options.changeLag()) % options.changeLag()
                : historyHead;
        signals.publish(SUBSPACE_CHANGE, PrincipalSubspace.distance(subspace.basis(), history, then * k * d, k, d, transport));
        pushHistory();
        batches++;
        updateImportance(Math.max(gamma, 1.0 / batches));
    }

    @Override
    public void replay(Batch batch) {
        Objects.requireNonNull(batch, "batch is null");
        checkShape(batch);
        if (!batch.hasLabels() || batch.rows() == 0) {
            return;
        }
        ensureCapacity(batch.rows());
        standardise(batch);
        subspace.project(z, batch.rows(), k, projections);
        learner.learn(batch, projections, k, hintedRate.effective());
    }

    /**
     * EW mean and variance per feature (West's update); returns the batch's share {@code gamma}. Once the
     * statistics exist (after the first batch), each deviation is winsorised at {@code 10 * clip} standard
     * deviations, so that a wild or non-finite value cannot overflow them or drag the mean far; NaN counts
     * as the mean. The bound is ten times the clip of the standardised values because rare but genuine
     * spikes (a digits pixel that is almost always 0) lie far out in units of a still small early variance,
     * and winsorising them at the clip keeps that variance too small (measured: the digits subspace drifts
     * from the batch PCA's). During the first batch a deviation is only kept finite.
     */
    private double updateStatistics(Batch batch, double rate) {
        setDeviationLimits();
        double keep = 1.0;
        for (int r = 0; r < batch.rows(); r++) {
            double w = weights[r];
            if (w <= 0) {
                continue;
            }
            keep *= 1 - absorb(batch.copyRow(r, tmpRow), w, rate, true);
        }
        return 1 - keep;
    }

    /**
     * For a batch with statistics to standardise it (after the first): {@link #standardise} with the
     * statistics from before the batch, the rows' squared norms into {@link #squaredNorms}, and
     * {@link #updateStatistics}, in one pass over the rows, so that each row of the batch is read once.
     * Same values as the three in turn: the standardisation reads a copy of the means from before the
     * batch ({@link #meanBefore}) and the scales computed before the first update.
     *
     * <p>A row whose standardised values hold no NaN takes a branch-free, vectorisable update (clamping
     * by min/max); the others the loop that also maps a NaN deviation to 0. Both give the same values:
     * a deviation is NaN only when the value is NaN (then so is its standardised value) or an infinite
     * value meets an infinite mean, which needs the variance to be infinite (scale 0, standardised
     * value NaN again) or a mean to overflow within the batch by a deviation bounded by a finite limit.
     */
    private double standardiseAndUpdate(Batch batch, double rate) {
        setScales();
        setDeviationLimits();
        double clip = options.clip();
        double[] before = meanBefore;
        System.arraycopy(featureMean, 0, before, 0, d);
        double[] inverse = inverseScale;
        double keep = 1.0;
        for (int r = 0; r < batch.rows(); r++) {
            double[] x = batch.copyRow(r, tmpRow);
            double[] row = z[r];
            for (int j = 0; j < d; j++) {
                row[j] = Math.max(-clip, Math.min(clip, (x[j] - before[j]) * inverse[j]));
            }
            double squared = Dense.dot(row, 0, row, 0, d);
            squaredNorms[r] = squared;
            double w = weights[r];
            if (w <= 0) {
                continue;
            }
            keep *= 1 - absorb(x, w, rate, squared != squared);
        }
        return 1 - keep;
    }

    /** Per feature, the bound of a deviation in this batch (see {@link #updateStatistics}). */
    private void setDeviationLimits() {
        boolean warm = seen > 0;
        double clip = options.clip();
        for (int j = 0; j < d; j++) {
            deviationLimit[j] = warm ? 10 * clip * Math.sqrt(Math.max(featureVariance[j], options.minVariance())) : FIRST_BATCH_LIMIT;
        }
    }

    /**
     * Moves the statistics by one row {@code x} of weight {@code w > 0}; returns its step {@code a}.
     * {@code mayHaveNaN}: false only if no deviation can be NaN (see {@link #standardiseAndUpdate}).
     */
    private double absorb(double[] x, double w, double rate, boolean mayHaveNaN) {
        samples++;
        seen += w;
        double a = Math.max(Math.min(1.0, rate * w), w / seen);
        double shrink = 1 - a;
        double[] mean = featureMean;
        double[] variance = featureVariance;
        double[] limits = deviationLimit;
        if (mayHaveNaN) {
            for (int j = 0; j < d; j++) {
                double limit = limits[j];
                double dev = x[j] - mean[j];
                dev = dev > limit ? limit : dev < -limit ? -limit : dev == dev ? dev : 0.0;
                double step = a * dev;
                mean[j] += step;
                variance[j] = shrink * (variance[j] + dev * step);
            }
        } else {
            for (int j = 0; j < d; j++) {
                double limit = limits[j];
                double dev = Math.max(-limit, Math.min(limit, x[j] - mean[j]));
                double step = a * dev;
                mean[j] += step;
                variance[j] = shrink * (variance[j] + dev * step);
            }
        }
        return a;
    }

    /** One division per feature per batch, not per value. */
    private void setScales() {
        double floor = options.minVariance();
        for (int j = 0; j < d; j++) {
            inverseScale[j] = 1.0 / Math.sqrt(Math.max(featureVariance[j], floor));
        }
    }

    private void standardise(Batch batch) {
        int rows = batch.rows();
        double clip = options.clip();
        setScales();
        double[] inverse = inverseScale;
        double[] mean = featureMean;
        for (int r = 0; r < rows; r++) {
            double[] row = batch.copyRow(r, z[r]);
            for (int j = 0; j < d; j++) {
                // min/max keep this loop vectorisable; a NaN (from a non-finite input) passes through and is
                // caught by sanitise() where it would do harm.
                row[j] = Math.max(-clip, Math.min(clip, (row[j] - mean[j]) * inverse[j]));
            }
        }
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
     * Residuals against the first k directions; publishes their mean and the novelty rate, then moves the
     * quantile. Reads the rows' squared norms from {@link #squaredNorms}; rows with a NaN are sanitised.
     */
    private void publishNovelty(int rows, SignalBoard signals) {
        double sum = 0;
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
        }
        signals.publish(RESIDUAL, sum / rows);
        double tau = options.noveltyQuantile();
        if (!noveltyReady) {
            double[] logs = new double[rows];
            for (int r = 0; r < rows; r++) {
                logs[r] = Math.log(residuals[r] + 1e-12);
            }
            Arrays.sort(logs);
            noveltyThreshold[0] = logs[Math.min(rows - 1, (int) Math.floor(tau * rows))];
            noveltyReady = true;
        }
        double q = noveltyThreshold[0];
        int novel = 0;
        for (int r = 0; r < rows; r++) {
            if (Math.log(residuals[r] + 1e-12) > q) {
                novel++;
            }
        }
        signals.publish(NOVELTY_RATE, (double) novel / rows);
        double step = options.quantileStep();
        for (int r = 0; r < rows; r++) {
            q += Math.log(residuals[r] + 1e-12) > q ? step * tau : -step * (1 - tau);
        }
        noveltyThreshold[0] = q;
    }

    private void pushHistory() {
        subspace.copyPrincipal(history, historyHead * k * d);
        historyHead = (historyHead + 1) % options.changeLag();
        historyFill = Math.min(historyFill + 1, options.changeLag());
    }

    private void updateImportance(double beta) {
        double[][] views = views();
        for (int a = 0; a < names.length; a++) {
            double[] now = views[a];
            double[] before = previous[a];
            double[] f = fisher[a];
            for (int i = 0; i < now.length; i++) {
                double delta = now[i] - before[i];
                f[i] += beta * (delta * delta - f[i]);
            }
            System.arraycopy(now, 0, before, 0, now.length);
        }
    }

    /** Live arrays in the order of {@link #names}, derived ones refreshed. */
    private double[][] views() {
        for (int j = 0; j < d; j++) {
            featureSecond[j] = featureVariance[j] + featureMean[j] * featureMean[j];
        }
        double[][] learnerViews = learner.views();
        double[][] out = new double[OWN_NAMES.length + learnerViews.length][];
        out[0] = subspace.basis();
        out[1] = subspace.eigenvalues();
        out[2] = featureMean;
        out[3] = featureSecond;
        out[4] = noveltyThreshold;
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
        double[][] views = views();
        Map<String, double[]> w = new TreeMap<>();
        for (int a = 0; a < names.length; a++) {
            w.put(names[a], views[a]);
        }
        return new ExpertState("geometry", w, samples);
    }

    @Override
    public Optional<ExpertState> importance() {
        Map<String, double[]> w = new TreeMap<>();
        for (int a = 0; a < names.length; a++) {
            w.put(names[a], fisher[a]);
        }
        return Optional.of(new ExpertState("geometry", w, samples));
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
        double[] mean = arrays.get("featureMean");
        double[] second = arrays.get("featureSecond");
        for (int j = 0; j < d; j++) {
            featureMean[j] = mean[j];
            featureVariance[j] = Math.max(0.0, second[j] - mean[j] * mean[j]);
        }
        noveltyThreshold[0] = arrays.get("noveltyThreshold")[0];
        noveltyReady = true;
        learner.merge(arrays);
        samples = merged.samples();
        // A merge is not an update from data: the next importance step measures from here.
        double[][] after = views();
        for (int a = 0; a < names.length; a++) {
            System.arraycopy(after[a], 0, previous[a], 0, after[a].length);
        }
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(d);
        out.writeInt(classes);
        out.writeDoubles(featureMean);
        out.writeDoubles(featureVariance);
        out.writeDouble(seen);
        out.writeLong(samples);
        subspace.save(out);
        learner.save(out);
        out.writeDouble(noveltyThreshold[0]);
        out.writeBoolean(noveltyReady);
        out.writeDoubles(history);
        out.writeInt(historyHead);
        out.writeInt(historyFill);
        out.writeLong(batches);
        for (int a = 0; a < names.length; a++) {
            out.writeDoubles(previous[a]);
            out.writeDoubles(fisher[a]);
        }
        out.writeDouble(hintedRate.base());
        out.writeDouble(hintedRate.scale());
        out.writeRandom(random);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("geometry expert", STATE_VERSION);
        int f = in.readInt();
        int c = in.readInt();
        if (f != d || c != classes) {
            throw new IOException("geometry expert checkpoint is of " + f + " features and " + c + " classes, but this run's stream has "
                    + d + " features and " + classes + " classes");
        }
        double[] mean = in.readDoubles(d, "feature means (one per feature)");
        double[] variance = in.readDoubles(d, "feature variances (one per feature)");
        double newSeen = in.readDouble();
        long newSamples = in.readLong();
        // The subspace and the learner read into themselves; a failure after them leaves a half-restored
        // expert, which the runtime discards with the failed resume.
        subspace.restore(in);
        learner.restore(in);
        double threshold = in.readDouble();
        boolean ready = in.readBoolean();
        double[] newHistory = in.readDoubles(history.length, "subspace history (changeLag x components x features)");
        int head = in.readInt();
        int fill = in.readInt();
        long newBatches = in.readLong();
        double[][] views = views();
        double[][] newPrevious = new double[names.length][];
        double[][] newFisher = new double[names.length][];
        for (int a = 0; a < names.length; a++) {
            newPrevious[a] = in.readDoubles(views[a].length, "last values of '" + names[a] + "'");
            newFisher[a] = in.readDoubles(views[a].length, "importance of '" + names[a] + "'");
        }
        double rate = in.readDouble();
        double scale = in.readDouble();
        Random newRandom = in.readRandom();
        if (head < 0 || head >= options.changeLag() || fill < 0 || fill > options.changeLag() || newBatches < 0
                || newSamples < 0 || !(rate >= MIN_RATE && rate <= MAX_RATE) || !(newSeen >= 0)
                || !(scale > 0) || !Double.isFinite(scale)) {
            throw new IOException("geometry expert checkpoint: invalid history position " + head + "/" + fill + ", batches "
                    + newBatches + ", samples " + newSamples + ", rate " + rate + ", rate scale " + scale + " or seen " + newSeen);
        }
        System.arraycopy(mean, 0, featureMean, 0, d);
        System.arraycopy(variance, 0, featureVariance, 0, d);
        seen = newSeen;
        samples = newSamples;
        noveltyThreshold[0] = threshold;
        noveltyReady = ready;
        System.arraycopy(newHistory, 0, history, 0, history.length);
        historyHead = head;
        historyFill = fill;
        batches = newBatches;
        for (int a = 0; a < names.length; a++) {
            System.arraycopy(newPrevious[a], 0, previous[a], 0, previous[a].length);
            System.arraycopy(newFisher[a], 0, fisher[a], 0, fisher[a].length);
        }
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
