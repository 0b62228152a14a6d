package io.scarcity.network.federation;

import io.scarcity.api.GossipPair;
import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.DialDirect;
import io.scarcity.network.proto.ErrorKind;
import io.scarcity.network.proto.OfferDirect;
import io.scarcity.network.proto.OpenDirect;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.proto.SealGossip;
import io.scarcity.network.transport.CallFailedException;
import io.scarcity.network.transport.ConnectedHost;
import io.scarcity.runtime.federation.GossipExchange.Outcome;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The coordinator's side of direct gossip (federation.proto, "Direct gossip"): a pair across two hosts of which
 * one reports a peer address is exchanged host to host, and the coordinator forwards no state. It asks the host
 * with the address (the accepting host; the second client's, when both have one) to offer its client's sealed
 * states, the other host to dial it and swap, and the accepting host to open what it got; then both commit, as on
 * the relay. Each host reports only its states' plaintext size (what metrics count) and the dialling host the bytes
 * it sent and received. A host that cannot exchange directly (its peer's address unreachable, a certificate
 * other than the announced one, a peer refusing) has the pair discarded on both sides and relayed sealed instead,
 * with a warning naming the address; that host is not asked to dial that peer again while both stay connected.
 * Not thread-safe: {@link SealedGossip}'s round thread only.
 */
final class DirectGossip {
    private static final Logger LOG = System.getLogger("io.scarcity.network");

    private final SealedGossip sealed;
    private final SealedGossip.Waiter waiter;
    /** (dialling host, accepting host) that could not exchange directly: relayed from then on. */
    private final Set<List<ConnectedHost>> failed = ConcurrentHashMap.newKeySet();
    private final AtomicLong pairs = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong fallbacks = new AtomicLong();

    DirectGossip(SealedGossip sealed, SealedGossip.Waiter waiter) {
        this.sealed = sealed;
        this.waiter = waiter;
    }

    /** Pairs exchanged host to host so far. */
    long pairs() {
        return pairs.get();
    }

    /** Bytes the dialling hosts sent and received for them (serialized exchanges). */
    long bytes() {
        return bytes.get();
    }

    /** Pairs that tried host to host, could not, and were relayed. */
    long fallbacks() {
        return fallbacks.get();
    }

    /**
     * Exchanges the pair ({@code a}, {@code b}) host to host, if one of its hosts reports a peer address.
     *
     * @param experts the first client's gossipable experts to exchange (not empty)
     * @return the outcome, or {@code null} when the pair is to be relayed (no address, or the direct exchange failed)
     */
    Outcome exchange(int round, RemoteClient a, RemoteClient b, List<String> experts) {
        RemoteClient accepting = accepts(b, a) ? b : accepts(a, b) ? a : null;
        if (accepting == null) {
            return null;
        }
        RemoteClient dialling = accepting == a ? b : a;
        ConnectedHost ha = accepting.host();
        ConnectedHost hd = dialling.host();
        String address = ha.ready().getPeerAddress();
        long id = sealed.nextExchange();
        SealGossip seal = SealGossip.newBuilder().setExchange(id).setRound(round).setFirstClient(a.id())
                .setSecondClient(b.id()).addAllExperts(experts).build();
        Reply offered;
        Reply dialled;
        try {
            offered = waiter.await(ha, ha.call(Call.newBuilder().setOfferDirect(OfferDirect.newBuilder().setSeal(seal.toBuilder()
                    .setHoldsFirst(accepting == a).setPeerKey(sealed.peerKey(hd, ha)))).build()), "host " + ha,
                    "offer " + accepting.id() + "'s states to " + dialling.id() + " directly");
            dialled = waiter.await(hd, hd.call(Call.newBuilder().setDialDirect(DialDirect.newBuilder().setSeal(seal.toBuilder()
                    .setHoldsFirst(dialling == a).setPeerKey(sealed.peerKey(ha, hd))).setAddress(address)).build()), "host " + hd,
                    "exchange " + dialling.id() + "'s states with " + accepting.id() + " at " + address);
            waiter.await(ha, ha.call(Call.newBuilder().setOpenDirect(OpenDirect.newBuilder().setExchange(id)).build()), "host " + ha,
                    "open " + dialling.id() + "'s states for " + accepting.id());
        } catch (RemoteClient.RemoteFailure e) {
            sealed.finish(id, false, a, b);
            if (!(e.getCause() instanceof CallFailedException f) || !fallsBack(f.kind())) {
                return sealed.skipped(round, new GossipPair(a.id(), b.id()), e);
            }
            fallbacks.incrementAndGet();
            if (f.kind() == ErrorKind.ERROR_KIND_SEAL_REFUSED) {
                LOG.log(Level.WARNING, "round " + round + ": gossip pair (" + a.id() + ", " + b.id() + ") failed directly between host "
                        + hd + " and host " + ha + " (peer address " + address + "): " + f.getMessage() + "; relayed sealed instead");
            } else {
                failed.add(List.of(hd, ha));
                LOG.log(Level.WARNING, "round " + round + ": host " + hd + " cannot gossip directly with host " + ha + " (peer address "
                        + address + "): " + f.getMessage() + "; their pairs are relayed sealed from now on");
            }
            return null;
        }
        sealed.finish(id, true, a, b);
        pairs.incrementAndGet();
        var d = dialled.getDirectSizes();
        bytes.addAndGet(d.getSentBytes() + d.getReceivedBytes());
        long acceptingBytes = offered.getDirectSizes().getPlainBytes();
        return accepting == a ? Outcome.exchanged(acceptingBytes, d.getPlainBytes()) : Outcome.exchanged(d.getPlainBytes(), acceptingBytes);
    }

    /** Whether {@code c}'s host takes direct exchanges from {@code other}'s, and that has not failed before. */
    private boolean accepts(RemoteClient c, RemoteClient other) {
        return !c.host().ready().getPeerAddress().isEmpty() && !failed.contains(List.of(other.host(), c.host()));
    }

    /**
     * Failures after which the pair is relayed: the peer unreachable or refusing, a state that did not open (the
     * relay tries again, and skips the pair if it fails there too), a host that does not know direct gossip.
     */
    private static boolean fallsBack(ErrorKind kind) {
        return kind == ErrorKind.ERROR_KIND_PEER_UNREACHABLE || kind == ErrorKind.ERROR_KIND_SEAL_REFUSED
                || kind == ErrorKind.ERROR_KIND_UNSUPPORTED;
    }
}
