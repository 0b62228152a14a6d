package io.scarcity.dashboard;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the complete lines appended to a file since the last call. A line still being written (no newline yet) waits
 * for the next call; a file that shrank or was replaced (a resume cuts metrics.jsonl back to its checkpoint by writing
 * a new file) is read again from the start, and {@link #restarted()} says so. A file that is a symbolic link is not
 * read at all: it could lead out of the run folder.
 */
final class LineTail {
    private final Path file;
    private long offset;
    private Object fileKey;
    private boolean restarted;

    LineTail(Path file) {
        this.file = file;
    }

    /**
     * Reads every complete line appended since the last call, in slices of {@code maxBytes}: {@code onRestart} runs when
     * the file was cut back or replaced (before its lines are read again), {@code onLine} takes each line and says whether
     * it changed anything. True if a line changed something or the file restarted.
     */
    boolean drain(int maxBytes, Runnable onRestart, java.util.function.Predicate<String> onLine) throws IOException {
        boolean changed = false;
        while (true) {
            List<String> lines = read(maxBytes);
            if (restarted) {
                onRestart.run();
                changed = true;
            }
            if (lines.isEmpty()) {
                return changed;
            }
            for (String line : lines) {
                changed |= onLine.test(line);
            }
        }
    }

    /** Continues from where {@code other}, a tail of the same file, has read to. */
    void skipTo(LineTail other) {
        this.offset = other.offset;
        this.fileKey = other.fileKey;
    }

    /** Whether the last {@link #read} found the file shorter than before and started over. */
    boolean restarted() {
        return restarted;
    }

    /** The complete lines appended since the last call, at most {@code maxBytes} of them (the rest next time). */
    List<String> read(int maxBytes) throws IOException {
        restarted = false;
        List<String> lines = new ArrayList<>();
        if (!RunFolders.plainFile(file)) {
            return lines;
        }
        Object key = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
        if (fileKey != null && key != null && !key.equals(fileKey) && offset > 0) {
            offset = 0;
            restarted = true;
        }
        fileKey = key;
        try (SeekableByteChannel f = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long length = f.size();
            if (length < offset) {
                offset = 0;
                restarted = true;
            }
            if (length == offset) {
                return lines;
            }
            int n = (int) Math.min(maxBytes, length - offset);
            byte[] buf = readFully(f, offset, n);
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    int end = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                    lines.add(new String(buf, start, end - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start == 0 && n == maxBytes && length - offset > maxBytes) {
                // one line longer than maxBytes: skip it rather than stall on it
                lines.add(new String(buf, 0, Math.min(n, 200), StandardCharsets.UTF_8) + " ... (line too long, cut)");
                start = n;
            }
            offset += start;
        }
        return lines;
    }

    private static byte[] readFully(SeekableByteChannel f, long at, int n) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n);
        f.position(at);
        while (b.hasRemaining() && f.read(b) >= 0) {
            // until full, or the end (a file cut meanwhile: the rest stays zero and is read again next time)
        }
        return b.position() == n ? b.array() : java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** The last {@code count} complete lines of the file, and the position after them for later reads. */
    List<String> last(int count, int maxBytes) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!RunFolders.plainFile(file)) {
            return lines;
        }
        fileKey = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
        try (SeekableByteChannel f = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long length = f.size();
            long from = Math.max(0, length - maxBytes);
            byte[] buf = readFully(f, from, (int) (length - from));
            int lastNewline = -1;
            for (int i = buf.length - 1; i >= 0; i--) {
                if (buf[i] == '\n') {
                    lastNewline = i;
                    break;
                }
            }
            if (lastNewline < 0) {
                offset = from;
                return lines;
            }
            String text = new String(buf, 0, lastNewline, StandardCharsets.UTF_8);
            String[] all = text.split("\r?\n", -1);
            int first = from > 0 ? 1 : 0; // the first line of a window that starts mid-file is partial
            for (int i = Math.max(first, all.length - count); i < all.length; i++) {
                lines.add(all[i]);
            }
            offset = from + lastNewline + 1;
        }
        return lines;
    }
}
