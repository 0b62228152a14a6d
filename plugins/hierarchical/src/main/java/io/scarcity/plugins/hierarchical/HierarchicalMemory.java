package io.scarcity.plugins.hierarchical;

import io.scarcity.api.Batch;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Memory;
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
 *   <li><b>episodic</b>: a uniform sample of {@code episodicSize} of all labelled rows seen
 *       (reservoir sampling, Vitter's Algorithm R);</li>
 *   <li><b>semantic</b>: for classification, one prototype per class, the running mean of its rows'
 *       features (with its count); empty for regression.</li>
 * </ul>
 *
 * <p>Only labelled rows with a positive weight are stored; unlabelled batches and rows of weight 0
 * (e.g. down-weighted outliers) are ignored, because replay is for rehearsing with labels.
 *
 * <p>When {@code drift.detected} is 1 in the signals given to {@link #observe}, the working window
 * (the rows just before the change, i.e. the old concept) is moved into the episodic tier before the
 * batch is stored, each row replacing a uniformly random slot once the tier is full, and the working
 * tier is emptied so that replay does not keep rehearsing the outdated concept as "recent".
 *
 * <p>{@link #replay} draws without replacement within each tier, splitting the rows between tiers in
 * proportion to the {@code mix} shares renormalised over the non-empty tiers (a tier with share 0 is
 * never replayed); a tier too small for its share passes the rest to the others. Rows come back in
 * random order, labelled, with the stored rows' schema and domain, and {@code firstRow} 0 (replayed
 * rows have no position in the stream). Semantic rows are the prototypes, labelled with their class.
 *
 * <p>A checkpoint holds the stored rows of the working and episodic tiers with the ring's position and
 * the reservoir's count, the prototypes and their counts, the domain and schema replayed rows carry,
 * and the random generator. It records the tiers' capacities and the schema's shape so that a memory
 * configured differently refuses it, naming the option or the shape that differs.
 */
final class HierarchicalMemory implements Memory, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}. */
    static final int STATE_VERSION = 1;

    private static final String WORKING = "working";
    private static final String EPISODIC = "episodic";
    private static final String SEMANTIC = "semantic";

    private final Options options;
    /** Not final: a restored checkpoint replaces it with the saved generator's continuation. */
    private Random random;
    private final DataSchema schema;
    private final Task task;
    private final int features;
    private final int classes;
    private final boolean classification;

    private final RowStore working;
    private int workingNext;
    private int workingSize;

    private final RowStore episodic;
    private int episodicSize;
    private long reservoirSeen;

    private final double[] prototypes;
    private final long[] prototypeCounts;
    private int prototypeClasses;

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
        this.working = new RowStore(options.workingSize(), features, classification);
        this.episodic = new RowStore(options.episodicSize(), features, classification);
        this.prototypes = new double[classes * features];
        this.prototypeCounts = new long[classes];
        this.scratch = new int[Math.max(Math.max(options.workingSize(), options.episodicSize()), classes)];
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
        if (signals.get(StandardSignals.DRIFT_DETECTED, 0.0) >= 0.5) {
            promoteWorkingWindow();
        }
        if (!batch.hasLabels()) {
            return;
        }
        domain = batch.domain();
        storedSchema = batch.schema();
        for (int r = 0; r < batch.rows(); r++) {
            if (batch.weight(r) <= 0) {
                continue;
            }
            storeWorking(batch, r);
            storeEpisodic(batch, r);
            if (classification) {
                storePrototype(batch, r);
            }
        }
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
        if (episodicSize < episodic.capacity()) {
            episodic.put(episodicSize++, batch, row);
        } else {
            // Algorithm R: the t-th row is kept with probability capacity / t, in a uniform slot.
            long j = random.nextLong(reservoirSeen);
            if (j < episodic.capacity()) {
                episodic.put((int) j, batch, row);
            }
        }
    }

    private void storePrototype(Batch batch, int row) {
        int c = batch.label(row);
        long n = ++prototypeCounts[c];
        if (n == 1) {
            prototypeClasses++;
        }
        int o = c * features;
        for (int j = 0; j < features; j++) {
            prototypes[o + j] += (batch.value(row, j) - prototypes[o + j]) / n;
        }
    }

    /**
     * Moves the working window into the episodic tier. Promoted rows fill free slots first, then
     * replace distinct, uniformly chosen older slots, so no promoted row overwrites another; a window
     * larger than the tier contributes a uniform subset of itself.
     */
    private void promoteWorkingWindow() {
        int capacity = episodic.capacity();
        int window = workingSize;
        if (capacity > 0 && window > 0) {
            int oldest = (workingNext - window + working.capacity()) % working.capacity();
            int[] rows = new int[window];
            for (int i = 0; i < window; i++) {
                rows[i] = (oldest + i) % working.capacity();
            }
            int promoted = Math.min(window, capacity);
            for (int i = 0; i < promoted; i++) {
                swap(rows, i, i + random.nextInt(window - i));
            }
            int before = episodicSize;
            int[] victims = new int[before];
            for (int i = 0; i < before; i++) {
                victims[i] = i;
            }
            int replaced = 0;
            for (int i = 0; i < promoted; i++) {
                if (episodicSize < capacity) {
                    episodic.put(episodicSize++, working, rows[i]);
                } else {
                    swap(victims, replaced, replaced + random.nextInt(before - replaced));
                    episodic.put(victims[replaced++], working, rows[i]);
                }
            }
        }
        workingSize = 0;
        workingNext = 0;
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
        int[] sizes = {workingSize, episodicSize, prototypeClasses};
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
                    System.arraycopy(prototypes, slot * features, values, i * features, features);
                    labels[i] = slot;
                }
            }
        }
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

    /** Draws {@code count} distinct slots of a tier (partial Fisher-Yates over the scratch indices). */
    private int sample(int tier, int count, int[] tierOf, int[] slotOf, int next) {
        if (count == 0) {
            return next;
        }
        int size = 0;
        if (tier == 2) {
            for (int c = 0; c < classes; c++) {
                if (prototypeCounts[c] > 0) {
                    scratch[size++] = c;
                }
            }
        } else {
            size = tier == 0 ? workingSize : episodicSize;
            for (int i = 0; i < size; i++) {
                scratch[i] = i;
            }
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

    @Override
    public MemoryStats stats() {
        long entries = (long) workingSize + episodicSize + prototypeClasses;
        return new MemoryStats(Map.of(WORKING, workingSize, EPISODIC, episodicSize, SEMANTIC, prototypeClasses),
                entries * (8L * features + 16));
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeInt(STATE_VERSION);
        // The shape, so that a memory with other options or another stream refuses the checkpoint by name.
        out.writeInt(working.capacity());
        out.writeInt(episodic.capacity());
        out.writeString(task.name());
        out.writeInt(features);
        out.writeInt(classes);

        out.writeInt(workingSize);
        out.writeInt(workingNext);
        working.save(out, workingSize);
        out.writeInt(episodicSize);
        out.writeLong(reservoirSeen);
        episodic.save(out, episodicSize);
        out.writeDoubles(prototypes);
        out.writeLongs(prototypeCounts);
        out.writeString(domain);
        out.writeBoolean(storedSchema != null);
        if (storedSchema != null) {
            writeSchema(out, storedSchema);
        }
        out.writeRandom(random);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        int version = in.readInt();
        if (version != STATE_VERSION) {
            throw new IOException("hierarchical memory: unknown checkpoint version " + version + " (this version reads "
                    + STATE_VERSION + ")");
        }
        expect(in.readInt(), working.capacity(), "workingSize");
        expect(in.readInt(), episodic.capacity(), "episodicSize");
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
        RowStore.Saved episodicRows = episodic.read(in, newEpisodicSize, classes, EPISODIC);
        double[] newPrototypes = in.readDoubles(prototypes.length, "semantic tier's prototypes");
        long[] newCounts = in.readLongs();
        if (newCounts == null || newCounts.length != prototypeCounts.length) {
            throw new IOException("semantic tier's counts: expected " + prototypeCounts.length + " values, found "
                    + (newCounts == null ? "none" : String.valueOf(newCounts.length))
                    + " (the checkpoint was written with other options or data)");
        }
        int newPrototypeClasses = 0;
        for (long n : newCounts) {
            check(n >= 0, "prototype count " + n);
            if (n > 0) {
                newPrototypeClasses++;
            }
        }
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
        System.arraycopy(newPrototypes, 0, prototypes, 0, prototypes.length);
        System.arraycopy(newCounts, 0, prototypeCounts, 0, prototypeCounts.length);
        prototypeClasses = newPrototypeClasses;
        domain = newDomain;
        storedSchema = newSchema;
        random = newRandom;
    }

    private static void expect(int saved, int configured, String option) throws IOException {
        if (saved != configured) {
            throw new IOException("hierarchical memory: the checkpoint was written with " + option + " " + saved
                    + ", this memory has " + option + " " + configured);
        }
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

    /** The prototype of a class (a copy), for tests. */
    double[] prototype(int cls) {
        double[] p = new double[features];
        System.arraycopy(prototypes, cls * features, p, 0, features);
        return p;
    }
}
