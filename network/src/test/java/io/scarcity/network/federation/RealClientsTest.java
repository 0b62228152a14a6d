package io.scarcity.network.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ApiVersion;
import io.scarcity.network.certs.Certificates;
import io.scarcity.network.proto.Hello;
import io.scarcity.network.proto.InstalledPlugin;
import io.scarcity.network.proto.Welcome;
import io.scarcity.network.transport.ChannelSecurity;
import io.scarcity.network.transport.CoordinatorServer;
import io.scarcity.network.transport.HostConnection;
import io.scarcity.network.transport.HostRefusedException;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.plugin.PluginRegistry;
import io.scarcity.runtime.run.RunExecution;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients: a coordinator whose domain has {@code stream: {type: remote}} and 2 slots, filled by real
 * clients (host connections in this JVM) that each read a CSV stream of their own.
 */
class RealClientsTest {
    static PluginRegistry registry;
    static Path config;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        registry = PluginRegistry.load(null, RealClientsTest.class.getClassLoader());
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("configs"))) {
            dir = dir.getParent();
        }
        config = dir.resolve("configs").resolve("remote-clients.yaml");
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    LoadedConfig config(String out) {
        return ConfigLoader.load(config, Map.of(), List.of("rounds=8", "batchSize=10", "batchesPerRound=2",
                "output.dir=" + tmp.resolve(out), "output.progress=off", "checkpoint.every=0"));
    }

    /** A CSV of {@code rows} rows with {@code features} features and a 0/1 label, and its stream file; returns the stream. */
    RealClientHost.OwnStream csv(String name, int rows, int features, long seed) throws Exception {
        Random rnd = new Random(seed);
        StringBuilder b = new StringBuilder();
        for (int f = 0; f < features; f++) {
            b.append("f").append(f).append(',');
        }
        b.append("label\n");
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int f = 0; f < features; f++) {
                double x = rnd.nextDouble() * 10;
                sum += f < 2 ? x : 0;
                b.append(String.format(Locale.ROOT, "%.4f", x)).append(',');
            }
            b.append(sum <= 8 ? "1" : "0").append('\n');
        }
        Files.writeString(tmp.resolve(name + ".csv"), b);
        Path stream = tmp.resolve(name + ".yaml");
        Files.writeString(stream, "type: csv\npath: " + name + ".csv\nlabel: label\nclasses: ['0', '1']\n");
        return RealClientHost.OwnStream.read(stream, tmp);
    }

    static Hello hello(RealClientHost host) {
        return withPlugins(Hello.newBuilder().setHostName("machine").setApiVersion(ApiVersion.current())
                .setHosted(host.hosted()));
    }

    static Hello withPlugins(Hello.Builder h) {
        for (var p : registry.all()) {
            h.addPlugins(InstalledPlugin.newBuilder().setKind(p.kind().label()).setName(p.name()).setVersion(p.version()));
        }
        return h.build();
    }

    static HostConnection join(CoordinatorServer server, ChannelSecurity security, RealClientHost host) throws Exception {
        return HostConnection.connect(HostConnection.Settings.of("127.0.0.1:" + server.port(), security), hello(host), host);
    }

    RealClientHost host(String name, RealClientHost.OwnStream stream) {
        return new RealClientHost(registry, tmp, name, "ward", stream, null);
    }

    /**
     * Two real clients with CSVs of 100 and 200 rows (20 a round each) complete 8 rounds: the first plays
     * rounds 1-5, its stream ends, and it is offline for rounds 6-8 while the other plays on.
     */
    @Test
    void twoRealClientsWithTheirOwnStreamsCompleteARun() throws Exception {
        LoadedConfig loaded = config("run");
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "test-run", registry);
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), fleet);
             RealClientHost a = host("hospital-a", csv("a", 100, 3, 1));
             RealClientHost b = host("hospital-b", csv("b", 200, 3, 2));
             HostConnection ca = join(server, ChannelSecurity.insecure(), a)) {
            assertEquals(List.of("ward-0"), ca.welcomed().get(30, TimeUnit.SECONDS).getClientIdsList());
            try (HostConnection cb = join(server, ChannelSecurity.insecure(), b)) {
                assertEquals(List.of("ward-1"), cb.welcomed().get(30, TimeUnit.SECONDS).getClientIdsList());
                RunExecution.Outcome outcome = RunExecution.run(loaded, registry, NetworkedRunTest.QUIET, Clock.systemUTC(),
                        (c, assembly, baseDir) -> {
                            fleet.awaitClients(Duration.ofSeconds(60));
                            return fleet;
                        });
                assertEquals(8, outcome.result().roundsCompleted());
                assertEquals(100 + 8 * 20, outcome.result().rows());
                List<String> lines = Files.readAllLines(outcome.runDir().resolve("metrics.jsonl"));
                for (int round = 1; round <= 8; round++) {
                    String r = "{\"round\":" + round + ",";
                    assertTrue(lines.stream().anyMatch(l -> l.startsWith(r + "\"client\":\"ward-1\"") && l.contains("\"rows\":20,")),
                            "ward-1 plays every round: " + lines);
                    boolean ended = round > 5;
                    assertEquals(!ended, lines.stream().anyMatch(l -> l.startsWith(r + "\"client\":\"ward-0\"") && l.contains("\"rows\":20,")),
                            "ward-0 plays rounds 1-5 only (its 100 rows): round " + round + " " + lines);
                }
                assertTrue(fleet.admissions().stream().anyMatch(l -> l.startsWith("real client 'hospital-a' of domain ward on host ")
                        && l.endsWith(" (no certificate: --insecure) admitted as ward-0")), fleet.admissions().toString());
            }
        }
    }

    /**
     * A data owner's own budget: with --max-epsilon a real client noises its insights whatever the experiment asks (here
     * nothing), and the coordinator's metrics show what it spent; the other client, without one, releases them plain.
     */
    @Test
    void aRealClientsOwnBudgetNoisesItsInsightsWhateverTheExperimentAsks() throws Exception {
        LoadedConfig loaded = config("own-budget");
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "test-run", registry);
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), fleet);
             RealClientHost a = host("hospital-a", csv("a", 200, 3, 1)).maxEpsilon(2);
             RealClientHost b = host("hospital-b", csv("b", 200, 3, 2));
             HostConnection ca = join(server, ChannelSecurity.insecure(), a)) {
            ca.welcomed().get(30, TimeUnit.SECONDS);
            try (HostConnection cb = join(server, ChannelSecurity.insecure(), b)) {
                cb.welcomed().get(30, TimeUnit.SECONDS);
                RunExecution.Outcome outcome = RunExecution.run(loaded, registry, NetworkedRunTest.QUIET, Clock.systemUTC(),
                        (c, assembly, baseDir) -> {
                            fleet.awaitClients(Duration.ofSeconds(60));
                            return fleet;
                        });
                List<String> lines = Files.readAllLines(outcome.runDir().resolve("metrics.jsonl"));
                var json = new com.fasterxml.jackson.databind.ObjectMapper();
                double spent = 0;
                boolean plainSignals = false;
                for (String line : lines) {
                    var node = json.readTree(line);
                    boolean mine = node.get("client").asText().equals("ward-0");
                    assertEquals(mine, node.findValue("privacy.epsilon") != null, line);
                    if (mine) {
                        spent = node.findValue("privacy.epsilon").asDouble();
                        // the coordinator gets what the client released and nothing computed from its rows besides
                        assertTrue(node.get("signals").isEmpty(), line);
                    } else {
                        plainSignals |= !node.get("signals").isEmpty();
                    }
                }
                assertTrue(plainSignals, "the client without a budget sends its signals: " + lines);
                assertTrue(spent > 1.9 && spent <= 2.0, "hospital-a spent its own budget over the run: " + spent);
            }
        }
        try (RealClientHost c = host("c", csv("c", 10, 3, 1))) {
            assertThrows(io.scarcity.runtime.UserException.class, () -> c.maxEpsilon(0));
        }
    }

    /**
     * Over mutual TLS: a client joining again with its name gets its slot back (from the same certificate
     * only); a second live connection with a name, a domain that does not exist, a stream of another shape
     * and a client beyond the domain's slots are refused with what to do.
     */
    @Test
    void admissionKeepsSlotsByNameAndRefusesWhatDoesNotFit() throws Exception {
        Certificates.Authority authority = Certificates.createAuthority(tmp.resolve("ca"), "test federation");
        ChannelSecurity coordinator = ChannelSecurity.mutualTls(authority.issueCoordinator(tmp.resolve("coordinator"), List.of()));
        ChannelSecurity certA = ChannelSecurity.mutualTls(authority.issueClient(tmp.resolve("a"), "hospital-a"));
        ChannelSecurity certB = ChannelSecurity.mutualTls(authority.issueClient(tmp.resolve("b"), "hospital-b"));
        LoadedConfig loaded = config("admission");
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "test-run", registry);
        RealClientHost.OwnStream narrow = csv("narrow", 100, 3, 1);
        List<HostConnection> open = new ArrayList<>();
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, coordinator), fleet);
             RealClientHost a = host("a", narrow);
             RealClientHost aAgain = host("a", narrow);
             RealClientHost aOther = host("a", narrow);
             RealClientHost b = host("b", narrow);
             RealClientHost c = host("c", narrow)) {
            HostConnection ca = join(server, certA, a);
            open.add(ca);
            assertEquals(List.of("ward-0"), ca.welcomed().get(30, TimeUnit.SECONDS).getClientIdsList());
            assertTrue(fleet.admissions().get(0).contains("real client 'a' of domain ward on host ")
                    && fleet.admissions().get(0).endsWith("(certificate of 'hospital-a') admitted as ward-0"), fleet.admissions().toString());

            String wider = refusal(server, certB, host("wide", csv("wide", 100, 4, 3)), open);
            assertTrue(wider.contains("client 'wide' has a stream of 4 features, classification of classes [0, 1]; domain 'ward' has"
                    + " 3 features, classification of classes [0, 1] (the stream of client 'a')"), wider);
            String unknown = refusal(server, certB, new RealClientHost(registry, tmp, "c", "icu", narrow, null), open);
            assertTrue(unknown.contains("this run has no domain 'icu'; its domains for real clients: ward (2 slots); start the client"
                    + " with --domain ward"), unknown);
            String twice = refusal(server, certA, aOther, open);
            assertTrue(twice.contains("a client named 'a' is already connected as ward-0"), twice);

            HostConnection cb = join(server, certB, b);
            open.add(cb);
            assertEquals(List.of("ward-1"), cb.welcomed().get(30, TimeUnit.SECONDS).getClientIdsList());
            String full = refusal(server, certB, c, open);
            assertTrue(full.contains("domain 'ward' is full: its 2 slots are held by 'a' (ward-0), 'b' (ward-1); raise domains[0].clients"),
                    full);
            fleet.awaitClients(Duration.ofSeconds(30));

            // "a" leaves and comes back: same slot, and only with its own certificate
            ca.close("a stops");
            ca.finished().get(10, TimeUnit.SECONDS);
            assertTrue(waitUntil(() -> !fleet.awaitClient(0, Duration.ofMillis(1))), "the coordinator sees a leave");
            String stolen = refusal(server, certB, aOther, open);
            assertTrue(stolen.contains("client 'a' joined as ward-0 with the certificate of 'hospital-a'; this connection has the"
                    + " certificate of 'hospital-b'"), stolen);
            HostConnection back = join(server, certA, aAgain);
            open.add(back);
            Welcome w = back.welcomed().get(30, TimeUnit.SECONDS);
            assertEquals(List.of("ward-0"), w.getClientIdsList());
            assertTrue(fleet.awaitClient(0, Duration.ofSeconds(30)), "the client that came back holds ward-0 again");
            assertEquals("ward-0", aAgain.clients().get(0).id());
        } finally {
            for (HostConnection c : open) {
                c.close();
            }
        }
    }

    /**
     * A real client keeps its state in its own state folder at the coordinator's checkpoints; it stops after
     * round 4 and, started again with the same name and folder, takes its slot back in round 6 and continues
     * from its state of round 3 (round 4's checkpoint missed it).
     */
    @Test
    void aRealClientStartedAgainTakesItsSlotBackAndContinuesFromItsOwnCheckpoint() throws Exception {
        LoadedConfig loaded = ConfigLoader.load(config, Map.of(), List.of("rounds=8", "batchSize=10", "batchesPerRound=2",
                "output.progress=off", "checkpoint.every=1"));
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "real-run", registry);
        Path state = tmp.resolve("state-a");
        RealClientHost.OwnStream streamA = csv("a", 200, 3, 1);
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), fleet);
             RealClientHost a = new RealClientHost(registry, tmp, "hospital-a", "ward", streamA, state);
             RealClientHost b = new RealClientHost(registry, tmp, "hospital-b", "ward", csv("b", 200, 3, 2), tmp.resolve("state-b"));
             RealClientHost back = new RealClientHost(registry, tmp, "hospital-a", "ward", streamA, state);
             HostConnection ca = join(server, ChannelSecurity.insecure(), a)) {
            assertEquals(List.of("ward-0"), ca.welcomed().get(30, TimeUnit.SECONDS).getClientIdsList());
            List<HostConnection> later = new ArrayList<>(List.of(join(server, ChannelSecurity.insecure(), b)));
            List<String> lines = new ArrayList<>();
            try (var engine = NetworkedRunTest.engineOn(loaded, registry, fleet)) {
                engine.checkpointInto(new io.scarcity.runtime.checkpoint.RunCheckpoints(tmp.resolve("real-run"), 2, "x", tmp),
                        new io.scarcity.runtime.report.SummaryCollector("real", 8));
                var result = engine.run(NetworkedRunTest.recording(lines, round -> {
                    if (round == 4) {
                        ca.close("hospital-a stops");
                        ca.finished().get(10, TimeUnit.SECONDS);
                        assertTrue(waitUntil(() -> !fleet.awaitClient(0, Duration.ofMillis(1))), "the coordinator sees it leave");
                    }
                    if (round == 5) {
                        HostConnection again = join(server, ChannelSecurity.insecure(), back);
                        later.add(again);
                        assertEquals(List.of("ward-0"), again.welcomed().get(30, TimeUnit.SECONDS).getClientIdsList());
                        assertTrue(fleet.awaitClient(0, Duration.ofSeconds(30)), "hospital-a holds ward-0 again");
                        assertEquals(3, back.restoredRound(), "round 4's checkpoint missed it: it continues from round 3");
                    }
                }));
                assertEquals(8, result.roundsCompleted());
            } finally {
                for (HostConnection h : later) {
                    h.close();
                }
            }
            assertTrue(Files.isRegularFile(state.resolve("real-run/client-hospital-a/round-8.state")), "its own folder: " + lines);
            assertTrue(lines.contains("5 ward-0 offline") && lines.contains("6 ward-0 20") && lines.contains("8 ward-1 20"), lines.toString());
        }
    }

    /** A simulation host is refused by a coordinator of real clients, and a real client by a simulation's coordinator. */
    @Test
    void realClientsAndSimulationHostsJoinOnlyTheirKindOfRun() throws Exception {
        LoadedConfig real = config("real");
        LoadedConfig simulation = ConfigLoader.load(config.resolveSibling("quickstart.yaml"), Map.of(),
                List.of("output.dir=" + tmp.resolve("sim")));
        RemoteFleet realFleet = new RemoteFleet(real.config(), real.resolvedYaml(), "test-run", registry);
        RemoteFleet simulationFleet = new RemoteFleet(simulation.config(), simulation.resolvedYaml(), "test-run", registry);
        List<HostConnection> open = new ArrayList<>();
        try (CoordinatorServer reals = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), realFleet);
             CoordinatorServer simulations = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0,
                     ChannelSecurity.insecure()), simulationFleet);
             SimulationHost sim = new SimulationHost(registry, real.baseDir(), 0, 2);
             RealClientHost coastal = new RealClientHost(registry, tmp, "a", "coast", csv("coast", 50, 3, 1), null)) {
            HostConnection s = HostConnection.connect(HostConnection.Settings.of("127.0.0.1:" + reals.port(), ChannelSecurity.insecure()),
                    withPlugins(Hello.newBuilder().setHostName("sim").setApiVersion(ApiVersion.current())
                            .setSimulate(io.scarcity.network.proto.SimulateRange.newBuilder().setFrom(0).setTo(2))), sim);
            open.add(s);
            ExecutionException e = assertThrows(ExecutionException.class, () -> s.welcomed().get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("this coordinator waits for real clients (its domains have stream: "
                    + "{type: remote}): start each with --id NAME --domain D --stream STREAM.yaml, not --simulate"), e.toString());
            String simulated = refusal(simulations, ChannelSecurity.insecure(), coastal, open);
            assertTrue(simulated.contains("domain 'coast' is simulated (stream type sea), its clients hosted with 'scarcity client "
                    + "--simulate FROM-TO'; real clients join a domain with stream: {type: remote}, and this run has none"), simulated);
            assertTrue(simulationFleet.howToJoin("HOST:1").endsWith("--simulate FROM-TO"));
            assertEquals("scarcity client --coordinator HOST:1 --id NAME --domain ward --stream STREAM.yaml", realFleet.howToJoin("HOST:1"));
        } finally {
            for (HostConnection c : open) {
                c.close();
            }
        }
    }

    /** Joins and returns the refusal's message. */
    static String refusal(CoordinatorServer server, ChannelSecurity security, RealClientHost host, List<HostConnection> open)
            throws Exception {
        HostConnection c = join(server, security, host);
        open.add(c);
        ExecutionException e = assertThrows(ExecutionException.class, () -> c.welcomed().get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof HostRefusedException, e.toString());
        assertTrue(host.clients().isEmpty(), "a refused client builds nothing");
        return e.getCause().getMessage();
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static boolean waitUntil(Check check) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            if (check.ok()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Test
    void runAndValidateRefuseARemoteConfigNamingTheCoordinator() {
        for (String command : List.of("run", "validate")) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = io.scarcity.runtime.cli.Main.execute(new String[] {command, config.toString(), "--set",
                "output.dir=" + tmp.resolve(command)}, new PrintWriter(out, true), new PrintWriter(err, true));
            assertEquals(2, code, command + ": " + out + err);
            assertTrue(err.toString().contains("domains[0].stream.type: remote: the clients of domain 'ward' are real clients that "
                    + "bring their own streams, so this config runs only as a networked federation: scarcity coordinator CONFIG"),
                    command + ": " + err);
        }
        assertTrue(!Files.exists(tmp.resolve("run")) || tmp.resolve("run").toFile().list().length == 0, "no run folder");
    }

    @Test
    void aBadStreamFileIsAConfigErrorNamingTheFile() throws Exception {
        csv("ok", 10, 3, 1);
        Path stream = tmp.resolve("bad.yaml");
        Files.writeString(stream, "type: csv\npath: ok.csv\nlabel: label\nlabels: typo\n");
        var e = assertThrows(io.scarcity.api.ConfigException.class, () -> RealClientHost.OwnStream.read(stream, tmp));
        assertTrue(e.getMessage().startsWith(stream + ": labels: unknown key for this stream type"), e.getMessage());
        Files.writeString(stream, "type: csv\npath: missing.csv\nlabel: label\n");
        var missing = assertThrows(io.scarcity.runtime.data.DataException.class, () -> RealClientHost.OwnStream.read(stream, tmp));
        assertTrue(missing.getMessage().startsWith(stream + ": CSV file not found: ") && missing.getMessage().contains("missing.csv"),
                missing.getMessage());
        Files.writeString(tmp.resolve("empty.csv"), "f0,f1,label\n");
        Files.writeString(stream, "type: csv\npath: empty.csv\nlabel: label\nclasses: [a, b]\n");
        var empty = assertThrows(io.scarcity.runtime.data.DataException.class, () -> RealClientHost.OwnStream.read(stream, tmp));
        assertTrue(empty.getMessage().startsWith(stream + ": the stream has no rows"), empty.getMessage());
    }

    /**
     * A coordinator of real clients dies after round 5 and is resumed from its run folder: the clients redial
     * in whatever order, each name gets its own slot back from the book (hosts.json), rewinds to the checkpoint
     * from its own saved state, and the run ends with the metrics of a run never interrupted.
     */
    @Test
    void aResumedCoordinatorGivesEachRealClientItsSlotBackAndEndsAsAnUninterruptedRun() throws Exception {
        List<String> settings = List.of("rounds=8", "batchSize=10", "batchesPerRound=2", "output.progress=off", "checkpoint.every=1");
        RealClientHost.OwnStream streamA = csv("a", 400, 3, 1);
        RealClientHost.OwnStream streamB = csv("b", 400, 3, 2);
        Path whole = uninterrupted(settings, streamA, streamB);

        LoadedConfig loaded = ConfigLoader.load(config, Map.of(), with(settings, "output.dir=" + tmp.resolve("resumed")));
        RemoteFleet first = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "real-resume", registry);
        CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), first);
        int port = server.port();
        try (RealClientHost a = new RealClientHost(registry, tmp, "hospital-a", "ward", streamA, tmp.resolve("state-a"));
             RealClientHost b = new RealClientHost(registry, tmp, "hospital-b", "ward", streamB, tmp.resolve("state-b"));
             HostConnection ca = join(server, ChannelSecurity.insecure(), a)) {
            assertEquals(List.of("ward-0"), ca.welcomed().get(30, TimeUnit.SECONDS).getClientIdsList());
            try (HostConnection cb = join(server, ChannelSecurity.insecure(), b)) {
                assertThrows(RuntimeException.class, () -> RunExecution.run(loaded, registry, NetworkedRunTest.QUIET, Clock.systemUTC(),
                        (c, assembly, baseDir) -> {
                            first.awaitClients(Duration.ofSeconds(60));
                            return new NetworkedRunTest.FailingIn(first, 6);
                        }));
                server.abort();
                Path runDir;
                try (var dirs = Files.list(tmp.resolve("resumed"))) {
                    runDir = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
                }
                assertTrue(Files.readString(runDir.resolve("hosts.json")).contains("\"name\" : \"hospital-b\""));
                RemoteFleet second = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), RemoteFleet.runIdOf(runDir), registry);
                second.resumeFrom(runDir);
                try (CoordinatorServer again = CoordinatorServer.start(CoordinatorServer.Settings.loopback(port, ChannelSecurity.insecure()), second)) {
                    var outcome = RunExecution.resume(runDir, Map.of(), registry, NetworkedRunTest.QUIET, (c, assembly, baseDir) -> {
                        second.awaitClients(Duration.ofSeconds(60));
                        return second;
                    });
                    assertEquals(8, outcome.result().roundsCompleted());
                }
                assertEquals(Files.readString(whole.resolve("metrics.jsonl")), Files.readString(runDir.resolve("metrics.jsonl")));
            }
        } finally {
            server.abort();
        }
    }

    static List<String> with(List<String> base, String more) {
        List<String> all = new ArrayList<>(base);
        all.add(more);
        return all;
    }

    /** The same two real clients in a run that is never interrupted; returns its folder. */
    Path uninterrupted(List<String> settings, RealClientHost.OwnStream streamA, RealClientHost.OwnStream streamB) throws Exception {
        LoadedConfig loaded = ConfigLoader.load(config, Map.of(), with(settings, "output.dir=" + tmp.resolve("whole")));
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "real-whole", registry);
        try (CoordinatorServer server = CoordinatorServer.start(CoordinatorServer.Settings.loopback(0, ChannelSecurity.insecure()), fleet);
             RealClientHost a = new RealClientHost(registry, tmp, "hospital-a", "ward", streamA, tmp.resolve("whole-a"));
             RealClientHost b = new RealClientHost(registry, tmp, "hospital-b", "ward", streamB, tmp.resolve("whole-b"));
             HostConnection ca = join(server, ChannelSecurity.insecure(), a)) {
            assertEquals(List.of("ward-0"), ca.welcomed().get(30, TimeUnit.SECONDS).getClientIdsList());
            try (HostConnection cb = join(server, ChannelSecurity.insecure(), b)) {
                return RunExecution.run(loaded, registry, NetworkedRunTest.QUIET, Clock.systemUTC(), (c, assembly, baseDir) -> {
                    fleet.awaitClients(Duration.ofSeconds(60));
                    return fleet;
                }).runDir();
            }
        }
    }
}
