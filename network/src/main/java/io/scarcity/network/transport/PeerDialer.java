package io.scarcity.network.transport;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.scarcity.network.proto.PeerExchange;
import io.scarcity.network.proto.PeerExchangeReply;
import io.scarcity.network.proto.PeersGrpc;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A client host's side of dialling a gossip peer's {@link PeerServer}. With {@link ChannelSecurity#mutualTls}
 * it presents the host's certificate and accepts the peer only if the peer presents exactly the certificate it
 * is told to expect (the one that signed the peer's gossip key), chained to the federation's CA: the peer is
 * identified by its certificate, not by the name or address dialled, so host certificates need no names.
 * {@link ChannelSecurity#insecure} is plaintext. Channels are kept per address and expected certificate, and
 * dropped after a failure. Thread-safe.
 */
public final class PeerDialer implements AutoCloseable {
    private static final String NO_CLIENTS = "a dialling host trusts no clients";
    private final ChannelSecurity security;
    private final Duration connectTimeout;
    private final Duration callTimeout;
    private final int maxMessageBytes;
    private final Map<Target, ManagedChannel> channels = new ConcurrentHashMap<>();

    private record Target(String address, X509Certificate expected) {
    }

    /**
     * @param connectTimeout how long a connection to a peer may take to open
     * @param callTimeout how long an exchange may take, connection included
     * @param maxMessageBytes the largest reply accepted
     */
    public PeerDialer(ChannelSecurity security, Duration connectTimeout, Duration callTimeout, int maxMessageBytes) {
        this.security = Objects.requireNonNull(security, "security is null");
        this.connectTimeout = connectTimeout;
        this.callTimeout = callTimeout;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Connections open within 5 s, exchanges end within 60 s, replies up to 256 MiB. */
    public static PeerDialer of(ChannelSecurity security) {
        return new PeerDialer(security, Duration.ofSeconds(5), Duration.ofSeconds(60), CoordinatorServer.Settings.MAX_MESSAGE_BYTES);
    }

    public ChannelSecurity security() {
        return security;
    }

    /**
     * Sends {@code request} to the peer at {@code address} and returns its reply.
     *
     * @param expected the certificate the peer must present (with TLS); {@code null} without TLS
     * @throws PeerUnreachableException if the exchange did not happen: the address cannot be reached, TLS failed
     *         (another certificate than {@code expected}), the peer refused it or did not answer in time
     */
    public PeerExchangeReply exchange(String address, X509Certificate expected, PeerExchange request) throws PeerUnreachableException {
        if (security.isTls() && expected == null) {
            throw new IllegalArgumentException("with TLS the peer's certificate must be known before dialling it");
        }
        Target target = new Target(address, security.isTls() ? expected : null);
        ManagedChannel channel;
        try {
            channel = channels.computeIfAbsent(target, t -> {
                try {
                    return open(t);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException | IllegalArgumentException e) {
            throw new PeerUnreachableException(address, e.getMessage(), e);
        }
        try {
            return PeersGrpc.newBlockingStub(channel).withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .exchange(request);
        } catch (StatusRuntimeException e) {
            channels.remove(target, channel);
            channel.shutdownNow();
            throw new PeerUnreachableException(address, describe(e), e);
        }
    }

    private ManagedChannel open(Target t) throws IOException {
        ChannelCredentials credentials;
        if (t.expected() == null) {
            credentials = InsecureChannelCredentials.create();
        } else {
            TlsFiles tls = security.tls().orElseThrow();
            tls.check();
            credentials = TlsChannelCredentials.newBuilder()
                    .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile())
                    .trustManager(pinned(caTrust(tls), t.expected(), t.address()))
                    .build();
        }
        return NettyChannelBuilder.forTarget(t.address(), credentials)
                .maxInboundMessageSize(maxMessageBytes)
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .build();
    }

    /** What went wrong: the status, and the innermost cause's message (a refused connection's, a TLS check's). */
    private static String describe(StatusRuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root != e && root.getMessage() != null ? root.getMessage() : e.getStatus().getDescription();
        return (e.getStatus().getCode() + (why == null ? "" : ": " + why)).replaceAll("\\s*\\R\\s*", " ");
    }

    /** The JDK's PKIX trust in the federation's CA alone. */
    private static X509TrustManager caTrust(TlsFiles tls) throws IOException {
        try (InputStream in = Files.newInputStream(tls.caCertificate())) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            for (TrustManager m : f.getTrustManagers()) {
                if (m instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IOException("no X.509 trust manager for " + tls.caCertificate());
        } catch (GeneralSecurityException e) {
            throw new IOException(tls.caCertificate() + " cannot be trusted as a CA: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        List<ManagedChannel> open = new ArrayList<>(channels.values());
        channels.clear();
        open.forEach(ManagedChannel::shutdownNow);
    }

    /**
     * A trust manager that accepts a server's chain only if the federation's CA issued it for TLS servers and its
     * certificate is {@code expected}. Host names are not checked: the pinned certificate identifies the peer. It
     * trusts no client (a dialling host serves nobody on this connection).
     */
    private static X509ExtendedTrustManager pinned(X509TrustManager ca, X509Certificate expected, String address) {
        return new X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                ca.checkServerTrusted(chain, authType);
                if (!chain[0].equals(expected)) {
                    throw new CertificateException("the gossip peer at " + address + " presented the certificate of '"
                            + chain[0].getSubjectX500Principal().getName() + "', not the one that signed its gossip key ('"
                            + expected.getSubjectX500Principal().getName() + "')");
                }
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                checkServerTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                checkServerTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException(NO_CLIENTS);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                throw new CertificateException(NO_CLIENTS);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                throw new CertificateException(NO_CLIENTS);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return ca.getAcceptedIssuers();
            }
        };
    }
}
