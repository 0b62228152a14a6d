package io.scarcity.plugins.peerselection;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * An analyser (predicts nothing, never gossiped) that keeps a compact signature of the client's data and
 * publishes a noisy copy of it on the signal board, where the {@code similarity} gossip strategy reads it
 * from {@link io.scarcity.api.Peer#signals()}.
 *
 * <p><b>Signature</b> ({@code n} coordinates, published as {@code peer.sig.0 .. peer.sig.(n-1)}, with
 * {@code peer.dims = n} and {@code peer.rows} = rows seen):
 * <ol>
 *   <li>{@code m = dimensions} coordinates: the mean of {@code R x} over rows, where {@code R} is an
 *       {@code m x d} Gaussian matrix with entries {@code N(0, 1/d)};</li>
 *   <li>with {@code squares}, {@code m} more: the mean of {@code (R x)^2} (second moments along the same
 *       directions, which tell apart data with the same mean but another spread);</li>
 *   <li>with {@code labels} on a classification client, {@code k} more: the proportion of each class among the
 *       labelled rows (uniform before the first label). Label skew is what distinguishes non-IID clients of
 *       one data set most.</li>
 *   <li>with {@code classMeans} on a classification client, {@code k * m} more (class {@code c}'s block is
 *       {@code peer.sig.(b + c*m) .. peer.sig.(b + c*m + m-1)}, {@code b} the length of the parts above): for each
 *       class, the mean of {@code R x} over the labelled rows of that class. Until a class's first labelled row
 *       its block <em>is the overall mean</em> of part 1 (it follows it, row by row): the best guess without
 *       information, and one that does not set a client apart merely for lacking a class (0 would, and the
 *       strategy's standardisation would magnify it). From its first row on it is that class's own mean (the
 *       first batch holding the class replaces the overall mean entirely). Two groups of clients whose features
 *       are distributed alike but whose concepts differ (the same {@code x}, other labels) have the same part 1 and
 *       differ in part 3 only through their label skew; the class-conditional locations tell the concepts apart
 *       (in SEA, label 1 iff {@code f1 + f2 <= t}: the class-1 rows sit at smaller {@code f1 + f2} when {@code t}
 *       is smaller).</li>
 * </ol>
 * Each part is an exponentially weighted mean over rows ({@code learningRate} per row), the plain running
 * mean while fewer than {@code 1 / learningRate} rows have been seen; a class mean counts the rows of its class
 * only (its memory is {@code 1 / learningRate} rows of that class, so a rare class's mean is older). Unlabelled
 * rows update parts 1 and 2 only. The length {@code n} depends on the options and the schema only, never on the
 * data, so every client of a run with one schema publishes signatures of the same length.
 *
 * <p><b>Why the projection is shared</b>: {@code R} is drawn from a seed that depends on the run seed and the
 * instance name only, never on the client, so that every client projects onto the same directions and the
 * signatures are comparable. It is not the component's generator ({@link io.scarcity.api.PluginContext#random()}
 * is per client); that one draws the noise. Features are sketched raw, not standardised here: standardising by
 * the client's own moments would erase the differences in location the signature exists to show, and by its
 * domain's pooled moments would make signatures of different domains incomparable. The {@code similarity}
 * strategy standardises each coordinate across the peers it compares instead, so the units of the parts do not
 * matter there.
 *
 * <p><b>Privacy, honestly</b>: what leaves the client is an aggregate (a mean over at least a batch of rows, a
 * compression to {@code n} numbers) plus Gaussian noise of standard deviation {@code noise} drawn afresh for each
 * publication. That hides single rows only as far as an aggregate does; it is <em>not</em> differential privacy:
 * the sensitivity of the mean is not bounded (rows are not clipped), repeated publications average the noise
 * away, and {@code R} is public (derived from the run seed). Calibrating {@code noise} to a clipping bound and a
 * privacy budget would be needed for a formal guarantee. {@code classMeans} reveals more: {@code k} means
 * instead of one, each over the rows of one class only (fewer rows, so closer to single rows for a rare class,
 * and exactly one row's projection right after a class's first row), and together they disclose where each
 * class lies in feature space along {@code m} public directions, i.e. a linear sketch of the client's concept.
 * Turn it on only where that is acceptable, and raise {@code noise} for rare classes.
 *
 * <p><b>Checkpoint</b>: format 2 adds the per-class row counts; format 1 (before {@code classMeans}) is still
 * read when {@code classMeans} is off and refused, with a message saying so, when it is on.
 *
 * <p><b>Ranking</b>: an expert sees only its own client's board, so it cannot rank peers; the ranking of peers
 * by similarity of their signatures is computed by the {@code similarity} gossip strategy, which sees every peer.
 */
final class PeerSelectionExpert implements Expert, Checkpointable {
    /**
     * Version of the checkpoint format written by {@link #saveState}; 2 added the per-class row counts, 3 left
     * the {@code dimensions} option out. Formats 1 and 2 are still read.
     */
    static final int STATE_VERSION = 3;
    /** At most this many per-class coordinates ({@code classes x dimensions}) with {@code classMeans}. */
    static final int MAX_CLASS_MEAN_COORDINATES = 1 << 16;
    static final String SIGNAL_PREFIX = "peer.sig.";
    static final String DIMS = "peer.dims";
    static final String ROWS = "peer.rows";

    private final Options options;
    private final int features;
    /** Classes tracked: the schema's with labels or classMeans on a classification client, else 0. */
    private final int classes;
    private final int projected;
    /** Label proportions: {@code classes} with labels, else 0; they start at {@code projected}. */
    private final int labelParts;
    /** First coordinate of the per-class means ({@code classes x m} with classMeans, else none). */
    private final int meansStart;
    private final boolean classMeans;
    private final int length;
    private final double[] projection; // row-major m x d
    private final double[] signature;
    private final double[] batchSums;
    private final int[] classCounts;
    /** Per-class sums of the projection in the current batch (classes x m with classMeans, else empty). */
    private final double[] classSums;
    /** Labelled rows seen per class (with classMeans, else empty). */
    private final long[] classRows;
    private final double[] row;
    private final ExpertCapabilities capabilities;
    private final MetricsSink metrics;
    /** Not final: a restored checkpoint replaces it with the saved generator's continuation. */
    private Random noise;
    private long rows;
    private long labelledRows;

    PeerSelectionExpert(Options options, DataSchema schema, long projectionSeed, Random noise, MetricsSink metrics) {
        this.options = Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(schema, "schema is null");
        this.noise = Objects.requireNonNull(noise, "noise is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
        features = schema.numFeatures();
        boolean classification = schema.task() == Task.CLASSIFICATION;
        classes = classification && (options.labels() || options.classMeans()) ? schema.numClasses() : 0;
        classMeans = classification && options.classMeans();
        int m = options.dimensions();
        if (classMeans && (long) classes * m > MAX_CLASS_MEAN_COORDINATES) {
            throw new IllegalArgumentException("peer-selection: classMeans publishes classes x dimensions = " + classes
                    + " x " + m + " coordinates, at most " + MAX_CLASS_MEAN_COORDINATES + " (lower dimensions)");
        }
        projected = options.squares() ? 2 * m : m;
        labelParts = options.labels() ? classes : 0;
        meansStart = projected + labelParts;
        length = meansStart + (classMeans ? classes * m : 0);
        projection = new double[m * features];
        Random shared = new Random(projectionSeed);
        double scale = 1.0 / Math.sqrt(features);
        for (int i = 0; i < projection.length; i++) {
            projection[i] = shared.nextGaussian() * scale;
        }
        signature = new double[length];
        for (int c = 0; c < labelParts; c++) {
            signature[projected + c] = 1.0 / classes;
        }
        // The class means start at the overall mean, 0 like it before the first row.
        batchSums = new double[length];
        classCounts = new int[classes];
        classSums = new double[classMeans ? classes * m : 0];
        classRows = new long[classMeans ? classes : 0];
        row = new double[features];
        Set<String> writes = new LinkedHashSet<>();
        for (int i = 0; i < length; i++) {
            writes.add(SIGNAL_PREFIX + i);
        }
        writes.add(DIMS);
        writes.add(ROWS);
        capabilities = new ExpertCapabilities(false, false, Set.of(), writes);
    }

    /** The seed of the projection: the same on every client of a run for one instance name. */
    static long projectionSeed(long runSeed, String instanceName) {
        long h = runSeed * 0x9E3779B97F4A7C15L + Objects.requireNonNull(instanceName, "instanceName is null").hashCode();
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        return h ^ (h >>> 33);
    }

    @Override
    public ExpertCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public double learningRate() {
        return options.learningRate();
    }

    /** The signature's length {@code n}. */
    int length() {
        return length;
    }

    /** A copy of the noiseless signature (for tests). */
    double[] signature() {
        return signature.clone();
    }

    /** Learns one batch on a scratch board and returns the noiseless signature (for tests and benchmarks). */
    double[] signatureAfter(Batch batch) {
        learn(batch, new BatchOutcome(null, new double[0], 0), new io.scarcity.api.InMemorySignalBoard());
        return signature();
    }

    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(signals, "signals is null");
        if (batch.numFeatures() != features) {
            throw new IllegalArgumentException("peer-selection: batch has " + batch.numFeatures() + " features, the schema "
                    + features);
        }
        int n = batch.rows();
        if (n > 0) {
            absorb(batch, n);
        }
        if (rows > 0) {
            publish(signals);
        }
    }

    private void absorb(Batch batch, int n) {
        int m = options.dimensions();
        java.util.Arrays.fill(batchSums, 0.0);
        java.util.Arrays.fill(classCounts, 0);
        java.util.Arrays.fill(classSums, 0.0);
        boolean labelled = classes > 0 && batch.hasLabels();
        for (int r = 0; r < n; r++) {
            batch.copyRow(r, row);
            int classBase = classMeans && labelled ? batch.label(r) * m : -1;
            for (int j = 0; j < m; j++) {
                double z = 0;
                int base = j * features;
                for (int f = 0; f < features; f++) {
                    z += projection[base + f] * row[f];
                }
                batchSums[j] += z;
                if (options.squares()) {
                    batchSums[m + j] += z * z;
                }
                if (classBase >= 0) {
                    classSums[classBase + j] += z;
                }
            }
        }
        rows += n;
        double alpha = weight(n, rows);
        for (int i = 0; i < projected; i++) {
            signature[i] += alpha * (batchSums[i] / n - signature[i]);
        }
        if (labelled) {
            for (int r = 0; r < n; r++) {
                classCounts[batch.label(r)]++;
            }
            labelledRows += n;
            double beta = weight(n, labelledRows);
            for (int c = 0; c < labelParts; c++) {
                int i = projected + c;
                signature[i] += beta * ((double) classCounts[c] / n - signature[i]);
            }
        }
        if (classMeans) {
            for (int c = 0; c < classes; c++) {
                int base = meansStart + c * m;
                int count = labelled ? classCounts[c] : 0;
                if (count > 0) {
                    classRows[c] += count;
                    double gamma = weight(count, classRows[c]);
                    for (int j = 0; j < m; j++) {
                        signature[base + j] += gamma * (classSums[c * m + j] / count - signature[base + j]);
                    }
                } else if (classRows[c] == 0) {
                    System.arraycopy(signature, 0, signature, base, m); // no row of the class yet: the overall mean
                }
            }
        }
        metrics.count("peer-selection.rows", n);
    }

    /** Weight of a batch of {@code n} rows when {@code seen} rows (this batch included) have been seen. */
    private double weight(int n, long seen) {
        double decayed = 1 - Math.pow(1 - options.learningRate(), n);
        return Math.max(decayed, (double) n / seen);
    }

    private void publish(SignalBoard signals) {
        double sd = options.noise();
        for (int i = 0; i < length; i++) {
            double v = signature[i];
            if (sd > 0) {
                v += sd * noise.nextGaussian();
            }
            signals.publish(SIGNAL_PREFIX + i, v);
        }
        signals.publish(DIMS, length);
        signals.publish(ROWS, rows);
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(length);
        out.writeDoubles(signature);
        out.writeLong(rows);
        out.writeLong(labelledRows);
        out.writeLongs(classRows);
        out.writeRandom(noise);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        int version = in.readVersion("peer-selection", 1, 2, STATE_VERSION);
        if (version == 1 && classMeans) {
            throw new IOException("peer-selection: checkpoint format 1 predates classMeans and holds no per-class means, "
                    + "but this run has classMeans = true");
        }
        if (version < 3) {
            in.readInt(); // the dimensions option; the signature's length below is checked
        }
        int savedLength = in.readInt();
        if (savedLength != length) {
            throw new IOException("peer-selection: the checkpoint has a signature of " + savedLength
                    + " coordinates, this configuration " + length + " (squares, labels, classMeans or the schema differ)");
        }
        double[] saved = in.readDoubles(length, "peer-selection signature");
        long savedRows = in.readLong();
        long savedLabelled = in.readLong();
        if (savedRows < 0 || savedLabelled < 0 || savedLabelled > savedRows) {
            throw new IOException("peer-selection: corrupt row counts " + savedRows + "/" + savedLabelled);
        }
        long[] savedClassRows = version == 1 ? new long[0] : in.readLongs();
        if (savedClassRows.length != classRows.length) {
            throw new IOException("peer-selection: the checkpoint has per-class row counts for " + savedClassRows.length
                    + " classes, this configuration " + classRows.length + " (classMeans or the schema differ)");
        }
        long classTotal = 0;
        for (long count : savedClassRows) {
            if (count < 0) {
                throw new IOException("peer-selection: corrupt per-class row count " + count);
            }
            classTotal += count;
        }
        if (classMeans && classTotal != savedLabelled) {
            throw new IOException("peer-selection: corrupt per-class row counts: they sum to " + classTotal + ", not the "
                    + savedLabelled + " labelled rows");
        }
        Random savedNoise = in.readRandom();
        System.arraycopy(saved, 0, signature, 0, length);
        System.arraycopy(savedClassRows, 0, classRows, 0, classRows.length);
        rows = savedRows;
        labelledRows = savedLabelled;
        noise = savedNoise;
    }
}
