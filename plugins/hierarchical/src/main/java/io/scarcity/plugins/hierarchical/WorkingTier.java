package io.scarcity.plugins.hierarchical;

import static io.scarcity.plugins.hierarchical.CheckpointChecks.check;

import io.scarcity.api.Batch;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;

/** The working tier: a ring of the last labelled rows, the oldest overwritten first. */
final class WorkingTier implements ReplaySampler.StoredRows {
    private final RowStore rows;
    private int next;
    private int size;

    WorkingTier(int capacity, int features, boolean classification) {
        this.rows = new RowStore(capacity, features, classification);
    }

    void store(Batch batch, int row) {
        if (rows.capacity() == 0) {
            return;
        }
        rows.put(next, batch, row);
        next = (next + 1) % rows.capacity();
        size = Math.min(size + 1, rows.capacity());
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public RowStore rows() {
        return rows;
    }

    /** The slots of the stored rows, oldest first (the order a drift promotes them in). */
    int[] windowSlots() {
        int oldest = (next - size + rows.capacity()) % rows.capacity();
        int[] slots = new int[size];
        for (int i = 0; i < size; i++) {
            slots[i] = (oldest + i) % rows.capacity();
        }
        return slots;
    }

    void clear() {
        size = 0;
        next = 0;
    }

    void save(StateWriter out) throws IOException {
        out.writeInt(size);
        out.writeInt(next);
        rows.save(out, size);
    }

    /** What {@link #save} wrote, checked, not yet in the tier. */
    record Saved(int size, int next, RowStore.Saved rows) {
    }

    Saved read(StateReader in, int classes) throws IOException {
        int newSize = in.readInt();
        int newNext = in.readInt();
        check(newSize >= 0 && newSize <= rows.capacity(), "working tier size " + newSize);
        // The ring is filled from slot 0: the next slot is the size until it wraps, then anywhere.
        check(newSize == rows.capacity() ? newNext >= 0 && newNext < Math.max(1, rows.capacity())
                : newNext == newSize, "working tier position " + newNext);
        return new Saved(newSize, newNext, rows.read(in, newSize, classes, "working"));
    }

    void load(Saved saved) {
        rows.load(saved.rows());
        size = saved.size();
        next = saved.next();
    }
}
