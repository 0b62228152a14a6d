package io.scarcity.runtime.coordinator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Turns a client id into the pseudonym the global memory stores instead: hex(SHA-256(salt || UTF-8 id)).
 * The salt is 32 random bytes kept by the store (so that a reopened store maps an id to the same
 * pseudonym) and nowhere else: not in insights, logs or metrics. Without the salt, a pseudonym cannot be
 * matched to a guessed id by hashing candidate ids. Thread-safe.
 */
final class ClientPseudonyms {
    static final int SALT_BYTES = 32;

    private final MessageDigest salted;

    ClientPseudonyms(byte[] salt) {
        Objects.requireNonNull(salt, "salt is null");
        if (salt.length != SALT_BYTES) {
            throw new IllegalArgumentException("the salt must be " + SALT_BYTES + " bytes, got " + salt.length);
        }
        salted = sha256();
        salted.update(salt);
    }

    static byte[] newSalt() {
        byte[] salt = new byte[SALT_BYTES];
        new SecureRandom().nextBytes(salt);
        return salt;
    }

    /** The pseudonym of a client id: 64 lower-case hex digits. */
    String of(String clientId) {
        Objects.requireNonNull(clientId, "clientId is null");
        MessageDigest digest;
        try {
            // the salted prototype is never updated after construction, so cloning it is safe from any thread
            digest = (MessageDigest) salted.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest cannot be cloned", e);
        }
        return HexFormat.of().formatHex(digest.digest(clientId.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "ClientPseudonyms[salted SHA-256]";
    }
}
