package io.scarcity.runtime.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scarcity.runtime.UserException;
import io.scarcity.runtime.config.AuditConfig;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's tamper-evident audit log, {@code audit.jsonl} in the run folder: one JSON object per line, each
 * ending in the SHA-256 of everything before it on the line (which includes the previous entry's hash, so the entries
 * form a chain); the entries that close a step ({@link #SEALS}: the start, each round's decision, a resume, the end)
 * also carry an Ed25519 signature of their hash by the coordinator's key, which authenticates the chain up to them:
 *
 * <pre>{"seq":3,"time":"...","type":"round",...,"prev":"HEX"<b>,"hash":"HEX","sig":"BASE64"}</b></pre>
 *
 * <p>Entry 0 ({@code start}) holds the public key; {@code prev} of entry 0 is 64 zeros. Editing, removing, reordering
 * or inserting an entry breaks the chain at that entry; re-signing needs the private key. {@link AuditVerifier}
 * checks a log. Append-only across interruptions: a resumed run appends a {@code resume} entry and goes on from the
 * last whole entry (a line cut short by the interruption is removed, and the {@code resume} entry says how many bytes
 * and their hash); replayed rounds are recorded again, as the coordinator decided them again.
 */
public final class AuditLog implements AuditTrail, AutoCloseable {
    public static final String FILE = "audit.jsonl";
    public static final String PRIVATE_KEY = "audit.key";
    public static final String PUBLIC_KEY = "audit.pub";
    static final String GENESIS = "0".repeat(64);
    /**
     * The entries that carry a signature: each signs the chain up to itself, so one per round authenticates every
     * entry before it (an Ed25519 signature costs the JDK about half a millisecond; a hash, microseconds).
     */
    static final java.util.Set<String> SEALS = java.util.Set.of("start", "round", "resume", "end");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileChannel out;
    private final PrivateKey key;
    private final Clock clock;
    private long seq;
    private String prev;
    /** Bytes written to the file and their running SHA-256, for the checkpoints' record of the log's beginning. */
    private long bytes;
    private final java.security.MessageDigest digest = sha256();

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private AuditLog(FileChannel out, PrivateKey key, Clock clock, long seq, String prev) {
        this.out = out;
        this.key = key;
        this.clock = clock;
        this.seq = seq;
        this.prev = prev;
    }

    /**
     * Starts the audit log of a new run in {@code runDir} (or continues it, after {@code resumedAfter} rounds, if
     * {@code resumedAfter >= 0}), signing with the configured key or with the run's own key pair:
     * {@link #prepare} then {@link Prepared#begin}.
     */
    public static AuditLog open(Path runDir, AuditConfig config, Path configDir, Map<String, Object> start, int resumedAfter,
                                Clock clock) {
        return prepare(runDir, config, configDir, start, resumedAfter, clock).begin();
    }

    /**
     * Everything that may refuse, and nothing that writes: the keys are read (or made, in memory) and a log to be
     * continued is verified, so that a refused resume leaves the run folder as it was.
     *
     * @param configDir where the config's key paths are resolved
     * @param start facts for the first entry (run name, config hash)
     * @throws UserException naming the problem: a key that cannot be read or does not match, a broken log
     */
    public static Prepared prepare(Path runDir, AuditConfig config, Path configDir, Map<String, Object> start, int resumedAfter,
                                   Clock clock) {
        Path file = runDir.resolve(FILE);
        boolean continuing = resumedAfter >= 0 && Files.exists(file);
        Keys keys = keys(runDir, config, configDir, continuing);
        AuditVerifier.Result checked = null;
        if (continuing) {
            try {
                checked = AuditVerifier.verify(file, keys.pair().getPublic());
            } catch (IOException e) {
                throw new UserException("cannot resume " + runDir + ": its audit log cannot be read (" + e.getMessage() + ")");
            }
            if (!checked.continuable() || checked.signed().entries() == 0 && checked.entries() > 0) {
                throw new UserException("cannot resume " + runDir + ": its audit log is broken (" + checked.problem()
                        + "); the run is left as it was. Check it with: scarcity audit verify " + runDir);
            }
        }
        return new Prepared(runDir, keys, checked, new LinkedHashMap<>(start), resumedAfter, clock);
    }

    /** A key pair, and whether it was just made (and must be written to the run folder). */
    private record Keys(KeyPair pair, boolean made) {
    }

    /** An audit log checked and ready to start: {@link #begin} writes. */
    public static final class Prepared {
        private final Path runDir;
        private final Keys keys;
        private final AuditVerifier.Result checked;
        private final Map<String, Object> start;
        private final int resumedAfter;
        private final Clock clock;

        private Prepared(Path runDir, Keys keys, AuditVerifier.Result checked, Map<String, Object> start, int resumedAfter,
                         Clock clock) {
            this.runDir = runDir;
            this.keys = keys;
            this.checked = checked;
            this.start = start;
            this.resumedAfter = resumedAfter;
            this.clock = clock;
        }

        /** Writes the key pair if it was made, and the log's first entry ({@code start}) or its {@code resume} entry. */
        public AuditLog begin() {
            Path file = runDir.resolve(FILE);
            KeyPair pair = keys.pair();
            try {
                if (keys.made()) {
                    AuditKeys.writePrivate(runDir.resolve(PRIVATE_KEY), pair.getPrivate());
                    AuditKeys.writePublic(runDir.resolve(PUBLIC_KEY), pair.getPublic());
                }
                if (checked != null && checked.signed().entries() > 0) {
                    // continued from the last signed entry: what follows it (a line cut short, entries of a round the
                    // interruption stopped, or anything appended by someone without the key) is removed, and said so
                    FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
                    Map<String, Object> facts = new LinkedHashMap<>();
                    facts.put("afterRound", resumedAfter);
                    byte[] all = Files.readAllBytes(file);
                    long keep = checked.signed().bytes();
                    if (all.length > keep) {
                        byte[] tail = java.util.Arrays.copyOfRange(all, (int) keep, all.length);
                        ch.truncate(keep);
                        facts.put("discardedBytes", all.length - keep);
                        facts.put("discardedSha256", AuditTrail.sha256(tail));
                    }
                    ch.position(ch.size());
                    AuditLog log = new AuditLog(ch, pair.getPrivate(), clock, checked.signed().entries(), checked.signed().hash());
                    log.digest.update(all, 0, (int) keep);
                    log.bytes = keep;
                    log.record("resume", facts);
                    return log;
                }
                Map<String, Object> facts = new LinkedHashMap<>(start);
                FileChannel ch;
                if (checked != null) { // a log without one whole entry (emptied, or cut in its first): started again
                    byte[] all = Files.readAllBytes(file);
                    if (all.length > 0) {
                        facts.put("discardedBytes", all.length);
                        facts.put("discardedSha256", AuditTrail.sha256(all));
                    }
                    ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                } else {
                    ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                }
                AuditLog log = new AuditLog(ch, pair.getPrivate(), clock, 0, GENESIS);
                facts.put("publicKey", Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
                if (resumedAfter >= 0) {
                    facts.put("resumedAfterRound", resumedAfter); // a run folder from before the audit log existed
                }
                log.record("start", facts);
                return log;
            } catch (IOException e) {
                throw new UserException("cannot write the audit log " + file + ": " + e.getMessage());
            }
        }
    }

    private static Keys keys(Path runDir, AuditConfig config, Path configDir, boolean continuing) {
        if (config.key() != null) {
            Path priv = configDir.resolve(config.key());
            Path pub = configDir.resolve(config.publicKey());
            PrivateKey k = AuditKeys.readPrivate(priv, "privacy.audit.key:");
            PublicKey p = AuditKeys.readPublic(pub, "privacy.audit.publicKey:");
            if (!AuditKeys.pair(k, p)) {
                throw new UserException("privacy.audit.publicKey: " + pub + " is not the public key of " + priv
                        + "; derive it with: openssl pkey -in " + priv.getFileName() + " -pubout -out " + pub.getFileName());
            }
            return new Keys(new KeyPair(p, k), false);
        }
        Path priv = runDir.resolve(PRIVATE_KEY);
        Path pub = runDir.resolve(PUBLIC_KEY);
        if (Files.exists(priv) && Files.exists(pub)) {
            KeyPair pair = new KeyPair(AuditKeys.readPublic(pub, "the run's audit key"), AuditKeys.readPrivate(priv, "the run's audit key"));
            if (!AuditKeys.pair(pair.getPrivate(), pair.getPublic())) {
                throw new UserException(priv + " is not the private key of " + pub + " (one of them was changed), so the run's"
                        + " audit log cannot be continued; the run is left as it was. Put the files back (from a backup)");
            }
            return new Keys(pair, false);
        }
        if (continuing || Files.exists(priv) || Files.exists(pub)) {
            throw new UserException(runDir + " lacks " + (Files.exists(priv) ? PUBLIC_KEY : PRIVATE_KEY) + ", so its audit"
                    + " log cannot be continued with the key that signed it; the run is left as it was. Put the file"
                    + " back (from a backup) and resume again");
        }
        return new Keys(AuditKeys.generate(), true);
    }

    @Override
    public synchronized void record(String type, Map<String, Object> fields) {
        try {
            StringWriter body = new StringWriter();
            try (JsonGenerator g = JSON.getFactory().createGenerator(body)) {
                g.configure(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT, false); // the line is closed after hash and sig
                g.writeStartObject();
                g.writeNumberField("seq", seq);
                g.writeStringField("time", clock.instant().toString());
                g.writeStringField("type", type);
                for (Map.Entry<String, Object> f : fields.entrySet()) {
                    g.writeFieldName(f.getKey());
                    writeValue(g, f.getValue());
                }
                g.writeStringField("prev", prev);
                g.flush();
            }
            String prefix = body.toString();
            byte[] hash = sha256().digest(prefix.getBytes(StandardCharsets.UTF_8));
            Signature s = null;
            if (SEALS.contains(type)) {
                s = Signature.getInstance("Ed25519");
                s.initSign(key);
                s.update(hash);
            }
            String hex = HexFormat.of().formatHex(hash);
            String line = prefix + ",\"hash\":\"" + hex + "\""
                    + (SEALS.contains(type) ? ",\"sig\":\"" + Base64.getEncoder().encodeToString(s.sign()) + "\"" : "") + "}\n";
            byte[] raw = line.getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.wrap(raw);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            digest.update(raw);
            bytes += raw.length;
            seq++;
            prev = hex;
        } catch (IOException e) {
            throw new UncheckedIOException("writing the audit log", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing the audit log", e);
        }
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer || v instanceof Long) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) {
                g.writeNumber(d);
            } else {
                g.writeString(Double.toString(d));
            }
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object o : list) {
                writeValue(g, o);
            }
            g.writeEndArray();
        } else {
            g.writeString(v.toString());
        }
    }

    /** Entries written so far (the next entry's sequence number). */
    public synchronized long entries() {
        return seq;
    }

    /** The hash of the last entry. */
    public synchronized String head() {
        return prev;
    }

    /** The log's length and the SHA-256 of its bytes so far (hex): what a checkpoint records of it. */
    public synchronized long bytes() {
        return bytes;
    }

    public synchronized String sha256Hex() {
        try {
            return HexFormat.of().formatHex(((java.security.MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Makes every entry so far durable (before a checkpoint, and at the end). */
    public synchronized void sync() {
        try {
            out.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("syncing the audit log", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.force(true);
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the audit log", e);
        }
    }
}
