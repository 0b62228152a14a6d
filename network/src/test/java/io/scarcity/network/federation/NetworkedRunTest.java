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

    /** Scarce and late labels are drawn by each client, wherever it runs: the hosts' metrics are the in-process ones. */
    @Test
    void scarceAndLateLabelsOverHostsGiveTheInProcessMetricsByteForByte() throws Exception {
        String[] labels = {"domains[0].labels.rate=0.3", "domains[1].labels.delay=120"};
        Path local = inProcess(config("local-labels", labels));
        Path remote = networked(config("remote-labels", labels), ChannelSecurity.insecure(), ChannelSecurity.insecure());
        String metrics = Files.readString(local.resolve("metrics.jsonl"));
        assertTrue(metrics.contains("\"scoredRows\""), "rows were left unscored");
        assertEquals(metrics, Files.readString(remote.resolve("metrics.jsonl")));
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var localSummary = json.readTree(local.resolve("summary.json").toFile());
        var remoteSummary = json.readTree(remote.resolve("summary.json").toFile());
        assertTrue(localSummary.get("scoredRows").asLong() < localSummary.get("rows").asLong(), localSummary.toString());
        assertEquals(localSummary.get("scoredRows"), remoteSummary.get("scoredRows"));
        assertEquals(localSummary.get("accuracy"), remoteSummary.get("accuracy"));
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
        // the coordinator's audit log has them too (they came before the run's log existed), and verifies
        String audit = Files.readString(remote.resolve("audit.jsonl"));
        assertTrue(audit.contains("\"type\":\"admission\"") && audit.contains("\"certificate\":\"host-1\""), audit);
        assertTrue(io.scarcity.runtime.audit.AuditVerifier.verify(remote.resolve("audit.jsonl"), null).intact());

        // a host presenting the coordinator's own certificate is refused (and the refusal is reported)
        LoadedConfig loaded = config("impostor");
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "test-run", registry);
        List<String> audited = new java.util.concurrent.CopyOnWriteArrayList<>();
        fleet.audit((type, facts) -> audited.add(type + " " + facts));
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.mutualTls(coordinator)), fleet);
             SimulationHost h = new SimulationHost(registry, loaded.baseDir(), 0, 5);
             HostConnection c = HostConnection.connect(HostConnection.Settings.of("127.0.0.1:" + server.port(),
                     ChannelSecurity.mutualTls(coordinator)), hello("impostor", 0, 5), h)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> c.welcomed().get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof HostRefusedException && e.getCause().getMessage().contains("the coordinator's certificate"),
                    e.toString());
            assertTrue(fleet.admissions().stream().anyMatch(a -> a.contains("(certificate of 'coordinator') refused")), fleet.admissions().toString());
            assertTrue(audited.stream().anyMatch(a -> a.startsWith("refusal ") && a.contains("certificate=coordinator")), audited.toString());
        }
    }

    /**
     * Differential privacy on gossip over hosts: the tables of noised row sums travel host to host as states do, and
     * (with seeded noise, so that both runs draw the same) the metrics are the in-process ones, byte for byte.
     */
    @Test
    void privateGossipOverHostsGivesTheInProcessMetricsByteForByte() throws Exception {
        String[] dp = {"privacy.dp.epsilon=4", "privacy.dp.outputs=gossip", "privacy.dp.noise=seeded"};
        Path local = inProcess(config("local-dp-gossip", dp));
        Path remote = networked(config("remote-dp-gossip", dp), ChannelSecurity.insecure(), ChannelSecurity.insecure());
        String metrics = Files.readString(local.resolve("metrics.jsonl"));
        assertTrue(metrics.contains("\"privacy.row-epsilon\""), "rows were released under DP");
        assertEquals(metrics, Files.readString(remote.resolve("metrics.jsonl")));
    }

    /** Secure aggregation over hosts: the same sums, so the same metrics as in one process, byte for byte. */
    @Test
    void secureAggregationOverHostsGivesTheInProcessMetricsByteForByte() throws Exception {
        String[] secure = {"privacy.secureAggregation.enabled=true", "privacy.minMomentRows=2"};
        Path local = inProcess(config("local-secure", secure));
        Path remote = networked(config("remote-secure", secure), ChannelSecurity.insecure(), ChannelSecurity.insecure());
        assertEquals(Files.readString(local.resolve("metrics.jsonl")), Files.readString(remote.resolve("metrics.jsonl")));
        String audit = Files.readString(remote.resolve("audit.jsonl"));
        assertTrue(audit.contains("\"type\":\"secure-aggregation\"") && audit.contains("\"aggregated\":true"), audit);
        // weight sharing too: the states are summed by secure aggregation over the hosts
        String[] fedavg = {"privacy.secureAggregation.enabled=true", "federation.mode=fedavg"};
        Path localAverage = inProcess(config("local-secure-fedavg", fedavg));
        Path remoteAverage = networked(config("remote-secure-fedavg", fedavg), ChannelSecurity.insecure(), ChannelSecurity.insecure());
        assertEquals(Files.readString(localAverage.resolve("metrics.jsonl")), Files.readString(remoteAverage.resolve("metrics.jsonl")));
        assertTrue(Files.readString(remoteAverage.resolve("audit.jsonl")).contains("\"subject\":\"expert:"));
        // and whole insights: the hosts send the shape of an insight and their masked sums, no value in the clear
        String[] insights = {"privacy.secureAggregation.enabled=true", "privacy.secureAggregation.insights=true",
                "privacy.minMomentRows=2"};
        Path localInsights = inProcess(config("local-secure-insights", insights));
        Path remoteInsights = networked(config("remote-secure-insights", insights), ChannelSecurity.insecure(),
                ChannelSecurity.insecure());
        assertEquals(Files.readString(localInsights.resolve("metrics.jsonl")),
                Files.readString(remoteInsights.resolve("metrics.jsonl")));
        String insightAudit = Files.readString(remoteInsights.resolve("audit.jsonl"));
        assertTrue(insightAudit.contains("\"subject\":\"insight\"") && !insightAudit.contains("\"aggregated\":false"),
                insightAudit);
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
            try (var engine = engineOn(loaded, registry, fleet)) {
                var result = engine.run(recording(lines, round -> {
                    if (round == 3) {
                        cb.close("host b stops");
                        cb.finished().get(10, TimeUnit.SECONDS);
                    }
                    if (round == 5) {
                        later.add(connect(server, "b-again", 2, 3, back));
                        assertTrue(fleet.awaitClient(2, Duration.ofSeconds(30)), "the host taking coast-2 back was admitted");
                    }
                }));
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
                         public io.scarcity.network.proto.Ready welcomed(io.scarcity.network.proto.Welcome welcome) throws java.io.IOException {
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
             var engine = engineOn(loaded, registry, fleet)) {
            return engine.run(recording(lines, round -> { }));
        }
    }

    /**
     * The coordinator fails after round 5 (checkpoints after every round); a new coordinator on the same port
     * resumes the run folder, the hosts (still running, their clients a round ahead) reconnect by themselves,
     * rewind to the checkpoint from the states they saved and replay their streams: the run ends with the
     * in-process engine's metrics byte for byte, nothing lost and nothing counted twice.
     */
    @Test
    void aCoordinatorThatDiesResumesWithTheHostsRewoundAndEndsWithTheInProcessMetrics() throws Exception {
        String[] every = {"checkpoint.every=1", "federation.mode=fedavg"};
        Path local = inProcess(config("local", every));
        LoadedConfig loaded = config("remote", every);
        RemoteFleet first = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "resumed-run", registry);
        CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), first);
        int port = server.port();
        try (SimulationHost a = new SimulationHost(registry, loaded.baseDir(), 0, 2, tmp.resolve("state"));
             SimulationHost b = new SimulationHost(registry, loaded.baseDir(), 2, 5, tmp.resolve("state"));
             HostConnection ca = redialing(port, "a", 0, 2, a);
             HostConnection cb = redialing(port, "b", 2, 5, b)) {
            RuntimeException crash = assertThrows(RuntimeException.class, () -> RunExecution.run(loaded, registry, QUIET,
                    Clock.systemUTC(), (config, assembly, baseDir) -> {
                        first.awaitClients(Duration.ofSeconds(60));
                        return new FailingIn(first, 6);
                    }));
            assertTrue(crash.getMessage().contains("coordinator dies"), crash.toString());
            server.abort();
            Path runDir = Files.list(tmp.resolve("remote")).filter(Files::isDirectory).findFirst().orElseThrow();
            assertEquals(5, Files.readAllLines(runDir.resolve("metrics.jsonl")).stream().map(l -> l.replaceAll(".*\"round\":(\\d+).*", "$1"))
                    .distinct().count(), "rounds 1-5 were written before the crash");
            assertEquals("resumed-run", RemoteFleet.runIdOf(runDir));

            RemoteFleet second = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), RemoteFleet.runIdOf(runDir), registry);
            second.resumeFrom(runDir);
            try (CoordinatorServer again = CoordinatorServer.start(CoordinatorServer.Settings.loopback(port, ChannelSecurity.insecure()), second)) {
                RunExecution.Outcome outcome = RunExecution.resume(runDir, Map.of(), registry, QUIET, (config, assembly, baseDir) -> {
                    second.awaitClients(Duration.ofSeconds(60));
                    return second;
                });
                assertEquals(8, outcome.result().roundsCompleted());
            }
            assertEquals(Files.readString(local.resolve("metrics.jsonl")), Files.readString(runDir.resolve("metrics.jsonl")));
            assertEquals(Files.readString(local.resolve("coordinator.jsonl")), Files.readString(runDir.resolve("coordinator.jsonl")));
            assertTrue(Files.isRegularFile(tmp.resolve("state/resumed-run/clients-2-4/round-8.state")),
                    "the hosts keep their clients' states in their own folder");
            try (var checkpoints = Files.walk(runDir.resolve("checkpoints"))) {
                long biggest = checkpoints.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).max().orElse(0);
                assertTrue(biggest < 64 * 1024, "the coordinator's checkpoints hold digests, not the clients' states: " + biggest);
            }
        } finally {
            server.close("test over");
        }
    }

    /**
     * A host stops after round 3 (its clients saved after every round in its state folder); a new host process
     * with the same folder takes the clients back in round 6 and continues them from the state of round 3.
     */
    @Test
    void aHostStartedAgainContinuesItsClientsFromItsOwnCheckpoint() throws Exception {
        LoadedConfig loaded = config("rejoin", "faults.offlineRate=0", "checkpoint.every=1");
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "rejoin-run", registry);
        Path state = tmp.resolve("host-b-state");
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), fleet);
             SimulationHost a = new SimulationHost(registry, loaded.baseDir(), 0, 2, tmp.resolve("a"));
             SimulationHost b = new SimulationHost(registry, loaded.baseDir(), 2, 3, state);
             SimulationHost c = new SimulationHost(registry, loaded.baseDir(), 3, 5, tmp.resolve("c"));
             SimulationHost back = new SimulationHost(registry, loaded.baseDir(), 2, 3, state);
             HostConnection ca = connect(server, "a", 0, 2, a);
             HostConnection cb = connect(server, "b", 2, 3, b);
             HostConnection cc = connect(server, "c", 3, 5, c)) {
            List<HostConnection> later = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            try (var engine = engineOn(loaded, registry, fleet)) {
                engine.checkpointInto(new io.scarcity.runtime.checkpoint.RunCheckpoints(tmp.resolve("rejoin-run"), 2, "x", tmp),
                        new io.scarcity.runtime.report.SummaryCollector("rejoin", 8));
                var result = engine.run(recording(lines, round -> {
                    if (round == 4) {
                        cb.close("host b stops");
                        cb.finished().get(10, TimeUnit.SECONDS);
                    }
                    if (round == 5) {
                        later.add(connect(server, "b-again", 2, 3, back));
                        assertTrue(fleet.awaitClient(2, Duration.ofSeconds(30)), "the host taking coast-2 back was admitted");
                        assertEquals(3, back.restoredRound(), "round 4's checkpoint missed the host: it continues from round 3");
                        byte[] savedAfter3 = new HostCheckpoints(state, "rejoin-run", "clients-2-2", 2).read(3).get("coast-2").state();
                        assertTrue(java.util.Arrays.equals(savedAfter3, stateOf(back.clients().get(0))),
                                "coast-2 continues exactly from its state after round 3");
                    }
                }));
                assertEquals(8, result.roundsCompleted());
            } finally {
                for (HostConnection h : later) {
                    h.close();
                }
            }
            assertTrue(lines.contains("5 coast-2 offline") && lines.stream().anyMatch(l -> l.matches("6 coast-2 [1-9][0-9]*")), lines.toString());
        }
    }

    /**
     * Under privacy.dp, a host stopped after round 3 and started again continues its client from its checkpoint of round 2,
     * but what the client released in round 3 stays spent: the host's ledger file outlives the process.
     */
    @Test
    void aHostStartedAgainKeepsWhatItsClientsSpentAfterItsLastCheckpoint() throws Exception {
        LoadedConfig loaded = config("ledger", "faults.offlineRate=0", "checkpoint.every=2", "privacy.dp.epsilon=4");
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "ledger-run", registry);
        Path state = tmp.resolve("host-b-ledger");
        Map<Integer, Double> spent = new java.util.concurrent.ConcurrentHashMap<>();
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), fleet);
             SimulationHost a = new SimulationHost(registry, loaded.baseDir(), 0, 2, tmp.resolve("la"));
             SimulationHost b = new SimulationHost(registry, loaded.baseDir(), 2, 3, state);
             SimulationHost c = new SimulationHost(registry, loaded.baseDir(), 3, 5, tmp.resolve("lc"));
             SimulationHost back = new SimulationHost(registry, loaded.baseDir(), 2, 3, state);
             HostConnection ca = connect(server, "a", 0, 2, a);
             HostConnection cb = connect(server, "b", 2, 3, b);
             HostConnection cc = connect(server, "c", 3, 5, c)) {
            List<HostConnection> later = new ArrayList<>();
            try (var engine = engineOn(loaded, registry, fleet)) {
                engine.checkpointInto(new io.scarcity.runtime.checkpoint.RunCheckpoints(tmp.resolve("ledger-run"), 2, "x", tmp),
                        new io.scarcity.runtime.report.SummaryCollector("ledger", 8));
                io.scarcity.runtime.engine.RunObserver observer = (round, total, results, extras) -> {
                    for (var r : results) {
                        if (r.clientId().equals("coast-2") && !r.offline() && r.metrics() != null
                                && r.metrics().plugins().containsKey("privacy.epsilon")) {
                            spent.put(round, r.metrics().plugins().get("privacy.epsilon"));
                        }
                    }
                    try {
                        if (round == 3) {
                            cb.close("host b stops");
                            cb.finished().get(10, TimeUnit.SECONDS);
                        }
                        if (round == 4) {
                            later.add(connect(server, "b-again", 2, 3, back));
                            assertTrue(fleet.awaitClient(2, Duration.ofSeconds(30)), "the host taking coast-2 back was admitted");
                            assertEquals(2, back.restoredRound(), "round 4's checkpoint missed the host: it continues from round 2");
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                assertEquals(8, engine.run(observer).roundsCompleted());
            } finally {
                for (HostConnection h : later) {
                    h.close();
                }
            }
        }
        assertTrue(Files.exists(state.resolve("ledger-run").resolve("clients-2-2").resolve(HostLedgers.FILE)));
        assertTrue(spent.containsKey(3) && spent.containsKey(5), "coast-2 released in rounds 3 and 5: " + spent);
        assertTrue(spent.get(5) > spent.get(3), "round 3's release stays spent after the restart (restored from round 2 alone it"
                + " would count 3 releases in round 5, as many as in round 3): " + spent);
    }

    /** The heartbeats mark a host silent after round 2: its client is left out of rounds 3-4, and plays again once heard. */
    @Test
    void aSilentHostIsLeftOutUntilItIsHeardAgain() throws Exception {
        LoadedConfig loaded = config("silent", "faults.offlineRate=0");
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "silent-run", registry);
        Map<String, io.scarcity.network.transport.ConnectedHost> hosts = new java.util.concurrent.ConcurrentHashMap<>();
        io.scarcity.network.transport.HostListener recording = new io.scarcity.network.transport.HostListener() {
            @Override
            public io.scarcity.network.transport.Admission admit(io.scarcity.network.transport.ConnectedHost host, Hello hello) {
                hosts.put(hello.getHostName(), host);
                return fleet.admit(host, hello);
            }

            @Override
            public void ready(io.scarcity.network.transport.ConnectedHost host, io.scarcity.network.proto.Ready ready) {
                fleet.ready(host, ready);
            }
        };
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), recording);
             SimulationHost a = new SimulationHost(registry, loaded.baseDir(), 0, 2);
             SimulationHost b = new SimulationHost(registry, loaded.baseDir(), 2, 5);
             HostConnection ca = connect(server, "a", 0, 2, a);
             HostConnection cb = connect(server, "b", 2, 5, b);
             var engine = engineOn(loaded, registry, fleet)) {
            var hostA = hosts.get("a");
            List<String> lines = new ArrayList<>();
            engine.run(recording(lines, round -> {
                if (round == 2) {
                    fleet.availabilityChanged(hostA, false);
                }
                if (round == 4) {
                    fleet.availabilityChanged(hostA, true);
                }
            }));
            for (int round = 1; round <= 8; round++) {
                boolean away = round == 3 || round == 4;
                assertEquals(away, lines.contains(round + " coast-1 offline"), "round " + round + ": " + lines);
                int r = round;
                assertTrue(lines.stream().anyMatch(l -> l.matches(r + " inland-1 [1-9][0-9]*")), lines.toString());
            }
        }
    }

    /**
     * A continual-learning run (a task stream: after each segment every client is tested on every task's
     * held-out rows) over two hosts gives the in-process accuracy matrix bit for bit, and the same metrics.
     */
    @Test
    void taskEvaluationsOverHostsAreTheInProcessOnesBitForBit() throws Exception {
        StringBuilder csv = new StringBuilder("a,b,c,d,y\n");
        java.util.Random rnd = new java.util.Random(5);
        for (int r = 0; r < 900; r++) {
            double a = rnd.nextDouble();
            double b = rnd.nextDouble();
            csv.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%.4f,%.4f,%d%n", a, b, rnd.nextDouble(), rnd.nextDouble(),
                    a + b > 1 ? 1 : 0));
        }
        Files.writeString(tmp.resolve("base.csv"), csv);
        Files.writeString(tmp.resolve("tasks.yaml"), String.join("\n", "name: tasks-net", "seed: 3", "rounds: 12", "batchSize: 20",
                "batchesPerRound: 2", "domains:", "  - name: split", "    clients: 3", "    stream:", "      type: tasks",
                "      base: {type: csv, path: base.csv, label: y}", "      transform: permuted", "      tasks: 3",
                "      rowsPerTask: 240", "      testRowsPerTask: 20", "      schedule: [0, 1, 2]", "experts:", "  - {plugin: statistical}",
                "router: {plugin: ucb}", "memory: {plugin: hierarchical}", "metaLearner: {plugin: insight}", "gossip: {plugin: random-pairs}", ""));
        LoadedConfig loaded = ConfigLoader.load(tmp.resolve("tasks.yaml"), Map.of(), List.of("output.progress=off", "checkpoint.every=0",
                "output.dir=" + tmp.resolve("out")));
        List<String> local = new ArrayList<>();
        io.scarcity.runtime.engine.RunResult inProcess;
        try (var engine = new io.scarcity.runtime.engine.InProcessEngine(loaded, registry)) {
            inProcess = engine.run((round, total, results, extras) -> {
                results.forEach(r -> local.add(round + " " + r.clientId() + " " + r.rows() + " " + r.correct()));
            });
        }
        assertTrue(inProcess.taskEvaluations().size() >= 3, "a segment per task: " + inProcess.taskEvaluations());
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "tasks-run", registry);
        List<String> remote = new ArrayList<>();
        io.scarcity.runtime.engine.RunResult networked;
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), fleet);
             SimulationHost a = new SimulationHost(registry, loaded.baseDir(), 0, 1);
             SimulationHost b = new SimulationHost(registry, loaded.baseDir(), 1, 3);
             HostConnection ca = connect(server, "a", 0, 1, a);
             HostConnection cb = connect(server, "b", 1, 3, b);
             var engine = engineOn(loaded, registry, fleet)) {
            networked = engine.run((round, total, results, extras) -> {
                results.forEach(r -> remote.add(round + " " + r.clientId() + " " + r.rows() + " " + r.correct()));
            });
        }
        assertEquals(local, remote);
        assertEquals(describe(inProcess.taskEvaluations()), describe(networked.taskEvaluations()));
    }

    static List<String> describe(List<io.scarcity.runtime.engine.TaskEvaluation> evaluations) {
        return evaluations.stream().map(e -> e.domain() + " round " + e.round() + " segment " + e.segment() + " task " + e.task()
                + " " + java.util.Arrays.toString(e.accuracy())).toList();
    }

    /** An engine whose clients are the fleet's, once hosts have built them all. */
    static io.scarcity.runtime.engine.InProcessEngine engineOn(LoadedConfig loaded, PluginRegistry registry, RemoteFleet fleet) {
        return new io.scarcity.runtime.engine.InProcessEngine(loaded, registry, (config, assembly, baseDir) -> {
            fleet.awaitClients(Duration.ofSeconds(60));
            return fleet;
        });
    }

    /** What a test does after a round (e.g. stop a host), on the round loop's thread. */
    interface AfterRound {
        void after(int round) throws Exception;
    }

    /** An observer that records "round client rows|offline" per client in {@code lines}, then calls {@code after}. */
    static io.scarcity.runtime.engine.RunObserver recording(List<String> lines, AfterRound after) {
        return (round, total, results, extras) -> {
            for (var r : results) {
                lines.add(round + " " + r.clientId() + " " + (r.offline() ? "offline" : r.rows()));
            }
            try {
                after.after(round);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** A saved client state with bytes left over is refused, and the client keeps the state it had. */
    @Test
    void aHostCheckpointWithTrailingBytesIsRefusedAndChangesNothing() throws Exception {
        LoadedConfig loaded = config("trailing");
        var assembly = new io.scarcity.runtime.engine.Assembly(loaded.config(), registry);
        io.scarcity.api.DataSchema schema = new io.scarcity.api.DataSchema(List.of("f1", "f2", "f3"),
                io.scarcity.api.Task.CLASSIFICATION, List.of("0", "1"));
        io.scarcity.runtime.client.ClientNode saved = assembly.client("coast-0", "coast", schema);
        io.scarcity.runtime.client.ClientNode target = assembly.client("coast-0", "coast", schema);
        java.util.Random random = new java.util.Random(3);
        for (int round = 1; round <= 2; round++) {
            double[] x = new double[300];
            int[] y = new int[100];
            for (int r = 0; r < 100; r++) {
                for (int j = 0; j < 3; j++) {
                    x[r * 3 + j] = 10 * random.nextDouble();
                }
                y[r] = x[r * 3] + x[r * 3 + 1] > 8 ? 1 : 0;
            }
            io.scarcity.api.Batch batch = io.scarcity.api.Batch.ofClasses(schema, "coast", (round - 1) * 100L, x, y);
            saved.runRound(round, List.of(batch));
        }
        byte[] state = stateOf(saved);
        byte[] before = stateOf(target);
        byte[] padded = java.util.Arrays.copyOf(state, state.length + 4);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> HostCheckpoints.restore(target, padded));
        assertTrue(e.getMessage().contains("unexpected bytes"), e.getMessage());
        assertTrue(java.util.Arrays.equals(before, stateOf(target)), "the refused state changed nothing");
        HostCheckpoints.restore(target, state);
        assertTrue(java.util.Arrays.equals(state, stateOf(target)), "the state itself restores");
    }

    static byte[] stateOf(io.scarcity.runtime.client.ClientNode c) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        io.scarcity.api.StateWriter w = new io.scarcity.api.StateWriter(bytes);
        c.saveState(w);
        w.flush();
        return bytes.toByteArray();
    }

    /** A host connection that redials quickly (a coordinator restarting in a test). */
    static HostConnection redialing(int port, String name, int from, int to, SimulationHost host) throws Exception {
        return HostConnection.connect(HostConnection.Settings.of("127.0.0.1:" + port, ChannelSecurity.insecure())
                .withBackoff(Duration.ofMillis(100), Duration.ofMillis(400)), hello(name, from, to), host);
    }

    /** A fleet whose coordinator "dies" (throws) when round {@code round} is to be played. */
    static final class FailingIn implements io.scarcity.runtime.engine.ClientFleet {
        private final RemoteFleet fleet;
        private final int round;

        FailingIn(RemoteFleet fleet, int round) {
            this.fleet = fleet;
            this.round = round;
        }

        @Override
        public List<? extends io.scarcity.runtime.client.ClientHandle> clients() {
            return fleet.clients();
        }

        @Override
        public List<io.scarcity.runtime.client.ClientRoundResult> play(int r, boolean[] offline, boolean checkEmpty) {
            if (r == round) {
                throw new IllegalStateException("the coordinator dies before round " + r);
            }
            return fleet.play(r, offline, checkEmpty);
        }

        @Override
        public List<io.scarcity.runtime.engine.TaskEvaluation> evaluateTasks(int r) {
            return fleet.evaluateTasks(r);
        }

        @Override
        public long[] consumed() {
            return fleet.consumed();
        }

        @Override
        public long[] digests() {
            return fleet.digests();
        }

        @Override
        public int[] segmentsEvaluated() {
            return fleet.segmentsEvaluated();
        }

        @Override
        public void replay(int r, long[] consumed, long[] digests, int[] segments) throws java.io.IOException {
            fleet.replay(r, consumed, digests, segments);
        }

        @Override
        public String runId() {
            return fleet.runId();
        }

        @Override
        public void useRunFolder(Path runDir) {
            fleet.useRunFolder(runDir);
        }

        @Override
        public Map<String, Long> quarantined() {
            return fleet.quarantined();
        }

        @Override
        public Map<String, Map<Long, Integer>> injectedDrifts() {
            return fleet.injectedDrifts();
        }

        @Override
        public void logQuarantine() {
            fleet.logQuarantine();
        }

        @Override
        public void close() {
            fleet.close();
        }
    }
}
