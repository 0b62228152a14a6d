package io.scarcity.api;

import java.util.Optional;

/**
 * A client's bounded store of past rows (or summaries of them), used for replay against forgetting.
 *
 * <p>Call order per batch: {@link #observe} after the batch was learned; {@link #replay} when the
 * runtime wants rows to rehearse. Threading: one instance per client, one thread at a time.
 * Implementations must never exceed their configured bounds.
 */
public interface Memory {
    /**
     * Offers a labelled or unlabelled batch for storage; the memory decides what to keep.
     *
     * @param batch never {@code null}
     * @param signals the client's signals (e.g. a drift may trigger promotion between tiers)
     */
    void observe(Batch batch, SignalBoard signals);

    /**
     * Samples up to {@code rows} stored rows as a batch for rehearsal.
     *
     * @param rows maximum number of rows, >= 1
     * @return empty when nothing is stored
     */
    Optional<Batch> replay(int rows);

    /**
     * Offers a codec of one of the client's experts (e.g. a VAE's latent codes) for compressed storage,
     * once, before the first batch. Default: ignore.
     *
     * @param expert the instance name of the expert offering it
     * @param codec never {@code null}
     */
    default void useCodec(String expert, RowCodec codec) {
    }

    /** Current fill per tier and estimated bytes; never {@code null}. */
    MemoryStats stats();
}
