package io.scarcity.runtime.data;

/**
 * One labelled row of a stream. {@code label} is the class index for classification (-1 for
 * regression); {@code target} the regression target (NaN for classification). {@code index} is the
 * row's position in its source stream (0-based), used to place drifts. {@code group} is the value of
 * the source's id column (e.g. a sensor mote), used by natural partitioning; {@code null} when the
 * source has no id column.
 */
public record Row(long index, double[] features, int label, double target, String group) {
    /** A row without a group. */
    public Row(long index, double[] features, int label, double target) {
        this(index, features, label, target, null);
    }
}
