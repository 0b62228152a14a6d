package io.scarcity.network.transport;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.scarcity.network.proto.CoordinatorMessage;
import io.scarcity.network.proto.FederationGrpc;
import io.scarcity.network.proto.HostMessage;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The coordinator's end of the federation: a gRPC server that client hosts dial. Each host's stream
 * becomes a {@link ConnectedHost}, which the {@link HostListener} admits or refuses and the coordinator
 * then calls. The server sends every host a heartbeat each {@link Settings#heartbeatInterval} and marks a
 * host unavailable once it has been silent for {@link Settings#heartbeatTimeout}; a connection that never
 * says Hello within that timeout is closed.
 *
 * <p>Security is explicit: {@link ChannelSecurity#mutualTls} (hosts must present a certificate signed by the
 * federation's CA, checked in the TLS handshake before anything reaches the listener) or
 * {@link ChannelSecurity#insecure}. Messages up to {@link Settings#maxMessageBytes} are accepted (by default
 * {@value Settings#MAX_MESSAGE_BYTES} bytes, instead of gRPC's 4 MiB, for large expert states).
 */
public final class CoordinatorServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger("io.scarcity.network");
    private static final Context.Key<String> PEER_NAME = Context.key("scarcity-peer-name");
    private static final Context.Key<String> PEER_ADDRESS = Context.key("scarcity-peer-address");

    /**
     * Where and how the server listens.
     *
     * @param host the address to bind: {@code 127.0.0.1} (loopback, the default), {@code 0.0.0.0} for every
     *        interface, or a host name or address of this machine
     * @param port the port, 0 for any free one ({@link CoordinatorServer#port()} tells which)
     * @param maxMessageBytes the largest message accepted from a host
     * @param heartbeatInterval how often the server sends heartbeats, and (in the Welcome) asks hosts to
     * @param heartbeatTimeout silence after which a host is unavailable (and a connection without Hello closed)
     */
    public record Settings(String host, int port, ChannelSecurity security, int maxMessageBytes,
                           Duration heartbeatInterval, Duration heartbeatTimeout) {
        /**
         * The default largest message, 256 MiB: a round result or an expert state of a large neural expert
         * fits (gRPC's own default is 4 MiB). Both sides must accept it; {@link HostConnection} has the same.
         */
        public static final int MAX_MESSAGE_BYTES = 256 << 20;

        public Settings {
            Objects.requireNonNull(host, "host is null");
            Objects.requireNonNull(security, "security is null");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, got " + port);
            }
            if (maxMessageBytes <= 0) {
                throw new IllegalArgumentException("maxMessageBytes must be > 0");
            }
            if (heartbeatInterval.isNegative() || heartbeatInterval.isZero() || heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
                throw new IllegalArgumentException("need 0 < heartbeatInterval < heartbeatTimeout, got "
                        + heartbeatInterval + " and " + heartbeatTimeout);
            }
        }

        /** Loopback on {@code port}, 256 MiB messages, heartbeats every 5 s, unavailable after 15 s of silence. */
        public static Settings loopback(int port, ChannelSecurity security) {
            return new Settings("127.0.0.1", port, security, MAX_MESSAGE_BYTES, Duration.ofSeconds(5), Duration.ofSeconds(15));
        }

        public Settings withHost(String host) {
            return new Settings(host, port, security, maxMessageBytes, heartbeatInterval, heartbeatTimeout);
        }

        public Settings withHeartbeat(Duration interval, Duration timeout) {
            return new Settings(host, port, security, maxMessageBytes, interval, timeout);
        }

        public Settings withMaxMessageBytes(int bytes) {
            return new Settings(host, port, security, bytes, heartbeatInterval, heartbeatTimeout);
        }
    }

    private final Settings settings;
    private final HostListener listener;
    private final Server server;
    private final ExecutorService events;
    private final ScheduledExecutorService timer;
    private final Set<ConnectedHost> hosts = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong failedHandshakes = new AtomicLong();
    /** The thread that calls the listener: a close from a listener call must not wait for it. */
    private volatile Thread eventThread;

    private CoordinatorServer(Settings settings, HostListener listener) throws IOException {
        this.settings = settings;
        this.listener = listener;
        java.util.concurrent.ThreadFactory eventThreads = Threads.daemon("scarcity-coordinator-events");
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = eventThreads.newThread(r);
            eventThread = t;
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("scarcity-coordinator-heartbeat"));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(settings.host(), settings.port()),
                        settings.security().serverCredentials())
                .maxInboundMessageSize(settings.maxMessageBytes())
                // hosts may ping below gRPC's default floor of 5 minutes; the heartbeats do the real work
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .addService(ServerInterceptors.intercept(new Service(), new PeerInterceptor()))
                .addTransportFilter(new HandshakeWatch());
        Server s = builder.build();
        try {
            s.start();
        } catch (IOException e) {
            events.shutdownNow();
            timer.shutdownNow();
            throw new IOException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        this.server = s;
        long tick = settings.heartbeatInterval().toNanos();
        timer.scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.NANOSECONDS);
    }

    /**
     * Starts listening.
     *
     * @throws IOException if the address cannot be bound or the TLS files cannot be read
     */
    public static CoordinatorServer start(Settings settings, HostListener listener) throws IOException {
        Objects.requireNonNull(settings, "settings is null");
        Objects.requireNonNull(listener, "listener is null");
        CoordinatorServer s = new CoordinatorServer(settings, listener);
        LOG.log(Level.INFO, "coordinator listening on " + settings.host() + ":" + s.port() + ", " + settings.security());
        return s;
    }

    /** The port listened on (the one chosen when the settings said 0). */
    public int port() {
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    public Settings settings() {
        return settings;
    }

    /** The hosts connected now that were welcomed. */
    public List<ConnectedHost> hosts() {
        return hosts.stream().filter(ConnectedHost::admitted).toList();
    }

    /**
     * Connections that ended before their TLS handshake completed: hosts whose certificate the federation's
     * CA did not sign (or without one), peers not speaking TLS. Each is logged; gRPC does not tell who it was.
     */
    public long failedHandshakes() {
        return failedHandshakes.get();
    }

    /**
     * Says Bye to every host with {@code reason}, then stops the server (waiting up to 5 s for calls in
     * flight and for the listener's pending events). May be called from a listener method.
     */
    public void close(String reason) {
        for (ConnectedHost h : List.copyOf(hosts)) {
            h.close(reason);
        }
        stop(false);
    }

    @Override
    public void close() {
        close("coordinator shutting down");
    }

    /** Stops at once without a Bye, as a killed coordinator would: for tests of what hosts then do. */
    public void abort() {
        stop(true);
    }

    private void stop(boolean now) {
        if (now) {
            server.shutdownNow();
        } else {
            server.shutdown();
        }
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
            timer.shutdownNow();
            events.shutdown();
            if (Thread.currentThread() != eventThread) {
                events.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    // ---- for ConnectedHost

    HostListener listener() {
        return listener;
    }

    /** Runs a listener call on the event thread, in order; a listener's exception is logged, not spread. */
    void event(Runnable r) {
        try {
            events.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "the coordinator's host listener failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.log(Level.DEBUG, "event after close dropped");
        }
    }

    void forget(ConnectedHost host) {
        hosts.remove(host);
    }

    private void tick() {
        for (ConnectedHost h : hosts) {
            try {
                h.tick(settings.heartbeatTimeout());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "heartbeat of " + h + " failed", e);
            }
        }
    }

    private final class Service extends FederationGrpc.FederationImplBase {
        @Override
        public StreamObserver<HostMessage> connect(StreamObserver<CoordinatorMessage> responses) {
            ServerCallStreamObserver<CoordinatorMessage> out = (ServerCallStreamObserver<CoordinatorMessage>) responses;
            ConnectedHost host = new ConnectedHost(CoordinatorServer.this, connections.incrementAndGet(),
                    PEER_ADDRESS.get(), PEER_NAME.get(), out);
            // a cancelled stream: the inbound side hears onError; sends after it are dropped, not thrown
            out.setOnCancelHandler(() -> { });
            hosts.add(host);
            return host.inbound();
        }
    }

    /**
     * Notices connections that end without ever becoming ready: with TLS, those whose handshake failed
     * (gRPC hands such a connection no attributes, so not even its address is known).
     */
    private final class HandshakeWatch extends ServerTransportFilter {
        @Override
        public void transportTerminated(Attributes attributes) {
            if (attributes == null && settings.security().isTls()) {
                failedHandshakes.incrementAndGet();
                LOG.log(Level.WARNING, "a connection ended during its TLS handshake: a host not enrolled in this federation "
                        + "(no certificate signed by its CA), or a peer not speaking TLS");
            }
        }
    }

    /** Puts the peer's address and certificate name where the service finds them. */
    private static final class PeerInterceptor implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            SSLSession ssl = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            Context ctx = Context.current().withValues(PEER_ADDRESS, String.valueOf(remote), PEER_NAME, commonName(ssl));
            return Contexts.interceptCall(ctx, call, headers, next);
        }
    }

    /** The CN of the peer's certificate, {@code null} without TLS or without a CN. */
    static String commonName(SSLSession ssl) {
        if (ssl == null) {
            return null;
        }
        try {
            Certificate[] chain = ssl.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate x)) {
                return null;
            }
            for (Rdn rdn : new LdapName(x.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
            return null;
        } catch (SSLPeerUnverifiedException | InvalidNameException e) {
            return null;
        }
    }
}
