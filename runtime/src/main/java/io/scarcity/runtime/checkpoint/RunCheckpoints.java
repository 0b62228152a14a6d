package io.scarcity.runtime.checkpoint;

import io.scarcity.api.StateWriter;
import io.scarcity.runtime.UserException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
import java.util.Optional;
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
    public static final int FORMAT = 4;
    private static final Pattern NAME = Pattern.compile("round-(\\d{6,})");
    private static final String STATE = "state.bin.gz";
    private static final String MANIFEST = "manifest.json";

    /** Writes the state of a checkpoint. */
    @FunctionalInterface
    public interface Body {
        void write(StateWriter out) throws IOException;
    }

    /** A complete checkpoint on disk. */
    public record Checkpoint(Path folder, int round, String configDigest, Path configBaseDir) {
        /** The state, decompressed; the caller closes it. */
        public InputStream open() throws IOException {
            return new BufferedInputStream(new GZIPInputStream(Files.newInputStream(folder.resolve(STATE)), 1 << 16));
        }
    }

    private final Path root;
    private final int keep;
    private final String configDigest;
    private final Path configBaseDir;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);

    /**
     * @param runDir the run folder
     * @param keep how many checkpoints to keep, >= 1
     * @param configDigest fingerprint of the run's resolved config, recorded in each manifest
     * @param configBaseDir the folder the config's relative paths (data files) resolve against
     */
    public RunCheckpoints(Path runDir, int keep, String configDigest, Path configBaseDir) {
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
            try (OutputStream file = Files.newOutputStream(state);
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
            throw new UncheckedIOException("cannot write the checkpoint of round " + round + " in " + root + ": " + e.getMessage(), e);
        }
    }

    /** Complete checkpoints, oldest first. */
    public List<Checkpoint> list() {
        return list(root);
    }

    /**
     * The most recent complete checkpoint of a run folder.
     *
     * @throws UserException if there is none, saying why that may be
     */
    public static Checkpoint latest(Path runDir) {
        List<Checkpoint> all = list(runDir.resolve("checkpoints"));
        if (all.isEmpty()) {
            throw new UserException(runDir + " has no checkpoint to resume from (a run writes one after every "
                    + "checkpoint.every rounds; this one stopped before its first, or ran with checkpoint.every: 0); "
                    + "start the run again with: scarcity run " + runDir.resolve("config.yaml"));
        }
        return all.get(all.size() - 1);
    }

    private static List<Checkpoint> list(Path root) {
        List<Checkpoint> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (var dirs = Files.list(root)) {
            for (Path d : dirs.toList()) {
                Matcher m = NAME.matcher(d.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(d.resolve(STATE)) || !Files.isRegularFile(d.resolve(MANIFEST))) {
                    continue;
                }
                com.fasterxml.jackson.databind.JsonNode manifest;
                try {
                    manifest = JSON.readTree(d.resolve(MANIFEST).toFile());
                } catch (IOException e) {
                    continue; // not a checkpoint this version wrote completely
                }
                if (manifest == null || manifest.path("format").asInt(-1) != FORMAT || !manifest.path("configSha256").isTextual()
                        || !manifest.path("configBaseDir").isTextual()) {
                    continue;
                }
                out.add(new Checkpoint(d, Integer.parseInt(m.group(1)), manifest.get("configSha256").asText(),
                        Path.of(manifest.get("configBaseDir").asText())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the checkpoints in " + root + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingInt(Checkpoint::round));
        return out;
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
