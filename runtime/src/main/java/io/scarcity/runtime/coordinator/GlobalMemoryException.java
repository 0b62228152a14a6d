package io.scarcity.runtime.coordinator;

/**
 * The global memory's database cannot be opened, migrated, written or read: a wrong URL, user or
 * password, a server that is down, a file in a folder that does not exist, a database written by a newer
 * version. The message says which database (never its password) and what went wrong.
 */
public final class GlobalMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GlobalMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
