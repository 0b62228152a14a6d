package io.scarcity.api;

/**
 * One specialised online learner or analyser on a client.
 *
 * <p>Call order per batch (test-then-train): if the expert is active, the runtime calls
 * {@link #predict} (predicting experts only) on the batch before any expert has learned from it,
 * then {@link #learn} with the mixture's outcome. Non-predicting experts (analysers) learn first, so
 * that their signals (e.g. a detected drift) are visible to predicting experts in the same batch.
 * {@link #replay} may follow with rows sampled from the client's memory. {@link #adapt} is called
 * between rounds with the coordinator's meta-parameters; {@link #exportState}/{@link #mergeState}
 * between rounds for gossip.
 *
 * <p>Threading: one expert instance belongs to one client and is only ever called from one thread at
 * a time; implementations need no synchronisation.
 */
public interface Expert {
    /** What this expert can do; must not change over the expert's life. Never {@code null}. */
    ExpertCapabilities capabilities();

    /**
     * Predicts every row of a batch before learning from it. Called only if
     * {@link ExpertCapabilities#predicts()}; the default throws.
     *
     * @param batch never {@code null}
     * @param signals the client's signal board; read only what {@link ExpertCapabilities#reads()} declares
     * @return a prediction with {@code batch.rows()} rows (class probabilities for classification)
     */
    default Prediction predict(Batch batch, SignalBoard signals) {
        throw new IllegalStateException(getClass().getName() + " declares predicts=false");
    }

    /**
     * Learns from a batch after it was predicted. Publish signals here.
     *
     * @param batch never {@code null}; may be unlabelled
     * @param outcome how the mixture did on this batch, never {@code null}
     * @param signals the client's signal board
     */
    void learn(Batch batch, BatchOutcome outcome, SignalBoard signals);

    /**
     * Learns from rows replayed from memory (no prediction, no signals). Called only on active
     * predicting experts, after {@link #learn} on the same batch. Default: ignore.
     *
     * @param batch labelled rows sampled from the client's memory, never {@code null}
     */
    default void replay(Batch batch) {
    }

    /**
     * The expert's self-supervised loss on the last batch it learned, measured before it learned it (test, then
     * train): the mean squared error of its reconstruction or forecast of the batch's features, each feature in
     * units of its own running standard deviation, per feature. About 1 is no better than each feature's mean, 0 is
     * perfect. NaN (the default) when the expert has no such loss. On a stream without labels the router's reward
     * for an expert it activated is {@code 1 / (1 + loss)}.
     */
    default double selfSupervisedLoss() {
        return Double.NaN;
    }

    /**
     * Which rows of the last batch the expert learned it flags as anomalies, each scored against what the expert
     * knew before that batch; {@code null} (the default) when the expert does not flag anomalies. The client counts a
     * row as an anomaly when any expert that learned the batch flags it.
     */
    default boolean[] anomalies() {
        return null;
    }

    /**
     * The learning rate (or forgetting rate) the expert currently uses, reported to the coordinator in
     * insights; NaN if the expert has none.
     */
    default double learningRate() {
        return Double.NaN;
    }

    /**
     * Applies the coordinator's meta-parameters for this client's domain (learning-rate hints,
     * normalisation statistics). Called between rounds, never concurrently with other calls.
     * Default: ignore.
     *
     * @param parameters never {@code null}
     * @param instanceName the name this expert has in the run, the key to look up in per-expert maps
     */
    default void adapt(MetaParameters parameters, String instanceName) {
    }

    /**
     * How important each learnable parameter is to what the expert has learned so far: the diagonal of
     * the Fisher information (mean squared gradient of the log-likelihood), with the names and shapes of
     * {@link #exportState()}'s arrays. Used for elastic weight consolidation (a penalty that keeps
     * important weights near their consolidated values). Called between rounds. Default: empty, the
     * expert does not estimate it.
     *
     * @return never {@code null}
     */
    default java.util.Optional<ExpertState> importance() {
        return java.util.Optional.empty();
    }

    /**
     * Scales the expert's learning rate by {@code scale} from now on, on top of its configured rate and
     * the coordinator's hints ({@code 1} restores them); asked by an {@link ExpertSupervisor} such as a
     * meta-adaptation expert. The scale is part of the expert's state (checkpointed with it). Default:
     * unsupported.
     *
     * @param scale finite and {@code > 0}
     * @return whether the expert applies it
     */
    default boolean scaleLearningRate(double scale) {
        return false;
    }

    /**
     * Elastic weight consolidation: from now on, learning adds the penalty
     * {@code strength / 2 * sum_i importance_i (theta_i - anchor_i)^2} to the expert's loss, which keeps
     * important weights near their consolidated values; a later call replaces the penalty, a
     * {@code strength} of 0 removes it. Asked by an {@link ExpertSupervisor} such as a memory-consolidation
     * expert, typically with {@code anchor = exportState()} and {@code importance = importance().get()}
     * taken at a consolidation point. The penalty is part of the expert's state (checkpointed with it).
     * Default: unsupported.
     *
     * @param anchor the consolidated weights, with the names and shapes of {@link #exportState()}
     * @param importance per-weight importances (e.g. diagonal Fisher), same names and shapes, {@code >= 0}
     * @param strength {@code lambda >= 0}
     * @return whether the expert applies it
     */
    default boolean penalise(ExpertState anchor, ExpertState importance, double strength) {
        return false;
    }

    /**
     * The gossipable state, a snapshot that later learning does not change. Called only if
     * {@link ExpertCapabilities#gossipable()}, between rounds; the default throws.
     *
     * @return never {@code null}
     */
    default ExpertState exportState() {
        throw new IllegalStateException(getClass().getName() + " declares gossipable=false");
    }

    /**
     * Replaces (or blends) the state with a merged one from gossip. Called only if
     * {@link ExpertCapabilities#gossipable()}, between rounds; the default throws.
     *
     * @param merged never {@code null}; produced from states this plugin exported (same instance name
     *        on a peer with the same schema), so its arrays have the shapes this expert exports
     */
    default void mergeState(ExpertState merged) {
        throw new IllegalStateException(getClass().getName() + " declares gossipable=false");
    }
}
