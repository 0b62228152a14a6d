package io.scarcity.runtime.checkpoint;

import io.scarcity.api.StateWriter;
import io.scarcity.runtime.UserException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The checkpoints of a run: {@code checkpoints/round-NNNNNN/} in the run folder, each with
 * {@code state.bin.gz} (everything the run needs to continue) and {@code manifest.json} (what it is,
 * for people and for the check that the run's config did not change). A checkpoint is written into a
 * temporary folder, synced to disk and renamed into place, so a crash while writing leaves the
 * previous checkpoints intact and never a half one; only the {@code keep} most recent are kept.
 */
public final class RunCheckpoints {
    /** Format of {@code state.bin.gz}; a resume refuses other formats. */
    public static final int FORMAT = 5;
    private static final Pattern NAME = Pattern.compile("round-(\\d{6,})");
    private static final String STATE = "state.bin.gz";
    private static final String MANIFEST = "manifest.json";

    /** Writes the state of a checkpoint. */
    @FunctionalInterface
    public interface Body {
        void write(StateWriter out) throws IOException;
    }

    /**
     * The first {@code bytes} bytes of an output file of the run (e.g. {@code metrics.jsonl}) when a
     * checkpoint was taken, and their SHA-256: a resume checks them before it truncates the file there.
     */
    public record OutputPrefix(long bytes, String sha256) {
    }

    /**
     * A complete checkpoint on disk; {@code stateBytes}/{@code stateSha256} as its manifest records them
     * ({@code stateSha256} null for checkpoints of earlier versions), {@code outputs} by file name.
     */
    public record Checkpoint(Path folder, int round, String configDigest, Path configBaseDir, long stateBytes,
                             String stateSha256, java.util.Map<String, OutputPrefix> outputs) {
        public Checkpoint {
            outputs = java.util.Map.copyOf(outputs);
        }

        /** The state, decompressed; the caller closes it. */
        public InputStream open() throws IOException {
            return new BufferedInputStream(new GZIPInputStream(Files.newInputStream(folder.resolve(STATE)), 1 << 16));
        }
    }

    private final Path root;
    private final int keep;
    private final String configDigest;
    private final Path configBaseDir;
    private final java.util.function.Supplier<java.util.Map<String, OutputPrefix>> outputs;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);

    /**
     * @param runDir the run folder
     * @param keep how many checkpoints to keep, >= 1
     * @param configDigest fingerprint of the run's resolved config, recorded in each manifest
     * @param configBaseDir the folder the config's relative paths (data files) resolve against
     */
    public RunCheckpoints(Path runDir, int keep, String configDigest, Path configBaseDir) {
        this(runDir, keep, configDigest, configBaseDir, java.util.Map::of);
    }

    /**
     * @param outputs the run's output files (by name in the run folder) as they are when a checkpoint is
     *        written, recorded in its manifest
     */
    public RunCheckpoints(Path runDir, int keep, String configDigest, Path configBaseDir,
                          java.util.function.Supplier<java.util.Map<String, OutputPrefix>> outputs) {
        this.outputs = Objects.requireNonNull(outputs, "outputs is null");
        this.root = Objects.requireNonNull(runDir, "runDir is null").resolve("checkpoints");
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        this.keep = keep;
        this.configDigest = Objects.requireNonNull(configDigest, "configDigest is null");
        this.configBaseDir = Objects.requireNonNull(configBaseDir, "configBaseDir is null").toAbsolutePath();
    }

    /** SHA-256 (hex) of a resolved config's text. */
    public static String digest(String resolvedConfig) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(resolvedConfig.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Writes the checkpoint of {@code round} (replacing one of the same round) and deletes the oldest beyond {@code keep}. */
    public void write(int round, Body body) {
        Path tmp = root.resolve(".writing-" + name(round));
        Path target = root.resolve(name(round));
        try {
            Files.createDirectories(root);
            deleteTree(tmp);
            Files.createDirectories(tmp);
            Path state = tmp.resolve(STATE);
            long bytes;
            java.security.MessageDigest sha = sha256();
            try (OutputStream file = new java.security.DigestOutputStream(Files.newOutputStream(state), sha);
                 GZIPOutputStream gz = new GZIPOutputStream(new BufferedOutputStream(file, 1 << 16), 1 << 16)) {
                StateWriter w = new StateWriter(gz);
                body.write(w);
                w.flush();
                gz.finish();
            }
            bytes = Files.size(state);
            sync(state);
            java.util.Map<String, Object> manifest = new java.util.LinkedHashMap<>();
            manifest.put("format", FORMAT);
            manifest.put("round", round);
            manifest.put("configSha256", configDigest);
            manifest.put("configBaseDir", configBaseDir.toString());
            manifest.put("stateBytes", bytes);
            manifest.put("stateSha256", java.util.HexFormat.of().formatHex(sha.digest()));
            java.util.Map<String, Object> files = new java.util.TreeMap<>();
            outputs.get().forEach((name, prefix) -> files.put(name, java.util.Map.of("bytes", prefix.bytes(), "sha256", prefix.sha256())));
            manifest.put("outputs", files);
            manifest.put("writtenAt", java.time.Instant.now().toString());
            Files.writeString(tmp.resolve(MANIFEST), JSON.writeValueAsString(manifest) + "\n", StandardCharsets.UTF_8);
            sync(tmp.resolve(MANIFEST));
            deleteTree(target);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            syncDirectory(root);
            List<Checkpoint> all = list();
            for (int i = 0; i + keep < all.size(); i++) {
                deleteTree(all.get(i).folder());
            }
        } catch (IOException e) {
            throw new UserException("cannot write the checkpoint of round " + round + " in " + root + ": "
                    + io.scarcity.runtime.Faults.describe(e) + "; free the disk or make the run folder writable, then continue "
                    + "with scarcity run --resume " + root.getParent() + " (the rounds so far are kept)", e);
        }
    }

    /** Complete checkpoints, oldest first. */
    public List<Checkpoint> list() {
        return list(root);
    }

    /**
     * The most recent checkpoint of a run folder that verifies completely (see {@link #choose}).
     *
     * @throws UserException if there is none, saying why for each
     */
    public static Checkpoint latest(Path runDir) {
        return choose(runDir).checkpoint();
    }

    /** The checkpoint a resume continues from, and why each newer one was skipped ("round-000012: ..."). */
    public record Choice(Checkpoint checkpoint, List<String> skipped) {
        public Choice {
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Chooses the newest checkpoint of a run folder that can be trusted, reading but never changing
     * anything: its manifest is complete, its state file has the recorded size and SHA-256 and
     * decompresses to its end, and the run's output files still begin with the bytes it recorded.
     *
     * @throws UserException if no checkpoint verifies, naming each one and what is wrong with it
     */
    public static Choice choose(Path runDir) {
        Path root = runDir.resolve("checkpoints");
        List<String> skipped = new ArrayList<>();
        List<Path> folders = folders(root);
        for (int i = folders.size() - 1; i >= 0; i--) {
            Path d = folders.get(i);
            String problem;
            Checkpoint c = null;
            try {
                c = read(d);
                problem = verify(runDir, c);
            } catch (IOException e) {
                problem = e.getMessage();
            }
            if (problem == null) {
                return new Choice(c, skipped);
            }
            skipped.add(d.getFileName() + ": " + problem);
        }
        if (skipped.isEmpty()) {
            throw new UserException(runDir + " has no checkpoint to resume from (a run writes one after every "
                    + "checkpoint.every rounds; this one stopped before its first, or ran with checkpoint.every: 0); "
                    + "start the run again with: scarcity run " + runDir.resolve("config.yaml"));
        }
        throw new UserException("no checkpoint of " + runDir + " can be trusted, so it cannot be resumed (nothing was changed):\n  "
                + String.join("\n  ", skipped) + "\nrestore the damaged files from a copy, or start the run again with: scarcity run "
                + runDir.resolve("config.yaml"));
    }

    /** Checkpoints whose manifest reads, oldest first (for keeping the most recent ones and for tests). */
    private static List<Checkpoint> list(Path root) {
        List<Checkpoint> out = new ArrayList<>();
        for (Path d : folders(root)) {
            try {
                out.add(read(d));
            } catch (IOException e) {
                // not a checkpoint this version wrote completely
            }
        }
        return out;
    }

    /** Folders named like checkpoints, oldest round first. */
    private static List<Path> folders(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (var dirs = Files.list(root)) {
            return dirs.filter(d -> NAME.matcher(d.getFileName().toString()).matches() && Files.isDirectory(d))
                    .sorted(Comparator.comparingInt(d -> Integer.parseInt(d.getFileName().toString().substring(6))))
                    .toList();
        } catch (IOException e) {
            throw new UserException("cannot list the checkpoints in " + root + ": " + io.scarcity.runtime.Faults.describe(e));
        }
    }

    /** A checkpoint's manifest, or an IOException whose message says what is wrong with it. */
    private static Checkpoint read(Path d) throws IOException {
        Matcher m = NAME.matcher(d.getFileName().toString());
        if (!m.matches()) {
            throw new IOException("not a checkpoint folder");
        }
        if (!Files.isRegularFile(d.resolve(MANIFEST))) {
            throw new IOException("manifest.json is missing");
        }
        com.fasterxml.jackson.databind.JsonNode manifest;
        try {
            manifest = JSON.readTree(d.resolve(MANIFEST).toFile());
        } catch (IOException e) {
            throw new IOException("manifest.json cannot be read (" + io.scarcity.runtime.Faults.describe(e).lines().findFirst().orElse("")
                    + ")");
        }
        if (manifest == null || !manifest.isObject()) {
            throw new IOException("manifest.json is empty or not a JSON object");
        }
        if (manifest.path("format").asInt(-1) != FORMAT) {
            throw new IOException("manifest.json says format " + manifest.path("format") + ", this version reads format " + FORMAT);
        }
        if (!manifest.path("configSha256").isTextual() || !manifest.path("configBaseDir").isTextual()
                || !manifest.path("stateBytes").canConvertToLong() || manifest.path("round").asInt(-1) != Integer.parseInt(m.group(1))) {
            throw new IOException("manifest.json lacks configSha256, configBaseDir or stateBytes, or names another round");
        }
        java.util.Map<String, OutputPrefix> outputs = new java.util.TreeMap<>();
        var files = manifest.path("outputs");
        for (var it = files.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().path("bytes").canConvertToLong() || !e.getValue().path("sha256").isTextual()) {
                throw new IOException("manifest.json's entry for " + e.getKey() + " lacks bytes or sha256");
            }
            outputs.put(e.getKey(), new OutputPrefix(e.getValue().get("bytes").asLong(), e.getValue().get("sha256").asText()));
        }
        return new Checkpoint(d, Integer.parseInt(m.group(1)), manifest.get("configSha256").asText(),
                Path.of(manifest.get("configBaseDir").asText()), manifest.get("stateBytes").asLong(),
                manifest.path("stateSha256").isTextual() ? manifest.get("stateSha256").asText() : null, outputs);
    }

    /** What is wrong with a checkpoint whose manifest reads, or null if it verifies. Reads only. */
    private static String verify(Path runDir, Checkpoint c) {
        Path state = c.folder().resolve(STATE);
        try {
            if (!Files.isRegularFile(state)) {
                return STATE + " is missing";
            }
            long size = Files.size(state);
            if (size != c.stateBytes()) {
                return STATE + " is " + size + " bytes, its manifest says " + c.stateBytes() + " (truncated or replaced)";
            }
            java.security.MessageDigest sha = sha256();
            try (InputStream in = new GZIPInputStream(new java.security.DigestInputStream(Files.newInputStream(state), sha), 1 << 16)) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                return STATE + " is damaged: " + io.scarcity.runtime.Faults.describe(e);
            }
            if (c.stateSha256() != null && !c.stateSha256().equals(java.util.HexFormat.of().formatHex(sha.digest()))) {
                return STATE + " does not match the SHA-256 its manifest records (its bytes were changed)";
            }
            for (var e : c.outputs().entrySet()) {
                String problem = verifyPrefix(runDir.resolve(e.getKey()), e.getValue());
                if (problem != null) {
                    return e.getKey() + " " + problem;
                }
            }
            return null;
        } catch (IOException e) {
            return "cannot be read: " + io.scarcity.runtime.Faults.describe(e);
        }
    }

    /** What is wrong with an output file's beginning, or null if it has the recorded bytes. */
    private static String verifyPrefix(Path file, OutputPrefix prefix) throws IOException {
        if (!Files.isRegularFile(file)) {
            return "is missing";
        }
        long size = Files.size(file);
        if (size < prefix.bytes()) {
            return "is shorter (" + size + " bytes) than when the checkpoint was taken (" + prefix.bytes() + " bytes)";
        }
        java.security.MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            long left = prefix.bytes();
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    return "is shorter than when the checkpoint was taken";
                }
                sha.update(buffer, 0, n);
                left -= n;
            }
        }
        return prefix.sha256().equals(java.util.HexFormat.of().formatHex(sha.digest())) ? null
                : "was changed in its first " + prefix.bytes() + " bytes since the checkpoint was taken";
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String name(int round) {
        return String.format("round-%06d", round);
    }

    private static void sync(Path file) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.force(true);
        }
    }

    /** Makes a rename durable; not every file system lets a folder be opened for that, which is then skipped. */
    private static void syncDirectory(Path dir) {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        } catch (IOException | RuntimeException e) {
            // best effort
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
