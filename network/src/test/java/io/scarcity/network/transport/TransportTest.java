package io.scarcity.network.transport;

import static io.scarcity.network.transport.Fixtures.WAIT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.scarcity.api.ExpertState;
import io.scarcity.network.proto.CoordinatorMessage;
import io.scarcity.network.proto.ErrorKind;
import io.scarcity.network.proto.FederationGrpc;
import io.scarcity.network.proto.HostMessage;
import io.scarcity.network.proto.InstalledPlugin;
import io.scarcity.network.proto.Ready;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.proto.Welcome;
import io.scarcity.network.wire.Codecs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Coordinator server and host connection on loopback, in plaintext (TLS: {@code TlsTest}). */
class TransportTest {
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    CoordinatorServer server(Fixtures.Listener listener, CoordinatorServer.Settings settings) throws Exception {
        CoordinatorServer s = CoordinatorServer.start(settings, listener);
        open.add(s);
        return s;
    }

    CoordinatorServer server(Fixtures.Listener listener) throws Exception {
        return server(listener, CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()));
    }

    HostConnection host(CoordinatorServer server, String name, Fixtures.Handler handler, String... clients) throws Exception {
        return host(HostConnection.Settings.of("127.0.0.1:" + server.port(), ChannelSecurity.insecure()), name, handler, clients);
    }

    HostConnection host(HostConnection.Settings settings, String name, Fixtures.Handler handler, String... clients) throws Exception {
        HostConnection h = HostConnection.connect(settings, Fixtures.hello(name, clients), handler);
        open.add(h);
        return h;
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    static Throwable failure(CompletableFuture<?> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        return e.getCause();
    }

    @Test
    void aHostIsWelcomedReportsReadyAndAnswersCallsInOrder() throws Exception {
        Fixtures.Listener listener = new Fixtures.Listener();
        CoordinatorServer server = server(listener);
        Fixtures.Handler handler = new Fixtures.Handler();
        HostConnection connection = host(server, "host-a", handler, "coast-0", "coast-1");

        Welcome w = get(connection.welcomed());
        assertEquals(List.of("coast-0", "coast-1"), w.getClientIdsList());
        assertEquals(5000, w.getHeartbeatMillis(), "the server fills in its heartbeat interval");
        ConnectedHost host = listener.nextReady();
        assertEquals("host-a", host.hello().getHostName());
        assertEquals(List.of("statistical"), host.hello().getPluginsList().stream().map(InstalledPlugin::getName).toList());
        assertEquals(2, host.ready().getClientsCount());
        assertTrue(host.identity().isEmpty(), "no certificate on a plaintext connection");
        assertEquals(List.of(host), server.hosts());
        assertTrue(connection.connected());
        assertEquals(List.of("admit host-a", "ready host-a 2"), List.copyOf(listener.events));

        // many calls at once: each reply answers its own call, handled in the order sent
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            replies.add(host.call(Fixtures.signals("coast-0")));
        }
        List<Long> ids = new ArrayList<>();
        for (CompletableFuture<Reply> r : replies) {
            Reply reply = get(r);
            ids.add(reply.getCallId());
            assertEquals(Map.of("call", (double) reply.getCallId()), Codecs.SIGNALS.decode(reply.getSignals().toByteArray()));
        }
        assertEquals(ids, handler.handled, "handled in the order the calls were sent");
        assertEquals(50, ids.stream().distinct().count());
        assertEquals(0, host.pendingCalls());
    }

    @Test
    void aHostsErrorsReachTheCallerWithTheirKind() throws Exception {
        Fixtures.Listener listener = new Fixtures.Listener();
        CoordinatorServer server = server(listener);
        host(server, "host-a", new Fixtures.Handler(), "coast-0");
        ConnectedHost host = listener.nextReady();

        CallFailedException unknown = assertInstanceOf(CallFailedException.class, failure(host.call(Fixtures.export("coast-0", "unknown"))));
        assertEquals(ErrorKind.ERROR_KIND_INVALID_CALL, unknown.kind());
        assertEquals("no expert 'unknown'", unknown.getMessage());
        assertEquals("coast-0", unknown.clientId());

        CallFailedException plugin = assertInstanceOf(CallFailedException.class, failure(host.call(Fixtures.export("coast-0", "plugin-fails"))));
        assertEquals(ErrorKind.ERROR_KIND_CLIENT_FAILURE, plugin.kind());
        assertEquals("the plugin broke", plugin.getMessage());
        assertNull(plugin.clientId());

        CallFailedException state = assertInstanceOf(CallFailedException.class, failure(host.call(Fixtures.export("coast-0", "state-fails"))));
        assertEquals(ErrorKind.ERROR_KIND_STATE, state.kind());

        // the connection goes on after failed calls
        assertTrue(get(host.call(Fixtures.export("coast-0", "fine"))).hasDone());
    }

    @Test
    void aRefusedHostIsToldWhyAndDoesNotComeBack() throws Exception {
        Fixtures.Listener listener = new Fixtures.Listener();
        listener.admit = (host, hello) -> Admission.refuse("plugins missing on this host: expert 'temporal'",
                List.of(InstalledPlugin.newBuilder().setKind("expert").setName("temporal").setVersion("0.1.0").build()));
        CoordinatorServer server = server(listener);
        HostConnection connection = host(HostConnection.Settings.of("127.0.0.1:" + server.port(), ChannelSecurity.insecure())
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(50)), "host-b", new Fixtures.Handler(), "coast-0");

        HostRefusedException refused = assertInstanceOf(HostRefusedException.class, failure(connection.welcomed()));
        assertTrue(refused.getMessage().contains("expert 'temporal' 0.1.0"), refused.getMessage());
        assertEquals("temporal", refused.refused().getMissingPlugins(0).getName());
        assertInstanceOf(HostRefusedException.class, failure(connection.finished()));
        Thread.sleep(300);
        assertEquals(1, listener.hellos.size(), "a refused host does not dial again");
        assertTrue(server.hosts().isEmpty());
        assertTrue(listener.lost.isEmpty(), "a host never welcomed is not reported lost");
    }

    @Test
    void messagesOfTenMebibytesTravelBothWays() throws Exception {
        Fixtures.Listener listener = new Fixtures.Listener();
        CoordinatorServer server = server(listener);
        host(server, "host-a", new Fixtures.Handler(), "coast-0");
        ConnectedHost host = listener.nextReady();

        // an expert state of 1.3 million doubles: 10 MiB on the wire, beyond gRPC's default 4 MiB
        double[] w = new double[10 * 1024 * 1024 / 8];
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextGaussian();
        }
        ExpertState big = new ExpertState("big", Map.of("w", w), 123);
        byte[] payload = Codecs.EXPERT_STATE.encode(big);
        assertTrue(payload.length > 10 * 1024 * 1024 - 1024, "payload of " + payload.length + " bytes");
        Reply reply = get(host.call(Fixtures.merge("coast-0", payload)));
        byte[] back = reply.getExpertState().toByteArray();
        assertArrayEquals(payload, back);
        assertArrayEquals(w, Codecs.EXPERT_STATE.decode(back).weight("w"));
    }

    @Test
    void aMessageBeyondTheLimitEndsTheConnectionAndFailsTheCall() throws Exception {
        Fixtures.Listener listener = new Fixtures.Listener();
        CoordinatorServer server = server(listener, CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure())
                .withMaxMessageBytes(1 << 20));
        host(server, "host-a", new Fixtures.Handler(), "coast-0");
        ConnectedHost host = listener.nextReady();
        // the host's echo of 2 MiB exceeds what the server accepts (1 MiB)
        Throwable t = failure(host.call(Fixtures.merge("coast-0", new byte[2 << 20])));
        assertInstanceOf(ConnectionLostException.class, t);
        assertFalse(((ConnectionLostException) t).graceful());
        assertTrue(t.getMessage().contains("RESOURCE_EXHAUSTED") || t.getMessage().contains("CANCELLED"), t.getMessage());
    }

    @Test
    void aHostRedialsAKilledCoordinatorWithBackoffAndNamesItsRun() throws Exception {
        Fixtures.Listener first = new Fixtures.Listener();
        CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), first);
        int port = server.port();
        Fixtures.Handler handler = new Fixtures.Handler();
        HostConnection connection = host(HostConnection.Settings.of("127.0.0.1:" + port, ChannelSecurity.insecure())
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(400)), "host-a", handler, "coast-0");
        get(connection.welcomed());
        ConnectedHost host = first.nextReady();
        assertEquals("", first.hellos.get(0).getPreviousRunId());

        // a call in flight when the coordinator dies fails; the host's handler was running it
        CompletableFuture<Reply> inFlight = host.call(Fixtures.export("coast-0", "block"));
        assertTrue(handler.blocking.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        server.abort();
        assertInstanceOf(ConnectionLostException.class, failure(inFlight));
        handler.release.countDown();

        // down for a while: the host keeps dialling, with backoff
        Thread.sleep(500);
        assertFalse(connection.connected());
        assertFalse(connection.finished().isDone(), "a host does not give up on a coordinator that is down");
        assertTrue(handler.disconnects.get() >= 2, "dialled again meanwhile: " + handler.disconnects.get());

        Fixtures.Listener second = new Fixtures.Listener();
        server(second, CoordinatorServer.Settings.loopback(port, ChannelSecurity.insecure()));
        ConnectedHost again = second.nextReady();
        assertEquals("run-1", second.hellos.get(0).getPreviousRunId(), "the host names the run it was in");
        assertEquals(2, handler.welcomes.size());
        assertEquals(2, connection.welcomes());
        assertTrue(get(again.call(Fixtures.export("coast-0", "fine"))).hasDone());
    }

    @Test
    void heartbeatsMarkASilentHostUnavailableAndBack() throws Exception {
        Fixtures.Listener listener = new Fixtures.Listener();
        // the coordinator asks for a heartbeat every 10 s but gives up after 300 ms: the host goes silent
        listener.admit = (host, hello) -> Admission.welcome(Welcome.newBuilder().setRunId("run-1")
                .addClientIds("coast-0").setHeartbeatMillis(10_000).build());
        CoordinatorServer server = server(listener, CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure())
                .withHeartbeat(Duration.ofMillis(100), Duration.ofMillis(300)));
        host(server, "host-a", new Fixtures.Handler(), "coast-0");
        ConnectedHost host = listener.nextReady();
        assertTrue(host.available());
        listener.await("unavailable host-a");
        assertFalse(host.available());
        assertTrue(host.silentFor().toMillis() >= 300);
        assertTrue(host.connected(), "an unavailable host stays connected");
        // any message is a sign of life
        get(host.call(Fixtures.signals("coast-0")));
        listener.await("available host-a");
        assertTrue(host.available());
    }

    @Test
    void aHostDropsASilentCoordinatorAndDialsAgain() throws Exception {
        Fixtures.Listener listener = new Fixtures.Listener();
        // the coordinator's heartbeats come every 5 s, the host waits 300 ms
        int port = server(listener, CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure())
                .withHeartbeat(Duration.ofSeconds(5), Duration.ofSeconds(15))).port();
        Fixtures.Handler handler = new Fixtures.Handler();
        HostConnection connection = host(HostConnection.Settings.of("127.0.0.1:" + port, ChannelSecurity.insecure())
                .withHeartbeat(Duration.ofMillis(100), Duration.ofMillis(300))
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(50)), "host-a", handler, "coast-0");
        listener.nextReady();
        ConnectionLostException lost = listener.nextLost();
        assertFalse(lost.graceful());
        listener.nextReady();
        assertTrue(connection.welcomes() >= 2);
        assertTrue(handler.disconnects.get() >= 1);
    }

    @Test
    void goodbyesEndConnectionsGracefully() throws Exception {
        Fixtures.Listener listener = new Fixtures.Listener();
        CoordinatorServer server = server(listener);
        HostConnection a = host(server, "host-a", new Fixtures.Handler(), "coast-0");
        listener.nextReady();
        a.close("run finished on this host");
        ConnectionLostException lost = listener.nextLost();
        assertTrue(lost.graceful());
        assertTrue(lost.getMessage().contains("run finished on this host"), lost.getMessage());
        get(a.finished());

        HostConnection b = host(server, "host-b", new Fixtures.Handler(), "coast-1");
        ConnectedHost hb = listener.nextReady();
        hb.close("run completed");
        get(b.finished());
        assertEquals("the coordinator said bye: run completed", b.endReason());
        assertTrue(listener.nextLost().graceful());
        assertInstanceOf(ConnectionLostException.class, failure(hb.call(Fixtures.signals("coast-1"))));
    }

    @Test
    void aListenerMayStopTheServer() throws Exception {
        Fixtures.Listener listener = new Fixtures.Listener();
        CoordinatorServer server = server(listener);
        CompletableFuture<Long> stopped = new CompletableFuture<>();
        listener.admit = (host, hello) -> {
            long start = System.nanoTime();
            server.close("the run is full");
            stopped.complete(System.nanoTime() - start);
            return Admission.refuse("closed", List.of());
        };
        HostConnection c = host(server, "host-a", new Fixtures.Handler(), "coast-0");
        assertTrue(get(stopped) < TimeUnit.SECONDS.toNanos(4), "close from the event thread does not wait for itself");
        failure(c.welcomed());
    }

    @Test
    void callsHaveDeadlines() throws Exception {
        Fixtures.Listener listener = new Fixtures.Listener();
        CoordinatorServer server = server(listener);
        Fixtures.Handler handler = new Fixtures.Handler();
        host(server, "host-a", handler, "coast-0");
        ConnectedHost host = listener.nextReady();
        CompletableFuture<Reply> slow = host.call(Fixtures.export("coast-0", "block"), Duration.ofMillis(200));
        assertInstanceOf(TimeoutException.class, failure(slow));
        assertEquals(0, host.pendingCalls(), "a timed-out call is forgotten");
        handler.release.countDown();
        // its late reply is dropped; the next call is answered as usual
        assertTrue(get(host.call(Fixtures.signals("coast-0"))).hasSignals());
    }

    @Test
    void callsNeedAWelcomedHost() throws Exception {
        Fixtures.Listener listener = new Fixtures.Listener();
        LinkedBlockingQueue<ConnectedHost> seen = new LinkedBlockingQueue<>();
        listener.admit = (host, hello) -> {
            seen.add(host);
            assertThrows(IllegalStateException.class, () -> host.call(Fixtures.signals("x")));
            return Admission.refuse("no", List.of());
        };
        CoordinatorServer server = server(listener);
        HostConnection c = host(server, "host-a", new Fixtures.Handler(), "coast-0");
        failure(c.welcomed());
        assertTrue(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS) != null);
        assertFalse(listener.events.stream().anyMatch(e -> e.startsWith("ready")));
    }

    @Test
    void aPeerBreakingTheProtocolIsCutOff() throws Exception {
        Fixtures.Listener listener = new Fixtures.Listener();
        CoordinatorServer server = server(listener);
        ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + server.port()).usePlaintext().build();
        open.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        CompletableFuture<Status> ended = new CompletableFuture<>();
        LinkedBlockingQueue<CoordinatorMessage> received = new LinkedBlockingQueue<>();
        StreamObserver<HostMessage> out = FederationGrpc.newStub(channel).connect(new StreamObserver<>() {
            @Override
            public void onNext(CoordinatorMessage m) {
                received.add(m);
            }

            @Override
            public void onError(Throwable t) {
                ended.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                ended.complete(Status.OK);
            }
        });
        // Ready before Hello
        out.onNext(HostMessage.newBuilder().setReady(Ready.getDefaultInstance()).build());
        Status status = get(ended);
        assertEquals(Status.Code.FAILED_PRECONDITION, status.getCode());
        assertTrue(status.getDescription().contains("Ready before Welcome"), status.getDescription());
        assertTrue(listener.hellos.isEmpty());
        assertTrue(received.isEmpty(), "nothing is sent to a peer that has not said Hello");
    }
}
