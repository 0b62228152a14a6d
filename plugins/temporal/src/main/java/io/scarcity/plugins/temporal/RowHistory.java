package io.scarcity.plugins.temporal;

import io.scarcity.api.Batch;
import java.io.IOException;

/**
 * The raw features of the last {@code window - 1} rows learned, and the stream position that follows
 * them, so that the windows of a batch's first rows reach back into the previous batch. A batch whose
 * {@link Batch#firstRow()} is not that position (a gap in the stream, e.g. batches the router did not
 * give this expert, or rows from elsewhere such as held-out test rows) starts afresh: its history is
 * empty.
 */
final class RowHistory {
    private final int features;
    private final int capacity;
    private final double[] rows;
    private int size;
    private long next = -1;

    RowHistory(int features, int capacity) {
        this.features = features;
        this.capacity = capacity;
        this.rows = new double[features * capacity];
    }

    /** How many history rows precede {@code batch}'s first row: all kept ones if it continues the stream, else 0. */
    int before(Batch batch) {
        return batch.firstRow() == next ? size : 0;
    }

    /** Feature {@code j} of history row {@code i} (0 = oldest kept). */
    double value(int i, int j) {
        return rows[i * features + j];
    }

    /** Appends a learned batch: keeps the last {@code capacity} rows of (usable history + batch). */
    void append(Batch batch) {
        int prefix = before(batch);
        int n = batch.rows();
        int keep = Math.min(capacity, prefix + n);
        int fromHistory = keep - Math.min(keep, n); // rows still taken from the old history
        // shift the newest fromHistory rows of the old history to the front
        if (fromHistory > 0) {
            System.arraycopy(rows, (prefix - fromHistory) * features, rows, 0, fromHistory * features);
        }
        int fromBatch = keep - fromHistory;
        for (int i = 0; i < fromBatch; i++) {
            int r = n - fromBatch + i;
            for (int j = 0; j < features; j++) {
                rows[(fromHistory + i) * features + j] = batch.value(r, j);
            }
        }
        size = keep;
        next = batch.firstRow() + n;
    }

    void save(io.scarcity.api.StateWriter out) throws IOException {
        out.writeInt(size);
        out.writeLong(next);
        out.writeDoubles(rows);
    }

    void restore(io.scarcity.api.StateReader in) throws IOException {
        int s = in.readInt();
        long n = in.readLong();
        double[] r = in.readDoubles(rows.length, "window history (window - 1 rows x features)");
        if (s < 0 || s > capacity) {
            throw new IOException("window history: " + s + " rows, expected 0.." + capacity);
        }
        size = s;
        next = n;
        System.arraycopy(r, 0, rows, 0, rows.length);
    }
}
