package io.scarcity.network.wire;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * The binary encoding of one kind of value, in the {@link StateWriter}/{@link StateReader} format that
 * checkpoints use: {@link #encode}/{@link #decode} make a self-contained payload (the wire format's version,
 * then the value) for a message field; {@link #write}/{@link #read} put the bare value inside a larger
 * state, e.g. a checkpoint. Decoding gives back exactly what was encoded: doubles bit for bit (NaN payloads
 * and negative zero included), {@code null}s where the value allows them, and maps in the order they were
 * iterated when written. Immutable and thread-safe.
 *
 * @param <T> the value
 */
public final class Codec<T> {
    /**
     * The wire format's version, first in every payload. Raise it when any codec's layout changes: a peer
     * of another version then fails with a message naming both, instead of misreading the bytes.
     */
    public static final int FORMAT_VERSION = 1;

    /** Writes a value's fields. */
    @FunctionalInterface
    interface Writer<T> {
        void write(StateWriter out, T value) throws IOException;
    }

    /** Reads what the matching {@link Writer} wrote. */
    @FunctionalInterface
    interface Reader<T> {
        T read(StateReader in) throws IOException;
    }

    private final String name;
    private final Writer<T> writer;
    private final Reader<T> reader;

    Codec(String name, Writer<T> writer, Reader<T> reader) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.writer = Objects.requireNonNull(writer, "writer is null");
        this.reader = Objects.requireNonNull(reader, "reader is null");
    }

    /** What this codec encodes, for messages (e.g. {@code "round result"}). */
    public String name() {
        return name;
    }

    /** The value alone, inside a larger state; {@link #read} reads it back. */
    public void write(StateWriter out, T value) throws IOException {
        Objects.requireNonNull(value, name + " is null");
        writer.write(out, value);
    }

    /**
     * Reads what {@link #write} wrote.
     *
     * @throws IOException if the bytes are not such a value (truncated, corrupt, or values that the
     *         value's own checks refuse)
     */
    public T read(StateReader in) throws IOException {
        try {
            return reader.read(in);
        } catch (RuntimeException e) {
            throw new IOException("invalid " + name + ": " + e.getMessage(), e);
        }
    }

    /** A self-contained payload: the format version, then the value. */
    public byte[] encode(T value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        try {
            out.writeVersion(FORMAT_VERSION);
            write(out, value);
            out.flush();
        } catch (IOException e) {
            // a byte array does not fail
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a payload made by {@link #encode}, all of it.
     *
     * @throws WireFormatException naming the value and what is wrong: another format version, truncated or
     *         corrupt bytes, bytes left over, or values the value's own checks refuse
     */
    public T decode(byte[] payload) {
        Objects.requireNonNull(payload, "payload is null");
        ByteArrayInputStream bytes = new ByteArrayInputStream(payload);
        StateReader in = new StateReader(bytes);
        T value;
        try {
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new WireFormatException("a " + name + " in wire format version " + version + ", this side reads "
                        + FORMAT_VERSION + ": the peer runs another version of Scarcity", null);
            }
            value = read(in);
        } catch (IOException e) {
            throw new WireFormatException("cannot decode a " + name + " (" + payload.length + " bytes): " + e.getMessage(), e);
        }
        if (bytes.available() > 0) {
            throw new WireFormatException("cannot decode a " + name + ": " + bytes.available() + " of its "
                    + payload.length + " bytes are left over", null);
        }
        return value;
    }

    @Override
    public String toString() {
        return "Codec[" + name + "]";
    }
}
