package io.scarcity.network.seal;

import java.util.List;
import java.util.Objects;

/**
 * A host's gossip key as it travels to its peers (through the coordinator): the X25519 public key and, when the
 * host has a TLS identity, its certificate chain and its signature over the key and the run id. Without a TLS
 * identity ({@code --insecure}) the chain and signature are empty, and nothing stops whoever relays the
 * announcement from replacing the key with its own.
 *
 * @param publicKey the X25519 public key, X.509 (SubjectPublicKeyInfo) encoded
 * @param certificateChain the host's certificate, then any intermediates, DER encoded; empty when unsigned
 * @param signature the host's signature ({@link #signedBytes}) with its certificate's key; empty when unsigned
 */
public record KeyAnnouncement(byte[] publicKey, List<byte[]> certificateChain, byte[] signature) {
    public KeyAnnouncement {
        Objects.requireNonNull(publicKey, "publicKey is null");
        certificateChain = List.copyOf(certificateChain);
        Objects.requireNonNull(signature, "signature is null");
    }

    /** Whether it carries a certificate chain and a signature. */
    public boolean signed() {
        return !certificateChain.isEmpty() || signature.length > 0;
    }

    /** What the host signs: a label, the run id and the public key. */
    static byte[] signedBytes(String runId, byte[] publicKey) {
        return new Fields("scarcity sealed gossip key v1").text(runId).bytes(publicKey).toByteArray();
    }
}
