package io.scarcity.network.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.scarcity.network.certs.Certificates;
import io.scarcity.network.proto.Call;
import io.scarcity.network.proto.GossipKey;
import io.scarcity.network.proto.Ready;
import io.scarcity.network.proto.Reply;
import io.scarcity.network.proto.SealGossip;
import io.scarcity.network.proto.SealedState;
import io.scarcity.network.proto.Welcome;
import io.scarcity.network.seal.GossipKeys;
import io.scarcity.network.seal.HostIdentity;
import io.scarcity.network.seal.KeyAnnouncement;
import io.scarcity.network.transport.ChannelSecurity;
import io.scarcity.network.transport.ConnectedHost;
import io.scarcity.network.transport.CoordinatorServer;
import io.scarcity.network.transport.HostConnection;
import io.scarcity.network.transport.TlsFiles;
import io.scarcity.network.wire.Codecs;
import io.scarcity.runtime.client.ClientNode;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.plugin.PluginRegistry;
import io.scarcity.runtime.run.RunExecution;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gossip between clients on different hosts travels sealed end to end: the run's metrics are byte-identical to
 * the in-process engine's, the coordinator relays only ciphertext, and a state or key it alters is refused by
 * the hosts (the pair is skipped, the run goes on).
 */
class SealedGossipRunTest {
    static final String QUICKSTART_GOSSIP = "gossip: {plugin: random-pairs, config: {sameDomain: true}}";
    static final String RING = "gossip: {plugin: test-ring}";
    static PluginRegistry registry;
    static Path configs;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        NetworkedRunTest.load();
        registry = NetworkedRunTest.registry;
        configs = NetworkedRunTest.configs;
    }

    @AfterAll
    static void close() {
        NetworkedRunTest.close();
    }

    /** The quickstart, 8 rounds, with another gossip line. */
    LoadedConfig config(String out, String gossip, String... more) throws Exception {
        String text = Files.readString(configs.resolve("quickstart.yaml"));
        assertTrue(text.contains(QUICKSTART_GOSSIP), "the quickstart's gossip line moved: update this test");
        List<String> sets = new ArrayList<>(List.of("rounds=8", "faults.offlineRate=0.1", "output.dir=" + tmp.resolve(out),
                "output.progress=off", "checkpoint.every=0"));
        sets.addAll(List.of(more));
        return ConfigLoader.parse(text.replace(QUICKSTART_GOSSIP, gossip), "quickstart with " + gossip, configs, Map.of(), sets);
    }

    record Networked(Path dir, SealedGossip.Totals totals) {
    }

    /**
     * Runs {@code loaded} with hosts of clients [bounds[i], bounds[i+1]); with {@code hostTls} (one per host) the hosts
     * sign their gossip keys. {@code setup} sees the fleet before the run; {@code handler} makes each host's handler
     * (e.g. a {@link Recorder}'s, seeing every message between the coordinator and the hosts).
     */
    Networked networked(LoadedConfig loaded, int[] bounds, ChannelSecurity coordinatorSecurity, List<TlsFiles> hostTls,
                        Consumer<RemoteFleet> setup, Function<SimulationHost, HostConnection.Handler> handler) throws Exception {
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "test-run", registry);
        setup.accept(fleet);
        List<AutoCloseable> open = new ArrayList<>();
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, coordinatorSecurity), fleet)) {
            for (int h = 0; h + 1 < bounds.length; h++) {
                SimulationHost host = new SimulationHost(registry, loaded.baseDir(), bounds[h], bounds[h + 1]);
                open.add(host);
                ChannelSecurity security = ChannelSecurity.insecure();
                if (hostTls != null) {
                    host.sealGossipWith(hostTls.get(h));
                    security = ChannelSecurity.mutualTls(hostTls.get(h));
                }
                open.add(HostConnection.connect(HostConnection.Settings.of("127.0.0.1:" + server.port(), security),
                        NetworkedRunTest.hello("host-" + h, bounds[h], bounds[h + 1]), handler.apply(host)));
            }
            RunExecution.Outcome outcome = RunExecution.run(loaded, registry, NetworkedRunTest.QUIET, Clock.systemUTC(), (config, assembly, baseDir) -> {
                fleet.awaitClients(Duration.ofSeconds(60));
                return fleet;
            });
            assertEquals(8, outcome.result().roundsCompleted());
            return new Networked(outcome.runDir(), fleet.sealedGossip().totals());
        } finally {
            Collections.reverse(open);
            for (AutoCloseable c : open) {
                c.close();
            }
        }
    }

    static void assertSameOutputs(Path local, Path remote) throws Exception {
        assertEquals(Files.readString(local.resolve("metrics.jsonl")), Files.readString(remote.resolve("metrics.jsonl")));
        assertEquals(Files.readString(local.resolve("coordinator.jsonl")), Files.readString(remote.resolve("coordinator.jsonl")));
    }

    /** Everything that crosses between the coordinator and a host, and the plaintext of every state a host sealed. */
    static final class Recorder {
        final List<byte[]> wire = Collections.synchronizedList(new ArrayList<>());
        final List<byte[]> plaintexts = Collections.synchronizedList(new ArrayList<>());

        HostConnection.Handler wrap(SimulationHost host) {
            return new HostConnection.Handler() {
                @Override
                public Ready welcomed(Welcome welcome) throws Exception {
                    Ready ready = host.welcomed(welcome);
                    wire.add(welcome.toByteArray());
                    wire.add(ready.toByteArray());
                    return ready;
                }

                @Override
                public Reply handle(Call call) throws Exception {
                    wire.add(call.toByteArray());
                    Reply reply = host.handle(call);
                    wire.add(reply.toByteArray());
                    if (call.hasSealGossip()) {
                        // the states just sealed: unchanged until the exchange is finished
                        SealGossip s = call.getSealGossip();
                        String id = s.getHoldsFirst() ? s.getFirstClient() : s.getSecondClient();
                        ClientNode client = host.clients().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
                        for (String expert : s.getExpertsList()) {
                            plaintexts.add(Codecs.EXPERT_STATE.encode(client.exportState(expert)));
                        }
                    }
                    return reply;
                }
            };
        }
    }

    @Test
    void ringGossipAcrossThreeHostsIsByteIdenticalAndTheCoordinatorRelaysOnlyCiphertext() throws Exception {
        Path local = NetworkedRunTest.inProcess(config("local", RING));
        Recorder recorder = new Recorder();
        List<byte[]> relayed = Collections.synchronizedList(new ArrayList<>());
        Networked remote = networked(config("remote", RING), new int[] {0, 1, 3, 5}, ChannelSecurity.insecure(), null,
                fleet -> fleet.sealedGossip().relay(new SealedGossip.Relay() {
                    @Override
                    public SealedState state(RemoteClient from, RemoteClient to, SealedState state) {
                        relayed.add(state.getSealed().toByteArray());
                        return state;
                    }
                }), recorder::wrap);
        assertSameOutputs(local, remote.dir());

        SealedGossip.Totals t = remote.totals();
        assertTrue(t.sealedPairs() >= 8 && t.localPairs() >= 8, "every round has pairs across hosts and within one: " + t);
        assertEquals(0, t.skippedPairs() + t.clearPairs(), t.toString());
        assertEquals(relayed.stream().mapToLong(b -> b.length).sum(), t.relayedBytes());
        assertFalse(recorder.plaintexts.isEmpty());
        assertEquals(relayed.size(), recorder.plaintexts.size(), "one sealed state relayed per state sealed");

        // No plaintext state is in anything the coordinator sent or received, nor any 16 bytes of one in what it relayed.
        for (byte[] plain : recorder.plaintexts) {
            for (byte[] message : recorder.wire) {
                assertEquals(-1, com.google.common.primitives.Bytes.indexOf(message, plain), "a plaintext state crossed the coordinator");
            }
        }
        Set<ByteBuffer> windows = new HashSet<>();
        for (byte[] sealed : relayed) {
            for (int i = 0; i + 16 <= sealed.length; i++) {
                windows.add(ByteBuffer.wrap(Arrays.copyOfRange(sealed, i, i + 16)));
            }
        }
        for (byte[] plain : recorder.plaintexts) {
            for (int i = 0; i + 16 <= plain.length; i++) {
                assertFalse(windows.contains(ByteBuffer.wrap(Arrays.copyOfRange(plain, i, i + 16))), "16 plaintext bytes relayed");
            }
        }
        // The relayed bytes look uniformly random; the plaintexts do not (the check can tell them apart).
        double sealedChi2 = chiSquare(relayed);
        double plainChi2 = chiSquare(recorder.plaintexts);
        assertTrue(sealedChi2 < 400, "chi-square of the relayed bytes over 256 values (255 degrees of freedom): " + sealedChi2);
        assertTrue(plainChi2 > 2000, "chi-square of the plaintexts: " + plainChi2);
    }

    @Test
    void randomPairsAcrossDomainsOnTwoHostsIsByteIdentical() throws Exception {
        String gossip = "gossip: {plugin: random-pairs, config: {sameDomain: false}}";
        Path local = NetworkedRunTest.inProcess(config("local", gossip));
        Networked remote = networked(config("remote", gossip), new int[] {0, 2, 5}, ChannelSecurity.insecure(), null, f -> { }, h -> h);
        assertSameOutputs(local, remote.dir());
        assertTrue(remote.totals().sealedPairs() > 0, remote.totals().toString());
    }

    /** A host that reports no gossip key (an older version) still gossips, in the clear, with a warning. */
    @Test
    void aHostWithoutAGossipKeyGossipsInTheClearWithAWarning() throws Exception {
        Path local = NetworkedRunTest.inProcess(config("local", RING));
        AtomicInteger hosts = new AtomicInteger();
        Networked remote = networked(config("remote", RING), new int[] {0, 2, 5}, ChannelSecurity.insecure(), null, f -> { },
                host -> hosts.getAndIncrement() == 0 ? withoutKey(host) : host);
        assertSameOutputs(local, remote.dir());
        assertTrue(remote.totals().clearPairs() > 0 && remote.totals().sealedPairs() == 0, remote.totals().toString());
        assertTrue(Files.readString(remote.dir().resolve("run.log")).contains("reported no gossip key"));
    }

    static HostConnection.Handler withoutKey(SimulationHost host) {
        return new HostConnection.Handler() {
            @Override
            public Ready welcomed(Welcome welcome) throws Exception {
                return host.welcomed(welcome).toBuilder().clearGossipKey().build();
            }

            @Override
            public Reply handle(Call call) throws Exception {
                return host.handle(call);
            }
        };
    }

    @Test
    void mutualTlsHostsSignTheirKeysAndGiveTheInProcessMetrics() throws Exception {
        Certificates.Authority ca = Certificates.createAuthority(tmp.resolve("ca"), "test federation");
        TlsFiles coordinator = ca.issueCoordinator(tmp.resolve("coordinator"), List.of());
        List<TlsFiles> hosts = List.of(ca.issueClient(tmp.resolve("h0"), "host-0"), ca.issueClient(tmp.resolve("h1"), "host-1"),
                ca.issueClient(tmp.resolve("h2"), "host-2"));
        Path local = NetworkedRunTest.inProcess(config("local", RING));
        List<GossipKey> keys = Collections.synchronizedList(new ArrayList<>());
        Networked remote = networked(config("remote", RING), new int[] {0, 1, 3, 5}, ChannelSecurity.mutualTls(coordinator), hosts,
                fleet -> fleet.sealedGossip().relay(new SealedGossip.Relay() {
                    @Override
                    public GossipKey key(ConnectedHost of, ConnectedHost to, GossipKey key) {
                        keys.add(key);
                        return key;
                    }
                }), h -> h);
        assertSameOutputs(local, remote.dir());
        assertTrue(remote.totals().sealedPairs() >= 8 && remote.totals().skippedPairs() == 0, remote.totals().toString());
        assertFalse(keys.isEmpty());
        for (GossipKey k : keys) {
            assertTrue(k.getCertificateChainCount() == 1 && !k.getSignature().isEmpty(), "every host key is signed");
        }
    }

    /** The coordinator flips one bit of one sealed state: that pair is skipped on both sides and counted; the run goes on. */
    @Test
    void aSealedStateAlteredOnTheWayIsRefusedAndOnlyItsPairSkipped() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        Networked remote = networked(config("tampered", RING), new int[] {0, 1, 3, 5}, ChannelSecurity.insecure(), null,
                fleet -> fleet.sealedGossip().relay(new SealedGossip.Relay() {
                    @Override
                    public SealedState state(RemoteClient from, RemoteClient to, SealedState state) {
                        if (seen.incrementAndGet() != 5) {
                            return state;
                        }
                        byte[] b = state.getSealed().toByteArray();
                        b[b.length / 2] ^= 0x10;
                        return state.toBuilder().setSealed(ByteString.copyFrom(b)).build();
                    }
                }), h -> h);
        assertEquals(1, remote.totals().skippedPairs(), remote.totals().toString());
        assertTrue(remote.totals().sealedPairs() > 0);
        String coordinatorLog = Files.readString(remote.dir().resolve("coordinator.jsonl"));
        assertTrue(coordinatorLog.contains("\"gossip.skipped-refused\":1"), coordinatorLog);
        String log = Files.readString(remote.dir().resolve("run.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("skipped") && log.contains("does not open") && log.contains(", expert "), log);
    }

    /** A host lost in the middle of an exchange: its pairs are skipped and counted, the others' gossip and the run go on. */
    @Test
    void aHostLostDuringAGossipExchangeHasItsPairsSkippedAndTheRunGoesOn() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        Networked remote = networked(config("lost", RING, "faults.offlineRate=0"), new int[] {0, 1, 3, 5}, ChannelSecurity.insecure(),
                null, fleet -> fleet.sealedGossip().relay(new SealedGossip.Relay() {
                    @Override
                    public SealedState state(RemoteClient from, RemoteClient to, SealedState state) {
                        if (seen.incrementAndGet() == 5) {
                            to.host().close("lost in a test");
                        }
                        return state;
                    }
                }), h -> h);
        assertTrue(remote.totals().skippedPairs() >= 1 && remote.totals().sealedPairs() > 0, remote.totals().toString());
        String coordinatorLog = Files.readString(remote.dir().resolve("coordinator.jsonl"));
        assertTrue(coordinatorLog.contains("\"gossip.skipped-host-lost\":"), coordinatorLog);
        assertFalse(coordinatorLog.contains("gossip.skipped-refused"), coordinatorLog);
    }

    /** The coordinator puts its own key (signed with its TLS certificate) in place of a host's: the hosts refuse to seal to it. */
    @Test
    void aKeyTheCoordinatorSubstitutesIsRefusedWithMutualTls() throws Exception {
        Certificates.Authority ca = Certificates.createAuthority(tmp.resolve("ca"), "test federation");
        TlsFiles coordinator = ca.issueCoordinator(tmp.resolve("coordinator"), List.of());
        List<TlsFiles> hosts = List.of(ca.issueClient(tmp.resolve("h0"), "host-0"), ca.issueClient(tmp.resolve("h1"), "host-1"));
        KeyAnnouncement own = GossipKeys.generate("test-run", HostIdentity.load(coordinator)).announcement();
        GossipKey substitute = GossipKey.newBuilder().setPublicKey(ByteString.copyFrom(own.publicKey()))
                .addCertificateChain(ByteString.copyFrom(own.certificateChain().get(0)))
                .setSignature(ByteString.copyFrom(own.signature())).build();
        Networked remote = networked(config("substituted", RING), new int[] {0, 2, 5}, ChannelSecurity.mutualTls(coordinator), hosts,
                fleet -> fleet.sealedGossip().relay(new SealedGossip.Relay() {
                    @Override
                    public GossipKey key(ConnectedHost of, ConnectedHost to, GossipKey key) {
                        return substitute;
                    }
                }), h -> h);
        assertEquals(0, remote.totals().sealedPairs(), remote.totals().toString());
        assertTrue(remote.totals().skippedPairs() >= 8, remote.totals().toString());
        String log = Files.readString(remote.dir().resolve("run.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("signed with the coordinator's certificate, not a host's"), log);
    }

    static double chiSquare(List<byte[]> chunks) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        chunks.forEach(all::writeBytes);
        byte[] bytes = all.toByteArray();
        long[] counts = new long[256];
        for (byte b : bytes) {
            counts[b & 0xff]++;
        }
        double expected = bytes.length / 256.0;
        assertTrue(expected >= 20, "too few bytes for a byte histogram: " + bytes.length);
        double chi2 = 0;
        for (long c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        return chi2;
    }
}
