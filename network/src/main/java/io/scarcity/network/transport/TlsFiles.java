package io.scarcity.network.transport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One participant's TLS material, as PEM files: the federation's CA certificate (whom to trust), the
 * participant's own certificate chain and its private key (PKCS#8). A coordinator and a client host each
 * have one set; both present their certificate and require the other's, signed by the federation's CA
 * (mutual TLS).
 *
 * @param caCertificate the federation's CA certificate: the only issuer the participant trusts
 * @param certificateChain the participant's certificate (then any intermediates), signed by the CA
 * @param privateKey the participant's private key, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}); keep it
 *        readable by the participant alone
 */
public record TlsFiles(Path caCertificate, Path certificateChain, Path privateKey) {
    /** The CA certificate's name in a participant's folder. */
    public static final String CA_CERTIFICATE = "ca.pem";
    /** The participant's certificate's name in its folder. */
    public static final String CERTIFICATE = "cert.pem";
    /** The participant's private key's name in its folder. */
    public static final String PRIVATE_KEY = "key.pem";

    public TlsFiles {
        Objects.requireNonNull(caCertificate, "caCertificate is null");
        Objects.requireNonNull(certificateChain, "certificateChain is null");
        Objects.requireNonNull(privateKey, "privateKey is null");
    }

    /**
     * A participant's folder as {@code scarcity certs} (see {@code Certificates}) lays it out:
     * {@value #CA_CERTIFICATE}, {@value #CERTIFICATE} and {@value #PRIVATE_KEY}.
     */
    public static TlsFiles inDirectory(Path dir) {
        Objects.requireNonNull(dir, "dir is null");
        return new TlsFiles(dir.resolve(CA_CERTIFICATE), dir.resolve(CERTIFICATE), dir.resolve(PRIVATE_KEY));
    }

    /**
     * Checks that the three files exist and can be read, before a server or channel is built from them.
     *
     * @throws IllegalArgumentException naming the first that cannot
     */
    public void check() {
        for (Path p : new Path[] {caCertificate, certificateChain, privateKey}) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("TLS file " + p + " does not exist");
            }
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("TLS file " + p + " cannot be read");
            }
        }
    }
}
