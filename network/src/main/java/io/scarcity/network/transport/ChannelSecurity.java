package io.scarcity.network.transport;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * How a connection between coordinator and host is protected: mutual TLS with a participant's
 * {@link TlsFiles} (the default a deployment uses), or plaintext, which must be asked for explicitly
 * ({@code --insecure}) and suits only a trusted network or a test.
 */
public final class ChannelSecurity {
    private final TlsFiles tls;

    private ChannelSecurity(TlsFiles tls) {
        this.tls = tls;
    }

    /**
     * Mutual TLS: this side presents its certificate and requires the peer's, both signed by the CA in
     * {@code files}. A server refuses a host without a certificate of the federation during the TLS
     * handshake, before any message of the host reaches it.
     */
    public static ChannelSecurity mutualTls(TlsFiles files) {
        return new ChannelSecurity(Objects.requireNonNull(files, "files is null"));
    }

    /** Plaintext: no encryption, no authentication of either side. */
    public static ChannelSecurity insecure() {
        return new ChannelSecurity(null);
    }

    public boolean isTls() {
        return tls != null;
    }

    /** The TLS files, empty when insecure. */
    public Optional<TlsFiles> tls() {
        return Optional.ofNullable(tls);
    }

    /** A coordinator's server credentials: its certificate, and client certificates required. */
    ServerCredentials serverCredentials() throws IOException {
        if (tls == null) {
            return InsecureServerCredentials.create();
        }
        tls.check();
        return TlsServerCredentials.newBuilder()
                .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile())
                .trustManager(tls.caCertificate().toFile())
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build();
    }

    /** A host's channel credentials: its certificate, and the coordinator's checked against the CA. */
    ChannelCredentials channelCredentials() throws IOException {
        if (tls == null) {
            return InsecureChannelCredentials.create();
        }
        tls.check();
        return TlsChannelCredentials.newBuilder()
                .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile())
                .trustManager(tls.caCertificate().toFile())
                .build();
    }

    @Override
    public String toString() {
        return tls == null ? "insecure (plaintext)" : "mutual TLS (" + tls.certificateChain() + ")";
    }
}
