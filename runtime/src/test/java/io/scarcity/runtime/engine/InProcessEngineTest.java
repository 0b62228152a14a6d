package io.scarcity.runtime.engine;

import io.scarcity.runtime.run.RunExecution;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scarcity.api.ConfigException;
import io.scarcity.runtime.UserException;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.config.QuickstartPaths;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InProcessEngineTest {
    static PluginRegistry registry;
    static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());
    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        registry = PluginRegistry.load(null, InProcessEngineTest.class.getClassLoader());
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    RunExecution.Outcome run(Path config, String... sets) {
        List<String> all = new ArrayList<>(List.of(sets));
        all.add("output.dir=" + tmp.resolve("runs"));
        all.add("output.progress=off");
        LoadedConfig loaded = ConfigLoader.load(config, Map.of(), all);
        return RunExecution.run(loaded, registry, QUIET, Clock.systemUTC());
    }

    static List<JsonNode> lines(Path runDir) throws Exception {
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
            out.add(m.readTree(l));
        }
        return out;
    }

    /**
     * Drift detection on the quickstart over three seeds (a single seed is a coin toss: whether a client's
     * Page-Hinkley statistic crosses its threshold in the round of an abrupt change depends on how fast its
     * experts happen to recover). Counts are over the 3 x 5 client runs.
     */
    @Test
    void quickstartDetectsTheInjectedDriftsAcrossSeeds() {
        int coastOnTime = 0;
        int nearDrift = 0;
        int falseAlarms = 0;
        List<Map<String, List<Integer>>> all = new ArrayList<>();
        for (String seed : List.of("42", "1", "2")) {
            RunResult r = run(QuickstartPaths.quickstart(), "seed=" + seed, "checkpoint.every=0").result();
            assertTrue((double) r.correct() / r.rows() > 0.80, "seed " + seed + ": accuracy " + (double) r.correct() / r.rows());
            all.add(r.detectedDrifts());
            for (String client : List.of("coast-0", "coast-1", "coast-2")) {
                if (r.detectedDrifts().getOrDefault(client, List.of()).stream().anyMatch(x -> x >= 21 && x <= 23)) {
                    coastOnTime++;
                }
            }
            for (List<Integer> rounds : r.detectedDrifts().values()) {
                for (int round : rounds) {
                    if (round >= 21 && round <= 26) {
                        nearDrift++;
                    } else {
                        falseAlarms++;
                    }
                }
            }
        }
        assertTrue(coastOnTime >= 6, "coast clients that detect the abrupt drift within 3 rounds, of 9: " + coastOnTime + " " + all);
        assertTrue(nearDrift >= 7, "detections near the drifts: " + all);
        assertTrue(falseAlarms <= 3, "false alarms: " + all);
    }

    @Test
    void quickstartLearnsFarAboveChanceAndWritesEveryOutput() throws Exception {
        RunExecution.Outcome o = run(QuickstartPaths.quickstart());
        RunResult r = o.result();
        assertEquals(40, r.roundsCompleted());
        double accuracy = (double) r.correct() / r.rows();
        assertTrue(accuracy > 0.80, "prequential accuracy " + accuracy + " (chance is ~0.5-0.65 on SEA)");
        // Both domains change concept at the start of round 21 (inland gradually over 4 rounds).
        assertEquals(Map.of(30000L, 21), r.injectedDrifts().get("coast"));
        List<JsonNode> lines = lines(o.runDir());
        assertEquals(40 * 5, lines.size());
        JsonNode last = lines.get(lines.size() - 1);
        for (String key : List.of("round", "client", "domain", "rows", "accuracy", "loss", "experts", "signals",
                "driftDetections", "bytesSent", "memory")) {
            assertTrue(last.has(key), "metrics line lacks " + key + ": " + last);
        }
        assertTrue(last.get("bytesSent").asLong() > 0);
        JsonNode summary = new ObjectMapper().readTree(o.runDir().resolve("summary.json").toFile());
        assertEquals("completed", summary.get("status").asText());
        assertTrue(Files.readString(o.runDir().resolve("config.yaml")).contains("name: quickstart"));
        assertTrue(Files.size(o.runDir().resolve("run.log")) > 0);
        // default checkpoint.every 5, keep 2
        try (var checkpoints = Files.list(o.runDir().resolve("checkpoints"))) {
            assertEquals(List.of("round-000035", "round-000040"), checkpoints.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void sameSeedGivesByteIdenticalMetricsWhateverTheThreadCount() throws Exception {
        Path cfg = QuickstartPaths.quickstart();
        Path one = run(cfg, "threads=1", "rounds=12", "name=t1", "faults.offlineRate=0.1").runDir();
        Path two = run(cfg, "threads=2", "rounds=12", "name=t2", "faults.offlineRate=0.1").runDir();
        Path four = run(cfg, "threads=4", "rounds=12", "name=t4", "faults.offlineRate=0.1").runDir();
        byte[] a = Files.readAllBytes(one.resolve("metrics.jsonl"));
        assertTrue(a.length > 1000);
        assertTrue(java.util.Arrays.equals(a, Files.readAllBytes(two.resolve("metrics.jsonl"))), "1 vs 2 threads differ");
        assertTrue(java.util.Arrays.equals(a, Files.readAllBytes(four.resolve("metrics.jsonl"))), "1 vs 4 threads differ");
        Path otherSeed = run(cfg, "threads=2", "rounds=12", "name=t5", "seed=7", "faults.offlineRate=0.1").runDir();
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(one.resolve("coordinator.jsonl")),
                Files.readAllBytes(four.resolve("coordinator.jsonl"))), "coordinator.jsonl: 1 vs 4 threads differ");
        assertFalse(java.util.Arrays.equals(a, Files.readAllBytes(otherSeed.resolve("metrics.jsonl"))), "the seed has no effect");
    }

    @Test
    void silentClientsAreLeftOutAndReportedAndConvergenceCanStopTheRun() throws Exception {
        RunExecution.Outcome o = run(QuickstartPaths.quickstart(), "rounds=15", "faults.offlineRate=0.3",
                "faults.offlineRounds=3", "coordinator.heartbeatTimeout=1", "name=faults");
        List<JsonNode> lines = lines(o.runDir());
        assertEquals(15 * 5, lines.size(), "offline clients still get a line");
        long offline = lines.stream().filter(l -> l.path("offline").asBoolean(false)).count();
        assertTrue(offline > 5, "offline client-rounds: " + offline);
        for (JsonNode l : lines) {
            if (l.path("offline").asBoolean(false)) {
                assertEquals(0, l.get("bytesSent").asLong(), "an offline client sends nothing: " + l);
                assertTrue(l.get("missedRows").asLong() > 0, l.toString());
            }
        }
        ObjectMapper m = new ObjectMapper();
        List<String> coordinator = Files.readAllLines(o.runDir().resolve("coordinator.jsonl"));
        assertEquals(15, coordinator.size());
        boolean sawDropped = false;
        for (String c : coordinator) {
            JsonNode n = m.readTree(c);
            for (JsonNode d : n.get("dropped")) {
                sawDropped = true;
                assertEquals(0.0, n.get("weights").get(d.asText()).asDouble(), 1e-12, "a dropped client weighs 0: " + c);
            }
        }
        assertTrue(sawDropped, "with 3-round outages and a 1-round timeout some client must be dropped");
        JsonNode summary = m.readTree(o.runDir().resolve("summary.json").toFile());
        assertEquals(offline, summary.get("health").get("offlineClientRounds").asLong());

        RunExecution.Outcome stopped = run(QuickstartPaths.quickstart(), "rounds=40", "name=conv",
                "coordinator.convergence.stop=true", "coordinator.convergence.lossSpread=0.5",
                "coordinator.convergence.parameterChange=5", "coordinator.convergence.patience=2");
        assertTrue(stopped.result().stopReason().startsWith("converged after round"), stopped.result().stopReason());
        assertTrue(stopped.result().roundsCompleted() < 40);
    }

    @Test
    void lateClientsSeeNothingBeforeTheirRoundAndLearnAfter() throws Exception {
        RunExecution.Outcome o = run(QuickstartPaths.quickstart(), "rounds=8", "name=late",
                "domains[0].late={clients: 1, round: 5}");
        for (JsonNode l : lines(o.runDir())) {
            if (l.get("client").asText().equals("coast-2")) {
                boolean before = l.get("round").asInt() < 5;
                assertEquals(before, l.path("offline").asBoolean(false), "coast-2 in round " + l.get("round") + ": " + l);
                if (!before) {
                    assertTrue(l.get("rows").asLong() > 0 && l.get("accuracy").asDouble() > 0.5, l.toString());
                }
            } else {
                assertFalse(l.path("offline").asBoolean(false), l.toString());
            }
        }
        ConfigException tooMany = assertThrows(ConfigException.class,
                () -> run(QuickstartPaths.quickstart(), "domains[1].late={clients: 2, round: 5}"));
        assertEquals("domains[1].late.clients", tooMany.path());
    }

    @Test
    void theGlobalMemoryIsAnSqliteFileInTheRunFolderByDefaultAndPostgresqlByUrl() throws Exception {
        RunExecution.Outcome o = run(QuickstartPaths.quickstart(), "rounds=3", "name=store");
        assertTrue(Files.size(o.runDir().resolve("coordinator.db")) > 0);
        assertEquals(15, o.result().insightsAccepted());
        String url = System.getenv("SCARCITY_TEST_PG_URL");
        org.junit.jupiter.api.Assumptions.assumeTrue(url != null,
                "SCARCITY_TEST_PG_URL is not set: no PostgreSQL server (.ci/run starts one)");
        String schema = "run_" + Long.toHexString(System.nanoTime());
        List<String> pg = List.of("coordinator.store.url=" + url, "coordinator.store.user=" + System.getenv("SCARCITY_TEST_PG_USER"),
                "coordinator.store.password=" + System.getenv("SCARCITY_TEST_PG_PASSWORD"), "coordinator.store.schema=" + schema);
        List<String> first = new ArrayList<>(pg);
        first.addAll(List.of("rounds=3", "name=pg1"));
        assertEquals(15, run(QuickstartPaths.quickstart(), first.toArray(new String[0])).result().insightsAccepted());
        List<String> second = new ArrayList<>(pg.subList(0, 3));
        second.addAll(List.of("coordinator.store.schema=" + schema + "_b", "rounds=3", "name=pg2"));
        RunExecution.Outcome other = run(QuickstartPaths.quickstart(), second.toArray(new String[0]));
        assertEquals(15, other.result().insightsAccepted(), "another schema starts empty");
        assertFalse(Files.exists(other.runDir().resolve("coordinator.db")));
        assertFalse(Files.readString(other.runDir().resolve("config.yaml")).contains(System.getenv("SCARCITY_TEST_PG_PASSWORD")),
                "the password must not be written to the run folder");
    }

    @Test
    void unknownPluginNamesAndOptionsFailBeforeAnyFolderIsCreated() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> run(QuickstartPaths.quickstart(), "router.plugin=thompsonn"));
        assertEquals("router.plugin", e.path());
        assertTrue(e.getMessage().contains("(did you mean 'thompson'?); installed router plugins: all, epsilon-greedy,"),
                e.getMessage());
        ConfigException x = assertThrows(ConfigException.class,
                () -> run(QuickstartPaths.quickstart(), "experts[0].plugin=stats"));
        assertEquals("experts[0].plugin", x.path());
        assertTrue(x.getMessage().contains("drift, statistical") || x.getMessage().contains("drift,"), x.getMessage());
        ConfigException k = assertThrows(ConfigException.class,
                () -> run(QuickstartPaths.quickstart(), "experts[0].config.learnRate=0.1"));
        assertEquals("experts[0].config.learnRate", k.path());
        assertTrue(k.getMessage().contains("learningRate") && k.getMessage().contains("outlierThreshold"), k.getMessage());
        ConfigException v = assertThrows(ConfigException.class,
                () -> run(QuickstartPaths.quickstart(), "experts[0].config.learningRate=-1"));
        assertEquals("experts[0].config.learningRate", v.path());
        ConfigException s = assertThrows(ConfigException.class,
                () -> run(QuickstartPaths.quickstart(), "domains[0].stream.noize=0.1"));
        assertEquals("domains[0].stream.noize", s.path());
        assertFalse(Files.exists(tmp.resolve("runs")), "a config error must not leave a run folder");
    }

    @Test
    void aBadRowMidRunKeepsTheMetricsOfCompletedRounds() throws Exception {
        Path csv = tmp.resolve("data.csv");
        StringBuilder b = new StringBuilder("a,b,label\n");
        java.util.Random rnd = new java.util.Random(1);
        for (int i = 0; i < 1000; i++) {
            double x = rnd.nextDouble();
            double y = rnd.nextDouble();
            b.append(i == 700 ? "oops" : String.valueOf(x)).append(',').append(y).append(',').append(x > y ? "hi" : "lo").append('\n');
        }
        Files.writeString(csv, b);
        Path cfg = tmp.resolve("csv.yaml");
        Files.writeString(cfg, """
                name: csvrun
                rounds: 10
                batchSize: 50
                batchesPerRound: 2
                domains:
                  - name: d
                    clients: 2
                    stream: {type: csv, path: data.csv, label: label, classes: [hi, lo]}
                experts: [{plugin: statistical}]
                """);
        UserException e = assertThrows(UserException.class, () -> run(cfg));
        assertTrue(e.getMessage().contains("data.csv") && e.getMessage().contains("702"), e.getMessage());
        assertTrue(e.getMessage().contains("rounds completed before the error are kept"), e.getMessage());
        Path runDir;
        try (var dirs = Files.list(tmp.resolve("runs"))) {
            runDir = dirs.findFirst().orElseThrow();
        }
        List<JsonNode> lines = lines(runDir);
        assertEquals(3 * 2, lines.size(), "rounds 1-3 (600 rows) completed before row 700");
        JsonNode summary = new ObjectMapper().readTree(runDir.resolve("summary.json").toFile());
        assertEquals("failed", summary.get("status").asText());
        assertEquals(3, summary.get("roundsCompleted").asInt());

        // The same file runs to the end when the config asks to quarantine bad rows.
        RunExecution.Outcome ok = run(cfg, "domains[0].stream.onInvalid=quarantine", "name=quarantined");
        assertEquals(999, ok.result().rows());
        assertEquals(Map.of("d", 1L), ok.result().quarantinedRows());
        JsonNode okSummary = new ObjectMapper().readTree(ok.runDir().resolve("summary.json").toFile());
        assertEquals(1, okSummary.get("quarantinedRows").get("d").asInt());
        assertTrue(Files.readString(ok.runDir().resolve("run.log")).contains("1 rows quarantined"));
    }

    @Test
    void governanceRulesHoldRowsBackAndTheRunSaysHowMany() throws Exception {
        RunExecution.Outcome o = run(QuickstartPaths.configs().resolve("governance-example.yaml"), "checkpoint.every=0");
        RunResult r = o.result();
        long held = r.filteredRows().getOrDefault("plant", 0L);
        // 2 clients x 10 batches x 50 rows x 20 rounds streamed; the f3 < 9.5 rule rejects ~5% of SEA's rows
        assertEquals(20_000, r.rows() + held);
        assertTrue(held > 700 && held < 1300, "held back " + held);
        long perRule = 0;
        for (JsonNode line : lines(o.runDir())) {
            perRule += line.path("plugins").path("governance.violations.f3-below-9.5").asLong(0);
        }
        assertEquals(held, perRule, "every held-back row broke the f3 rule, the only one SEA can break");
        JsonNode summary = new ObjectMapper().readTree(o.runDir().resolve("summary.json").toFile());
        assertEquals(held, summary.path("filteredRows").path("plant").asLong());
    }

    @Test
    void supervisorExpertsSteerTheOthersInARealRun() throws Exception {
        String yaml = """
                name: supervised
                rounds: 6
                batchSize: 20
                batchesPerRound: 3
                checkpoint: {every: 0}
                domains:
                  - name: digits
                    clients: 2
                    stream: {type: csv, path: data/digits/digits.csv.gz, header: false, label: 64}
                experts:
                  - {plugin: statistical, config: {minVariance: 1.0}}
                  - {plugin: reconstruction}
                  - {plugin: meta-adaptation, config: {warmup: 1, tolerance: 0.01, patience: 1}}
                  - {plugin: memory-consolidation, config: {consolidateEvery: 5, replayRows: 8, replayTo: all}}
                router: {plugin: ucb, config: {k: 2}}
                output: {progress: off}
                """;
        LoadedConfig loaded = ConfigLoader.parse(yaml, "supervised.yaml", Path.of("src", "test", "resources").toAbsolutePath(),
                Map.of(), List.of("output.dir=" + tmp.resolve("runs")));
        Path run = RunExecution.run(loaded, registry, QUIET, Clock.systemUTC()).runDir();
        double consolidations = 0;
        double penalised = 0;
        double replayed = 0;
        boolean scaled = false;
        for (JsonNode line : lines(run)) {
            consolidations += line.path("plugins").path("memory-consolidation.consolidations").asDouble(0);
            penalised += line.path("plugins").path("memory-consolidation.penalised").asDouble(0);
            replayed += line.path("plugins").path("memory-consolidation.replayed-rows").asDouble(0);
            double scale = line.path("signals").path("meta-adaptation.scale.reconstruction").asDouble(1.0);
            scaled |= scale != 1.0;
        }
        // each client gets 18 or more batches (the IID split of each round's rows varies), a point every 5
        assertTrue(consolidations >= 6, "consolidation points " + consolidations);
        assertEquals(2 * consolidations, penalised,
                "the VAE and its personal twin (the only experts with importances) apply the EWC penalty at every point");
        assertTrue(replayed > 0, "rows replayed " + replayed);
        assertTrue(scaled, "meta-adaptation changed the VAE's learning-rate scale at least once");
    }
}
