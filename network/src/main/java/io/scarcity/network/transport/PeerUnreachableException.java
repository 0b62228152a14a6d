package io.scarcity.network.transport;

import java.io.IOException;

/**
 * A gossip peer could not be exchanged with directly: its address cannot be reached, the TLS handshake failed
 * (it presented another certificate than the one expected), it refused the exchange, or it did not answer in
 * time. The exchange can still go through the coordinator.
 */
public final class PeerUnreachableException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String address;

    public PeerUnreachableException(String address, String reason, Throwable cause) {
        super("the gossip peer at " + address + " could not be reached directly: " + reason, cause);
        this.address = address;
    }

    /** The address dialled, HOST:PORT. */
    public String address() {
        return address;
    }
}
