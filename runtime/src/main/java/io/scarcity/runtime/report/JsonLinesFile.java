package io.scarcity.runtime.report;

import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** A JSON Lines output file whose lines of one round are flushed together, so a crash loses no round. */
final class JsonLinesFile implements AutoCloseable {
    private final Path file;
    private final FileOutputStream stream;
    private final BufferedWriter out;

    /** A new (emptied) file. */
    JsonLinesFile(Path file) {
        this(file, false);
    }

    private JsonLinesFile(Path file, boolean append) {
        this.file = file;
        try {
            stream = new FileOutputStream(file.toFile(), append);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
        out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
    }

    /**
     * Reopens the file of an interrupted run to continue after {@code throughRound}: lines of later rounds
     * (and a line cut short by a crash) are removed, then new lines are appended.
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
            Path tmp = file.resolveSibling(file.getFileName() + ".resume");
            try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
                StringBuilder b = new StringBuilder();
                for (String line : kept) {
                    b.append(line).append('\n');
                }
                c.write(java.nio.ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8)));
                c.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + file + " for the resumed run: " + e.getMessage(), e);
        }
        return new JsonLinesFile(file, true);
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
                out.write(Json.write(v));
                out.write('\n');
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file.getFileName(), e);
        }
    }

    /** Flushes and forces everything written so far to the disk (before a checkpoint). */
    void sync() {
        try {
            out.flush();
            stream.getFD().sync();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync " + file.getFileName(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file.getFileName(), e);
        }
    }
}
