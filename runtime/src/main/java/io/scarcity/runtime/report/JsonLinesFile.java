package io.scarcity.runtime.report;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON Lines output file whose lines of one round are flushed together, so a crash loses no round. It
 * knows how many bytes it holds and their SHA-256, which a checkpoint records so that a resume can check
 * that the file was not changed since (see {@link #bytes()}).
 */
final class JsonLinesFile implements AutoCloseable {
    private final Path file;
    private final FileOutputStream stream;
    private final BufferedOutputStream out;
    private final java.security.MessageDigest digest;
    private long bytes;

    /** A new (emptied) file. */
    JsonLinesFile(Path file) {
        this(file, false, new byte[0]);
    }

    private JsonLinesFile(Path file, boolean append, byte[] existing) {
        this.file = file;
        try {
            stream = new FileOutputStream(file.toFile(), append);
        } catch (IOException e) {
            throw new io.scarcity.runtime.UserException("cannot write " + file + ": " + io.scarcity.runtime.Faults.describe(e)
                    + "; make the run folder writable, or choose another output.dir");
        }
        out = new BufferedOutputStream(stream, 1 << 16);
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        digest.update(existing);
        bytes = existing.length;
    }

    /** Bytes in the file so far (all of them written through this object or kept by {@link #resume}). */
    long bytes() {
        return bytes;
    }

    /** SHA-256 (hex) of the file's {@link #bytes()} bytes. */
    String sha256() {
        try {
            return java.util.HexFormat.of().formatHex(((java.security.MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests of this JVM cannot be cloned", e);
        }
    }

    /**
     * Reopens the file of an interrupted run to continue after a checkpoint that recorded its first
     * {@code keepBytes} bytes (already checked against the checkpoint's SHA-256): the rest is removed,
     * then new lines are appended.
     */
    static JsonLinesFile resume(Path file, long keepBytes) {
        try {
            byte[] kept;
            try (var in = Files.newInputStream(file)) {
                kept = in.readNBytes(Math.toIntExact(keepBytes));
            }
            if (kept.length != keepBytes) {
                throw new io.scarcity.runtime.UserException(file + " is shorter than when the checkpoint was taken ("
                        + kept.length + " bytes, the checkpoint recorded " + keepBytes + "); restore it or start the run again");
            }
            replace(file, kept);
            return new JsonLinesFile(file, true, kept);
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
    }

    /** Atomically replaces a file's content (written to a sibling, synced, renamed). */
    private static void replace(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".resume");
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
            c.write(java.nio.ByteBuffer.wrap(content));
            c.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reopens the file of an interrupted run whose checkpoint recorded no size for it (written by an
     * earlier version) to continue after {@code throughRound}: lines of later rounds (and a line cut short
     * by a crash) are removed, then new lines are appended.
     */
    static JsonLinesFile resume(Path file, int throughRound) {
        List<String> kept = new ArrayList<>();
        java.util.Set<Integer> rounds = new java.util.TreeSet<>();
        try {
            if (Files.exists(file)) {
                // decoded leniently: a line torn by a crash (even mid-character) is dropped, not fatal
                String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
                for (String line : text.split("\n")) {
                    int round = roundOf(line);
                    if (round >= 1 && round <= throughRound) {
                        kept.add(line);
                        rounds.add(round);
                    }
                }
            }
            if (rounds.size() != throughRound) {
                throw new io.scarcity.runtime.UserException(file + " lacks the lines of some of rounds 1.." + throughRound
                        + " that the checkpoint follows (it has " + rounds.size() + " of them), so the resumed run's outputs"
                        + " would have a gap; start the run again");
            }
            StringBuilder b = new StringBuilder();
            for (String line : kept) {
                b.append(line).append('\n');
            }
            byte[] content = b.toString().getBytes(StandardCharsets.UTF_8);
            replace(file, content);
            return new JsonLinesFile(file, true, content);
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
    }

    /** The line's {@code round}, or -1 if it is not a complete JSON object with one. */
    private static int roundOf(String line) {
        try {
            var node = Json.MAPPER.readTree(line);
            return node != null && node.path("round").isInt() ? node.get("round").asInt() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Writes the values as one JSON line each and flushes. */
    void writeAll(List<?> values) {
        try {
            for (Object v : values) {
                byte[] line = (Json.write(v) + "\n").getBytes(StandardCharsets.UTF_8);
                out.write(line);
                digest.update(line);
                bytes += line.length;
            }
            out.flush();
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
    }

    /** Flushes and forces everything written so far to the disk (before a checkpoint). */
    void sync() {
        try {
            out.flush();
            stream.getFD().sync();
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
    }

    /** A failed write is the environment's (disk full, permissions), not a bug: say so and how to go on. */
    private static io.scarcity.runtime.UserException cannotWrite(Path file, IOException e) {
        return new io.scarcity.runtime.UserException("cannot write " + file + ": " + io.scarcity.runtime.Faults.describe(e)
                + "; free the disk or fix the folder's permissions, then continue with scarcity run --resume "
                + file.getParent(), e);
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
    }
}
