package io.scarcity.network.transport;

import io.scarcity.network.proto.Hello;
import io.scarcity.network.proto.Ready;

/**
 * What the coordinator's side hears of its hosts. Every method is called on the server's one event thread,
 * in the order things happened (a host's {@code admit} before its {@code ready}, before its {@code lost});
 * a method that blocks delays the events after it, not the replies to calls ({@link ConnectedHost#call}'s
 * futures complete on gRPC's threads).
 */
public interface HostListener {
    /**
     * A host said Hello: welcome it (the transport fills in {@code heartbeat_millis} when left 0) or refuse
     * it (the transport sends the refusal and ends the stream). An exception ends the stream with an
     * internal error, and the host tries again later.
     */
    Admission admit(ConnectedHost host, Hello hello);

    /** A welcomed host built its clients and is ready for calls. */
    default void ready(ConnectedHost host, Ready ready) {
    }

    /**
     * A welcomed host went silent for longer than the heartbeat timeout ({@code available} false), or was
     * heard again after that ({@code true}). Its connection stays open meanwhile.
     */
    default void availabilityChanged(ConnectedHost host, boolean available) {
    }

    /**
     * A welcomed host's connection ended (its Bye, a broken stream, the coordinator's close); calls still
     * waiting on it have failed with {@code cause}. The host may connect again later, as a new
     * {@link ConnectedHost}.
     */
    default void lost(ConnectedHost host, ConnectionLostException cause) {
    }
}
