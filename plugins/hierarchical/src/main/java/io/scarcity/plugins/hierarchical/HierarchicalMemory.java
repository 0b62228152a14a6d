package io.scarcity.plugins.hierarchical;

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
    /** Not final: a restored checkpoint replaces it with the saved generator's continuation. */
    private Random random;
    private final DataSchema schema;
    private final Task task;
    private final int features;
    private final int classes;
    private final boolean classification;
    private final boolean classBalancedEpisodic;
    private final boolean classBalancedReplay;

    private final RowStore working;
    private int workingNext;
    private int workingSize;

    private final RowStore episodic;
    private int episodicSize;
    private long reservoirSeen;
    /** Labelled rows of each class offered to the episodic tier (classification). */
    private final long[] seenPerClass;
    /** Classes that have been the largest of the full episodic tier (class-balanced). */
    private final boolean[] fullClass;
    /** Episodic rows of each class (classification); derived from the stored labels. */
    private final int[] episodicPerClass;

    private final SemanticTier semantic;

    private double lossMean;
    private long lossBatches;

    private String domain;
    private DataSchema storedSchema;
    private final int[] scratch;

    HierarchicalMemory(Options options, DataSchema schema, Random random) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.schema = Objects.requireNonNull(schema, "schema is null");
        this.task = schema.task();
        this.random = Objects.requireNonNull(random, "random is null");
        this.features = schema.numFeatures();
        this.classification = schema.task() == Task.CLASSIFICATION;
        this.classes = schema.numClasses();
        this.classBalancedEpisodic = classification && options.episodicPolicy() == Options.EpisodicPolicy.CLASS_BALANCED;
        this.classBalancedReplay = classification && options.replayPolicy() == Options.ReplayPolicy.CLASS_BALANCED;
        this.working = new RowStore(options.workingSize(), features, classification);
        this.episodic = new RowStore(options.episodicSize(), features, classification);
        this.seenPerClass = new long[classes];
        this.episodicPerClass = new int[classes];
        this.fullClass = new boolean[classes];
        this.semantic = new SemanticTier(options, features, classes, classification);
        this.scratch = new int[Math.max(Math.max(Math.max(options.workingSize(), options.episodicSize()), classes),
                options.semanticSize())];
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
            storeWorking(batch, r);
            if (promoted != null) {
                reservoirSeen++;
                if (classification) {
                    seenPerClass[batch.label(r)]++;
                }
                promoted.put(promotedRows++, batch, r);
            } else {
                storeEpisodic(batch, r);
            }
            semantic.store(batch, r, batchCodes);
        }
        if (promotedRows > 0) {
            int[] rows = new int[promotedRows];
            for (int i = 0; i < promotedRows; i++) {
                rows[i] = i;
            }
            promote(promoted, rows);
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

    private void storeWorking(Batch batch, int row) {
        if (working.capacity() == 0) {
            return;
        }
        working.put(workingNext, batch, row);
        workingNext = (workingNext + 1) % working.capacity();
        workingSize = Math.min(workingSize + 1, working.capacity());
    }

    private void storeEpisodic(Batch batch, int row) {
        if (episodic.capacity() == 0) {
            return;
        }
        reservoirSeen++;
        int c = classification ? batch.label(row) : 0;
        if (classification) {
            seenPerClass[c]++;
        }
        if (episodicSize < episodic.capacity()) {
            putEpisodic(episodicSize, false, batch, row);
            episodicSize++;
        } else if (!classBalancedEpisodic) {
            // Algorithm R: the t-th row is kept with probability capacity / t, in a uniform slot.
            long j = random.nextLong(reservoirSeen);
            if (j < episodic.capacity()) {
                putEpisodic((int) j, true, batch, row);
            }
        } else if (!fullClass[c] || episodicPerClass[c] == 0) {
            putEpisodic(randomEpisodicSlotOf(randomLargestClass()), true, batch, row);
        } else if (random.nextLong(seenPerClass[c]) < episodicPerClass[c]) {
            // A full class keeps a uniform sample of its own rows: stored / seen of them.
            putEpisodic(randomEpisodicSlotOf(c), true, batch, row);
        }
        markFullClasses();
    }

    private void putEpisodic(int slot, boolean replacing, Batch batch, int row) {
        if (classification) {
            if (replacing) {
                episodicPerClass[episodic.label(slot)]--;
            }
            episodicPerClass[batch.label(row)]++;
        }
        episodic.put(slot, batch, row);
    }

    private void putEpisodic(int slot, boolean replacing, RowStore from, int fromSlot) {
        if (classification) {
            if (replacing) {
                episodicPerClass[episodic.label(slot)]--;
            }
            episodicPerClass[from.label(fromSlot)]++;
        }
        episodic.put(slot, from, fromSlot);
    }

    /**
     * Once the tier is full, the classes holding the most rows are full for good (CBRS): their rows no
     * longer evict other classes but are sampled within their class. Without the "for good", a class
     * that dips below the largest would take rows with probability 1 again and over-represent them.
     */
    private void markFullClasses() {
        if (!classBalancedEpisodic || episodicSize < episodic.capacity()) {
            return;
        }
        int largest = largestEpisodicClass();
        for (int c = 0; c < classes; c++) {
            if (episodicPerClass[c] == largest) {
                fullClass[c] = true;
            }
        }
    }

    /** The most rows any class holds in the episodic tier. */
    private int largestEpisodicClass() {
        int largest = 0;
        for (int n : episodicPerClass) {
            largest = Math.max(largest, n);
        }
        return largest;
    }

    /** A class holding the most episodic rows, uniformly among ties. */
    private int randomLargestClass() {
        int largest = largestEpisodicClass();
        int ties = 0;
        for (int n : episodicPerClass) {
            ties += n == largest ? 1 : 0;
        }
        int pick = ties == 1 ? 0 : random.nextInt(ties);
        for (int c = 0; c < classes; c++) {
            if (episodicPerClass[c] == largest && pick-- == 0) {
                return c;
            }
        }
        throw new IllegalStateException("no largest class");
    }

    /**
     * A uniformly chosen episodic slot of a class that holds at least one; found by scanning the slots
     * in order, so that the choice depends only on the stored labels (nothing else to checkpoint).
     */
    private int randomEpisodicSlotOf(int c) {
        int k = random.nextInt(episodicPerClass[c]);
        for (int slot = 0; slot < episodicSize; slot++) {
            if (episodic.label(slot) == c && k-- == 0) {
                return slot;
            }
        }
        throw new IllegalStateException("class " + c + " holds no episodic slot");
    }

    /** Moves the working window into the episodic tier and empties the working tier. */
    private void promoteWorkingWindow() {
        int window = workingSize;
        if (episodic.capacity() > 0 && window > 0) {
            int oldest = (workingNext - window + working.capacity()) % working.capacity();
            int[] rows = new int[window];
            for (int i = 0; i < window; i++) {
                rows[i] = (oldest + i) % working.capacity();
            }
            promote(working, rows);
        }
        workingSize = 0;
        workingNext = 0;
    }

    /**
     * Moves rows of a store into the episodic tier. Promoted rows fill free slots first; then, with the
     * reservoir, they replace distinct, uniformly chosen older slots, so no promoted row overwrites
     * another, and a group larger than the tier contributes a uniform subset of itself; class-balanced,
     * each replaces a random row of a largest class.
     */
    private void promote(RowStore from, int[] rows) {
        int capacity = episodic.capacity();
        int window = rows.length;
        if (capacity == 0 || window == 0) {
            return;
        }
        int promoted = Math.min(window, capacity);
        for (int i = 0; i < promoted; i++) {
            swap(rows, i, i + random.nextInt(window - i));
        }
        if (classBalancedEpisodic) {
            for (int i = 0; i < promoted; i++) {
                if (episodicSize < capacity) {
                    putEpisodic(episodicSize, false, from, rows[i]);
                    episodicSize++;
                } else {
                    putEpisodic(randomEpisodicSlotOf(randomLargestClass()), true, from, rows[i]);
                }
                markFullClasses();
            }
            return;
        }
        int before = episodicSize;
        int[] victims = new int[before];
        for (int i = 0; i < before; i++) {
            victims[i] = i;
        }
        int replaced = 0;
        for (int i = 0; i < promoted; i++) {
            if (episodicSize < capacity) {
                putEpisodic(episodicSize, false, from, rows[i]);
                episodicSize++;
            } else {
                swap(victims, replaced, replaced + random.nextInt(before - replaced));
                putEpisodic(victims[replaced++], true, from, rows[i]);
            }
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    @Override
    public Optional<Batch> replay(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        int[] sizes = {workingSize, episodicSize, semantic.entries()};
        double[] shares = {options.mixWorking(), options.mixEpisodic(), options.mixSemantic()};
        int[] quota = quotas(rows, sizes, shares);
        int total = quota[0] + quota[1] + quota[2];
        if (total == 0) {
            return Optional.empty();
        }
        // Which tier and slot each output row comes from, then shuffled so the tiers interleave.
        int[] tierOf = new int[total];
        int[] slotOf = new int[total];
        int n = 0;
        for (int t = 0; t < 3; t++) {
            n = sample(t, quota[t], tierOf, slotOf, n);
        }
        for (int i = total - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tt = tierOf[i];
            tierOf[i] = tierOf[j];
            tierOf[j] = tt;
            int ss = slotOf[i];
            slotOf[i] = slotOf[j];
            slotOf[j] = ss;
        }
        double[] values = new double[total * features];
        int[] labels = classification ? new int[total] : null;
        double[] targets = classification ? null : new double[total];
        for (int i = 0; i < total; i++) {
            int slot = slotOf[i];
            switch (tierOf[i]) {
                case 0 -> working.copyTo(slot, values, labels, targets, i);
                case 1 -> episodic.copyTo(slot, values, labels, targets, i);
                default -> {
                    // The semantic tier's rows are written below, decoded together.
                }
            }
        }
        semantic.copyTo(2, quota[2], tierOf, slotOf, values, labels, targets);
        return Optional.of(classification
                ? Batch.ofClasses(storedSchema, domain, 0, values, labels)
                : Batch.ofTargets(storedSchema, domain, 0, values, targets));
    }

    /**
     * Rows per tier: shares renormalised over the non-empty tiers with a positive share, rounded by
     * largest remainder; a tier whose quota exceeds its size is capped and the rest is split again,
     * the same way, over the other tiers.
     */
    static int[] quotas(int rows, int[] sizes, double[] shares) {
        int tiers = sizes.length;
        boolean[] open = new boolean[tiers];
        long available = 0;
        for (int t = 0; t < tiers; t++) {
            open[t] = sizes[t] > 0 && shares[t] > 0;
            if (open[t]) {
                available += sizes[t];
            }
        }
        int[] quota = new int[tiers];
        int want = (int) Math.min(rows, available);
        boolean capped = true;
        while (want > 0 && capped) {
            double shareSum = 0;
            for (int t = 0; t < tiers; t++) {
                if (open[t]) {
                    shareSum += shares[t];
                }
            }
            double[] remainder = new double[tiers];
            int assigned = 0;
            for (int t = 0; t < tiers; t++) {
                if (open[t]) {
                    double exact = want * shares[t] / shareSum;
                    quota[t] = (int) Math.floor(exact);
                    remainder[t] = exact - quota[t];
                    assigned += quota[t];
                }
            }
            while (assigned < want) {
                int best = -1;
                for (int t = 0; t < tiers; t++) {
                    if (open[t] && (best < 0 || remainder[t] > remainder[best])) {
                        best = t;
                    }
                }
                quota[best]++;
                remainder[best] = -1; // at most one extra row per tier
                assigned++;
            }
            capped = false;
            for (int t = 0; t < tiers; t++) {
                if (open[t] && quota[t] >= sizes[t]) {
                    want -= sizes[t];
                    quota[t] = sizes[t];
                    open[t] = false;
                    capped = true;
                }
            }
            if (capped) {
                // The tiers still open are shared out again from scratch.
                for (int t = 0; t < tiers; t++) {
                    if (open[t]) {
                        quota[t] = 0;
                    }
                }
            }
        }
        return quota;
    }

    /**
     * Draws {@code count} distinct slots of a tier: uniformly (partial Fisher-Yates over the scratch
     * indices) or, class-balanced, an equal part per class present, uniformly within each class.
     */
    private int sample(int tier, int count, int[] tierOf, int[] slotOf, int next) {
        if (count == 0) {
            return next;
        }
        int size = 0;
        if (tier == 2) {
            size = semantic.fillSlots(scratch);
        } else {
            size = tier == 0 ? workingSize : episodicSize;
            for (int i = 0; i < size; i++) {
                scratch[i] = i;
            }
        }
        if (classBalancedReplay && count < size) {
            return sampleBalanced(tier, count, size, tierOf, slotOf, next);
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(size - i);
            int s = scratch[j];
            scratch[j] = scratch[i];
            scratch[i] = s;
            tierOf[next] = tier;
            slotOf[next] = s;
            next++;
        }
        return next;
    }

    private int sampleBalanced(int tier, int count, int size, int[] tierOf, int[] slotOf, int next) {
        // Group the tier's slots by class (a stable counting sort).
        int[] perClass = new int[classes];
        for (int i = 0; i < size; i++) {
            perClass[labelOf(tier, scratch[i])]++;
        }
        int[] start = new int[classes + 1];
        for (int c = 0; c < classes; c++) {
            start[c + 1] = start[c] + perClass[c];
        }
        int[] sorted = new int[size];
        int[] fill = start.clone();
        for (int i = 0; i < size; i++) {
            sorted[fill[labelOf(tier, scratch[i])]++] = scratch[i];
        }
        // Equal parts, capped by what each class holds; the capped rest is shared out again.
        int[] take = new int[classes];
        int remaining = count;
        while (remaining > 0) {
            int open = 0;
            for (int c = 0; c < classes; c++) {
                open += take[c] < perClass[c] ? 1 : 0;
            }
            int each = remaining / open;
            if (each == 0) {
                // Fewer rows left than classes with rows: one more each for `remaining` random classes.
                int[] openClasses = new int[open];
                int k = 0;
                for (int c = 0; c < classes; c++) {
                    if (take[c] < perClass[c]) {
                        openClasses[k++] = c;
                    }
                }
                for (int i = 0; i < remaining; i++) {
                    swap(openClasses, i, i + random.nextInt(open - i));
                    take[openClasses[i]]++;
                }
                remaining = 0;
            } else {
                for (int c = 0; c < classes; c++) {
                    int add = Math.min(each, perClass[c] - take[c]);
                    take[c] += add;
                    remaining -= add;
                }
            }
        }
        for (int c = 0; c < classes; c++) {
            int from = start[c];
            int n = perClass[c];
            for (int i = 0; i < take[c]; i++) {
                int j = from + i + random.nextInt(n - i);
                int s = sorted[j];
                sorted[j] = sorted[from + i];
                sorted[from + i] = s;
                tierOf[next] = tier;
                slotOf[next] = s;
                next++;
            }
        }
        return next;
    }

    /** The class of a tier's slot (classification only). */
    private int labelOf(int tier, int slot) {
        return switch (tier) {
            case 0 -> working.label(slot);
            case 1 -> episodic.label(slot);
            default -> semantic.label(slot);
        };
    }

    @Override
    public MemoryStats stats() {
        long labelBytes = classification ? Integer.BYTES : Double.BYTES;
        long rowBytes = (long) Double.BYTES * features + labelBytes;
        return new MemoryStats(Map.of(WORKING, workingSize, EPISODIC, episodicSize, SEMANTIC, semantic.entries()),
                ((long) workingSize + episodicSize) * rowBytes + semantic.bytes());
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        // The stream's shape (not the options: the runtime resumes only under the same config).
        out.writeString(task.name());
        out.writeInt(features);
        out.writeInt(classes);

        out.writeInt(workingSize);
        out.writeInt(workingNext);
        working.save(out, workingSize);
        out.writeInt(episodicSize);
        out.writeLong(reservoirSeen);
        out.writeLongs(seenPerClass);
        int[] full = new int[classes];
        for (int c = 0; c < classes; c++) {
            full[c] = fullClass[c] ? 1 : 0;
        }
        out.writeInts(full);
        episodic.save(out, episodicSize);
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

    private static String name(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
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

        int newWorkingSize = in.readInt();
        int newWorkingNext = in.readInt();
        check(newWorkingSize >= 0 && newWorkingSize <= working.capacity(), "working tier size " + newWorkingSize);
        // The ring is filled from slot 0: the next slot is the size until it wraps, then anywhere.
        check(newWorkingSize == working.capacity() ? newWorkingNext >= 0 && newWorkingNext < Math.max(1, working.capacity())
                : newWorkingNext == newWorkingSize, "working tier position " + newWorkingNext);
        RowStore.Saved workingRows = working.read(in, newWorkingSize, classes, WORKING);
        int newEpisodicSize = in.readInt();
        long newReservoirSeen = in.readLong();
        check(newEpisodicSize >= 0 && newEpisodicSize <= episodic.capacity(), "episodic tier size " + newEpisodicSize);
        // Not bounded by the tier's size: a drift promotes working rows, already counted, into free slots.
        check(newReservoirSeen >= 0, "reservoir count " + newReservoirSeen);
        long[] newSeenPerClass = readLongs(in, classes, "episodic tier's rows seen per class");
        for (long n : newSeenPerClass) {
            check(n >= 0, "rows seen of a class " + n);
        }
        int[] newFull = in.readInts();
        check(newFull != null && newFull.length == classes, "full classes");
        for (int f : newFull) {
            check(f == 0 || f == 1, "full class flag " + f);
        }
        RowStore.Saved episodicRows = episodic.read(in, newEpisodicSize, classes, EPISODIC);
        SemanticTier.SavedPrototypes prototypes = semantic.readPrototypes(in);
        double newLossMean = in.readDouble();
        long newLossBatches = in.readLong();
        check(newLossBatches >= 0 && !Double.isNaN(newLossMean), "loss mean " + newLossMean + " over " + newLossBatches);
        SemanticTier.Saved semanticState = semantic.readCodes(in, prototypes);
        String newDomain = in.readString();
        DataSchema newSchema = in.readBoolean() ? readSchema(in) : null;
        Random newRandom = in.readRandom();

        // Everything was read and fits: only now is this memory changed.
        working.load(workingRows);
        workingSize = newWorkingSize;
        workingNext = newWorkingNext;
        episodic.load(episodicRows);
        episodicSize = newEpisodicSize;
        reservoirSeen = newReservoirSeen;
        System.arraycopy(newSeenPerClass, 0, seenPerClass, 0, classes);
        for (int c = 0; c < classes; c++) {
            fullClass[c] = newFull[c] == 1;
        }
        java.util.Arrays.fill(episodicPerClass, 0);
        if (classification) {
            for (int slot = 0; slot < episodicSize; slot++) {
                episodicPerClass[episodic.label(slot)]++;
            }
        }
        semantic.load(semanticState);
        lossMean = newLossMean;
        lossBatches = newLossBatches;
        domain = newDomain;
        storedSchema = newSchema;
        random = newRandom;
    }

    private static long[] readLongs(StateReader in, int expected, String what) throws IOException {
        long[] v = in.readLongs();
        if (v == null || v.length != expected) {
            throw new IOException(what + ": expected " + expected + " values, found "
                    + (v == null ? "none" : String.valueOf(v.length)) + " (the checkpoint was written with other options or data)");
        }
        return v;
    }

    private static void check(boolean ok, String what) throws IOException {
        if (!ok) {
            throw new IOException("hierarchical memory: corrupt checkpoint, " + what);
        }
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
        return reservoirSeen;
    }

    /** A feature of an episodic slot, for tests. */
    double episodicValue(int slot, int feature) {
        return episodic.value(slot, feature);
    }

    /** The class of an episodic slot, for tests. */
    int episodicLabel(int slot) {
        return episodic.label(slot);
    }

    /** Episodic rows of a class, for tests. */
    int episodicRowsOf(int cls) {
        return episodicPerClass[cls];
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
