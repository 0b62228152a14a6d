package io.scarcity.runtime.data;

import io.scarcity.api.PluginConfig;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opening data files: gzip is recognised by its magic bytes, whatever the file is called. */
final class DataFiles {
    private static final int BUFFER = 1 << 16;

    private DataFiles() {
    }

    /** Whether the file starts with gzip's magic bytes 1f 8b. */
    static boolean isGzip(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** The file's bytes, decompressed if it is gzipped; buffered. */
    static InputStream open(Path path) throws IOException {
        InputStream raw = Files.newInputStream(path);
        try {
            BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            return gzip ? new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER) : in;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * The file as UTF-8 text, decompressed if gzipped. Malformed UTF-8 is reported (as a
     * {@link java.nio.charset.CharacterCodingException}), never replaced.
     */
    static BufferedReader openText(Path path) throws IOException {
        return new BufferedReader(new InputStreamReader(open(path), StandardCharsets.UTF_8.newDecoder()));
    }

    /**
     * Resolves the required file option {@code key} against {@code baseDir} and checks that it exists.
     *
     * @param what what the file is, for messages, e.g. "ARFF file"
     * @throws io.scarcity.api.ConfigException if the key is missing or not a path
     * @throws DataException if the file does not exist, naming where it was looked for
     */
    static Path resolve(PluginConfig config, String key, Path baseDir, String what) {
        String text = config.getString(key, null);
        if (text == null || text.isBlank()) {
            throw config.invalid(key, "missing; set it to the " + what + " to read");
        }
        Path path;
        try {
            path = baseDir.resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw config.invalid(key, "'" + text + "' is not a valid file path: " + e.getReason());
        }
        if (!Files.exists(path)) {
            throw new DataException(what + " not found: " + path.toAbsolutePath() + " (" + config.pathOf(key)
                    + " is '" + text + "'" + (Path.of(text).isAbsolute() ? ""
                            : ", resolved against " + baseDir.toAbsolutePath().normalize())
                    + "); check the path, or run from the folder it is relative to");
        }
        if (Files.isDirectory(path)) {
            throw new DataException(path + " is a folder, not a " + what + " (" + config.pathOf(key)
                    + "); check the path");
        }
        return path;
    }
}
