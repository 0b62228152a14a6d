package io.scarcity.runtime.coordinator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Looks at an SQLite database file without opening it with SQLite (which would create an empty database
 * where the file is missing or empty, and may drop a write-ahead log that does not match it): the file
 * exists, is not empty, starts with SQLite's header and is as long as its header says
 * (<a href="https://www.sqlite.org/fileformat.html">the database file format</a>, section 1.3).
 */
final class SqliteFileCheck {
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 100;

    private SqliteFileCheck() {
    }

    /** What is wrong with the file as the database of a run that already stored insights, or null if nothing is. */
    static String problem(Path file) {
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        String walNote = Files.isRegularFile(wal) ? " (its write-ahead log " + wal.getFileName() + " is still there; keep it"
                + " next to the restored file)" : "";
        if (!Files.exists(file)) {
            return "is missing" + walNote;
        }
        if (!Files.isRegularFile(file)) {
            return "is not a file";
        }
        try {
            long size = Files.size(file);
            if (size == 0) {
                return "is empty (0 bytes): it was truncated" + walNote;
            }
            byte[] header;
            try (InputStream in = Files.newInputStream(file)) {
                header = in.readNBytes(HEADER);
            }
            for (int i = 0; i < MAGIC.length; i++) {
                if (i >= header.length || header[i] != MAGIC[i]) {
                    return "is not an SQLite database (it does not begin with SQLite's header): it was overwritten or damaged";
                }
            }
            if (header.length < HEADER) {
                return "is truncated (" + size + " bytes, shorter than SQLite's 100-byte header)";
            }
            int pageSize = ((header[16] & 0xff) << 8) | (header[17] & 0xff);
            pageSize = pageSize == 1 ? 65536 : pageSize;
            if (pageSize < 512 || Integer.bitCount(pageSize) != 1) {
                return "has a damaged header (page size " + pageSize + ")";
            }
            long changeCounter = readInt(header, 24);
            long pages = readInt(header, 28);
            long validFor = readInt(header, 92);
            if (size % pageSize != 0) {
                return "is truncated or damaged (" + size + " bytes, not a whole number of its " + pageSize + "-byte pages)";
            }
            if (pages > 0 && validFor == changeCounter && size < pages * pageSize) {
                return "is truncated (" + size + " bytes; its header says " + pages + " pages of " + pageSize + " bytes)";
            }
            return null;
        } catch (IOException e) {
            return "cannot be read: " + io.scarcity.runtime.Faults.describe(e);
        }
    }

    private static long readInt(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
