package io.scarcity.network.transport;

import io.scarcity.network.proto.Error;
import io.scarcity.network.proto.ErrorKind;
import java.util.Objects;

/**
 * A call that a host answered with an error: on the host, a handler throws it to choose the error's
 * {@link ErrorKind}; on the coordinator, {@link ConnectedHost#call} completes exceptionally with it.
 */
public final class CallFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorKind kind;
    private final String clientId;

    /**
     * @param clientId the client the failure concerns, {@code null} when none
     */
    public CallFailedException(ErrorKind kind, String message, String clientId, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind is null");
        this.clientId = clientId;
    }

    public CallFailedException(ErrorKind kind, String message) {
        this(kind, message, null, null);
    }

    public ErrorKind kind() {
        return kind;
    }

    /** The client the failure concerns, {@code null} when none. */
    public String clientId() {
        return clientId;
    }

    /** The error as the host sent it. */
    public static CallFailedException of(Error error) {
        return new CallFailedException(error.getKind(), error.getMessage(),
                error.getClientId().isEmpty() ? null : error.getClientId(), null);
    }

    /** The error to send. */
    public Error toProto() {
        Error.Builder b = Error.newBuilder().setKind(kind).setMessage(String.valueOf(getMessage()));
        if (clientId != null) {
            b.setClientId(clientId);
        }
        return b.build();
    }
}
