package io.scarcity.network.transport;

/**
 * A connection between coordinator and host ended: the host or the coordinator said goodbye (graceful),
 * or the stream broke. Calls that were waiting for a reply on it complete exceptionally with it.
 */
public final class ConnectionLostException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean graceful;

    public ConnectionLostException(String message, boolean graceful, Throwable cause) {
        super(message, cause);
        this.graceful = graceful;
    }

    /** Whether a side ended it on purpose (a Bye, a refusal, a close), rather than it breaking. */
    public boolean graceful() {
        return graceful;
    }
}
