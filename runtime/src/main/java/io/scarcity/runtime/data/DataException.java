package io.scarcity.runtime.data;

import io.scarcity.runtime.UserException;

/** Bad input data: a missing or unreadable file, a ragged or non-numeric row, an unknown label. */
public final class DataException extends UserException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
