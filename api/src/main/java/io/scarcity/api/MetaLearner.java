package io.scarcity.api;

import java.util.List;
import java.util.Map;

/**
 * Runs on the coordinator, which holds no data: turns clients' insights into meta-parameters per
 * domain, including for clients that join late with nothing learned.
 *
 * <p>Call order: {@link #learn} once per round with that round's accepted insights (already stored in
 * {@code store}); {@link #parametersFor} whenever a client (possibly new) needs parameters. Threading:
 * called from the coordinator's thread only.
 */
public interface MetaLearner {
    /**
     * Learns from a round's insights.
     *
     * @param round the round that just ended (1-based)
     * @param insights the round's accepted insights in a stable order, never {@code null}
     * @param store the global memory including these insights, never {@code null}; read-only. In a
     *        resumed run (see {@link Checkpointable}), rounds after the checkpoint are played again and the
     *        store is shown as it was at the end of the round; insights trimmed before the interruption
     *        may be missing from it, so a meta-learner that needs its history keeps it in its own
     *        (checkpointed) state rather than re-reading the store
     * @return parameters per domain for every domain that had insights this round, never {@code null}
     */
    Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store);

    /**
     * Learns from a round's insights, knowing how much the coordinator trusts each client: its
     * consensus weight in [0, 1] (reliability x data quality x volume; see the README), keyed by the
     * client ids the insights carry. A client missing from the map, or silent for longer than the
     * heartbeat timeout, has weight 0. The runtime calls this method; the default ignores the weights.
     *
     * @param clientWeights never {@code null}
     */
    default Map<String, MetaParameters> learn(int round, List<Insight> insights, InsightStore store,
                                              Map<String, Double> clientWeights) {
        return learn(round, insights, store);
    }

    /**
     * Whether this meta-learner learns from clients' expert weights (the weight-sharing baselines
     * FedAvg and Reptile). Only then does the runtime send it states ({@link #receiveStates}) and have
     * clients adopt {@link #statesFor}. Must not change over the meta-learner's life. Default: false,
     * the coordinator learns from insights alone.
     */
    default boolean sharesWeights() {
        return false;
    }

    /**
     * Whether clients upload their gossipable expert states after each round so that this meta-learner
     * can warm-start the clients that join later: unlike {@link #sharesWeights()}, live clients do not
     * adopt anything after a round; only a client that joins the run (a late client with a warm start)
     * adopts {@link #statesFor} its domain. Ignored if {@link #sharesWeights()}. Must not change over the
     * meta-learner's life. Default: false.
     */
    default boolean warmStartsFromStates() {
        return false;
    }

    /**
     * The merge laws of the run's expert plugins ({@link ExpertFactory#mergeLaw}) by plugin name, for a
     * meta-learner that merges states; called by the runtime once, before the first round. A state whose
     * {@link ExpertState#expert()} names none merges by {@link MergeLaw#MEAN}. Default: ignore.
     *
     * @param laws never {@code null}
     */
    default void useMergeLaws(Map<String, MergeLaw> laws) {
    }

    /**
     * Receives the gossipable expert states of one live client after a round, before {@link #learn}
     * of that round. Called only if {@link #sharesWeights()} or {@link #warmStartsFromStates()}, for
     * clients in a stable order. Default: ignore.
     *
     * @param client the client id as in its insights, never {@code null}
     * @param states expert instance name to state, never {@code null}
     */
    default void receiveStates(int round, String client, String domain, Map<String, ExpertState> states) {
    }

    /**
     * The expert states every live client of a domain adopts after {@link #learn} (and a client
     * starting cold begins from), by expert instance name. Called only if {@link #sharesWeights()}, or, for
     * a joining client only, if {@link #warmStartsFromStates()}. Default: none.
     *
     * @return never {@code null}; empty when the meta-learner has nothing for the domain yet
     */
    default Map<String, ExpertState> statesFor(String domain) {
        return Map.of();
    }

    /**
     * Current parameters for a domain; for an unknown domain, whatever a cold-start client should use.
     *
     * @param domain never {@code null}
     * @param features number of features of the client's stream (for sizing normalisation)
     * @return never {@code null}; {@link MetaParameters#none} when nothing is known
     */
    MetaParameters parametersFor(String domain, int features);
}
