package io.scarcity.runtime.client;

import io.scarcity.api.Batch;
import io.scarcity.api.RowFilter;
import io.scarcity.api.SignalBoard;
import java.util.List;

/**
 * A client's row filters ({@link RowFilter}s such as {@code governance}), asked about every streamed
 * batch before routing: a row any filter rejects is never predicted, learned, remembered or counted. It
 * counts the rows held back this round.
 */
final class RowFilters {
    private final List<ExpertSlot> filters;
    private long heldBack;
    /** Which rows of the last batch were admitted; null when all were. */
    private boolean[] lastKept;

    /** @param slots the client's slots whose expert is a {@link RowFilter}, in config order */
    RowFilters(List<ExpertSlot> slots) {
        this.filters = List.copyOf(slots);
    }

    boolean any() {
        return !filters.isEmpty();
    }

    /** The filters' slot names, for messages. */
    List<String> names() {
        return filters.stream().map(ExpertSlot::name).toList();
    }

    /** Which rows of the last batch {@link #admitted} admitted, or null when it admitted all. */
    boolean[] lastKept() {
        return lastKept;
    }

    /** Rows held back since the last {@link #startRound}. */
    long heldBack() {
        return heldBack;
    }

    void startRound() {
        heldBack = 0;
    }

    /** The rows of a streamed batch that every row filter admits (the batch itself without filters). */
    Batch admitted(Batch batch, SignalBoard signals) {
        boolean[] keep = null;
        lastKept = null;
        for (ExpertSlot f : filters) {
            boolean[] a = ((RowFilter) f.expert()).admit(batch, signals);
            if (a == null) {
                continue;
            }
            if (a.length != batch.rows()) {
                throw new IllegalStateException("row filter '" + f.name() + "' (" + f.plugin() + ") returned " + a.length
                        + " flags for a batch of " + batch.rows() + " rows");
            }
            if (keep == null) {
                keep = a.clone();
            } else {
                for (int r = 0; r < keep.length; r++) {
                    keep[r] &= a[r];
                }
            }
        }
        if (keep == null) {
            return batch;
        }
        Batch kept = batch.select(keep);
        lastKept = keep;
        heldBack += batch.rows() - kept.rows();
        return kept;
    }
}
