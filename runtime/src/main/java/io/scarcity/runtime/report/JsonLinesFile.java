package io.scarcity.runtime.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A JSON Lines output file whose lines of one round are flushed together, so a crash loses no round. */
final class JsonLinesFile implements AutoCloseable {
    private final Path file;
    private final BufferedWriter out;

    JsonLinesFile(Path file) {
        this.file = file;
        try {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
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

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file.getFileName(), e);
        }
    }
}
