package io.scarcity.runtime.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Checks an {@link AuditLog}: every entry's sequence number, its hash over its own content, its link to the entry
 * before, the signature of every entry that closes a step, and that a signature covers the last entry; names the first
 * entry that fails.
 */
public final class AuditVerifier {
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** How every line ends: its hash, and for an entry that closes a step its signature, and nothing else. */
    private static final java.util.regex.Pattern TAIL =
            java.util.regex.Pattern.compile(",\"hash\":\"[0-9a-f]{64}\"(,\"sig\":\"[A-Za-z0-9+/]+={0,2}\")?}");

    private AuditVerifier() {
    }

    /**
     * @param intact every entry checks out and the file ends with a whole entry
     * @param entries whole entries that check out, from the first
     * @param lastHash the hash of the last of them ({@link AuditLog#GENESIS} if none)
     * @param wholeBytes bytes of the file those entries take
     * @param problem the first problem, naming its entry and line; {@code null} if intact
     * @param onlyTailCut the only problem is a last line cut short (an interrupted write)
     * @param lastType the type of the last entry that checks out ({@code end} for a run that finished)
     * @param key the public key the signatures were checked with
     * @param unsignedTail the only problem is that no signature covers the last entries yet (a run stopped within a
     *        round)
     */
    public record Result(boolean intact, long entries, String lastHash, long wholeBytes, String problem, boolean onlyTailCut,
                         String lastType, PublicKey key, boolean unsignedTail, Signed signed) {
        /** Whether a resume may continue this log: intact, or only interrupted (a line cut short, entries not yet signed). */
        public boolean continuable() {
            return intact || onlyTailCut || unsignedTail;
        }
    }

    /**
     * The log up to its last signed entry, what a resume continues from.
     *
     * @param entries entries through the last signed one
     * @param hash its hash
     * @param bytes bytes through the end of its line
     */
    public record Signed(long entries, String hash, long bytes) {
        static final Signed NONE = new Signed(0, AuditLog.GENESIS, 0);
    }

    /**
     * @param pinned the coordinator's public key, kept apart from the log; {@code null}: the key in the log's first
     *        entry (which shows the log consistent with itself, not who wrote it)
     */
    public static Result verify(Path file, PublicKey pinned) throws IOException {
        byte[] all = Files.readAllBytes(file);
        PublicKey key = pinned;
        String prev = AuditLog.GENESIS;
        long entries = 0;
        int start = 0;
        String lastType = null;
        long signed = -1;
        Signed lastSigned = Signed.NONE;
        while (start < all.length) {
            int end = start;
            while (end < all.length && all[end] != '\n') {
                end++;
            }
            String where = "entry " + entries + " (line " + (entries + 1) + ")";
            if (end == all.length) {
                return new Result(false, entries, prev, start, where + " is cut short: the file ends in the middle of it",
                        true, lastType, key, false, lastSigned);
            }
            String line = new String(all, start, end - start, StandardCharsets.UTF_8);
            String problem;
            JsonNode node = null;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                node = null;
            }
            if (node == null || !node.isObject()) {
                problem = "is not a JSON object";
            } else {
                problem = check(node, line, entries, prev, key);
                if (problem == null && entries == 0) {
                    PublicKey own = ownKey(node);
                    if (own == null) {
                        problem = "is not a start entry with the coordinator's public key";
                    } else if (key == null) {
                        key = own;
                    } else if (!java.util.Arrays.equals(key.getEncoded(), own.getEncoded())) {
                        problem = "names another public key than the one given: the log was made with another key";
                    }
                    if (problem == null) {
                        problem = signature(node, key);
                    }
                } else if (problem == null && node.has("sig")) {
                    problem = signature(node, key);
                }
            }
            if (problem != null) {
                return new Result(false, entries, prev, start, where + " " + problem, false, lastType, key, false, lastSigned);
            }
            prev = node.get("hash").asText();
            lastType = node.path("type").asText();
            if (node.has("sig")) {
                signed = entries;
                lastSigned = new Signed(entries + 1, prev, end + 1);
            }
            entries++;
            start = end + 1;
        }
        if (entries > 0 && signed < entries - 1) {
            return new Result(false, entries, prev, all.length, "entries " + (signed + 1) + ".." + (entries - 1)
                    + " follow the last signed entry (" + signed + "): they are linked but no signature covers them yet (the"
                    + " run was stopped within a round; a resume discards them)", false, lastType, key, true, lastSigned);
        }
        if (entries == 0) {
            return new Result(false, 0, prev, 0, "entry 0 (line 1), the start, is missing: the log is empty", false, null, key,
                    false, lastSigned);
        }
        return new Result(true, entries, prev, all.length, null, false, lastType, key, false, lastSigned);
    }

    private static String check(JsonNode node, String line, long expected, String prev, PublicKey key) {
        if (!node.path("seq").canConvertToLong() || node.path("seq").asLong() != expected) {
            return "has sequence number " + node.path("seq") + ", expected " + expected
                    + " (an entry before it is missing, or the entries are out of order)";
        }
        int at = line.lastIndexOf(",\"hash\":\"");
        if (at < 0 || !node.path("hash").isTextual()) {
            return "has no hash";
        }
        if (!TAIL.matcher(line.substring(at)).matches()) {
            return "has something after its hash and signature, which no hash covers";
        }
        if (AuditLog.SEALS.contains(node.path("type").asText()) != node.has("sig")) {
            return node.has("sig") ? "is signed but its type does not close a step" : "closes a step but is not signed";
        }
        if (!AuditTrail.sha256(line.substring(0, at).getBytes(StandardCharsets.UTF_8)).equals(node.get("hash").asText())) {
            return "does not match its hash: its content was changed";
        }
        if (!prev.equals(node.path("prev").asText())) {
            return "does not follow the entry before it (its prev is not that entry's hash): an entry was removed, "
                    + "inserted or replaced before it";
        }
        return null;
    }

    private static String signature(JsonNode node, PublicKey key) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(HexFormat.of().parseHex(node.get("hash").asText()));
            return s.verify(Base64.getDecoder().decode(node.get("sig").asText())) ? null
                    : "has a signature the coordinator's key did not make";
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return "has a malformed signature";
        }
    }

    private static PublicKey ownKey(JsonNode start) {
        if (!"start".equals(start.path("type").asText()) || !start.path("publicKey").isTextual()) {
            return null;
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(
                    new X509EncodedKeySpec(Base64.getDecoder().decode(start.get("publicKey").asText())));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return null;
        }
    }

    /** A short name of a public key: the first 16 hex digits of the SHA-256 of its encoding. */
    public static String fingerprint(PublicKey key) {
        return AuditTrail.sha256(key.getEncoded()).substring(0, 16);
    }
}
