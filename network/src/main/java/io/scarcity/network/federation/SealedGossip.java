package io.scarcity.network.federation;

import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.ErrorKind;
import io.scarcity.network.proto.FinishGossip;
import io.scarcity.network.proto.GossipKey;
import io.scarcity.network.proto.GossipLocally;
import io.scarcity.network.proto.OpenGossip;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.proto.SealGossip;
import io.scarcity.network.proto.SealedState;
import io.scarcity.network.proto.SealedStates;
import io.scarcity.network.transport.CallFailedException;
import io.scarcity.network.transport.ConnectedHost;
import io.scarcity.network.transport.ConnectionLostException;
import io.scarcity.runtime.federation.GossipExchange;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The coordinator's side of gossip between clients on different hosts: it relays states sealed end to end,
 * bytes it cannot read. For a pair (a, b) on two hosts it asks a's host for a's states sealed to b's host's key
 * and b's host for b's sealed to a's (in parallel), hands each host the other's sealed states, and when both
 * opened them tells both to adopt the merged states, which each host computed itself with the run's gossip
 * strategy, {@code merge(a's, b's)} on both sides. A host refusing (a key or a state that does not verify)
 * skips the pair on both sides. A pair on one host is one call; its states never leave the host. Pairs are
 * done in the plan's order, and each host answers calls in the order sent, so every exchange sees the states
 * the pairs before it left, as in-process.
 *
 * <p>A pair across hosts of which one reports a peer address is exchanged host to host instead
 * ({@link DirectGossip}): the same sealed states, but the coordinator forwards none of them; it relays the pair
 * only when the direct exchange fails.
 *
 * <p>A host that reported no gossip key (an older host) gossips the old way: its client's state crosses the
 * coordinator in the clear, with a warning. Not thread-safe: the engine's round thread only.
 */
public final class SealedGossip implements GossipExchange {
    private static final Logger LOG = System.getLogger("io.scarcity.network");

    private final Function<String, RemoteClient> clients;
    private final Queue<RemoteClient.Pending> deliveries;
    private final Waiter waiter;
    private final AtomicLong nextExchange = new AtomicLong(1);
    private final Set<ConnectedHost> warnedUnsealed = ConcurrentHashMap.newKeySet();
    private volatile Relay relay = new Relay() { };
    private final AtomicLong sealedPairs = new AtomicLong();
    private final AtomicLong localPairs = new AtomicLong();
    private final AtomicLong clearPairs = new AtomicLong();
    private final AtomicLong skippedPairs = new AtomicLong();
    private final AtomicLong relayedBytes = new AtomicLong();
    /** Pairs across hosts exchanged host to host instead, when a host reports a peer address. */
    private final DirectGossip direct;

    /**
     * What the coordinator does with each host key and sealed state it relays: passes them on (normally). Tests
     * observe the bytes here, or alter them as a coordinator that tampers would.
     */
    interface Relay {
        /** A sealed state of {@code from}'s on its way to {@code to}'s host. */
        default SealedState state(RemoteClient from, RemoteClient to, SealedState state) {
            return state;
        }

        /** The gossip key of host {@code of} on its way to host {@code to}. */
        default GossipKey key(ConnectedHost of, ConnectedHost to, GossipKey key) {
            return key;
        }
    }

    /**
     * Gossip over the whole run so far: pairs sealed across hosts and relayed, within one host, in the clear (a host
     * without a gossip key), skipped (refused, or a host lost), and the bytes relayed sealed; pairs exchanged directly
     * host to host, the bytes the hosts sent each other for them, and pairs relayed after a direct exchange failed
     * (counted in {@code sealedPairs} or {@code skippedPairs} too).
     */
    public record Totals(long sealedPairs, long localPairs, long clearPairs, long skippedPairs, long relayedBytes,
                         long directPairs, long directBytes, long fallbackPairs) {
    }

    /** Waits for a call's reply while its host is reachable (a silent host fails the wait as a lost one). */
    @FunctionalInterface
    interface Waiter {
        Reply await(ConnectedHost host, CompletableFuture<Reply> reply, String who, String what);
    }

    /**
     * @param clients the run's clients by id
     * @param deliveries where the commits go to be confirmed before the next round (as the fleet's other deliveries)
     * @param waiter how the fleet waits for a reply
     */
    SealedGossip(Function<String, RemoteClient> clients, Queue<RemoteClient.Pending> deliveries, Waiter waiter) {
        this.clients = clients;
        this.deliveries = deliveries;
        this.waiter = waiter;
        this.direct = new DirectGossip(this, waiter);
    }

    void relay(Relay relay) {
        this.relay = relay;
    }

    public Totals totals() {
        return new Totals(sealedPairs.get(), localPairs.get(), clearPairs.get(), skippedPairs.get(), relayedBytes.get(),
                direct.pairs(), direct.bytes(), direct.fallbacks());
    }

    @Override
    public List<Outcome> exchange(int round, List<GossipPair> pairs, GossipStrategy gossip) {
        int expertsPerExchange = gossip.expertsPerExchange();
        Outcome[] out = new Outcome[pairs.size()];
        List<Integer> localIndex = new ArrayList<>();
        List<CompletableFuture<Reply>> local = new ArrayList<>();
        List<ConnectedHost> localHost = new ArrayList<>();
        long relayedBefore = relayedBytes.get();
        long sealedBefore = sealedPairs.get();
        long skippedBefore = skippedPairs.get();
        Totals before = totals();
        for (int p = 0; p < pairs.size(); p++) {
            RemoteClient a = clients.apply(pairs.get(p).a());
            RemoteClient b = clients.apply(pairs.get(p).b());
            ConnectedHost ha = a.host();
            ConnectedHost hb = b.host();
            if (ha == hb) {
                // answered in order with the host's other calls; collected below
                localIndex.add(p);
                localHost.add(ha);
                local.add(ha.call(Call.newBuilder().setGossipLocally(GossipLocally.newBuilder().setFirstClient(a.id())
                        .setSecondClient(b.id())).build()));
            } else if (ha.ready().hasGossipKey() && hb.ready().hasGossipKey()) {
                out[p] = sealed(round, a, b, expertsPerExchange);
            } else {
                out[p] = inTheClear(a, b, gossip);
            }
        }
        for (int i = 0; i < local.size(); i++) {
            GossipPair pair = pairs.get(localIndex.get(i));
            try {
                Reply r = waiter.await(localHost.get(i), local.get(i), "host " + localHost.get(i),
                        "gossip of " + pair.a() + " with " + pair.b());
                out[localIndex.get(i)] = Outcome.exchanged(r.getGossipSizes().getFirstBytes(), r.getGossipSizes().getSecondBytes());
                localPairs.incrementAndGet();
            } catch (RemoteClient.RemoteFailure e) {
                out[localIndex.get(i)] = skipped(round, pair, e);
            }
        }
        long relayed = relayedBytes.get() - relayedBefore;
        long skipped = skippedPairs.get() - skippedBefore;
        Totals after = totals();
        long directPairs = after.directPairs() - before.directPairs();
        long fallbacks = after.fallbackPairs() - before.fallbackPairs();
        if (relayed > 0 || skipped > 0 || directPairs > 0) {
            LOG.log(Level.INFO, "round " + round + " gossip: " + (directPairs > 0 || fallbacks > 0 ? directPairs
                    + " pairs direct host to host (" + (after.directBytes() - before.directBytes()) + " bytes between the hosts), " : "")
                    + (sealedPairs.get() - sealedBefore) + " pairs relayed sealed (" + relayed + " bytes relayed"
                    + (fallbacks > 0 ? ", " + fallbacks + " after a failed direct exchange" : "") + "), "
                    + skipped + " skipped, " + local.size() + " within a host");
        }
        return List.of(out);
    }

    /** A pair on two hosts: seal on both, relay, open on both, then commit on both (or discard on both). */
    private Outcome sealed(int round, RemoteClient a, RemoteClient b, int expertsPerExchange) {
        GossipPair pair = new GossipPair(a.id(), b.id());
        ConnectedHost ha = a.host();
        ConnectedHost hb = b.host();
        long id = nextExchange.getAndIncrement();
        try {
            List<String> experts = a.gossipableExperts(expertsPerExchange);
            if (experts.isEmpty()) {
                sealedPairs.incrementAndGet();
                return Outcome.exchanged(0, 0);
            }
            Outcome directly = direct.exchange(round, a, b, experts);
            if (directly != null) {
                return directly;
            }
            SealGossip.Builder seal = SealGossip.newBuilder().setExchange(id).setRound(round).setFirstClient(a.id())
                    .setSecondClient(b.id()).addAllExperts(experts);
            CompletableFuture<Reply> fa = ha.call(Call.newBuilder().setSealGossip(seal.clone().setHoldsFirst(true)
                    .setPeerKey(peerKey(hb, ha))).build());
            CompletableFuture<Reply> fb = hb.call(Call.newBuilder().setSealGossip(seal.clone().setHoldsFirst(false)
                    .setPeerKey(peerKey(ha, hb))).build());
            SealedStates fromA = waiter.await(ha, fa, "host " + ha, "seal " + a.id() + "'s states for " + b.id()).getSealedStates();
            SealedStates fromB = waiter.await(hb, fb, "host " + hb, "seal " + b.id() + "'s states for " + a.id()).getSealedStates();
            CompletableFuture<Reply> oa = ha.call(Call.newBuilder().setOpenGossip(open(id, fromB, b, a)).build());
            CompletableFuture<Reply> ob = hb.call(Call.newBuilder().setOpenGossip(open(id, fromA, a, b)).build());
            waiter.await(ha, oa, "host " + ha, "open " + b.id() + "'s states for " + a.id());
            waiter.await(hb, ob, "host " + hb, "open " + a.id() + "'s states for " + b.id());
            finish(id, true, a, b);
            sealedPairs.incrementAndGet();
            return Outcome.exchanged(plainBytes(fromA), plainBytes(fromB));
        } catch (RemoteClient.RemoteFailure e) {
            finish(id, false, a, b);
            return skipped(round, pair, e);
        }
    }

    /** The other side's sealed states, as relayed. */
    private OpenGossip open(long id, SealedStates states, RemoteClient from, RemoteClient to) {
        OpenGossip.Builder open = OpenGossip.newBuilder().setExchange(id);
        for (SealedState s : states.getStatesList()) {
            // the plaintext size stays with the coordinator (it counts it); the peer gets the sealed bytes
            SealedState passed = relay.state(from, to, SealedState.newBuilder().setExpert(s.getExpert()).setSealed(s.getSealed()).build());
            relayedBytes.addAndGet(passed.getSealed().size());
            open.addStates(passed);
        }
        return open.build();
    }

    /** A new exchange's id, unique in the run. */
    long nextExchange() {
        return nextExchange.getAndIncrement();
    }

    /** The gossip key of host {@code of} as passed to host {@code to} (through the {@link Relay}). */
    GossipKey peerKey(ConnectedHost of, ConnectedHost to) {
        return relay.key(of, to, key(of));
    }

    /** Commit or discard on both hosts: not waited for (confirmed before the next round, as deliveries are). */
    void finish(long id, boolean commit, RemoteClient a, RemoteClient b) {
        for (RemoteClient c : List.of(a, b)) {
            Call call = Call.newBuilder().setFinishGossip(FinishGossip.newBuilder().setExchange(id).setCommit(commit)).build();
            CompletableFuture<Reply> reply = c.host().call(call);
            if (commit) {
                deliveries.add(new RemoteClient.Pending(c.id(), c.host(), "adopt the merged gossip states", reply));
            }
        }
    }

    /**
     * A pair that could not exchange: a host refused a key or a state (logged, the run goes on), or a host is gone.
     * Any other failure (a client's plugin failing, a malformed call) stops the run, as it does in-process.
     */
    Outcome skipped(int round, GossipPair pair, RemoteClient.RemoteFailure e) {
        boolean refused = e.getCause() instanceof CallFailedException f && f.kind() == ErrorKind.ERROR_KIND_SEAL_REFUSED;
        if (!refused && !(e.getCause() instanceof ConnectionLostException)) {
            throw e;
        }
        skippedPairs.incrementAndGet();
        LOG.log(Level.WARNING, "round " + round + ": gossip pair (" + pair.a() + ", " + pair.b() + ") skipped: "
                + e.getCause().getMessage());
        return Outcome.skipped(refused ? "refused" : "host-lost");
    }

    /** A host without a gossip key: the states cross the coordinator in the clear, as before sealing. */
    private Outcome inTheClear(RemoteClient a, RemoteClient b, GossipStrategy gossip) {
        for (ConnectedHost h : List.of(a.host(), b.host())) {
            if (!h.ready().hasGossipKey() && warnedUnsealed.add(h)) {
                LOG.log(Level.WARNING, "host " + h + " reported no gossip key (an older version?): gossip with its clients"
                        + " passes the coordinator in the clear");
            }
        }
        Outcome done = GossipExchange.directly(a, b, gossip);
        clearPairs.incrementAndGet();
        return done;
    }

    private static GossipKey key(ConnectedHost h) {
        return h.ready().getGossipKey();
    }

    static long plainBytes(SealedStates states) {
        long n = 0;
        for (SealedState s : states.getStatesList()) {
            n += s.getPlainBytes();
        }
        return n;
    }
}
