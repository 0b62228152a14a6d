package io.scarcity.plugins.hierarchical;

import io.scarcity.api.Batch;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;

/** Fixed-capacity slots of labelled rows, allocated once: features row-major plus a class or a target. */
final class RowStore {
    private final int features;
    private final int capacity;
    private final double[] values;
    private final int[] classes;
    private final double[] targets;

    RowStore(int capacity, int features, boolean classification) {
        this.capacity = capacity;
        this.features = features;
        this.values = new double[capacity * features];
        this.classes = classification ? new int[capacity] : null;
        this.targets = classification ? null : new double[capacity];
    }

    int capacity() {
        return capacity;
    }

    /** Copies a labelled row of a batch into a slot. */
    void put(int slot, Batch batch, int row) {
        int o = slot * features;
        for (int j = 0; j < features; j++) {
            values[o + j] = batch.value(row, j);
        }
        if (classes != null) {
            classes[slot] = batch.label(row);
        } else {
            targets[slot] = batch.target(row);
        }
    }

    /** Copies a slot of another store into a slot of this one. */
    void put(int slot, RowStore from, int fromSlot) {
        System.arraycopy(from.values, fromSlot * features, values, slot * features, features);
        if (classes != null) {
            classes[slot] = from.classes[fromSlot];
        } else {
            targets[slot] = from.targets[fromSlot];
        }
    }

    /** Copies a slot's features to {@code dest} at row {@code destRow} and its label to the label arrays. */
    void copyTo(int slot, double[] dest, int[] destClasses, double[] destTargets, int destRow) {
        System.arraycopy(values, slot * features, dest, destRow * features, features);
        if (classes != null) {
            destClasses[destRow] = classes[slot];
        } else {
            destTargets[destRow] = targets[slot];
        }
    }

    /**
     * Writes slots {@code 0..size-1}, the only ones ever read while {@code size} rows are stored (slots
     * beyond hold rows that were dropped and are overwritten before they are read again).
     */
    void save(StateWriter out, int size) throws IOException {
        out.writeDoubles(java.util.Arrays.copyOf(values, size * features));
        if (classes != null) {
            out.writeInts(java.util.Arrays.copyOf(classes, size));
        } else {
            out.writeDoubles(java.util.Arrays.copyOf(targets, size));
        }
    }

    /** Rows read from a checkpoint by {@link #read}, not yet in a store. */
    record Saved(double[] values, int[] classes, double[] targets) {
    }

    /**
     * Reads what {@link #save} wrote for {@code size} rows, checking its shape against this store.
     *
     * @param numClasses the schema's number of classes, to check the labels (classification only)
     * @param tier the tier's name, for messages
     */
    Saved read(StateReader in, int size, int numClasses, String tier) throws IOException {
        double[] v = in.readDoubles(size * features, tier + " tier's features");
        if (classes == null) {
            return new Saved(v, null, in.readDoubles(size, tier + " tier's targets"));
        }
        int[] c = in.readInts();
        if (c == null || c.length != size) {
            throw new IOException(tier + " tier's classes: expected " + size + " values, found "
                    + (c == null ? "none" : String.valueOf(c.length)) + " (the checkpoint was written with other options or data)");
        }
        for (int y : c) {
            if (y < 0 || y >= numClasses) {
                throw new IOException(tier + " tier: class " + y + " outside 0.." + (numClasses - 1)
                        + " (the checkpoint was written for other data)");
            }
        }
        return new Saved(v, c, null);
    }

    /** Puts rows from {@link #read} into slots {@code 0..n-1}. */
    void load(Saved saved) {
        System.arraycopy(saved.values(), 0, values, 0, saved.values().length);
        if (classes != null) {
            System.arraycopy(saved.classes(), 0, classes, 0, saved.classes().length);
        } else {
            System.arraycopy(saved.targets(), 0, targets, 0, saved.targets().length);
        }
    }

    /** The class of a slot (classification only). */
    int label(int slot) {
        return classes[slot];
    }

    /** The target of a slot (regression only). */
    double target(int slot) {
        return targets[slot];
    }

    double value(int slot, int feature) {
        return values[slot * features + feature];
    }
}
