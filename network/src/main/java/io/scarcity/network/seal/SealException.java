package io.scarcity.network.seal;

/** A key or sealed state that must not be used: its signature, certificate or authentication tag does not verify. */
public final class SealException extends Exception {
    private static final long serialVersionUID = 1L;

    public SealException(String message) {
        super(message);
    }

    public SealException(String message, Throwable cause) {
        super(message, cause);
    }
}
