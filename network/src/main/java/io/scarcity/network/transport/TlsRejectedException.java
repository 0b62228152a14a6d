package io.scarcity.network.transport;

/**
 * The TLS handshake with the coordinator failed: the coordinator did not accept this host's certificate
 * (it is not signed by the federation's CA: the host is not enrolled in this federation), or the host did
 * not accept the coordinator's (another federation's coordinator, or a name the certificate does not
 * carry), or one side runs without TLS. Retrying cannot mend it, so the host does not.
 */
public final class TlsRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TlsRejectedException(String target, Throwable cause) {
        super("TLS with the coordinator at " + target + " failed: this host is not enrolled in this federation "
                + "(its certificate is not signed by the federation's CA), or it does not trust the coordinator's "
                + "certificate (another federation's CA, or a host name the certificate does not name), or one side "
                + "runs without TLS; check the --tls-dir files (" + rootMessage(cause) + ")", cause);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
