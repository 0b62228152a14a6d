package io.scarcity.api;

/**
 * Keeps rows out of a client's pipeline, e.g. rows that break declared data constraints. An expert
 * that implements it is asked first about every batch, before routing; rows it does not admit are
 * removed from the batch, so no expert predicts, learns from or remembers them, and they do not count
 * in the client's accuracy. The filter itself sees every row here (to count and sample what it
 * rejects) and then, like the other experts, only the admitted rows in {@link Expert#learn}.
 *
 * <p>A filtered batch keeps its {@link Batch#firstRow()}, but its rows are no longer consecutive in the
 * stream: experts that rely on consecutive rows (the {@code temporal} expert's window) treat the batch
 * after one with rejected rows as a new stretch of the stream. Held-out evaluation (forgetting) does not
 * go through row filters.
 *
 * <p>Called from the client's thread only, like the expert itself.
 */
public interface RowFilter {
    /**
     * Which rows of {@code batch} may be used.
     *
     * @param batch the batch as streamed, never {@code null}
     * @param signals the client's signal board (a filter may publish, e.g., its violation rate)
     * @return one flag per row, {@code true} = admitted; {@code null} admits every row
     */
    boolean[] admit(Batch batch, SignalBoard signals);
}
