package io.scarcity.network.transport;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.scarcity.network.proto.PeerExchange;
import io.scarcity.network.proto.PeerExchangeReply;
import io.scarcity.network.proto.PeersGrpc;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A client host's server for its gossip peers (service {@code Peers} of federation.proto): other hosts dial it
 * to exchange a gossip pair's sealed states directly, instead of through the coordinator. With
 * {@link ChannelSecurity#mutualTls} it presents the host's certificate and requires one signed by the
 * federation's CA from the dialling host (checked in the TLS handshake); which certificate an exchange needs
 * is the {@link Exchanges}' business, which gets the dialling host's certificate with each request.
 * {@link ChannelSecurity#insecure} is plaintext.
 */
public final class PeerServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger("io.scarcity.network");
    private static final Context.Key<X509Certificate> PEER_CERTIFICATE = Context.key("scarcity-peer-certificate");

    /** What the server does with a peer's exchange; called on gRPC's threads, concurrently with anything else. */
    @FunctionalInterface
    public interface Exchanges {
        /**
         * @param peerCertificate the dialling host's certificate (the first of its chain); {@code null} without TLS
         * @throws Refused if the exchange is unknown here or the dialling host is not the one it is with
         */
        PeerExchangeReply exchange(PeerExchange request, X509Certificate peerCertificate) throws Refused;
    }

    /** An exchange the server does not take; the dialling host gets the message. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean wrongPeer;

        /**
         * @param wrongPeer the dialling host is not the one the exchange is with (else: the exchange is not
         *        offered here, or not as asked)
         */
        public Refused(String message, boolean wrongPeer) {
            super(message);
            this.wrongPeer = wrongPeer;
        }
    }

    private final Server server;
    private final String host;

    private PeerServer(Server server, String host) {
        this.server = server;
        this.host = host;
    }

    /**
     * Starts listening on {@code host:port} (port 0: any free one, see {@link #port()}).
     *
     * @param maxMessageBytes the largest exchange accepted (as {@link CoordinatorServer.Settings#maxMessageBytes})
     * @throws IOException if the address cannot be bound or the TLS files cannot be read
     */
    public static PeerServer start(String host, int port, ChannelSecurity security, int maxMessageBytes, Exchanges exchanges)
            throws IOException {
        Objects.requireNonNull(host, "host is null");
        Objects.requireNonNull(exchanges, "exchanges is null");
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress(host, port), security.serverCredentials())
                .maxInboundMessageSize(maxMessageBytes)
                .addService(ServerInterceptors.intercept(new Service(exchanges), new CertificateInterceptor()))
                .build();
        try {
            s.start();
        } catch (IOException e) {
            throw new IOException("cannot listen for gossip peers on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        PeerServer started = new PeerServer(s, host);
        LOG.log(Level.INFO, "listening for gossip peers on " + host + ":" + started.port() + ", " + security);
        return started;
    }

    /** The port listened on (the one chosen when 0 was asked for). */
    public int port() {
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    /** The address listened on, as given. */
    public String host() {
        return host;
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static final class Service extends PeersGrpc.PeersImplBase {
        private final Exchanges exchanges;

        Service(Exchanges exchanges) {
            this.exchanges = exchanges;
        }

        @Override
        public void exchange(PeerExchange request, StreamObserver<PeerExchangeReply> responses) {
            PeerExchangeReply reply;
            try {
                reply = exchanges.exchange(request, PEER_CERTIFICATE.get());
            } catch (Refused e) {
                responses.onError((e.wrongPeer ? Status.PERMISSION_DENIED : Status.FAILED_PRECONDITION)
                        .withDescription(e.getMessage()).asRuntimeException());
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a gossip peer's exchange failed here", e);
                responses.onError(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).asRuntimeException());
                return;
            }
            responses.onNext(reply);
            responses.onCompleted();
        }
    }

    /** Puts the dialling host's certificate where the service finds it. */
    private static final class CertificateInterceptor implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            SSLSession ssl = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            X509Certificate peer = null;
            if (ssl != null) {
                try {
                    Certificate[] chain = ssl.getPeerCertificates();
                    peer = chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
                } catch (SSLPeerUnverifiedException e) {
                    peer = null;
                }
            }
            return Contexts.interceptCall(Context.current().withValue(PEER_CERTIFICATE, peer), call, headers, next);
        }
    }
}
