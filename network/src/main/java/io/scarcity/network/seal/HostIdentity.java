package io.scarcity.network.seal;

import io.scarcity.network.certs.Certificates;
import io.scarcity.network.transport.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A host's TLS identity as sealed gossip uses it: the private key that signs its gossip keys, its certificate
 * chain that a peer checks the signature with, and the federation's CA certificate against which it checks its
 * peers' chains. Read from the participant's {@link TlsFiles} ({@code key.pem}, {@code cert.pem},
 * {@code ca.pem}).
 */
public final class HostIdentity {
    private final PrivateKey key;
    private final List<X509Certificate> chain;
    private final X509Certificate ca;

    private HostIdentity(PrivateKey key, List<X509Certificate> chain, X509Certificate ca) {
        this.key = key;
        this.chain = List.copyOf(chain);
        this.ca = ca;
    }

    /**
     * Reads a participant's TLS files and checks that they fit together: the key is the certificate's, and the
     * chain leads to the CA.
     *
     * @throws IOException naming the file that is missing, unreadable or does not fit
     */
    public static HostIdentity load(TlsFiles files) throws IOException {
        Objects.requireNonNull(files, "files is null");
        files.check();
        PrivateKey key = Certificates.readPrivateKey(files.privateKey());
        List<X509Certificate> chain = new ArrayList<>();
        try (InputStream in = Files.newInputStream(files.certificateChain())) {
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                chain.add((X509Certificate) c);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(files.certificateChain() + " is not a PEM certificate chain: " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IOException(files.certificateChain() + " holds no certificate");
        }
        X509Certificate ca = Certificates.readCertificate(files.caCertificate());
        HostIdentity identity = new HostIdentity(key, chain, ca);
        try {
            byte[] probe = {1, 2, 3};
            if (!verifySignature(chain.get(0).getPublicKey(), probe, identity.sign(probe))) {
                throw new IOException(files.privateKey() + " is not the key of " + files.certificateChain());
            }
            validate(chain, ca);
        } catch (GeneralSecurityException e) {
            throw new IOException("the TLS files " + files + " do not fit together: " + e.getMessage(), e);
        }
        return identity;
    }

    /** The federation's CA certificate: peers' gossip keys must be signed by a certificate it issued. */
    public X509Certificate ca() {
        return ca;
    }

    /** This host's certificate chain, its own certificate first. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** Signs with the host's TLS key. */
    byte[] sign(byte[] message) throws GeneralSecurityException {
        Signature s = Signature.getInstance(signatureAlgorithm(key.getAlgorithm()));
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    static boolean verifySignature(PublicKey key, byte[] message, byte[] signature) throws GeneralSecurityException {
        Signature s = Signature.getInstance(signatureAlgorithm(key.getAlgorithm()));
        s.initVerify(key);
        s.update(message);
        return s.verify(signature);
    }

    /** The signature algorithm for a TLS key: ECDSA (what {@code scarcity certs} makes), RSA or EdDSA, with SHA-256. */
    static String signatureAlgorithm(String keyAlgorithm) throws GeneralSecurityException {
        return switch (keyAlgorithm) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> throw new GeneralSecurityException("TLS keys of type " + keyAlgorithm + " cannot sign gossip keys");
        };
    }

    /** Checks (PKIX, no revocation lists) that {@code chain} leads to {@code ca}, as of now. */
    static void validate(List<X509Certificate> chain, X509Certificate ca) throws GeneralSecurityException {
        List<X509Certificate> path = chain.stream().filter(c -> !c.equals(ca)).toList();
        if (path.isEmpty()) {
            throw new GeneralSecurityException("the chain holds only the CA's own certificate");
        }
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
    }
}
