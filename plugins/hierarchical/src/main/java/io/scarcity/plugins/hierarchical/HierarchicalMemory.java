package io.scarcity.plugins.hierarchical;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Memory;
import io.scarcity.api.MemoryStats;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
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
 */
final class HierarchicalMemory implements Memory {
    private static final String WORKING = "working";
    private static final String EPISODIC = "episodic";
    private static final String SEMANTIC = "semantic";

    private final Options options;
    private final Random random;
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
        Objects.requireNonNull(schema, "schema is null");
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
