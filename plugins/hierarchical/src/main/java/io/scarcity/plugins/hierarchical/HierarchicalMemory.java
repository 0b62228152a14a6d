package io.scarcity.plugins.hierarchical;

import static io.scarcity.plugins.hierarchical.CheckpointChecks.check;

import io.scarcity.api.Batch;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Memory;
import io.scarcity.api.RowCodec;
import io.scarcity.api.MemoryStats;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * A client memory in three bounded tiers:
 * <ul>
 *   <li><b>working</b>: a ring buffer of the last {@code workingSize} labelled rows;</li>
 *   <li><b>episodic</b>: a sample of {@code episodicSize} of all labelled rows seen, either uniform
 *       ({@code episodicPolicy: reservoir}, Vitter's Algorithm R) or class-balanced ({@code class-balanced}:
 *       per-class reservoirs sharing the capacity, Chrysakis &amp; Moens' CBRS: once the tier is full, a
 *       class that is among the largest is "full" for good; a row of a class that is not full evicts a
 *       random row of a largest class, and a row of a full class replaces a random row of its own class
 *       with probability stored / seen of its class, so each class keeps a uniform sample of its rows);
 *       regression always uses the uniform reservoir;</li>
 *   <li><b>semantic</b>: at most {@code semanticSize} entries. {@code semantic: prototypes}: for
 *       classification, one prototype per class, the running mean of its rows' features (with its count);
 *       empty for regression. {@code semantic: codes} with a {@link RowCodec} offered: the codes of the
 *       last {@code codesPerClass} rows of each class (of the stream for regression) with their labels,
 *       decoded by the codec's current decoder when replayed; without a codec it keeps prototypes. Eviction
 *       is least-recently-updated: a new class's prototype replaces the prototype updated longest ago; a
 *       code of a class at its {@code codesPerClass} replaces that class's oldest code, and a code that
 *       finds the tier full replaces the oldest code of all.</li>
 * </ul>
 *
 * <p>Only labelled rows with a positive weight are stored; unlabelled batches and rows of weight 0
 * (e.g. down-weighted outliers) are ignored, because replay is for rehearsing with labels.
 *
 * <p><b>Promotion</b> ({@code promotion: drift | importance | both}). Drift: when {@code drift.detected} is 1
 * in the signals given to {@link #observe}, the working window (the rows just before the change, i.e. the
 * old concept) is moved into the episodic tier before the batch is stored, and the working tier is
 * emptied so that replay does not keep rehearsing the outdated concept as "recent". Importance: the
 * memory only sees the batch and the signals, not the per-row losses of the mixture, so importance is per
 * batch: a batch whose {@code mixture.loss} exceeds {@code importanceFactor} times the running mean of
 * that signal (over the previous batches; the mean of the first 20, then an exponential mean with rate
 * 1/20) has its rows promoted into the episodic tier instead of offered to its sampling. Promoted rows
 * fill free slots first; with the reservoir they then replace distinct, uniformly chosen older slots (a
 * group larger than the tier contributes a uniform subset of itself); class-balanced, each replaces a
 * random row of a largest class.
 *
 * <p>{@link #replay} draws without replacement within each tier, splitting the rows between tiers in
 * proportion to the {@code mix} shares renormalised over the non-empty tiers (a tier with share 0 is
 * never replayed); a tier too small for its share passes the rest to the others. Within a tier,
 * {@code replayPolicy: uniform} draws slots uniformly; {@code class-balanced} gives every class present
 * in the tier an equal part of the tier's rows (a class with fewer rows gives the rest to the others; the
 * indivisible remainder goes to random classes), uniformly within the class. Rows come back in random
 * order, labelled, with the stored rows' schema and domain, and {@code firstRow} 0 (replayed rows have no
 * position in the stream). Semantic rows are the prototypes, labelled with their class, or decoded codes.
 *
 * <p>{@link #stats} reports the entries per tier and the bytes of what is stored: 8 per feature and 4 per
 * class (8 per target) for each working and episodic row; 8 per feature plus a count and a stamp (16) for
 * each prototype; 8 per code value plus the label and a stamp for each code. Preallocated empty slots
 * and the JVM's object headers are not counted.
 *
 * <p>A checkpoint holds the stored rows of the working and episodic tiers with the ring's position and
 * the reservoir's counts (per class too), the prototypes with their counts and stamps, the codes, the
 * running loss mean, the domain and schema replayed rows carry, and the random generator. It records the
 * format version and the schema's shape, so that a memory of another stream refuses it, naming the shape
 * that differs; it does not record the options (the runtime resumes only under the same config).
 */
final class HierarchicalMemory implements Memory, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}; 3 left the options out. */
    static final int STATE_VERSION = 3;

    private static final String WORKING = "working";
    private static final String EPISODIC = "episodic";
    private static final String SEMANTIC = "semantic";
    private static final String COMPONENT = "hierarchical memory";
    /** Batches over which the loss mean is a plain mean before it becomes exponential. */
    private static final int LOSS_WINDOW = 20;

    private final Options options;
    /**
     * The one generator of every tier's draws, passed to them per call. Not final: a restored checkpoint
     * replaces it with the saved generator's continuation.
     */
    private Random random;
    private final DataSchema schema;
    private final Task task;
    private final int features;
    private final int classes;
    private final boolean classification;

    private final WorkingTier working;
    private final EpisodicTier episodic;
    private final SemanticTier semantic;
    /** The tiers in replay order, which is also the order of the mix's shares. */
    private final ReplaySampler.Tier[] tiers;
    private final ReplaySampler sampler;

    private double lossMean;
    private long lossBatches;

    private String domain;
    private DataSchema storedSchema;

    HierarchicalMemory(Options options, DataSchema schema, Random random) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.schema = Objects.requireNonNull(schema, "schema is null");
        this.task = schema.task();
        this.random = Objects.requireNonNull(random, "random is null");
        this.features = schema.numFeatures();
        this.classification = schema.task() == Task.CLASSIFICATION;
        this.classes = schema.numClasses();
        this.working = new WorkingTier(options.workingSize(), features, classification);
        this.episodic = new EpisodicTier(options.episodicSize(), features, classes, classification,
                classification && options.episodicPolicy() == Options.EpisodicPolicy.CLASS_BALANCED);
        this.semantic = new SemanticTier(options, features, classes, classification);
        this.tiers = new ReplaySampler.Tier[] {working, episodic, semantic};
        this.sampler = new ReplaySampler(new double[] {options.mixWorking(), options.mixEpisodic(), options.mixSemantic()},
                classification && options.replayPolicy() == Options.ReplayPolicy.CLASS_BALANCED, classes,
                Math.max(Math.max(Math.max(options.workingSize(), options.episodicSize()), classes), options.semanticSize()));
    }

    /** See {@link SemanticTier#useCodec}. */
    @Override
    public void useCodec(String expert, RowCodec codec) {
        Objects.requireNonNull(codec, "codec is null");
        semantic.useCodec(expert, codec);
    }

    @Override
    public void observe(Batch batch, SignalBoard signals) {
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(signals, "signals is null");
        DataSchema s = batch.schema();
        if (s.task() != task || s.numFeatures() != features || s.numClasses() != classes) {
            throw new IllegalArgumentException("batch of " + s.task() + " with " + s.numFeatures() + " features and "
                    + s.numClasses() + " classes, expected " + task + " with " + features + " and " + classes);
        }
        if (options.promotion().onDrift() && signals.get(StandardSignals.DRIFT_DETECTED, 0.0) >= 0.5) {
            promoteWorkingWindow();
        }
        if (!batch.hasLabels()) {
            return;
        }
        boolean important = options.promotion().onImportance() && important(signals.get(StandardSignals.MIXTURE_LOSS, Double.NaN))
                && episodic.capacity() > 0;
        domain = batch.domain();
        storedSchema = batch.schema();
        double[] batchCodes = semantic.encode(batch);
        RowStore promoted = null;
        int promotedRows = 0;
        if (important) {
            int stored = 0;
            for (int r = 0; r < batch.rows(); r++) {
                stored += batch.weight(r) > 0 ? 1 : 0;
            }
            promoted = new RowStore(stored, features, classification);
        }
        for (int r = 0; r < batch.rows(); r++) {
            if (batch.weight(r) <= 0) {
                continue;
            }
            working.store(batch, r);
            if (promoted != null) {
                episodic.countSeen(batch, r);
                promoted.put(promotedRows++, batch, r);
            } else {
                episodic.offer(batch, r, random);
            }
            semantic.store(batch, r, batchCodes);
        }
        if (promotedRows > 0) {
            int[] rows = new int[promotedRows];
            for (int i = 0; i < promotedRows; i++) {
                rows[i] = i;
            }
            episodic.promote(promoted, rows, random);
        }
    }

    /** Whether a batch of this mean loss is important; then counts it in the running mean. */
    private boolean important(double loss) {
        if (!Double.isFinite(loss)) {
            return false;
        }
        boolean important = lossBatches > 0 && loss > options.importanceFactor() * lossMean;
        lossBatches++;
        lossMean += (loss - lossMean) / Math.min(lossBatches, LOSS_WINDOW);
        return important;
    }

    /** Moves the working window into the episodic tier and empties the working tier. */
    private void promoteWorkingWindow() {
        if (episodic.capacity() > 0 && working.size() > 0) {
            episodic.promote(working.rows(), working.windowSlots(), random);
        }
        working.clear();
    }

    @Override
    public Optional<Batch> replay(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        int[] sizes = {working.size(), episodic.size(), semantic.entries()};
        ReplaySampler.Draw draw = sampler.draw(rows, tiers, sizes, random);
        int[] tierOf = draw.tierOf();
        int[] slotOf = draw.slotOf();
        int total = tierOf.length;
        if (total == 0) {
            return Optional.empty();
        }
        double[] values = new double[total * features];
        int[] labels = classification ? new int[total] : null;
        double[] targets = classification ? null : new double[total];
        for (int i = 0; i < total; i++) {
            switch (tierOf[i]) {
                case 0 -> working.rows().copyTo(slotOf[i], values, labels, targets, i);
                case 1 -> episodic.rows().copyTo(slotOf[i], values, labels, targets, i);
                default -> {
                    // The semantic tier's rows are written below, its codes decoded in one call.
                }
            }
        }
        semantic.copyTo(2, draw.quota()[2], tierOf, slotOf, values, labels, targets);
        return Optional.of(classification
                ? Batch.ofClasses(storedSchema, domain, 0, values, labels)
                : Batch.ofTargets(storedSchema, domain, 0, values, targets));
    }

    /** See {@link ReplaySampler#quotas}. */
    static int[] quotas(int rows, int[] sizes, double[] shares) {
        return ReplaySampler.quotas(rows, sizes, shares);
    }

    @Override
    public MemoryStats stats() {
        long labelBytes = classification ? Integer.BYTES : Double.BYTES;
        long rowBytes = (long) Double.BYTES * features + labelBytes;
        return new MemoryStats(Map.of(WORKING, working.size(), EPISODIC, episodic.size(), SEMANTIC, semantic.entries()),
                ((long) working.size() + episodic.size()) * rowBytes + semantic.bytes());
    }

    /** Each tier writes its own state; the order is format 3's, which interleaves the loss mean in the semantic tier's. */
    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        // The stream's shape (not the options: the runtime resumes only under the same config).
        out.writeString(task.name());
        out.writeInt(features);
        out.writeInt(classes);

        working.save(out);
        episodic.save(out);
        semantic.savePrototypes(out);
        out.writeDouble(lossMean);
        out.writeLong(lossBatches);
        semantic.saveCodes(out);
        out.writeString(domain);
        out.writeBoolean(storedSchema != null);
        if (storedSchema != null) {
            writeSchema(out, storedSchema);
        }
        out.writeRandom(random);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion(COMPONENT, STATE_VERSION);
        String savedTask = in.readString();
        int savedFeatures = in.readInt();
        int savedClasses = in.readInt();
        if (!task.name().equals(savedTask) || savedFeatures != features || savedClasses != classes) {
            throw new IOException("hierarchical memory: the checkpoint was written for a " + savedTask + " stream with "
                    + savedFeatures + " features and " + savedClasses + " classes, this one is " + task + " with "
                    + features + " features and " + classes + " classes");
        }

        WorkingTier.Saved workingState = working.read(in, classes);
        EpisodicTier.Saved episodicState = episodic.read(in);
        SemanticTier.SavedPrototypes prototypes = semantic.readPrototypes(in);
        double newLossMean = in.readDouble();
        long newLossBatches = in.readLong();
        check(newLossBatches >= 0 && !Double.isNaN(newLossMean), "loss mean " + newLossMean + " over " + newLossBatches);
        SemanticTier.Saved semanticState = semantic.readCodes(in, prototypes);
        String newDomain = in.readString();
        DataSchema newSchema = in.readBoolean() ? readSchema(in) : null;
        Random newRandom = in.readRandom();

        // Everything was read and fits: only now is this memory changed.
        working.load(workingState);
        episodic.load(episodicState);
        semantic.load(semanticState);
        lossMean = newLossMean;
        lossBatches = newLossBatches;
        domain = newDomain;
        storedSchema = newSchema;
        random = newRandom;
    }

    private static void writeSchema(StateWriter out, DataSchema s) throws IOException {
        writeNames(out, s.featureNames());
        out.writeString(s.task().name());
        writeNames(out, s.classNames());
    }

    private static void writeNames(StateWriter out, List<String> names) throws IOException {
        out.writeInt(names.size());
        for (String name : names) {
            out.writeString(name);
        }
    }

    /**
     * The schema replayed rows carry: the context's own instance when equal (as it is in a run, where
     * every batch has the client's schema), so that a restored memory hands out the same object.
     */
    private DataSchema readSchema(StateReader in) throws IOException {
        List<String> featureNames = readNames(in, "feature");
        String taskName = in.readString();
        List<String> classNames = readNames(in, "class");
        DataSchema s;
        try {
            s = new DataSchema(featureNames, Task.valueOf(String.valueOf(taskName)), classNames);
        } catch (IllegalArgumentException e) {
            throw new IOException("hierarchical memory: corrupt checkpoint, invalid schema: " + e.getMessage(), e);
        }
        if (s.task() != task || s.numFeatures() != features || s.numClasses() != classes) {
            throw new IOException("hierarchical memory: the checkpoint's rows have the schema " + s
                    + ", which does not fit this memory's " + schema);
        }
        return s.equals(schema) ? schema : s;
    }

    private static List<String> readNames(StateReader in, String what) throws IOException {
        int n = in.readInt();
        check(n >= 0 && n <= StateReader.MAX_LENGTH, what + " names: " + n);
        List<String> names = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            String name = in.readString();
            check(name != null, "a missing " + what + " name");
            names.add(name);
        }
        return names;
    }

    /** Labelled rows offered to the reservoir so far. */
    long reservoirSeen() {
        return episodic.seen();
    }

    /** A feature of an episodic slot, for tests. */
    double episodicValue(int slot, int feature) {
        return episodic.rows().value(slot, feature);
    }

    /** The class of an episodic slot, for tests. */
    int episodicLabel(int slot) {
        return episodic.rows().label(slot);
    }

    /** Episodic rows of a class, for tests. */
    int episodicRowsOf(int cls) {
        return episodic.rowsOf(cls);
    }

    /** The running mean of {@code mixture.loss} that importance compares with, for tests. */
    double lossMean() {
        return lossMean;
    }

    /** Whether the semantic tier holds codes (a codec was offered with {@code semantic: codes}), for tests. */
    boolean holdsCodes() {
        return semantic.holdsCodes();
    }

    /** The class of a semantic code slot, for tests. */
    int codeClass(int slot) {
        return semantic.codeClass(slot);
    }

    /** The prototype of a class (a copy), for tests. */
    double[] prototype(int cls) {
        return semantic.prototype(cls);
    }
}
