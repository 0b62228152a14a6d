package io.scarcity.network.seal;

import java.security.PublicKey;
import java.util.Objects;

/**
 * A peer host's gossip key, verified ({@link GossipKeys#verify}).
 *
 * @param key the X25519 public key
 * @param encoded its X.509 encoding, as announced
 * @param identity the common name of the certificate that signed it; {@code null} when unsigned ({@code --insecure})
 */
public record PeerKey(PublicKey key, byte[] encoded, String identity) {
    public PeerKey {
        Objects.requireNonNull(key, "key is null");
        Objects.requireNonNull(encoded, "encoded is null");
    }

    @Override
    public String toString() {
        return identity == null ? "an unsigned gossip key" : "the gossip key of '" + identity + "'";
    }
}
