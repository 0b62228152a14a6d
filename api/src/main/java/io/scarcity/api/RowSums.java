package io.scarcity.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An expert that can share what it learned as sums of bounded per-row contributions, so that its gossip can be made
 * differentially private per row ({@code privacy.dp.outputs: gossip} or {@code both}). Without it, an expert's state
 * cannot be noised usefully (every value of it may depend on every row) and under those outputs it is not gossiped at
 * all. Implemented by the {@link Expert} itself; the runtime finds it with {@code instanceof}.
 *
 * <p>How the runtime uses it, once {@link #startRowSums} has been called:
 * <ol>
 *   <li>the runtime hands the expert every labelled row of the client's stream once, when its label arrives
 *       ({@link #sumRows}), whatever the routing, the mixture or a supervisor decide to learn: so which rows are summed
 *       never depends on other rows. The expert keeps, besides its own state, their sums, each row's contribution to
 *       each block within the block's L2 {@link Chunk#rowBounds bound} and depending on that row and public values
 *       only;</li>
 *   <li>at most once a round, before the client's first gossip exchange, the runtime {@link #drainRowSums drains}
 *       them, adds Gaussian noise to every value (of standard deviation proportional to its block's bound), and has
 *       the expert turn the noised chunk into the additive form peers pool ({@link #pooled}: post-processing, it
 *       costs no privacy). Each row is in exactly one chunk, so each row is released once;</li>
 *   <li>peers exchange, per origin client, the latest running total of those pooled chunks, forgetting earlier
 *       chunks by {@link #forgettingPerRow} per row processed since;</li>
 *   <li>after each exchange the expert {@link #adoptPeerSums adopts} the sum of the other clients' totals, which it
 *       combines with its own, exact state when it predicts. Its own state never leaves the client.</li>
 * </ol>
 * The expert's pending sums and adopted peer sums are part of its checkpoint ({@link Expert#saveState}).
 */
public interface RowSums {
    /**
     * The sums of some rows in one public frame.
     *
     * @param sums the sums by block name (e.g. {@code count}, {@code sum}, {@code square}), never noised by the expert
     * @param rowBounds per block, the L2 norm one row's contribution to it never exceeds (after the expert's clipping)
     * @param frame public values the expert needs to read the chunk again in {@link #pooled} (e.g. the centre and scale
     *        the rows were standardised by); they must not depend on the rows of the chunk
     * @param rows the rows summed
     */
    record Chunk(Map<String, double[]> sums, Map<String, Double> rowBounds, double[] frame, long rows) {
        public Chunk {
            Objects.requireNonNull(sums, "sums is null");
            Objects.requireNonNull(rowBounds, "rowBounds is null");
            Objects.requireNonNull(frame, "frame is null");
            if (!sums.keySet().equals(rowBounds.keySet())) {
                throw new IllegalArgumentException("blocks " + sums.keySet() + " and bounds " + rowBounds.keySet() + " differ");
            }
            rowBounds.forEach((block, bound) -> {
                if (!(bound > 0) || bound.isInfinite()) {
                    throw new IllegalArgumentException("block '" + block + "' has bound " + bound + ", expected > 0");
                }
            });
            if (rows < 0) {
                throw new IllegalArgumentException("rows must be >= 0, got " + rows);
            }
            sums = Map.copyOf(sums);
            rowBounds = Map.copyOf(rowBounds);
            frame = frame.clone();
        }
    }

    /** Whether this instance can share row sums (e.g. a classifier can, the same plugin on a regression stream not). */
    default boolean sharesRowSums() {
        return true;
    }

    /**
     * From now on, keeps the sums of the rows it learns, each feature clipped to {@code bound} in the expert's frame
     * (for the statistical expert: standard deviations of the pooled feature moments).
     */
    void startRowSums(double bound);

    /**
     * Sums the labelled rows of {@code batch} (rows whose label is missing are skipped): called by the runtime once per
     * row, when its label arrives. Not for replays or pseudo-labels.
     */
    void sumRows(Batch batch);

    /** The chunks of rows summed since the last call (empty if none), and starts new ones. */
    List<Chunk> drainRowSums();

    /**
     * The noised chunk (the same blocks, frame and rows as one {@link #drainRowSums} gave, with noise in its sums) as
     * the additive arrays peers pool, e.g. sums in the stream's own units. A pure function of its arguments.
     *
     * @param noiseSd per block, the standard deviation of the noise each of its values carries
     */
    Map<String, double[]> pooled(Chunk noised, Map<String, Double> noiseSd);

    /**
     * The factor earlier pooled sums are multiplied by per row processed since: 1 without forgetting. Arrays of
     * {@link #pooled} whose names end with {@code .noise} are noise variances and are multiplied by its square. It must
     * not depend on the client's rows (e.g. on a rate a supervisor scales by the client's losses).
     */
    double forgettingPerRow();

    /** Adopts the sum of the other clients' pooled totals (the arrays {@link #pooled} makes), replacing the last. */
    void adoptPeerSums(Map<String, double[]> sums);
}
