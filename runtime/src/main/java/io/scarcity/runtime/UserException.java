package io.scarcity.runtime;

/**
 * An error the user caused and can fix (bad input data, a missing file, an inconsistent setup), as
 * opposed to a bug. The CLI prints the message alone and exits with code 2. The message must say
 * what is wrong, where (file, line, key) and how to fix it.
 */
public class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
