package io.scarcity.runtime.client;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.ExpertState;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.Prediction;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What the round protocol asks of one client, wherever the client runs: in this JVM (the in-process
 * engine hands it a {@link ClientNode}) or, later, behind a network
 * connection. The {@link io.scarcity.runtime.federation.RoundProtocol} and the engines talk to clients through this interface alone.
 *
 * <p>Call order within a round: {@link #runRound} (or {@link #missedRound} for an offline client), then
 * whatever the coordinator's {@link io.scarcity.runtime.federation.RoundDecision} asks ({@link #exportState} for uploads before the
 * decision; {@link #mergeState} and {@link #apply} after it). Calls for one client never overlap;
 * calls for different clients may run on different threads only in {@link #runRound}.
 */
public interface ClientHandle {
    /** The client's id, unique in the run. */
    String id();

    /** The client's domain. */
    String domain();

    /** The schema of the client's stream (feature count, task, classes). */
    DataSchema schema();

    /** Tests then trains on the round's batches (possibly none); the result carries the insight for the coordinator. */
    ClientRoundResult runRound(int round, List<Batch> batches);

    /** The result of a round the client was offline for: it learned nothing, reported nothing; {@code missedRows} went by. */
    ClientRoundResult missedRound(int round, long missedRows);

    /** Applies the coordinator's meta-parameters for the client's domain. */
    void apply(MetaParameters parameters);

    /** The client's gossipable expert instances, most active this round first (ties in config order); at most {@code max} (0 = all). */
    List<String> gossipableExperts(int max);

    /** The state of one of the client's gossipable experts, to upload or to exchange with a peer. */
    ExpertState exportState(String expert);

    /** Adopts a state (an average, or a merge with a peer's) into one of the client's experts. */
    void mergeState(String expert, ExpertState merged);

    /**
     * Starts this client, as it joins the run, from states the coordinator pooled
     * ({@link io.scarcity.api.MetaLearner#warmStartsFromStates}), by expert instance. Default: each of its
     * gossipable experts adopts its state. A client may guard the start: a {@link ClientNode} built with
     * {@link ClientNode#guardWarmStartsWith} also runs its first round as a cold twin and keeps the better.
     *
     * @return the bytes adopted
     */
    default long warmStart(Map<String, ExpertState> states) {
        return adoptEach(this, states);
    }

    /**
     * Each of {@code client}'s gossipable experts (most active first) adopts its state from {@code states}, if
     * there is one ({@link #mergeState}). Returns the bytes adopted.
     */
    static long adoptEach(ClientHandle client, Map<String, ExpertState> states) {
        long total = 0;
        for (String expert : client.gossipableExperts(0)) {
            ExpertState s = states.get(expert);
            if (s != null) {
                client.mergeState(expert, s);
                total += s.sizeBytes();
            }
        }
        return total;
    }

    /** The latest signals on the client's board. */
    Map<String, Double> signals();

    /**
     * Secure aggregation ({@code privacy.secureAggregation}), step 1: a fresh
     * {@link io.scarcity.runtime.secagg.SecAggClient} of id {@code index} for {@code subject}, its public keys. Subjects:
     * {@code moments}, the feature moments this client's last round would have put in its insight (none due: zeros);
     * {@code expert:NAME}, the expert instance's state times its samples, then its samples (weight sharing).
     */
    default io.scarcity.runtime.secagg.SecAggClient.Keys secureAggregationKeys(int index, int threshold, String subject) {
        throw new UnsupportedOperationException("client " + id() + " cannot take part in secure aggregation");
    }

    /**
     * The shape of what {@code expert:NAME} aggregates: the expert's state with every value 0 and no samples (its array
     * names and lengths are the schema's and the config's, nothing learned).
     */
    default io.scarcity.api.ExpertState secureAggregationShape(String expert) {
        throw new UnsupportedOperationException("client " + id() + " cannot take part in secure aggregation");
    }

    /**
     * The shape of what the subject {@code insight} aggregates ({@code privacy.secureAggregation.insights}): a state of
     * zeros whose array names are the keys of {@link SecureInsights} and lengths their widths, from the config only.
     */
    default io.scarcity.api.ExpertState secureInsightShape() {
        throw new UnsupportedOperationException("client " + id() + " cannot take part in secure aggregation");
    }

    /** Step 2: its shares, sealed for its neighbours. */
    default List<io.scarcity.runtime.secagg.SecAggClient.SealedShare> secureAggregationShares(
            List<io.scarcity.runtime.secagg.SecAggClient.Keys> neighbours) {
        throw new UnsupportedOperationException();
    }

    /** Step 3: its input for the subject, masked. */
    default long[] secureAggregationInput(List<io.scarcity.runtime.secagg.SecAggClient.SealedShare> forMe) {
        throw new UnsupportedOperationException();
    }

    /** Step 4: the shares it releases. */
    default io.scarcity.runtime.secagg.SecAggClient.Unmasking secureAggregationUnmask(java.util.Set<Integer> stayed,
                                                                                     java.util.Set<Integer> left) {
        throw new UnsupportedOperationException();
    }

    /** Predicts a batch without learning from it (evaluation on held-out tasks). */
    Prediction evaluate(Batch batch);

    /** Plugins of this client that cannot be checkpointed, described for the user; empty when it can be. */
    List<String> notCheckpointable();

    /** Saves the client's whole state (experts, router, memory, calibration). */
    void saveState(StateWriter out) throws IOException;

    /** Restores what {@link #saveState} wrote into a freshly built client of the same config. */
    void restoreState(StateReader in) throws IOException;
}
