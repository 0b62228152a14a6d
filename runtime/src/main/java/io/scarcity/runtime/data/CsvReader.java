package io.scarcity.runtime.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.List;
import java.util.Objects;

/**
 * Streams the records of a delimited text file, RFC 4180 style: a field that starts with a double
 * quote may contain delimiters, line breaks and doubled quotes ({@code ""}); elsewhere a quote is an
 * ordinary character. CRLF, LF and lone CR all end a line; blank lines are skipped. Line numbers are
 * physical lines, so that a user can find a record in an editor even after multi-line fields.
 */
final class CsvReader implements Closeable {
    private final Reader in;
    private final char delimiter;
    private final String fileName;
    private final char[] buf = new char[1 << 16];
    private final StringBuilder field = new StringBuilder();
    private int pos;
    private int limit;
    /** Line of the next character to read. */
    private long line = 1;
    private long recordLine;
    private String syntaxError;

    CsvReader(Reader in, char delimiter, String fileName) {
        this.in = Objects.requireNonNull(in, "in is null");
        this.fileName = Objects.requireNonNull(fileName, "fileName is null");
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException("the delimiter cannot be a quote or a line break");
        }
        this.delimiter = delimiter;
    }

    /**
     * Reads the next record into {@code out} (cleared first).
     *
     * @return false at the end of the file
     * @throws DataException if a quoted field is never closed: everything after it would be garbage
     */
    boolean next(List<String> out) throws IOException {
        out.clear();
        syntaxError = null;
        int c = read();
        while (c == '\n' || c == '\r') {
            endLine(c);
            c = read();
        }
        if (c == -1) {
            return false;
        }
        recordLine = line;
        while (true) {
            field.setLength(0);
            if (c == '"') {
                c = readQuoted();
                if (c != delimiter && c != '\n' && c != '\r' && c != -1) {
                    syntaxError = "unexpected character '" + (char) c + "' after the closing quote of field "
                            + (out.size() + 1) + "; inside a quoted field, write a quote as two quotes (\"\")";
                    out.add(field.toString());
                    // Resynchronise at the end of the line so that one bad row costs one row.
                    while (c != '\n' && c != '\r' && c != -1) {
                        c = read();
                    }
                    endLine(c);
                    return true;
                }
            } else {
                while (c != delimiter && c != '\n' && c != '\r' && c != -1) {
                    field.append((char) c);
                    c = read();
                }
            }
            out.add(field.toString());
            if (c == delimiter) {
                c = read();
                continue;
            }
            endLine(c);
            return true;
        }
    }

    /** Line on which the last record started. */
    long recordLine() {
        return recordLine;
    }

    /** Why the last record is malformed, or null if it is well formed. */
    String syntaxError() {
        return syntaxError;
    }

    /** Reads a quoted field's content after its opening quote; returns the character after the closing one. */
    private int readQuoted() throws IOException {
        while (true) {
            int c = read();
            if (c == -1) {
                throw new DataException(fileName + ":" + recordLine + ": a quoted field that starts on this line"
                        + " is never closed, so the rest of the file cannot be read; add the missing '\"'");
            }
            if (c == '"') {
                int n = read();
                if (n != '"') {
                    return n;
                }
                field.append('"');
                continue;
            }
            if (c == '\n' || (c == '\r' && peek() != '\n')) {
                line++;
            }
            field.append((char) c);
        }
    }

    private void endLine(int c) throws IOException {
        if (c == -1) {
            return;
        }
        if (c == '\r' && peek() == '\n') {
            pos++;
        }
        line++;
    }

    private int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos++];
    }

    private int peek() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos];
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        pos = 0;
        limit = Math.max(n, 0);
        return n > 0;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
