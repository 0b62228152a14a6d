package io.scarcity.network.transport;

import com.google.protobuf.ByteString;
import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.ClientDescription;
import io.scarcity.network.proto.Done;
import io.scarcity.network.proto.ErrorKind;
import io.scarcity.network.proto.ExportState;
import io.scarcity.network.proto.GetSignals;
import io.scarcity.network.proto.Hello;
import io.scarcity.network.proto.HostMessage;
import io.scarcity.network.proto.HostedClient;
import io.scarcity.network.proto.HostedClients;
import io.scarcity.network.proto.InstalledPlugin;
import io.scarcity.network.proto.MergeState;
import io.scarcity.network.proto.Ready;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.proto.Welcome;
import io.scarcity.network.wire.Codecs;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/** A coordinator-side listener and a host-side handler that record what they see, for transport tests. */
final class Fixtures {
    static final Duration WAIT = Duration.ofSeconds(10);

    private Fixtures() {
    }

    static Hello hello(String host, String... clients) {
        HostedClients.Builder hosted = HostedClients.newBuilder();
        for (String c : clients) {
            hosted.addClients(HostedClient.newBuilder().setId(c).setDomain("coast"));
        }
        return Hello.newBuilder().setHostName(host).setApiVersion("0.2.0")
                .addPlugins(InstalledPlugin.newBuilder().setKind("expert").setName("statistical").setVersion("0.1.0"))
                .setHosted(hosted).build();
    }

    static Call signals(String client) {
        return Call.newBuilder().setGetSignals(GetSignals.newBuilder().setClientId(client)).build();
    }

    static Call export(String client, String expert) {
        return Call.newBuilder().setExportState(ExportState.newBuilder().setClientId(client).setExpert(expert)).build();
    }

    static Call merge(String client, byte[] state) {
        return Call.newBuilder().setMergeState(MergeState.newBuilder().addClientIds(client).setExpert("big")
                .setState(ByteString.copyFrom(state))).build();
    }

    /** Records hosts and events; welcomes every host with its own client ids unless {@code admit} says otherwise. */
    static final class Listener implements HostListener {
        final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        final List<Hello> hellos = new CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<ConnectedHost> ready = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<ConnectionLostException> lost = new LinkedBlockingQueue<>();
        volatile BiFunction<ConnectedHost, Hello, Admission> admit = (host, hello) -> Admission.welcome(Welcome.newBuilder()
                .setRunId("run-1").setConfigYaml("name: test\n")
                .addAllClientIds(hello.getHosted().getClientsList().stream().map(HostedClient::getId).toList()).build());

        @Override
        public Admission admit(ConnectedHost host, Hello hello) {
            hellos.add(hello);
            events.add("admit " + hello.getHostName());
            return admit.apply(host, hello);
        }

        @Override
        public void ready(ConnectedHost host, Ready r) {
            events.add("ready " + host.hello().getHostName() + " " + r.getClientsCount());
            ready.add(host);
        }

        @Override
        public void availabilityChanged(ConnectedHost host, boolean available) {
            events.add((available ? "available " : "unavailable ") + host.hello().getHostName());
        }

        @Override
        public void lost(ConnectedHost host, ConnectionLostException cause) {
            events.add("lost " + host.hello().getHostName());
            lost.add(cause);
        }

        ConnectedHost nextReady() throws InterruptedException {
            ConnectedHost h = ready.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (h == null) {
                throw new AssertionError("no host became ready; events: " + events);
            }
            return h;
        }

        ConnectionLostException nextLost() throws InterruptedException {
            ConnectionLostException e = lost.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new AssertionError("no host was lost; events: " + events);
            }
            return e;
        }

        /** Waits for an event that starts with {@code prefix}, skipping others. */
        String await(String prefix) throws InterruptedException {
            long end = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < end) {
                String e = events.poll(50, TimeUnit.MILLISECONDS);
                if (e != null && e.startsWith(prefix)) {
                    return e;
                }
            }
            throw new AssertionError("no event '" + prefix + "...'");
        }
    }

    /**
     * A host's handler: describes the welcomed clients; answers {@code get_signals} with the call's own id,
     * echoes {@code merge_state}'s bytes back, and fails or blocks {@code export_state} as the expert's name says.
     */
    static final class Handler implements HostConnection.Handler {
        final List<Welcome> welcomes = new CopyOnWriteArrayList<>();
        final List<Long> handled = new CopyOnWriteArrayList<>();
        final AtomicInteger disconnects = new AtomicInteger();
        final CountDownLatch blocking = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public Ready welcomed(Welcome w) {
            welcomes.add(w);
            Ready.Builder r = Ready.newBuilder();
            for (String id : w.getClientIdsList()) {
                r.addClients(ClientDescription.newBuilder().setId(id).setDomain("coast"));
            }
            return r.build();
        }

        @Override
        public Reply handle(Call call) throws Exception {
            handled.add(call.getCallId());
            switch (call.getOpCase()) {
                case GET_SIGNALS:
                    return Reply.newBuilder().setSignals(ByteString.copyFrom(Codecs.SIGNALS.encode(
                            Map.of("call", (double) call.getCallId())))).build();
                case MERGE_STATE:
                    return Reply.newBuilder().setExpertState(call.getMergeState().getState()).build();
                case EXPORT_STATE:
                    switch (call.getExportState().getExpert()) {
                        case "unknown":
                            throw new CallFailedException(ErrorKind.ERROR_KIND_INVALID_CALL, "no expert 'unknown'",
                                    call.getExportState().getClientId(), null);
                        case "plugin-fails":
                            throw new IllegalStateException("the plugin broke");
                        case "state-fails":
                            throw new IOException("cannot save");
                        case "block":
                            blocking.countDown();
                            release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                            return Reply.newBuilder().setDone(Done.getDefaultInstance()).build();
                        default:
                            return Reply.newBuilder().setDone(Done.getDefaultInstance()).build();
                    }
                default:
                    return Reply.newBuilder().setDone(Done.getDefaultInstance()).build();
            }
        }

        @Override
        public void disconnected(String reason, Duration retryIn) {
            disconnects.incrementAndGet();
        }
    }

    static HostMessage helloMessage(Hello h) {
        return HostMessage.newBuilder().setHello(h).build();
    }
}
