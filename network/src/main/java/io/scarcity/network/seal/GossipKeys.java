package io.scarcity.network.seal;

import io.scarcity.network.certs.Certificates;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.KeyAgreement;

/**
 * One host's gossip keys for one connection to the coordinator (one run): an X25519 key pair made fresh, its
 * {@link KeyAnnouncement} (signed with the host's TLS key when it has a {@link HostIdentity}), the checks of its
 * peers' announcements, and sealing to and opening from a peer. Thread-safe.
 */
public final class GossipKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String runId;
    private final KeyPair pair;
    private final byte[] publicKey;
    private final KeyAnnouncement announcement;
    /** The federation's CA, when this host has a TLS identity: then only keys signed by its hosts are accepted. */
    private final X509Certificate trust;
    /** Peers' announcements verified already, by digest. */
    private final Map<ByteBuffer, PeerKey> verified = new ConcurrentHashMap<>();
    /** X25519 shared secrets, by the peer's encoded key. */
    private final Map<ByteBuffer, byte[]> secrets = new ConcurrentHashMap<>();

    private GossipKeys(String runId, KeyPair pair, KeyAnnouncement announcement, X509Certificate trust) {
        this.runId = runId;
        this.pair = pair;
        this.publicKey = pair.getPublic().getEncoded();
        this.announcement = announcement;
        this.trust = trust;
    }

    /**
     * Makes a new X25519 key pair for {@code runId}.
     *
     * @param identity the host's TLS identity: the key is signed with it, and peers' keys must be signed by
     *        certificates of its CA; {@code null} ({@code --insecure}): unsigned, and peers' keys accepted unchecked
     */
    public static GossipKeys generate(String runId, HostIdentity identity) {
        Objects.requireNonNull(runId, "runId is null");
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("XDH");
            g.initialize(NamedParameterSpec.X25519, RANDOM);
            KeyPair pair = g.generateKeyPair();
            byte[] encoded = pair.getPublic().getEncoded();
            if (identity == null) {
                return new GossipKeys(runId, pair, new KeyAnnouncement(encoded, List.of(), new byte[0]), null);
            }
            List<byte[]> chain = new ArrayList<>();
            for (X509Certificate c : identity.chain()) {
                chain.add(c.getEncoded());
            }
            byte[] signature = identity.sign(KeyAnnouncement.signedBytes(runId, encoded));
            return new GossipKeys(runId, pair, new KeyAnnouncement(encoded, chain, signature), identity.ca());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a gossip key: " + e.getMessage(), e);
        }
    }

    /** What this host tells its peers. */
    public KeyAnnouncement announcement() {
        return announcement;
    }

    /**
     * Checks a peer's announcement before anything is sealed to it. With a TLS identity the key must be signed,
     * for this run, by a certificate the federation's CA issued for signing, and not the coordinator's: so the
     * coordinator that relays it cannot have put its own key in its place. Without one every X25519 key is
     * accepted.
     *
     * @throws SealException saying what does not verify
     */
    public PeerKey verify(KeyAnnouncement peer) throws SealException {
        ByteBuffer digest = ByteBuffer.wrap(digest(peer));
        PeerKey known = verified.get(digest);
        if (known != null) {
            return known;
        }
        PublicKey key = decode(peer.publicKey());
        String identity = null;
        if (trust != null) {
            if (!peer.signed()) {
                throw new SealException("the peer's gossip key is not signed; with mutual TLS every host signs its key,"
                        + " so it was replaced on the way (or the peer runs --insecure)");
            }
            X509Certificate leaf;
            try {
                List<X509Certificate> chain = new ArrayList<>();
                CertificateFactory f = CertificateFactory.getInstance("X.509");
                for (byte[] der : peer.certificateChain()) {
                    chain.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(der)));
                }
                if (chain.isEmpty()) {
                    throw new SealException("the peer's gossip key is signed but carries no certificate");
                }
                HostIdentity.validate(chain, trust);
                leaf = chain.get(0);
            } catch (GeneralSecurityException e) {
                throw new SealException("the peer's gossip key is signed by a certificate the federation's CA did not issue: "
                        + e.getMessage(), e);
            }
            identity = Certificates.commonName(leaf);
            boolean[] usage = leaf.getKeyUsage();
            if (usage != null && !usage[0]) {
                throw new SealException("the certificate of '" + identity + "' may not sign (no digitalSignature key usage)");
            }
            if (Certificates.COORDINATOR_NAME.equals(identity)) {
                throw new SealException("the peer's gossip key is signed with the coordinator's certificate, not a host's");
            }
            try {
                if (!HostIdentity.verifySignature(leaf.getPublicKey(), KeyAnnouncement.signedBytes(runId, peer.publicKey()),
                        peer.signature())) {
                    throw new SealException("the signature of '" + identity + "' over the gossip key does not verify"
                            + " (the key was replaced, or signed for another run)");
                }
            } catch (GeneralSecurityException e) {
                throw new SealException("the signature of '" + identity + "' over the gossip key cannot be checked: "
                        + e.getMessage(), e);
            }
        }
        PeerKey out = new PeerKey(key, peer.publicKey().clone(), identity);
        verified.put(digest, out);
        return out;
    }

    /** Seals {@code plaintext} for {@code peer}: this host must be the context's sender. */
    public byte[] seal(PeerKey peer, SealContext context, byte[] plaintext) {
        try {
            return Seal.seal(secret(peer), publicKey, peer.encoded(), context, plaintext);
        } catch (GeneralSecurityException | SealException e) {
            throw new IllegalStateException("cannot seal (" + context + "): " + e.getMessage(), e);
        }
    }

    /**
     * Opens what {@code peer} sealed for this host.
     *
     * @throws SealException if it does not open: altered, sealed to another key, or for another context
     */
    public byte[] open(PeerKey peer, SealContext context, byte[] sealed) throws SealException {
        return Seal.open(secret(peer), peer.encoded(), publicKey, context, sealed);
    }

    private byte[] secret(PeerKey peer) throws SealException {
        ByteBuffer k = ByteBuffer.wrap(peer.encoded());
        byte[] s = secrets.get(k);
        if (s == null) {
            try {
                KeyAgreement agreement = KeyAgreement.getInstance("XDH");
                agreement.init(pair.getPrivate());
                agreement.doPhase(peer.key(), true);
                s = agreement.generateSecret();
            } catch (GeneralSecurityException e) {
                throw new SealException("no key agreement with " + peer + ": " + e.getMessage(), e);
            }
            boolean zero = true;
            for (byte b : s) {
                zero &= b == 0;
            }
            if (zero) {
                throw new SealException("no key agreement with " + peer + ": a degenerate key");
            }
            secrets.put(k, s);
        }
        return s;
    }

    private static PublicKey decode(byte[] encoded) throws SealException {
        try {
            PublicKey key = KeyFactory.getInstance("XDH").generatePublic(new X509EncodedKeySpec(encoded));
            if (!(key instanceof XECPublicKey x) || !(x.getParams() instanceof NamedParameterSpec n)
                    || !n.getName().equalsIgnoreCase("X25519")) {
                throw new SealException("the peer's gossip key is not an X25519 key");
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new SealException("the peer's gossip key is not an X25519 key: " + e.getMessage(), e);
        }
    }

    private static byte[] digest(KeyAnnouncement a) {
        Fields f = new Fields("announcement").bytes(a.publicKey()).integer(a.certificateChain().size());
        a.certificateChain().forEach(f::bytes);
        f.bytes(a.signature());
        try {
            return MessageDigest.getInstance("SHA-256").digest(f.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
