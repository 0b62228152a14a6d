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
 * </ol>
 * Each part is an exponentially weighted mean over rows ({@code learningRate} per row), the plain running
 * mean while fewer than {@code 1 / learningRate} rows have been seen.
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
 * privacy budget would be needed for a formal guarantee.
 *
 * <p><b>Ranking</b>: an expert sees only its own client's board, so it cannot rank peers; the ranking of peers
 * by similarity of their signatures is computed by the {@code similarity} gossip strategy, which sees every peer.
 */
final class PeerSelectionExpert implements Expert, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}. */
    static final int STATE_VERSION = 1;
    static final String SIGNAL_PREFIX = "peer.sig.";
    static final String DIMS = "peer.dims";
    static final String ROWS = "peer.rows";

    private final Options options;
    private final int features;
    private final int classes;
    private final int projected;
    private final int length;
    private final double[] projection; // row-major m x d
    private final double[] signature;
    private final double[] batchSums;
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
        classes = options.labels() && schema.task() == Task.CLASSIFICATION ? schema.numClasses() : 0;
        int m = options.dimensions();
        projected = options.squares() ? 2 * m : m;
        length = projected + classes;
        projection = new double[m * features];
        Random shared = new Random(projectionSeed);
        double scale = 1.0 / Math.sqrt(features);
        for (int i = 0; i < projection.length; i++) {
            projection[i] = shared.nextGaussian() * scale;
        }
        signature = new double[length];
        for (int c = 0; c < classes; c++) {
            signature[projected + c] = 1.0 / classes;
        }
        batchSums = new double[length];
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
        for (int r = 0; r < n; r++) {
            batch.copyRow(r, row);
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
            }
        }
        rows += n;
        double alpha = weight(n, rows);
        for (int i = 0; i < projected; i++) {
            signature[i] += alpha * (batchSums[i] / n - signature[i]);
        }
        if (classes > 0 && batch.hasLabels()) {
            for (int r = 0; r < n; r++) {
                batchSums[projected + batch.label(r)] += 1;
            }
            labelledRows += n;
            double beta = weight(n, labelledRows);
            for (int c = 0; c < classes; c++) {
                int i = projected + c;
                signature[i] += beta * (batchSums[i] / n - signature[i]);
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
        out.writeInt(STATE_VERSION);
        out.writeInt(options.dimensions());
        out.writeInt(length);
        out.writeDoubles(signature);
        out.writeLong(rows);
        out.writeLong(labelledRows);
        out.writeRandom(noise);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        int version = in.readInt();
        if (version != STATE_VERSION) {
            throw new IOException("peer-selection: unknown checkpoint version " + version + " (this version reads "
                    + STATE_VERSION + ")");
        }
        in.expectInt("peer-selection", "dimensions", options.dimensions());
        int savedLength = in.readInt();
        if (savedLength != length) {
            throw new IOException("peer-selection: the checkpoint has a signature of " + savedLength
                    + " coordinates, this configuration " + length + " (squares, labels or the schema differ)");
        }
        double[] saved = in.readDoubles(length, "peer-selection signature");
        long savedRows = in.readLong();
        long savedLabelled = in.readLong();
        if (savedRows < 0 || savedLabelled < 0 || savedLabelled > savedRows) {
            throw new IOException("peer-selection: corrupt row counts " + savedRows + "/" + savedLabelled);
        }
        Random savedNoise = in.readRandom();
        System.arraycopy(saved, 0, signature, 0, length);
        rows = savedRows;
        labelledRows = savedLabelled;
        noise = savedNoise;
    }
}
