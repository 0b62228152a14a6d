package io.scarcity.runtime.data;

/**
 * One labelled row of a stream. {@code label} is the class index for classification (-1 for
 * regression); {@code target} the regression target (NaN for classification). {@code index} is the
 * row's position in its source stream (0-based), used to place drifts.
 */
public record Row(long index, double[] features, int label, double target) {
}
