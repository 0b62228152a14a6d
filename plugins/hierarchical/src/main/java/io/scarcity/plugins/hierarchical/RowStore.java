package io.scarcity.plugins.hierarchical;

import io.scarcity.api.Batch;

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

    /** The class of a slot (classification only). */
    int label(int slot) {
        return classes[slot];
    }

    double value(int slot, int feature) {
        return values[slot * features + feature];
    }
}
