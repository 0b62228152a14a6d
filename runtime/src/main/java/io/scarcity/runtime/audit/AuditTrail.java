package io.scarcity.runtime.audit;

import java.util.Map;

/**
 * Where the coordinator records what it did: joins and refusals, every insight accepted or rejected (by hash), every
 * meta-parameter broadcast and every round's decision. {@link AuditLog} appends them to a signed hash chain.
 */
public interface AuditTrail {
    /** Records nothing. */
    AuditTrail NONE = (type, fields) -> {
    };

    /**
     * Appends one entry.
     *
     * @param type what happened, e.g. {@code insight}
     * @param fields its facts, in the order given: strings, numbers, booleans, or lists of strings
     */
    void record(String type, Map<String, Object> fields);

    /** The SHA-256 of {@code bytes}, in hexadecimal: how the log names a payload it does not hold. */
    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
