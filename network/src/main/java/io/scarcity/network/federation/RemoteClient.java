package io.scarcity.network.federation;

import com.google.protobuf.ByteString;
import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.ExpertState;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.Prediction;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.network.proto.ApplyParameters;
import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.ClientState;
import io.scarcity.network.proto.ExportState;
import io.scarcity.network.proto.GetSignals;
import io.scarcity.network.proto.GossipableExperts;
import io.scarcity.network.proto.MergeState;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.transport.ConnectedHost;
import io.scarcity.network.wire.Codecs;
import io.scarcity.runtime.client.ClientHandle;
import io.scarcity.runtime.client.ClientRoundResult;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One client living in a host process, as the round protocol sees it: each {@link ClientHandle} call is a
 * call to its host, answered before the protocol goes on. Rounds are played per host by {@link RemoteFleet}.
 */
public final class RemoteClient implements ClientHandle {
    /** The connection of the host the client lives on now (another one after its host was replaced). */
    private volatile ConnectedHost host;
    private final String id;
    private final String domain;
    private final DataSchema schema;
    private final List<String> notCheckpointable;

    /** Deliveries sent but not yet confirmed (see {@link #deliver}); drained by the fleet before the next round. */
    private final java.util.Queue<Pending> pending;

    /** The fleet: it saves and rewinds the states of all clients of a host at once. */
    private final RemoteFleet fleet;
    private final int index;

    /** A delivery in flight. */
    record Pending(String client, ConnectedHost host, String what, CompletableFuture<Reply> reply) {
    }

    RemoteClient(RemoteFleet fleet, int index, ConnectedHost host, String id, String domain, DataSchema schema,
                 List<String> notCheckpointable, java.util.Queue<Pending> pending) {
        this.fleet = fleet;
        this.index = index;
        this.pending = pending;
        this.host = host;
        this.id = id;
        this.domain = domain;
        this.schema = schema;
        this.notCheckpointable = notCheckpointable;
    }

    /** Waits for a call's reply; a host's error or a lost connection becomes an exception naming the host and the call. */
    static Reply await(CompletableFuture<Reply> reply, String who, String what) {
        try {
            return reply.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + who, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new RemoteFailure(who + " failed (" + what + "): " + cause.getMessage(), cause);
        }
    }

    /**
     * A failure of a call to a host: a client's fault there, or the connection lost. Until hosts can drop out
     * of a round and rejoin (not built yet), it stops the run with this message; the rounds before are kept.
     */
    public static final class RemoteFailure extends io.scarcity.runtime.UserException {
        private static final long serialVersionUID = 1L;

        RemoteFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The connection to the host this client lives on. */
    ConnectedHost host() {
        return host;
    }

    /** The client now lives on {@code replacement} (a host that took its clients back after the first left). */
    void movedTo(ConnectedHost replacement) {
        this.host = replacement;
    }

    private Reply call(Call call, String what) {
        ConnectedHost h = host;
        return fleet.await(h, h.call(call), "client " + id + " on host " + h, what);
    }

    /**
     * A delivery (parameters, a merged state) is sent without waiting for its reply: a host answers its calls
     * in the order they came, so every later call to the client sees it, and the protocol's deliveries to many
     * clients overlap instead of costing a round trip each. The fleet checks the replies before the next round
     * ({@link RemoteFleet#confirmDeliveries}); a client whose host is gone misses the delivery, as an offline
     * client would.
     */
    private void deliver(Call call, String what) {
        ConnectedHost h = host;
        pending.add(new Pending(id, h, what, h.call(call)));
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String domain() {
        return domain;
    }

    @Override
    public DataSchema schema() {
        return schema;
    }

    @Override
    public ClientRoundResult runRound(int round, List<Batch> batches) {
        throw new UnsupportedOperationException("a remote client's rounds are played by its host (RemoteFleet.play)");
    }

    @Override
    public ClientRoundResult missedRound(int round, long missedRows) {
        throw new UnsupportedOperationException("a remote client's rounds are played by its host (RemoteFleet.play)");
    }

    @Override
    public void apply(MetaParameters parameters) {
        deliver(Call.newBuilder().setApplyParameters(ApplyParameters.newBuilder().addClientIds(id)
                .setParameters(ByteString.copyFrom(Codecs.META_PARAMETERS.encode(parameters)))).build(), "apply parameters");
    }

    @Override
    public List<String> gossipableExperts(int max) {
        return call(Call.newBuilder().setGossipableExperts(GossipableExperts.newBuilder().setClientId(id).setMax(max)).build(),
                "list gossipable experts").getExperts().getExpertsList();
    }

    @Override
    public ExpertState exportState(String expert) {
        return Codecs.EXPERT_STATE.decode(call(Call.newBuilder().setExportState(ExportState.newBuilder().setClientId(id)
                .setExpert(expert)).build(), "export " + expert).getExpertState().toByteArray());
    }

    @Override
    public void mergeState(String expert, ExpertState merged) {
        deliver(Call.newBuilder().setMergeState(MergeState.newBuilder().addClientIds(id).setExpert(expert)
                .setState(ByteString.copyFrom(Codecs.EXPERT_STATE.encode(merged)))).build(), "merge " + expert);
    }

    private io.scarcity.network.proto.SecureAggregationReply secureStep(
            io.scarcity.network.proto.SecureAggregationStep.Builder step, String what) {
        return call(Call.newBuilder().setSecureAggregation(step.setClientId(id)).build(), what).getSecureAggregation();
    }

    @Override
    public io.scarcity.runtime.secagg.SecAggClient.Keys secureAggregationKeys(int index, int threshold, String subject) {
        var r = secureStep(io.scarcity.network.proto.SecureAggregationStep.newBuilder().setStep(1).setIndex(index)
                .setThreshold(threshold).setSubject(subject), "secure aggregation: keys");
        return SecureAggregationWire.keys(r.getKeys(0));
    }

    @Override
    public ExpertState secureAggregationShape(String expert) {
        var r = secureStep(io.scarcity.network.proto.SecureAggregationStep.newBuilder().setStep(0).setSubject("expert:" + expert),
                "secure aggregation: shape");
        return Codecs.EXPERT_STATE.decode(r.getShape().toByteArray());
    }

    @Override
    public ExpertState secureInsightShape() {
        var r = secureStep(io.scarcity.network.proto.SecureAggregationStep.newBuilder().setStep(0)
                .setSubject(io.scarcity.runtime.client.SecureInsights.SUBJECT), "secure aggregation: shape of the insight");
        return Codecs.EXPERT_STATE.decode(r.getShape().toByteArray());
    }

    @Override
    public List<io.scarcity.runtime.secagg.SecAggClient.SealedShare> secureAggregationShares(
            List<io.scarcity.runtime.secagg.SecAggClient.Keys> neighbours) {
        var step = io.scarcity.network.proto.SecureAggregationStep.newBuilder().setStep(2);
        neighbours.forEach(k -> step.addKeys(SecureAggregationWire.keys(k)));
        return secureStep(step, "secure aggregation: shares").getSharesList().stream().map(SecureAggregationWire::share).toList();
    }

    @Override
    public long[] secureAggregationInput(List<io.scarcity.runtime.secagg.SecAggClient.SealedShare> forMe) {
        var step = io.scarcity.network.proto.SecureAggregationStep.newBuilder().setStep(3);
        forMe.forEach(s -> step.addShares(SecureAggregationWire.share(s)));
        return secureStep(step, "secure aggregation: masked input").getMaskedList().stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public io.scarcity.runtime.secagg.SecAggClient.Unmasking secureAggregationUnmask(java.util.Set<Integer> stayed,
                                                                                    java.util.Set<Integer> left) {
        var r = secureStep(io.scarcity.network.proto.SecureAggregationStep.newBuilder().setStep(4).addAllStayed(stayed)
                .addAllLeft(left), "secure aggregation: unmasking");
        return SecureAggregationWire.unmasking(r);
    }

    @Override
    public Map<String, Double> signals() {
        return Codecs.SIGNALS.decode(call(Call.newBuilder().setGetSignals(GetSignals.newBuilder().setClientId(id)).build(),
                "signals").getSignals().toByteArray());
    }

    @Override
    public Prediction evaluate(Batch batch) {
        throw new UnsupportedOperationException("held-out task evaluation runs on the host, not over the network");
    }

    @Override
    public List<String> notCheckpointable() {
        return notCheckpointable;
    }

    /**
     * Writes what the coordinator's checkpoint keeps of the client: the round of its state saved on its host
     * and the state's SHA-256 (the state itself stays on the host). The host saves all its clients at once.
     */
    @Override
    public void saveState(StateWriter out) throws IOException {
        ClientState saved = fleet.savedState(index);
        out.writeInt(saved.getRound());
        out.writeBytes(saved.getSha256().toByteArray());
    }

    /** Reads what {@link #saveState} wrote; the fleet rewinds the hosts once every client's record is read. */
    @Override
    public void restoreState(StateReader in) throws IOException {
        int round = in.readInt();
        byte[] sha256 = in.readBytes();
        fleet.restoredState(index, ClientState.newBuilder().setClientId(id).setRound(round).setSha256(ByteString.copyFrom(sha256)).build());
    }

    @Override
    public String toString() {
        return id + "@" + host;
    }
}
