package io.scarcity.network.transport;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.scarcity.network.proto.Bye;
import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.CoordinatorMessage;
import io.scarcity.network.proto.ErrorKind;
import io.scarcity.network.proto.FederationGrpc;
import io.scarcity.network.proto.Heartbeat;
import io.scarcity.network.proto.Hello;
import io.scarcity.network.proto.HostMessage;
import io.scarcity.network.proto.Ready;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.proto.Welcome;
import io.scarcity.network.wire.WireFormatException;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * A client host's end of the federation: it dials the coordinator, says Hello, and keeps the stream open,
 * answering the coordinator's calls through its {@link Handler}. When the stream breaks (the coordinator
 * restarts, the network fails, the coordinator falls silent for {@link Settings#heartbeatTimeout}) it
 * dials again after an exponential backoff ({@link Settings#initialBackoff} doubled per failed attempt up to
 * {@link Settings#maxBackoff}, with 20% jitter, reset by each Welcome) and says Hello again, naming the run
 * it was in ({@code previous_run_id}).
 *
 * <p>It stops for good when the coordinator refuses the host ({@link HostRefusedException}), when the TLS
 * handshake fails {@value #TLS_ATTEMPTS} times in a row ({@link TlsRejectedException}: not enrolled in this
 * federation, or not trusting its coordinator, which retrying cannot mend), when the coordinator says Bye,
 * when the handler cannot start from a Welcome, or on {@link #close}; {@link #finished()} then completes.
 *
 * <p>The handler is called on one thread, in order: {@link Handler#welcomed} for each Welcome (its Ready is
 * sent before any reply), then {@link Handler#handle} for each call in the order the calls arrived. A call
 * still queued when its connection breaks is dropped unhandled; one already running completes, and its reply
 * is dropped (the coordinator has failed that call).
 */
public final class HostConnection implements AutoCloseable {
    private static final Logger LOG = System.getLogger("io.scarcity.network");
    /**
     * TLS handshakes that may fail in a row before the host gives up: a refused certificate fails every
     * time, while a coordinator killed in the middle of a handshake should not end the host.
     */
    static final int TLS_ATTEMPTS = 3;

    /**
     * Where and how the host connects.
     *
     * @param target the coordinator, {@code HOST:PORT}
     * @param maxMessageBytes the largest message accepted from the coordinator
     * @param heartbeatInterval how often the host sends a heartbeat (the Welcome's interval, when it gives one, wins)
     * @param heartbeatTimeout silence of the coordinator after which the host drops the stream and dials again
     * @param initialBackoff the wait before the first redial
     * @param maxBackoff the longest wait between redials
     */
    public record Settings(String target, ChannelSecurity security, int maxMessageBytes, Duration heartbeatInterval,
                           Duration heartbeatTimeout, Duration initialBackoff, Duration maxBackoff) {
        public Settings {
            Objects.requireNonNull(target, "target is null");
            Objects.requireNonNull(security, "security is null");
            if (maxMessageBytes <= 0) {
                throw new IllegalArgumentException("maxMessageBytes must be > 0");
            }
            if (heartbeatInterval.isNegative() || heartbeatInterval.isZero() || heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
                throw new IllegalArgumentException("need 0 < heartbeatInterval < heartbeatTimeout, got "
                        + heartbeatInterval + " and " + heartbeatTimeout);
            }
            if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("need 0 < initialBackoff <= maxBackoff, got " + initialBackoff + " and " + maxBackoff);
            }
        }

        /**
         * The defaults: messages up to {@link CoordinatorServer.Settings#MAX_MESSAGE_BYTES}, heartbeats every 5 s,
         * the coordinator given up on after 15 s of silence, redials after 250 ms doubling up to 30 s.
         */
        public static Settings of(String target, ChannelSecurity security) {
            return new Settings(target, security, CoordinatorServer.Settings.MAX_MESSAGE_BYTES, Duration.ofSeconds(5),
                    Duration.ofSeconds(15), Duration.ofMillis(250), Duration.ofSeconds(30));
        }

        public Settings withHeartbeat(Duration interval, Duration timeout) {
            return new Settings(target, security, maxMessageBytes, interval, timeout, initialBackoff, maxBackoff);
        }

        public Settings withBackoff(Duration initial, Duration max) {
            return new Settings(target, security, maxMessageBytes, heartbeatInterval, heartbeatTimeout, initial, max);
        }

        public Settings withMaxMessageBytes(int bytes) {
            return new Settings(target, security, bytes, heartbeatInterval, heartbeatTimeout, initialBackoff, maxBackoff);
        }
    }

    /** What the host does with the coordinator's messages. */
    public interface Handler {
        /**
         * The coordinator welcomed the host (again after each reconnect, with the same run id): set up the
         * clients if not done yet, and describe them. An exception ends the connection for good (after a Bye
         * naming it).
         */
        Ready welcomed(Welcome welcome) throws Exception;

        /**
         * Answers a call with the reply's result ({@code call_id} is set here). To answer with an error, throw:
         * a {@link CallFailedException} with its kind; otherwise a {@link WireFormatException} is sent as
         * {@code INVALID_CALL}, an {@link IOException} as {@code STATE}, any other exception (a plugin's
         * failure) as {@code CLIENT_FAILURE}, anything else as {@code INTERNAL}.
         */
        Reply handle(Call call) throws Exception;

        /** The stream broke; the host dials again in {@code retryIn}. For logs and displays. */
        default void disconnected(String reason, Duration retryIn) {
        }
    }

    private final Settings settings;
    private final Hello hello;
    private final Handler handler;
    private final ManagedChannel channel;
    private final FederationGrpc.FederationStub stub;
    private final ScheduledExecutorService timer;
    private final ExecutorService worker;
    private final CompletableFuture<Welcome> welcomed = new CompletableFuture<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final AtomicInteger welcomes = new AtomicInteger();
    private volatile Attempt current;
    private volatile String runId = "";
    private int failures;
    /** Consecutive attempts that failed in the TLS handshake. */
    private int tlsFailures;
    private volatile String endReason;

    private HostConnection(Settings settings, Hello hello, Handler handler) throws IOException {
        this.settings = settings;
        this.hello = hello;
        this.handler = handler;
        this.channel = NettyChannelBuilder.forTarget(settings.target(), settings.security().channelCredentials())
                .maxInboundMessageSize(settings.maxMessageBytes())
                .build();
        this.stub = FederationGrpc.newStub(channel);
        this.timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("scarcity-host-timer"));
        this.worker = Executors.newSingleThreadExecutor(Threads.daemon("scarcity-host-calls"));
    }

    /**
     * Starts connecting (in the background: {@link #welcomed()} completes once the coordinator has admitted
     * the host).
     *
     * @param hello what the host says on every connection; its {@code previous_run_id} is filled in on reconnects
     * @throws IOException if the TLS files cannot be read
     */
    public static HostConnection connect(Settings settings, Hello hello, Handler handler) throws IOException {
        Objects.requireNonNull(settings, "settings is null");
        Objects.requireNonNull(hello, "hello is null");
        Objects.requireNonNull(handler, "handler is null");
        HostConnection c = new HostConnection(settings, hello, handler);
        c.runId = hello.getPreviousRunId();
        c.timer.execute(c::dial);
        return c;
    }

    /**
     * The coordinator's first Welcome; fails with a {@link HostRefusedException}, a {@link TlsRejectedException}
     * or whatever else ended the connection before it.
     */
    public CompletableFuture<Welcome> welcomed() {
        return welcomed;
    }

    /**
     * Completes when the connection has ended for good: normally after {@link #close} or the coordinator's
     * Bye ({@link #endReason()} says which), exceptionally with what ended it otherwise.
     */
    public CompletableFuture<Void> finished() {
        return finished;
    }

    /** Why the connection ended, once {@link #finished()} is done (e.g. the coordinator's Bye reason). */
    public String endReason() {
        return endReason;
    }

    /** Whether a stream is open and welcomed now. */
    public boolean connected() {
        Attempt a = current;
        return a != null && a.welcomed && !a.over.get();
    }

    /** How many Welcomes the host has had: 1 after the first connection, one more per reconnection. */
    public int welcomes() {
        return welcomes.get();
    }

    /** Says Bye with {@code reason} and ends the connection for good. */
    public void close(String reason) {
        Attempt a = current;
        if (a != null && !finished.isDone()) {
            a.send(HostMessage.newBuilder().setBye(Bye.newBuilder().setReason(reason)).build());
            a.complete();
        }
        finish(reason, null);
        channel.shutdown();
        try {
            if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close("host shutting down");
    }

    // ---- connection attempts

    /** On the timer: opens a stream and says Hello. */
    private void dial() {
        if (finished.isDone()) {
            return;
        }
        // redials follow this class's backoff, not the channel's own (which grows to two minutes)
        channel.resetConnectBackoff();
        Attempt a = new Attempt();
        current = a;
        stub.connect(a);
        a.send(HostMessage.newBuilder().setHello(hello.toBuilder().setPreviousRunId(runId)).build());
        a.scheduleHeartbeats(settings.heartbeatInterval());
    }

    /** On any thread: the attempt is over; dial again after the backoff, or stop. */
    private void broken(Attempt a, String reason, Throwable cause) {
        if (finished.isDone()) {
            return;
        }
        boolean tls = cause != null && tlsFailure(cause);
        Duration wait;
        int tlsInARow;
        synchronized (this) {
            if (current != a) {
                return;
            }
            tlsFailures = tls ? tlsFailures + 1 : 0;
            tlsInARow = tlsFailures;
            failures++;
            wait = backoff(failures);
        }
        if (tlsInARow >= TLS_ATTEMPTS) {
            finish(null, new TlsRejectedException(settings.target(), cause));
            return;
        }
        LOG.log(Level.WARNING, "connection to the coordinator at " + settings.target() + " lost (" + reason
                + "); dialling again in " + wait.toMillis() + " ms");
        try {
            handler.disconnected(reason, wait);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the host's disconnect handler failed", e);
        }
        try {
            timer.schedule(this::dial, wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private Duration backoff(int failures) {
        double base = settings.initialBackoff().toNanos() * Math.pow(2, Math.min(failures - 1, 30));
        double capped = Math.min(base, settings.maxBackoff().toNanos());
        return Duration.ofNanos((long) (capped * ThreadLocalRandom.current().nextDouble(0.8, 1.2)));
    }

    private void finish(String reason, Throwable failure) {
        synchronized (this) {
            if (finished.isDone()) {
                return;
            }
            endReason = reason != null ? reason : String.valueOf(failure.getMessage());
        }
        Attempt a = current;
        if (a != null) {
            a.cancel("host connection finished");
        }
        welcomed.completeExceptionally(failure != null ? failure
                : new ConnectionLostException("the connection ended before a Welcome: " + reason, true, null));
        if (failure == null) {
            finished.complete(null);
        } else {
            LOG.log(Level.ERROR, failure.getMessage());
            finished.completeExceptionally(failure);
        }
        timer.shutdownNow();
        worker.shutdown();
        if (failure != null) {
            channel.shutdownNow();
        } else {
            channel.shutdown();
        }
    }

    /** Whether a failure is the TLS handshake's: a certificate refused by either side. */
    static boolean tlsFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    /** What the host sends when a call fails. */
    static Reply errorReply(long callId, Throwable e) {
        CallFailedException failure;
        if (e instanceof CallFailedException c) {
            failure = c;
        } else {
            ErrorKind kind = e instanceof WireFormatException ? ErrorKind.ERROR_KIND_INVALID_CALL
                    : e instanceof IOException ? ErrorKind.ERROR_KIND_STATE
                    : e instanceof RuntimeException || e instanceof LinkageError || e instanceof StackOverflowError
                            ? ErrorKind.ERROR_KIND_CLIENT_FAILURE
                            : ErrorKind.ERROR_KIND_INTERNAL;
            failure = new CallFailedException(kind, e.getMessage() == null ? e.toString() : e.getMessage(), null, e);
        }
        return Reply.newBuilder().setCallId(callId).setError(failure.toProto()).build();
    }

    /** One stream to the coordinator. */
    private final class Attempt implements ClientResponseObserver<HostMessage, CoordinatorMessage> {
        private final Object lock = new Object();
        private final AtomicBoolean over = new AtomicBoolean();
        private ClientCallStreamObserver<HostMessage> out;
        private volatile boolean welcomed;
        private volatile long lastHeardNanos = System.nanoTime();
        private volatile String byeReason;
        private ScheduledFuture<?> heartbeats;
        private volatile long heartbeatNanos;
        private volatile long lastSentNanos = System.nanoTime();

        @Override
        public void beforeStart(ClientCallStreamObserver<HostMessage> requestStream) {
            this.out = requestStream;
        }

        @Override
        public void onNext(CoordinatorMessage m) {
            lastHeardNanos = System.nanoTime();
            switch (m.getKindCase()) {
                case WELCOME -> onWorker(() -> welcome(m.getWelcome()));
                case REFUSED -> {
                    HostRefusedException refused = new HostRefusedException(m.getRefused());
                    finish(null, refused);
                }
                case CALL -> onWorker(() -> answer(m.getCall()));
                case HEARTBEAT -> {
                    // being heard is all it says
                }
                case BYE -> byeReason = m.getBye().getReason();
                default -> LOG.log(Level.WARNING, "an empty message from the coordinator, ignored");
            }
        }

        @Override
        public void onError(Throwable t) {
            if (over.compareAndSet(false, true)) {
                stopHeartbeats();
                Status s = Status.fromThrowable(t);
                broken(this, s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription()), t);
            }
        }

        @Override
        public void onCompleted() {
            if (over.compareAndSet(false, true)) {
                stopHeartbeats();
                String bye = byeReason;
                if (bye != null) {
                    LOG.log(Level.INFO, "the coordinator said bye: " + bye);
                    finish("the coordinator said bye: " + bye, null);
                } else {
                    broken(this, "the coordinator ended the stream", null);
                }
            }
        }

        private void welcome(Welcome w) {
            if (over.get()) {
                return;
            }
            Ready ready;
            try {
                ready = handler.welcomed(w);
                Objects.requireNonNull(ready, "the handler's Ready is null");
            } catch (Exception e) {
                String why = "cannot start from the coordinator's Welcome: " + (e.getMessage() == null ? e : e.getMessage());
                send(HostMessage.newBuilder().setBye(Bye.newBuilder().setReason(why)).build());
                complete();
                finish(null, new IOException(why, e));
                return;
            }
            runId = w.getRunId();
            // the host's own state says "welcomed" before the coordinator can learn it is ready, so that
            // whatever the coordinator does on Ready (a call, a check of this connection) finds it so
            welcomed = true;
            synchronized (HostConnection.this) {
                failures = 0;
                tlsFailures = 0;
            }
            welcomes.incrementAndGet();
            send(HostMessage.newBuilder().setReady(ready).build());
            if (w.getHeartbeatMillis() > 0 && w.getHeartbeatMillis() != settings.heartbeatInterval().toMillis()) {
                scheduleHeartbeats(Duration.ofMillis(w.getHeartbeatMillis()));
            }
            HostConnection.this.welcomed.complete(w);
            LOG.log(Level.INFO, "welcomed by the coordinator at " + settings.target() + " into run " + w.getRunId());
        }

        private void answer(Call call) {
            if (over.get()) {
                return;
            }
            Reply reply;
            if (!welcomed) {
                reply = errorReply(call.getCallId(), new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL,
                        "a call before the host was welcomed"));
            } else {
                try {
                    Reply r = handler.handle(call);
                    reply = r == null
                            ? errorReply(call.getCallId(), new CallFailedException(ErrorKind.ERROR_KIND_INTERNAL, "the host's handler gave no reply"))
                            : r.toBuilder().setCallId(call.getCallId()).build();
                } catch (Exception | LinkageError | StackOverflowError e) {
                    LOG.log(Level.DEBUG, "call " + call.getCallId() + " failed", e);
                    reply = errorReply(call.getCallId(), e);
                }
            }
            send(HostMessage.newBuilder().setReply(reply).build());
        }

        private void onWorker(Runnable r) {
            try {
                worker.execute(r);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // finished meanwhile
            }
        }

        /** Sends unless the stream is over; a failed send is the stream's end, which onError reports. */
        void send(HostMessage m) {
            synchronized (lock) {
                if (over.get()) {
                    return;
                }
                try {
                    out.onNext(m);
                } catch (RuntimeException e) {
                    LOG.log(Level.DEBUG, "send to the coordinator failed: " + e);
                }
            }
        }

        /** Half-closes the stream (after a Bye). */
        void complete() {
            synchronized (lock) {
                if (over.compareAndSet(false, true)) {
                    stopHeartbeats();
                    try {
                        out.onCompleted();
                    } catch (RuntimeException e) {
                        LOG.log(Level.DEBUG, "closing the stream: " + e);
                    }
                }
            }
        }

        void cancel(String why) {
            synchronized (lock) {
                if (over.compareAndSet(false, true)) {
                    stopHeartbeats();
                    out.cancel(why, null);
                }
            }
        }

        /**
         * Heartbeats every {@code interval}; the coordinator's silence is checked more often when the timeout
         * is short, at a third of it.
         */
        synchronized void scheduleHeartbeats(Duration interval) {
            stopHeartbeats();
            if (over.get()) {
                return;
            }
            heartbeatNanos = interval.toNanos();
            long period = Math.min(heartbeatNanos, settings.heartbeatTimeout().toNanos() / 3);
            try {
                heartbeats = timer.scheduleAtFixedRate(this::tick, period, period, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // finished meanwhile
            }
        }

        private synchronized void stopHeartbeats() {
            if (heartbeats != null) {
                heartbeats.cancel(false);
                heartbeats = null;
            }
        }

        /** On the timer: a heartbeat, and the coordinator's silence checked. */
        private void tick() {
            long silent = System.nanoTime() - lastHeardNanos;
            if (silent > settings.heartbeatTimeout().toNanos()) {
                String why = "the coordinator was silent for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms";
                synchronized (lock) {
                    if (!over.compareAndSet(false, true)) {
                        return;
                    }
                    out.cancel(why, null);
                }
                stopHeartbeats();
                broken(this, why, null);
                return;
            }
            // a heartbeat when due (within a millisecond: the timer's ticks may come a little early)
            if (System.nanoTime() - lastSentNanos >= heartbeatNanos - 1_000_000) {
                lastSentNanos = System.nanoTime();
                send(HostMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSentAtMillis(System.currentTimeMillis())).build());
            }
        }
    }
}
