package io.scarcity.plugins.hierarchical;

import static io.scarcity.plugins.hierarchical.CheckpointChecks.check;
import static io.scarcity.plugins.hierarchical.CheckpointChecks.readLongs;

import io.scarcity.api.Batch;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

/**
 * The episodic tier: a bounded sample of all labelled rows seen, uniform (Algorithm R) or class-balanced
 * (CBRS), with the counts the sampling needs, and the promotion of rows into it.
 */
final class EpisodicTier implements ReplaySampler.StoredRows {
    private final RowStore rows;
    private final int classes;
    private final boolean classification;
    private final boolean classBalanced;
    private int size;
    private long seen;
    /** Labelled rows of each class offered to the tier (classification). */
    private final long[] seenPerClass;
    /** Classes that have been the largest of the full tier (class-balanced). */
    private final boolean[] fullClass;
    /** Rows of each class (classification); derived from the stored labels. */
    private final int[] perClass;

    EpisodicTier(int capacity, int features, int classes, boolean classification, boolean classBalanced) {
        this.rows = new RowStore(capacity, features, classification);
        this.classes = classes;
        this.classification = classification;
        this.classBalanced = classBalanced;
        this.seenPerClass = new long[classes];
        this.fullClass = new boolean[classes];
        this.perClass = new int[classes];
    }

    int capacity() {
        return rows.capacity();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public RowStore rows() {
        return rows;
    }

    /** Counts a row that bypasses the sampling (it is promoted instead) as seen by it. */
    void countSeen(Batch batch, int row) {
        seen++;
        if (classification) {
            seenPerClass[batch.label(row)]++;
        }
    }

    /** Offers a labelled row to the tier's sampling. */
    void offer(Batch batch, int row, Random random) {
        if (rows.capacity() == 0) {
            return;
        }
        seen++;
        int c = classification ? batch.label(row) : 0;
        if (classification) {
            seenPerClass[c]++;
        }
        if (size < rows.capacity()) {
            put(size, false, batch, row);
            size++;
        } else if (!classBalanced) {
            // Algorithm R: the t-th row is kept with probability capacity / t, in a uniform slot.
            long j = random.nextLong(seen);
            if (j < rows.capacity()) {
                put((int) j, true, batch, row);
            }
        } else if (!fullClass[c] || perClass[c] == 0) {
            put(randomSlotOf(randomLargestClass(random), random), true, batch, row);
        } else if (random.nextLong(seenPerClass[c]) < perClass[c]) {
            // A full class keeps a uniform sample of its own rows: stored / seen of them.
            put(randomSlotOf(c, random), true, batch, row);
        }
        markFullClasses();
    }

    private void put(int slot, boolean replacing, Batch batch, int row) {
        if (classification) {
            if (replacing) {
                perClass[rows.label(slot)]--;
            }
            perClass[batch.label(row)]++;
        }
        rows.put(slot, batch, row);
    }

    private void put(int slot, boolean replacing, RowStore from, int fromSlot) {
        if (classification) {
            if (replacing) {
                perClass[rows.label(slot)]--;
            }
            perClass[from.label(fromSlot)]++;
        }
        rows.put(slot, from, fromSlot);
    }

    /**
     * Once the tier is full, the classes holding the most rows are full for good (CBRS): their rows no
     * longer evict other classes but are sampled within their class. Without the "for good", a class
     * that dips below the largest would take rows with probability 1 again and over-represent them.
     */
    private void markFullClasses() {
        if (!classBalanced || size < rows.capacity()) {
            return;
        }
        int largest = largestClass();
        for (int c = 0; c < classes; c++) {
            if (perClass[c] == largest) {
                fullClass[c] = true;
            }
        }
    }

    /** The most rows any class holds. */
    private int largestClass() {
        int largest = 0;
        for (int n : perClass) {
            largest = Math.max(largest, n);
        }
        return largest;
    }

    /** A class holding the most rows, uniformly among ties. */
    private int randomLargestClass(Random random) {
        int largest = largestClass();
        int ties = 0;
        for (int n : perClass) {
            ties += n == largest ? 1 : 0;
        }
        int pick = ties == 1 ? 0 : random.nextInt(ties);
        for (int c = 0; c < classes; c++) {
            if (perClass[c] == largest && pick-- == 0) {
                return c;
            }
        }
        throw new IllegalStateException("no largest class");
    }

    /**
     * A uniformly chosen slot of a class that holds at least one; found by scanning the slots in order,
     * so that the choice depends only on the stored labels (nothing else to checkpoint).
     */
    private int randomSlotOf(int c, Random random) {
        int k = random.nextInt(perClass[c]);
        for (int slot = 0; slot < size; slot++) {
            if (rows.label(slot) == c && k-- == 0) {
                return slot;
            }
        }
        throw new IllegalStateException("class " + c + " holds no episodic slot");
    }

    /**
     * Moves rows of a store into the tier. Promoted rows fill free slots first; then, with the
     * reservoir, they replace distinct, uniformly chosen older slots, so no promoted row overwrites
     * another, and a group larger than the tier contributes a uniform subset of itself; class-balanced,
     * each replaces a random row of a largest class.
     */
    void promote(RowStore from, int[] fromSlots, Random random) {
        int capacity = rows.capacity();
        int window = fromSlots.length;
        if (capacity == 0 || window == 0) {
            return;
        }
        int promoted = Math.min(window, capacity);
        for (int i = 0; i < promoted; i++) {
            swap(fromSlots, i, i + random.nextInt(window - i));
        }
        if (classBalanced) {
            for (int i = 0; i < promoted; i++) {
                if (size < capacity) {
                    put(size, false, from, fromSlots[i]);
                    size++;
                } else {
                    put(randomSlotOf(randomLargestClass(random), random), true, from, fromSlots[i]);
                }
                markFullClasses();
            }
            return;
        }
        int before = size;
        int[] victims = new int[before];
        for (int i = 0; i < before; i++) {
            victims[i] = i;
        }
        int replaced = 0;
        for (int i = 0; i < promoted; i++) {
            if (size < capacity) {
                put(size, false, from, fromSlots[i]);
                size++;
            } else {
                swap(victims, replaced, replaced + random.nextInt(before - replaced));
                put(victims[replaced++], true, from, fromSlots[i]);
            }
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    void save(StateWriter out) throws IOException {
        out.writeInt(size);
        out.writeLong(seen);
        out.writeLongs(seenPerClass);
        int[] full = new int[classes];
        for (int c = 0; c < classes; c++) {
            full[c] = fullClass[c] ? 1 : 0;
        }
        out.writeInts(full);
        rows.save(out, size);
    }

    /** What {@link #save} wrote, checked, not yet in the tier. */
    record Saved(int size, long seen, long[] seenPerClass, int[] full, RowStore.Saved rows) {
    }

    Saved read(StateReader in) throws IOException {
        int newSize = in.readInt();
        long newSeen = in.readLong();
        check(newSize >= 0 && newSize <= rows.capacity(), "episodic tier size " + newSize);
        // Not bounded by the tier's size: a drift promotes working rows, already counted, into free slots.
        check(newSeen >= 0, "reservoir count " + newSeen);
        long[] newSeenPerClass = readLongs(in, classes, "episodic tier's rows seen per class");
        for (long n : newSeenPerClass) {
            check(n >= 0, "rows seen of a class " + n);
        }
        int[] newFull = in.readInts();
        check(newFull != null && newFull.length == classes, "full classes");
        for (int f : newFull) {
            check(f == 0 || f == 1, "full class flag " + f);
        }
        return new Saved(newSize, newSeen, newSeenPerClass, newFull, rows.read(in, newSize, classes, "episodic"));
    }

    void load(Saved saved) {
        rows.load(saved.rows());
        size = saved.size();
        seen = saved.seen();
        System.arraycopy(saved.seenPerClass(), 0, seenPerClass, 0, classes);
        for (int c = 0; c < classes; c++) {
            fullClass[c] = saved.full()[c] == 1;
        }
        Arrays.fill(perClass, 0);
        if (classification) {
            for (int slot = 0; slot < size; slot++) {
                perClass[rows.label(slot)]++;
            }
        }
    }

    /** Labelled rows offered to the sampling so far (promoted ones included). */
    long seen() {
        return seen;
    }

    /** Rows of a class. */
    int rowsOf(int cls) {
        return perClass[cls];
    }
}
