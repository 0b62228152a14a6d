package io.scarcity.network.federation;

import com.google.protobuf.ByteString;
import io.scarcity.api.ExpertState;
import io.scarcity.api.GossipStrategy;
import io.scarcity.network.proto.ErrorKind;
import io.scarcity.network.proto.FinishGossip;
import io.scarcity.network.proto.GossipKey;
import io.scarcity.network.proto.GossipLocally;
import io.scarcity.network.proto.GossipSizes;
import io.scarcity.network.proto.OpenGossip;
import io.scarcity.network.proto.SealGossip;
import io.scarcity.network.proto.SealedState;
import io.scarcity.network.proto.SealedStates;
import io.scarcity.network.seal.GossipKeys;
import io.scarcity.network.seal.HostIdentity;
import io.scarcity.network.seal.KeyAnnouncement;
import io.scarcity.network.seal.PeerKey;
import io.scarcity.network.seal.SealContext;
import io.scarcity.network.seal.SealException;
import io.scarcity.network.transport.CallFailedException;
import io.scarcity.network.wire.Codecs;
import io.scarcity.network.wire.WireFormatException;
import io.scarcity.runtime.client.ClientHandle;
import io.scarcity.runtime.federation.GossipExchange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A host's side of gossip (one per connection): its gossip key, and the gossip calls of the coordinator
 * ({@code seal_gossip}, {@code open_gossip}, {@code finish_gossip}, {@code gossip_locally}, see
 * federation.proto). States of its clients leave the host only sealed to a peer host's verified key; merged
 * states are computed here with the run's gossip strategy, built on the host from the coordinator's config.
 * Not thread-safe: the host handles its calls one at a time.
 */
public final class SealedGossipHost {
    private final String runId;
    private final GossipStrategy gossip;
    private final Function<String, ? extends ClientHandle> clients;
    private final GossipKeys keys;
    private final Map<Long, Exchange> exchanges = new HashMap<>();

    /** An exchange between seal and finish. */
    private static final class Exchange {
        final SealContext sent;
        final ClientHandle client;
        final PeerKey peer;
        final List<String> experts;
        final List<ExpertState> mine;
        List<ExpertState> merged;

        Exchange(SealContext sent, ClientHandle client, PeerKey peer, List<String> experts, List<ExpertState> mine) {
            this.sent = sent;
            this.client = client;
            this.peer = peer;
            this.experts = experts;
            this.mine = mine;
        }

        String pair() {
            return "gossip of " + sent.first() + " with " + sent.second() + " (round " + sent.round() + ")";
        }
    }

    /**
     * @param runId the run (the coordinator's Welcome), bound into keys and seals
     * @param gossip the run's gossip strategy, for {@link GossipStrategy#merge}; {@code null} when the run does not gossip
     * @param clients the host's clients by id (throwing {@link CallFailedException} for an unknown id)
     * @param identity the host's TLS identity (signs its key, checks the peers'); {@code null} with {@code --insecure}
     */
    public SealedGossipHost(String runId, GossipStrategy gossip, Function<String, ? extends ClientHandle> clients,
                            HostIdentity identity) {
        this.runId = Objects.requireNonNull(runId, "runId is null");
        this.gossip = gossip;
        this.clients = Objects.requireNonNull(clients, "clients is null");
        this.keys = GossipKeys.generate(runId, identity);
    }

    /** The host's key for this connection, for its Ready. */
    public GossipKey key() {
        KeyAnnouncement a = keys.announcement();
        GossipKey.Builder k = GossipKey.newBuilder().setPublicKey(ByteString.copyFrom(a.publicKey()))
                .setSignature(ByteString.copyFrom(a.signature()));
        a.certificateChain().forEach(c -> k.addCertificateChain(ByteString.copyFrom(c)));
        return k.build();
    }

    /** Forgets exchanges never finished (a coordinator that stopped between the calls); before a new round. */
    public void forgetUnfinished() {
        exchanges.clear();
    }

    /** Exports the host's client's states of the listed experts and seals them to the peer's key, once verified. */
    public SealedStates seal(SealGossip call) {
        requireGossip();
        SealContext sent = new SealContext(runId, call.getRound(), call.getFirstClient(), call.getSecondClient(), "",
                call.getHoldsFirst());
        ClientHandle client = clients.apply(sent.sender());
        PeerKey peer;
        try {
            GossipKey k = call.getPeerKey();
            peer = keys.verify(new KeyAnnouncement(k.getPublicKey().toByteArray(),
                    k.getCertificateChainList().stream().map(ByteString::toByteArray).toList(), k.getSignature().toByteArray()));
        } catch (SealException e) {
            throw refused("gossip of " + sent.first() + " with " + sent.second() + " (round " + sent.round() + "): "
                    + sent.sender() + "'s states are not sealed to the key given for " + sent.receiver() + "'s host: " + e.getMessage());
        }
        List<String> gossipable = client.gossipableExperts(0);
        List<ExpertState> mine = new ArrayList<>();
        SealedStates.Builder out = SealedStates.newBuilder();
        for (String expert : call.getExpertsList()) {
            if (!gossipable.contains(expert)) {
                throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "client " + sent.sender()
                        + " has no gossipable expert " + expert);
            }
            ExpertState state = client.exportState(expert);
            mine.add(state);
            byte[] sealed = keys.seal(peer, withExpert(sent, expert), Codecs.EXPERT_STATE.encode(state));
            out.addStates(SealedState.newBuilder().setExpert(expert).setSealed(ByteString.copyFrom(sealed))
                    .setPlainBytes(state.sizeBytes()));
        }
        exchanges.put(call.getExchange(), new Exchange(sent, client, peer, List.copyOf(call.getExpertsList()), mine));
        return out.build();
    }

    /**
     * Opens the peer's sealed states and computes the merged ones, {@code merge(first's, second's)}; nothing is
     * adopted before {@link #finish}. A state that does not open or decode discards the exchange.
     */
    public void open(OpenGossip call) {
        requireGossip();
        Exchange x = exchange(call.getExchange());
        if (call.getStatesCount() != x.experts.size()) {
            exchanges.remove(call.getExchange());
            throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, x.pair() + ": " + call.getStatesCount()
                    + " sealed states for " + x.experts.size() + " experts");
        }
        List<ExpertState> merged = new ArrayList<>(x.experts.size());
        for (int i = 0; i < x.experts.size(); i++) {
            String expert = x.experts.get(i);
            SealedState s = call.getStates(i);
            SealContext received = withExpert(x.sent, expert).reversed();
            ExpertState theirs;
            try {
                if (!s.getExpert().equals(expert)) {
                    throw new SealException("a sealed state of expert " + s.getExpert() + " where " + expert + " belongs");
                }
                byte[] plain = keys.open(x.peer, received, s.getSealed().toByteArray());
                theirs = Codecs.EXPERT_STATE.decode(plain);
            } catch (SealException | WireFormatException e) {
                exchanges.remove(call.getExchange());
                throw refused(x.pair() + ", expert " + expert + ": the state from " + received.sender() + " ("
                        + x.peer + ") is refused: " + e.getMessage());
            }
            ExpertState mine = x.mine.get(i);
            merged.add(x.sent.fromFirst() ? gossip.merge(mine, theirs) : gossip.merge(theirs, mine));
        }
        x.merged = merged;
    }

    /** Ends an exchange: the client adopts the merged states ({@code commit}), or they are dropped. */
    public void finish(FinishGossip call) {
        Exchange x = exchanges.remove(call.getExchange());
        if (!call.getCommit()) {
            return;
        }
        if (x == null || x.merged == null) {
            throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "gossip exchange " + call.getExchange()
                    + " cannot be committed: it was not opened on this host");
        }
        for (int i = 0; i < x.experts.size(); i++) {
            x.client.mergeState(x.experts.get(i), x.merged.get(i));
        }
    }

    /** Both clients of the pair live here: exchange as the in-process round protocol does. */
    public GossipSizes local(GossipLocally call) {
        requireGossip();
        var done = GossipExchange.directly(clients.apply(call.getFirstClient()), clients.apply(call.getSecondClient()), gossip);
        return GossipSizes.newBuilder().setFirstBytes(done.firstBytes()).setSecondBytes(done.secondBytes()).build();
    }

    private Exchange exchange(long id) {
        Exchange x = exchanges.get(id);
        if (x == null) {
            throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "no gossip exchange " + id + " was sealed on this host");
        }
        return x;
    }

    private void requireGossip() {
        if (gossip == null) {
            throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "this run does not gossip (federation.mode is not federated)");
        }
    }

    private static SealContext withExpert(SealContext c, String expert) {
        return new SealContext(c.runId(), c.round(), c.first(), c.second(), expert, c.fromFirst());
    }

    private static CallFailedException refused(String message) {
        return new CallFailedException(ErrorKind.ERROR_KIND_SEAL_REFUSED, message);
    }
}
