package io.scarcity.network.federation;

import io.scarcity.network.proto.DialDirect;
import io.scarcity.network.proto.DirectSizes;
import io.scarcity.network.proto.ErrorKind;
import io.scarcity.network.proto.FinishGossip;
import io.scarcity.network.proto.GossipKey;
import io.scarcity.network.proto.OfferDirect;
import io.scarcity.network.proto.OpenDirect;
import io.scarcity.network.proto.OpenGossip;
import io.scarcity.network.proto.PeerExchange;
import io.scarcity.network.proto.PeerExchangeReply;
import io.scarcity.network.proto.SealGossip;
import io.scarcity.network.proto.SealedState;
import io.scarcity.network.proto.SealedStates;
import io.scarcity.network.transport.CallFailedException;
import io.scarcity.network.transport.ChannelSecurity;
import io.scarcity.network.transport.CoordinatorServer;
import io.scarcity.network.transport.PeerDialer;
import io.scarcity.network.transport.PeerServer;
import io.scarcity.network.transport.PeerUnreachableException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A host's side of direct gossip (federation.proto, "Direct gossip"): it dials its gossip peers' {@link PeerServer}s
 * and, when it listens itself ({@link #listen}), takes their exchanges. States are sealed and opened, and the
 * merge computed, by the connection's {@link SealedGossipHost}, exactly as on the relay; this class only carries
 * the sealed states host to host, and checks that the peer at the other end presents the certificate that
 * signed the gossip key the coordinator gave for it. One per host process; its offers belong to the current
 * connection. {@link #offer}, {@link #dial} and {@link #open} run on the host's call thread, {@link #exchange}
 * on the peer server's threads.
 */
final class DirectGossipHost implements PeerServer.Exchanges, AutoCloseable {
    private volatile PeerDialer dialer = PeerDialer.of(ChannelSecurity.insecure());
    private volatile PeerServer server;
    private volatile String advertised;
    private volatile String runId = "";
    /** The current connection's sealed gossip (call thread only). */
    private SealedGossipHost sealed;
    private final Map<Long, Offer> offers = new ConcurrentHashMap<>();

    /** This host's states of one exchange, waiting for the dialling host. */
    private record Offer(String runId, SealGossip seal, X509Certificate expected, List<SealedState> states,
                         AtomicReference<List<SealedState>> delivered) {
    }

    /** Dials peers with {@code security} from now on (mutual TLS with the host's certificate, or plaintext). */
    void dialWith(ChannelSecurity security) {
        PeerDialer old = dialer;
        dialer = PeerDialer.of(security);
        old.close();
    }

    /**
     * Starts taking peers' exchanges on {@code bindHost:port}.
     *
     * @param advertise the address peers dial, HOST:PORT; {@code null}: {@code bindHost} and the port bound
     * @return the address reported to the coordinator
     * @throws IOException if the address cannot be bound or the TLS files read
     */
    String listen(String bindHost, int port, String advertise, ChannelSecurity security) throws IOException {
        if (server != null) {
            throw new IllegalStateException("already listening for gossip peers on " + advertised);
        }
        server = PeerServer.start(bindHost, port, security, CoordinatorServer.Settings.MAX_MESSAGE_BYTES, this);
        advertised = advertise != null ? advertise : (bindHost.contains(":") ? "[" + bindHost + "]" : bindHost) + ":" + server.port();
        return advertised;
    }

    /** The address peers reach this host at, if it listens. */
    Optional<String> address() {
        return Optional.ofNullable(advertised);
    }

    /** A new connection to the coordinator: its run and its sealed gossip; offers of the one before are void. */
    void welcomed(String runId, SealedGossipHost sealed) {
        offers.clear();
        this.runId = runId;
        this.sealed = sealed;
    }

    /** Forgets exchanges never finished (a coordinator that stopped between the calls); before a new round. */
    void forgetUnfinished() {
        offers.clear();
    }

    /** The exchange is finished (committed or discarded): its offer is void. */
    void forget(long exchange) {
        offers.remove(exchange);
    }

    /** The accepting host: seals its client's states for the dialling host and keeps them for it. */
    DirectSizes offer(OfferDirect call) {
        SealGossip seal = call.getSeal();
        SealedStates mine = sealed.seal(seal);
        offers.put(seal.getExchange(), new Offer(runId, seal, certificate(seal.getPeerKey()), withoutSizes(mine),
                new AtomicReference<>()));
        return DirectSizes.newBuilder().setPlainBytes(SealedGossip.plainBytes(mine)).build();
    }

    /**
     * The dialling host: seals its client's states for the accepting host, swaps them for the accepting host's
     * at {@code address}, opens those and computes the merge (adopted at finish).
     */
    DirectSizes dial(DialDirect call) {
        SealGossip seal = call.getSeal();
        SealedStates mine = sealed.seal(seal);
        PeerExchange request = PeerExchange.newBuilder().setRunId(runId).setExchange(seal.getExchange()).setRound(seal.getRound())
                .setFirstClient(seal.getFirstClient()).setSecondClient(seal.getSecondClient()).addAllStates(withoutSizes(mine)).build();
        PeerExchangeReply reply;
        try {
            reply = dialer.exchange(call.getAddress(), certificate(seal.getPeerKey()), request);
        } catch (PeerUnreachableException e) {
            sealed.finish(FinishGossip.newBuilder().setExchange(seal.getExchange()).setCommit(false).build());
            throw new CallFailedException(ErrorKind.ERROR_KIND_PEER_UNREACHABLE, e.getMessage());
        }
        sealed.open(OpenGossip.newBuilder().setExchange(seal.getExchange()).addAllStates(reply.getStatesList()).build());
        return DirectSizes.newBuilder().setPlainBytes(SealedGossip.plainBytes(mine)).setSentBytes(request.getSerializedSize())
                .setReceivedBytes(reply.getSerializedSize()).build();
    }

    /** The accepting host: opens what the dialling host delivered and computes the merge (adopted at finish). */
    void open(OpenDirect call) {
        Offer offer = offers.get(call.getExchange());
        if (offer == null) {
            throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "no direct gossip exchange " + call.getExchange()
                    + " was offered on this host");
        }
        List<SealedState> delivered = offer.delivered().get();
        if (delivered == null) {
            throw new CallFailedException(ErrorKind.ERROR_KIND_PEER_UNREACHABLE, "the dialling host delivered no states for direct"
                    + " gossip exchange " + call.getExchange());
        }
        sealed.open(OpenGossip.newBuilder().setExchange(call.getExchange()).addAllStates(delivered).build());
    }

    /** A dialling host's states (on the peer server's thread): taken once, for this host's states, if it is the one. */
    @Override
    public PeerExchangeReply exchange(PeerExchange request, X509Certificate peer) throws PeerServer.Refused {
        Offer offer = offers.get(request.getExchange());
        if (offer == null || !offer.runId().equals(request.getRunId())) {
            throw new PeerServer.Refused("no gossip exchange " + request.getExchange() + " of run " + request.getRunId()
                    + " is offered on this host", false);
        }
        SealGossip s = offer.seal();
        if (s.getRound() != request.getRound() || !s.getFirstClient().equals(request.getFirstClient())
                || !s.getSecondClient().equals(request.getSecondClient())) {
            throw new PeerServer.Refused("gossip exchange " + request.getExchange() + " is the pair (" + s.getFirstClient() + ", "
                    + s.getSecondClient() + ") of round " + s.getRound() + ", not (" + request.getFirstClient() + ", "
                    + request.getSecondClient() + ") of round " + request.getRound(), false);
        }
        if (offer.expected() != null && !offer.expected().equals(peer)) {
            throw new PeerServer.Refused("gossip exchange " + request.getExchange() + " is with the host whose certificate signed"
                    + " its gossip key ('" + offer.expected().getSubjectX500Principal().getName() + "'); this peer presented "
                    + (peer == null ? "none" : "'" + peer.getSubjectX500Principal().getName() + "'"), true);
        }
        if (!offer.delivered().compareAndSet(null, List.copyOf(request.getStatesList()))) {
            throw new PeerServer.Refused("gossip exchange " + request.getExchange() + " was delivered already", false);
        }
        return PeerExchangeReply.newBuilder().addAllStates(offer.states()).build();
    }

    @Override
    public void close() {
        dialer.close();
        if (server != null) {
            server.close();
        }
    }

    /** The certificate that signed a peer's gossip key (verified by the sealing), or {@code null} for an unsigned key. */
    private static X509Certificate certificate(GossipKey key) {
        if (key.getCertificateChainCount() == 0) {
            return null;
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(key.getCertificateChain(0).toByteArray()));
        } catch (CertificateException e) {
            // the sealing verified the chain before: not reached
            throw new CallFailedException(ErrorKind.ERROR_KIND_SEAL_REFUSED, "the peer's gossip key carries an unreadable certificate: "
                    + e.getMessage());
        }
    }

    /** The sealed states as a peer gets them: their plaintext sizes are for the coordinator. */
    private static List<SealedState> withoutSizes(SealedStates states) {
        return states.getStatesList().stream().map(s -> s.toBuilder().clearPlainBytes().build()).toList();
    }
}
