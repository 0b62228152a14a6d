package io.scarcity.network.wire;

/** Bytes received that are not the value they should encode: another version, truncated or corrupt. */
public final class WireFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
