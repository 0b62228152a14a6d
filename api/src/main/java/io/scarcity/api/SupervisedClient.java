package io.scarcity.api;

import java.util.List;
import java.util.Optional;

/**
 * What an {@link ExpertSupervisor} sees of, and may change in, its client after a batch. Expert names are
 * instance names; naming an expert that is not in {@link #experts()} throws
 * {@link IllegalArgumentException}.
 */
public interface SupervisedClient {
    /** The client's predicting experts other than supervisors, in config order. */
    List<String> experts();

    /** Index of the batch just learned among those the client processed (0 for its first). */
    long batchIndex();

    /** Whether the router activated the expert on the batch just learned. */
    boolean active(String expert);

    /**
     * The expert's mean loss (0/1 error, or squared error for regression) on the batch just learned, NaN
     * if it was not active or the batch had no labels.
     */
    double loss(String expert);

    /** The expert's current learning rate ({@link Expert#learningRate()}), NaN if it has none. */
    double learningRate(String expert);

    /** Asks the expert to scale its learning rate ({@link Expert#scaleLearningRate}); whether it does. */
    boolean scaleLearningRate(String expert, double scale);

    /**
     * Freezes an expert (it still predicts when routed, but learns from nothing: no batches, no replay)
     * or unfreezes it.
     */
    void freeze(String expert, boolean frozen);

    boolean frozen(String expert);

    /** The expert's per-weight importance ({@link Expert#importance()}), empty if it does not estimate one. */
    Optional<ExpertState> importance(String expert);

    /** A snapshot of the expert's weights ({@link Expert#exportState()}), empty if it is not gossipable. */
    Optional<ExpertState> weights(String expert);

    /** Sets an EWC penalty on the expert ({@link Expert#penalise}); whether it applies it. */
    boolean penalise(String expert, ExpertState anchor, ExpertState importance, double strength);

    /**
     * Replays up to {@code rows} rows sampled from the client's memory into the expert
     * ({@link Expert#replay}); nothing for a frozen expert.
     *
     * @return the rows replayed (0 when the memory has none)
     */
    int replay(String expert, int rows);

    /** The client's signal board (e.g. {@code drift.detected}). */
    SignalBoard signals();
}
