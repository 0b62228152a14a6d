package io.scarcity.network.transport;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.scarcity.network.proto.Bye;
import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.CoordinatorMessage;
import io.scarcity.network.proto.Heartbeat;
import io.scarcity.network.proto.Hello;
import io.scarcity.network.proto.HostMessage;
import io.scarcity.network.proto.Ready;
import io.scarcity.network.proto.Reply;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client host's connection, as the coordinator sees it: the host's Hello, its certificate's name, calls
 * to it with their replies, and when it was last heard. A host that reconnects is a new
 * {@code ConnectedHost}. Thread-safe.
 */
public final class ConnectedHost {
    private static final Logger LOG = System.getLogger("io.scarcity.network");

    private final CoordinatorServer server;
    private final long number;
    private final String remoteAddress;
    private final String identity;
    private final ServerCallStreamObserver<CoordinatorMessage> out;
    private final Object sendLock = new Object();
    private final AtomicLong nextCallId = new AtomicLong(1);
    private final Map<Long, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean available = new AtomicBoolean(true);
    private final CompletableFuture<ConnectionLostException> closed = new CompletableFuture<>();
    private final long connectedNanos = System.nanoTime();
    private volatile long lastHeardNanos = connectedNanos;
    private volatile Hello hello;
    private volatile Ready ready;
    private volatile boolean admitted;
    private volatile String byeReason;

    ConnectedHost(CoordinatorServer server, long number, String remoteAddress, String identity,
                  ServerCallStreamObserver<CoordinatorMessage> out) {
        this.server = server;
        this.number = number;
        this.remoteAddress = remoteAddress;
        this.identity = identity;
        this.out = out;
    }

    /** The host's Hello, {@code null} until it has said it. */
    public Hello hello() {
        return hello;
    }

    /** What the host reported once it built its clients, {@code null} until then. */
    public Ready ready() {
        return ready;
    }

    /** The host's address as the server saw it (for logs). */
    public String remoteAddress() {
        return remoteAddress;
    }

    /**
     * The common name of the certificate the host presented (mutual TLS): the identity the federation's CA
     * enrolled it under, e.g. a client id. Empty on an insecure connection.
     */
    public Optional<String> identity() {
        return Optional.ofNullable(identity);
    }

    /** Whether the coordinator welcomed the host (calls may be made). */
    public boolean admitted() {
        return admitted;
    }

    /** Whether the connection is still open. */
    public boolean connected() {
        return !ended.get();
    }

    /** Whether the host was heard within the heartbeat timeout (see {@link HostListener#availabilityChanged}). */
    public boolean available() {
        return available.get();
    }

    /** How long since the last message from the host (any message counts as a heartbeat). */
    public Duration silentFor() {
        return Duration.ofNanos(System.nanoTime() - lastHeardNanos);
    }

    /** Calls sent and not answered yet. */
    public int pendingCalls() {
        return pending.size();
    }

    /** Completes with the reason once the connection has ended. */
    public CompletableFuture<ConnectionLostException> closed() {
        return closed;
    }

    /**
     * Sends a call (its {@code call_id} is chosen here; whatever the given call has is replaced) and returns
     * its reply. The future completes on a gRPC thread: normally with a reply that carries a result, or
     * exceptionally with a {@link CallFailedException} (the host answered with an error) or a
     * {@link ConnectionLostException} (the connection ended first). Calls are sent in the order they are
     * made; the host handles them one at a time in that order.
     *
     * @throws IllegalStateException if the host has not been welcomed
     */
    public CompletableFuture<Reply> call(Call call) {
        if (!admitted) {
            throw new IllegalStateException("host " + this + " has not been welcomed");
        }
        long id = nextCallId.getAndIncrement();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        pending.put(id, reply);
        reply.whenComplete((r, e) -> pending.remove(id));
        if (ended.get()) {
            reply.completeExceptionally(closed.getNow(lost("the connection to " + this + " has ended", false, null)));
            return reply;
        }
        try {
            send(CoordinatorMessage.newBuilder().setCall(call.toBuilder().setCallId(id)).build());
        } catch (RuntimeException e) {
            reply.completeExceptionally(e);
        }
        return reply;
    }

    /**
     * {@link #call(Call)} with a deadline: the future fails with a {@link java.util.concurrent.TimeoutException}
     * if no reply came within {@code timeout}. The host is not told; a reply that comes later is dropped.
     */
    public CompletableFuture<Reply> call(Call call, Duration timeout) {
        return call(call).orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Says Bye to the host with {@code reason} and ends the connection; the host does not reconnect. */
    public void close(String reason) {
        if (ended.get()) {
            return;
        }
        try {
            send(CoordinatorMessage.newBuilder().setBye(Bye.newBuilder().setReason(reason)).build());
            synchronized (sendLock) {
                out.onCompleted();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "closing " + this + ": " + e);
        }
        end(lost("closed by the coordinator: " + reason, true, null));
    }

    @Override
    public String toString() {
        Hello h = hello;
        String name = h == null || h.getHostName().isEmpty() ? "?" : h.getHostName();
        return "#" + number + " " + name + (identity == null ? "" : " [" + identity + "]") + " at " + remoteAddress;
    }

    // ---- the server's side

    /** The stream observer for the host's messages. */
    StreamObserver<HostMessage> inbound() {
        return new StreamObserver<>() {
            @Override
            public void onNext(HostMessage m) {
                received(m);
            }

            @Override
            public void onError(Throwable t) {
                Status s = Status.fromThrowable(t);
                end(lost("the connection to " + ConnectedHost.this + " broke: " + s.getCode()
                        + (s.getDescription() == null ? "" : " (" + s.getDescription() + ")"), false, t));
            }

            @Override
            public void onCompleted() {
                try {
                    synchronized (sendLock) {
                        out.onCompleted();
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.DEBUG, "completing " + ConnectedHost.this + ": " + e);
                }
                String bye = byeReason;
                end(bye != null ? lost("host " + ConnectedHost.this + " said bye: " + bye, true, null)
                        : lost("host " + ConnectedHost.this + " ended the stream without a bye", false, null));
            }
        };
    }

    private void received(HostMessage m) {
        lastHeardNanos = System.nanoTime();
        if (admitted && available.compareAndSet(false, true)) {
            server.event(() -> server.listener().availabilityChanged(this, true));
        }
        switch (m.getKindCase()) {
            case HELLO -> {
                if (hello != null) {
                    protocolError("a second Hello");
                    return;
                }
                hello = m.getHello();
                server.event(this::admit);
            }
            case READY -> {
                if (!admitted || ready != null) {
                    protocolError(admitted ? "a second Ready" : "Ready before Welcome");
                    return;
                }
                Ready r = m.getReady();
                ready = r;
                server.event(() -> server.listener().ready(this, r));
            }
            case REPLY -> {
                if (!admitted) {
                    protocolError("a Reply before Welcome");
                    return;
                }
                Reply r = m.getReply();
                CompletableFuture<Reply> f = pending.get(r.getCallId());
                if (f == null) {
                    LOG.log(Level.DEBUG, "a reply to call " + r.getCallId() + " from " + this + " came too late or was not asked for");
                } else if (r.hasError()) {
                    f.completeExceptionally(CallFailedException.of(r.getError()));
                } else {
                    f.complete(r);
                }
            }
            case HEARTBEAT -> {
                // being heard is all it says
            }
            case BYE -> byeReason = m.getBye().getReason();
            default -> protocolError("an empty message");
        }
    }

    /** On the event thread: asks the listener, then welcomes or refuses the host. */
    private void admit() {
        if (ended.get()) {
            return;
        }
        Admission a;
        try {
            a = server.listener().admit(this, hello);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "admitting " + this + " failed", e);
            fail(Status.INTERNAL.withDescription("the coordinator could not admit this host: " + e));
            return;
        }
        if (a.welcomed()) {
            var w = a.welcome().toBuilder();
            if (w.getHeartbeatMillis() == 0) {
                w.setHeartbeatMillis(server.settings().heartbeatInterval().toMillis());
            }
            try {
                synchronized (sendLock) {
                    // admitted under the lock: a call made as soon as it is visible goes out after the Welcome
                    admitted = true;
                    send(CoordinatorMessage.newBuilder().setWelcome(w).build());
                }
            } catch (ConnectionLostException e) {
                return;
            }
            LOG.log(Level.INFO, "welcomed host " + this);
        } else {
            LOG.log(Level.WARNING, "refused host " + this + ": " + a.refused().getReason());
            try {
                send(CoordinatorMessage.newBuilder().setRefused(a.refused()).build());
                synchronized (sendLock) {
                    out.onCompleted();
                }
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "refusing " + this + ": " + e);
            }
            end(lost("refused: " + a.refused().getReason(), true, null));
        }
    }

    /** Called by the server's timer: a heartbeat to the host, and the host's silence checked. */
    void tick(Duration timeout) {
        if (ended.get()) {
            return;
        }
        try {
            send(CoordinatorMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSentAtMillis(System.currentTimeMillis())).build());
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "heartbeat to " + this + ": " + e);
        }
        if (silentFor().compareTo(timeout) <= 0) {
            return;
        }
        if (hello == null) {
            // connected (TLS passed) but never introduced itself
            fail(Status.DEADLINE_EXCEEDED.withDescription("no Hello within " + timeout.toMillis() + " ms"));
        } else if (admitted && available.compareAndSet(true, false)) {
            LOG.log(Level.WARNING, "host " + this + " silent for " + silentFor().toMillis() + " ms: unavailable");
            server.event(() -> server.listener().availabilityChanged(this, false));
        }
    }

    private void send(CoordinatorMessage m) {
        synchronized (sendLock) {
            if (ended.get()) {
                throw closed.getNow(lost("the connection to " + this + " has ended", false, null));
            }
            out.onNext(m);
        }
    }

    private void protocolError(String what) {
        LOG.log(Level.WARNING, "host " + this + " broke the protocol: " + what);
        fail(Status.FAILED_PRECONDITION.withDescription("protocol error: " + what));
    }

    private void fail(Status status) {
        try {
            synchronized (sendLock) {
                out.onError(status.asRuntimeException());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "failing " + this + ": " + e);
        }
        end(lost("ended by the coordinator: " + status.getDescription(), false, null));
    }

    /** The connection is over: pending calls fail, the server forgets the host, the listener hears of it once. */
    void end(ConnectionLostException cause) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        closed.complete(cause);
        for (CompletableFuture<Reply> f : pending.values()) {
            f.completeExceptionally(cause);
        }
        server.forget(this);
        if (admitted) {
            LOG.log(Level.INFO, "lost host " + this + ": " + cause.getMessage());
            server.event(() -> server.listener().lost(this, cause));
        }
    }

    private static ConnectionLostException lost(String message, boolean graceful, Throwable cause) {
        return new ConnectionLostException(message, graceful, cause);
    }
}
