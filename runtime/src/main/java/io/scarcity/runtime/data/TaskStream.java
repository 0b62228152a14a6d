package io.scarcity.runtime.data;

import java.util.List;

/**
 * A stream made of tasks in sequence (permuted or rotated images, class-incremental splits, a
 * recurring schedule A, B, A, ...), with a held-out test set per task, so that the accuracy on every
 * task can be measured after each segment (forgetting, backward transfer).
 *
 * <p>Stream positions are 0-based row indices of this source, as in {@link Row#index()}.
 */
public interface TaskStream extends RowSource {
    /** One stretch of the stream drawn from one task: rows {@code [start, end)}. */
    record Segment(long start, long end, int task) {
    }

    /** Number of distinct tasks; task ids are {@code 0..taskCount()-1}. */
    int taskCount();

    /** The segments in stream order; consecutive, the first starting at 0. */
    List<Segment> schedule();

    /**
     * Held-out rows of a task, never part of the training stream, with the same schema and the task's
     * transformation applied. The same list (same rows, same order) on every call.
     */
    List<Row> testRows(int task);
}
