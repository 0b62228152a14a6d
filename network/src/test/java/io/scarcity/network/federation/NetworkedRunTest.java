package io.scarcity.network.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ApiVersion;
import io.scarcity.network.certs.Certificates;
import io.scarcity.network.proto.Hello;
import io.scarcity.network.proto.InstalledPlugin;
import io.scarcity.network.proto.SimulateRange;
import io.scarcity.network.transport.ChannelSecurity;
import io.scarcity.network.transport.CoordinatorServer;
import io.scarcity.network.transport.HostConnection;
import io.scarcity.network.transport.HostRefusedException;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.plugin.PluginRegistry;
import io.scarcity.runtime.run.RunExecution;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator whose clients live in host processes (here: host connections in this JVM, over loopback
 * gRPC) gives, with the same seed and no faults, a metrics.jsonl byte-identical to the in-process engine's.
 */
class NetworkedRunTest {
    static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());
    static PluginRegistry registry;
    static Path configs;

    @TempDir
    Path tmp;
    List<String> lastAdmissions = List.of();

    @BeforeAll
    static void load() {
        registry = PluginRegistry.load(null, NetworkedRunTest.class.getClassLoader());
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("configs"))) {
            dir = dir.getParent();
        }
        configs = dir.resolve("configs");
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    LoadedConfig config(String out, String... more) {
        List<String> sets = new ArrayList<>(List.of("rounds=8", "faults.offlineRate=0.1", "output.dir=" + tmp.resolve(out),
                "output.progress=off", "checkpoint.every=0"));
        sets.addAll(List.of(more));
        return ConfigLoader.load(configs.resolve("quickstart.yaml"), Map.of(), sets);
    }

    static Hello hello(String name, int from, int to) {
        Hello.Builder h = Hello.newBuilder().setHostName(name).setApiVersion(ApiVersion.current())
                .setSimulate(SimulateRange.newBuilder().setFrom(from).setTo(to));
        for (var p : registry.all()) {
            h.addPlugins(InstalledPlugin.newBuilder().setKind(p.kind().label()).setName(p.name()).setVersion(p.version()));
        }
        return h.build();
    }

    /** Runs the config with its 5 clients on hosts of clients [0,2) and [2,5); returns the run folder. */
    Path networked(LoadedConfig loaded, ChannelSecurity coordinatorSecurity, ChannelSecurity hostSecurity) throws Exception {
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "test-run", registry);
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, coordinatorSecurity), fleet);
             SimulationHost a = new SimulationHost(registry, loaded.baseDir(), 0, 2);
             SimulationHost b = new SimulationHost(registry, loaded.baseDir(), 2, 5);
             HostConnection ca = HostConnection.connect(HostConnection.Settings.of("127.0.0.1:" + server.port(), hostSecurity),
                     hello("a", 0, 2), a);
             HostConnection cb = HostConnection.connect(HostConnection.Settings.of("127.0.0.1:" + server.port(), hostSecurity),
                     hello("b", 2, 5), b)) {
            RunExecution.Outcome outcome = RunExecution.run(loaded, registry, QUIET, Clock.systemUTC(), (config, assembly, baseDir) -> {
                fleet.awaitClients(Duration.ofSeconds(60));
                return fleet;
            });
            assertEquals(8, outcome.result().roundsCompleted());
            lastAdmissions = fleet.admissions();
            return outcome.runDir();
        }
    }

    static Path inProcess(LoadedConfig loaded) {
        return RunExecution.run(loaded, registry, QUIET, Clock.systemUTC()).runDir();
    }

    @Test
    void twoPlaintextHostsGiveTheInProcessMetricsByteForByte() throws Exception {
        Path local = inProcess(config("local"));
        Path remote = networked(config("remote"), ChannelSecurity.insecure(), ChannelSecurity.insecure());
        assertEquals(Files.readString(local.resolve("metrics.jsonl")), Files.readString(remote.resolve("metrics.jsonl")));
        assertEquals(Files.readString(local.resolve("coordinator.jsonl")), Files.readString(remote.resolve("coordinator.jsonl")));
    }

    @Test
    void mutualTlsHostsGiveTheSameMetricsWithGossipAndFedAvg() throws Exception {
        Path ca = tmp.resolve("ca");
        Certificates.Authority authority = Certificates.createAuthority(ca, "test federation");
        var coordinator = authority.issueCoordinator(tmp.resolve("coordinator"), List.of());
        var host = authority.issueClient(tmp.resolve("host"), "host-1");
        String[] fedavg = {"federation.mode=fedavg"};
        Path local = inProcess(config("local", fedavg));
        Path remote = networked(config("remote", fedavg), ChannelSecurity.mutualTls(coordinator), ChannelSecurity.mutualTls(host));
        assertEquals(Files.readString(local.resolve("metrics.jsonl")), Files.readString(remote.resolve("metrics.jsonl")));
        assertTrue(lastAdmissions.stream().anyMatch(a -> a.contains("(certificate of 'host-1') admitted for clients 0-1")),
                "the admissions name the enrolled identity that took each range: " + lastAdmissions);
    }

    @Test
    void aHostWithoutASelectedPluginIsRefusedNamingIt() throws Exception {
        LoadedConfig loaded = config("refused");
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "test-run", registry);
        Hello full = hello("c", 0, 5);
        Hello.Builder lacking = full.toBuilder().clearPlugins();
        full.getPluginsList().stream().filter(p -> !p.getName().equals("ucb")).forEach(lacking::addPlugins);
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), fleet);
             SimulationHost h = new SimulationHost(registry, loaded.baseDir(), 0, 5);
             HostConnection c = HostConnection.connect(HostConnection.Settings.of("127.0.0.1:" + server.port(),
                     ChannelSecurity.insecure()), lacking.build(), h)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> c.welcomed().get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof HostRefusedException, e.toString());
            assertTrue(e.getCause().getMessage().contains("router 'ucb'"), e.getCause().getMessage());
            assertFalse(h.clients().size() > 0, "a refused host builds nothing");
        }
    }

    /**
     * A host that leaves after round 3 is left out of rounds 4-5 (its client offline, the others go on); a
     * new host process taking the same clients back plays from round 6 on, starting its streams where the
     * run is.
     */
    @Test
    void aLostHostIsLeftOutOfTheRoundAndAHostTakingItsClientsBackPlaysOn() throws Exception {
        LoadedConfig loaded = config("lost", "faults.offlineRate=0");
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "test-run", registry);
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), fleet);
             SimulationHost a = new SimulationHost(registry, loaded.baseDir(), 0, 2);
             SimulationHost b = new SimulationHost(registry, loaded.baseDir(), 2, 3);
             SimulationHost c = new SimulationHost(registry, loaded.baseDir(), 3, 5);
             SimulationHost back = new SimulationHost(registry, loaded.baseDir(), 2, 3);
             HostConnection ca = connect(server, "a", 0, 2, a);
             HostConnection cb = connect(server, "b", 2, 3, b);
             HostConnection cc = connect(server, "c", 3, 5, c)) {
            List<HostConnection> later = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            try (var engine = new io.scarcity.runtime.engine.InProcessEngine(loaded, registry, (config, assembly, baseDir) -> {
                fleet.awaitClients(Duration.ofSeconds(60));
                return fleet;
            })) {
                var result = engine.run((round, total, results, extras) -> {
                    for (var r : results) {
                        lines.add(round + " " + r.clientId() + " " + (r.offline() ? "offline" : r.rows()));
                    }
                    try {
                        if (round == 3) {
                            cb.close("host b stops");
                            cb.finished().get(10, TimeUnit.SECONDS);
                        }
                        if (round == 5) {
                            later.add(connect(server, "b-again", 2, 3, back));
                            assertTrue(fleet.awaitClient(2, Duration.ofSeconds(30)), "the host taking coast-2 back was admitted");
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertEquals(8, result.roundsCompleted());
            } finally {
                for (HostConnection h : later) {
                    h.close();
                }
            }
            for (int round = 1; round <= 8; round++) {
                int r = round;
                boolean away = round == 4 || round == 5;
                assertEquals(away, lines.contains(round + " coast-2 offline"), "round " + round + ": " + lines);
                assertTrue(away || lines.stream().anyMatch(l -> l.matches(r + " coast-2 [1-9][0-9]*")), "round " + round + ": " + lines);
                for (String other : List.of("coast-0", "coast-1", "inland-0", "inland-1")) {
                    assertTrue(lines.stream().anyMatch(l -> l.matches(r + " " + other + " [1-9][0-9]*")),
                            "the other hosts play every round: " + lines);
                }
            }
        }
    }

    static HostConnection connect(CoordinatorServer server, String name, int from, int to, SimulationHost host) throws Exception {
        return HostConnection.connect(HostConnection.Settings.of("127.0.0.1:" + server.port(), ChannelSecurity.insecure()),
                hello(name, from, to), host);
    }

    /** A host whose round 3 takes 3 s, the deadline being 1 s: its client is left out of that round, the others go on. */
    @Test
    void aHostMissingTheRoundDeadlineIsLeftOutAndMinClientsStopsTheRunWhenTooFewPlayed() throws Exception {
        List<String> lines = new ArrayList<>();
        var result = withSlowHost(config("slow", "faults.offlineRate=0", "coordinator.roundDeadline=1"), lines);
        assertEquals(8, result.roundsCompleted());
        assertTrue(lines.contains("3 coast-2 offline"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("2 coast-2 [1-9][0-9]*"))
                && lines.stream().anyMatch(l -> l.matches("8 coast-2 [1-9][0-9]*")), "before and after the slow round: " + lines);
        for (int r = 1; r <= 8; r++) {
            int round = r;
            assertTrue(lines.stream().anyMatch(l -> l.matches(round + " inland-1 [1-9][0-9]*")), "the others play every round: " + lines);
        }

        io.scarcity.runtime.UserException e = assertThrows(io.scarcity.runtime.UserException.class, () -> withSlowHost(
                config("too-few", "faults.offlineRate=0", "coordinator.roundDeadline=1", "coordinator.minClients=5"), new ArrayList<>()));
        assertTrue(e.getMessage().contains("round 3: only 4 clients played it") && e.getMessage().contains("coordinator.minClients = 5"),
                e.getMessage());
    }

    /** Runs with hosts for clients 0-1, 2 (slow in round 3) and 3-4; records "round client rows|offline". */
    io.scarcity.runtime.engine.RunResult withSlowHost(LoadedConfig loaded, List<String> lines) throws Exception {
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "test-run", registry);
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), fleet);
             SimulationHost a = new SimulationHost(registry, loaded.baseDir(), 0, 2);
             SimulationHost b = new SimulationHost(registry, loaded.baseDir(), 2, 3);
             SimulationHost c = new SimulationHost(registry, loaded.baseDir(), 3, 5);
             HostConnection ca = connect(server, "a", 0, 2, a);
             HostConnection cb = HostConnection.connect(HostConnection.Settings.of("127.0.0.1:" + server.port(),
                     ChannelSecurity.insecure()), hello("b", 2, 3), new HostConnection.Handler() {
                         @Override
                         public io.scarcity.network.proto.Ready welcomed(io.scarcity.network.proto.Welcome welcome) {
                             return b.welcomed(welcome);
                         }

                         @Override
                         public io.scarcity.network.proto.Reply handle(io.scarcity.network.proto.Call call) throws Exception {
                             if (call.hasRunRound() && call.getRunRound().getRound() == 3) {
                                 Thread.sleep(3000);
                             }
                             return b.handle(call);
                         }
                     });
             HostConnection cc = connect(server, "c", 3, 5, c);
             var engine = new io.scarcity.runtime.engine.InProcessEngine(loaded, registry, (config, assembly, baseDir) -> {
                 fleet.awaitClients(Duration.ofSeconds(60));
                 return fleet;
             })) {
            return engine.run((round, total, results, extras) -> {
                for (var r : results) {
                    lines.add(round + " " + r.clientId() + " " + (r.offline() ? "offline" : r.rows()));
                }
            });
        }
    }
}
