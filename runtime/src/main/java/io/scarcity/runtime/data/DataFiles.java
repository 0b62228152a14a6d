package io.scarcity.runtime.data;

import io.scarcity.api.PluginConfig;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
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
     * Checks that {@code path} is a file a source can open, before any reading, so that a wrong path is
     * reported as such rather than as an I/O error.
     *
     * @param article "a" or "an", to go before {@code what}
     * @param what what the file is, for messages, e.g. "CSV file"
     * @throws DataException if the path is a folder or does not exist
     */
    static void requireRegularFile(Path path, String article, String what) {
        if (!Files.isRegularFile(path)) {
            throw new DataException(Files.isDirectory(path)
                    ? path + " is a folder, not " + article + " " + what + "; check the path"
                    : what + " not found: " + path.toAbsolutePath()
                            + "; check the path, or run from the folder it is relative to");
        }
    }

    /**
     * The exception for a text file that failed to read; malformed UTF-8 gets its own advice, since
     * re-saving the file fixes it.
     */
    static DataException unreadable(String fileName, IOException e) {
        if (e instanceof CharacterCodingException) {
            return new DataException(fileName + ": the file is not valid UTF-8; save it as UTF-8", e);
        }
        String cause = io.scarcity.runtime.Faults.describe(e);
        String fix = cause.equals("permission denied") ? "; give the user running Scarcity read access to it (chmod)"
                : cause.startsWith("the file is truncated") || cause.startsWith("the file is corrupt")
                ? "; copy or download the file again (for the data sets Scarcity knows: scripts/fetch-datasets.sh)" : "";
        return new DataException(fileName + ": cannot read the file: " + cause + fix, e);
    }

    /** Closes a file that was only read, if there is one. */
    static void closeQuietly(Closeable file) {
        if (file == null) {
            return;
        }
        try {
            file.close();
        } catch (IOException e) {
            // Nothing was written, so a failed close loses nothing.
        }
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
        Path path = resolveExisting(config, key, text, baseDir, what);
        if (Files.isDirectory(path)) {
            throw new DataException(path + " is a folder, not a " + what + " (" + config.pathOf(key)
                    + "); check the path");
        }
        return path;
    }

    /**
     * Resolves {@code text}, the value of file option {@code key}, against {@code baseDir} and checks that
     * something exists there. A folder passes: callers that say more about it than {@link #resolve}
     * does check for it themselves.
     *
     * @throws io.scarcity.api.ConfigException if {@code text} is not a path
     * @throws DataException if nothing exists there, naming where it was looked for
     */
    static Path resolveExisting(PluginConfig config, String key, String text, Path baseDir, String what) {
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
        return path;
    }
}
