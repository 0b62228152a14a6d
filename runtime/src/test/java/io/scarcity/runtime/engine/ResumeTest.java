package io.scarcity.runtime.engine;

import io.scarcity.runtime.run.RunExecution;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scarcity.runtime.UserException;
import io.scarcity.runtime.checkpoint.RunCheckpoints;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.config.QuickstartPaths;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint and resume: a run continued from a checkpoint ends with exactly the metrics of a run that
 * was never interrupted, even when the interruption came after later rounds had already written outputs
 * and stored insights.
 */
class ResumeTest {
    static PluginRegistry registry;
    static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());
    /**
     * Rows/s, wall time and heap differ between two runs; so does the record of the interruption (the rounds resumed
     * after, and the audit log's length and head: the log is append-only and records the resume and the replayed
     * rounds, checked by {@link #assertAuditedResume}); everything else in summary.json must not.
     */
    static final List<String> TIMING = List.of("wallSeconds", "rowsPerSecond", "resumedAfterRounds", "audit");

    /** The resumed run's audit log is intact, says it was resumed, and ends with the run. */
    static void assertAuditedResume(Path runDir) throws Exception {
        io.scarcity.runtime.audit.AuditVerifier.Result r = io.scarcity.runtime.audit.AuditVerifier.verify(
                runDir.resolve("audit.jsonl"), null);
        assertTrue(r.intact(), r.problem());
        assertEquals("end", r.lastType());
        assertTrue(Files.readString(runDir.resolve("audit.jsonl")).contains("\"type\":\"resume\""));
    }
    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        registry = PluginRegistry.load(null, ResumeTest.class.getClassLoader());
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    RunExecution.Outcome run(String out, String... sets) {
        List<String> all = new ArrayList<>(List.of(sets));
        all.add("output.dir=" + tmp.resolve(out));
        all.add("output.progress=off");
        LoadedConfig loaded = ConfigLoader.load(QuickstartPaths.quickstart(), Map.of(), all);
        return RunExecution.run(loaded, registry, QUIET, Clock.systemUTC());
    }

    static final String[] SETTINGS = {"rounds=12", "checkpoint.every=4", "checkpoint.keep=5", "faults.offlineRate=0.1",
        "replayRows=10", "threads=2"};

    @Test
    void aRunResumedFromAnEarlierCheckpointEndsExactlyAsTheUninterruptedRun() throws Exception {
        Path a = run("a", SETTINGS).runDir();
        List<RunCheckpoints.Checkpoint> written = new RunCheckpoints(a, 5, "x", tmp).list();
        assertEquals(List.of(4, 8, 12), written.stream().map(RunCheckpoints.Checkpoint::round).toList());

        // B: the same run, "crashed" after round 12 had written its outputs and stored its insights but before
        // any checkpoint after round 4 survived.
        Path b = tmp.resolve("b");
        crashedCopy(a, b);
        deleteTree(b.resolve("checkpoints").resolve("round-000008"));
        deleteTree(b.resolve("checkpoints").resolve("round-000012"));
        Files.writeString(b.resolve("metrics.jsonl"), "{\"round\": 13, \"cut short by the cra", java.nio.file.StandardOpenOption.APPEND);
        Map<String, String> storedBefore = insights(b);

        RunExecution.Outcome resumed = RunExecution.resume(b, Map.of(), registry, QUIET);
        assertEquals(12, resumed.result().roundsCompleted());
        assertEquals(Files.readString(a.resolve("metrics.jsonl")), Files.readString(b.resolve("metrics.jsonl")),
                "metrics.jsonl of the resumed run differs from the uninterrupted run's");
        assertEquals(Files.readString(a.resolve("coordinator.jsonl")), Files.readString(b.resolve("coordinator.jsonl")));
        assertEquals(withoutTiming(a), withoutTiming(b));
        assertAuditedResume(b);
        // the store: nothing stored twice, nothing accepted before the interruption missing, same counts
        assertEquals(insights(a), insights(b));
        assertEquals(storedBefore, insights(b));
        assertEquals(counts(a), counts(b));
        assertTrue(Files.readString(b.resolve("run.log")).contains("resumed"), "run.log says it was resumed");
        assertEquals(List.of(4), new ObjectMapper().convertValue(new ObjectMapper().readTree(b.resolve("summary.json").toFile())
                .get("resumedAfterRounds"), List.class));
        // the resumed run went on checkpointing
        assertEquals(List.of(4, 8, 12), new RunCheckpoints(b, 5, "x", tmp).list().stream()
                .map(RunCheckpoints.Checkpoint::round).toList());
    }

    /**
     * Under differential privacy the budget a client spent is in its checkpoint: a resumed run spends exactly what the
     * uninterrupted one does, bit for bit, never the budget again from zero.
     */
    @Test
    void aRunUnderDifferentialPrivacyResumesWithItsBudgetSpent() throws Exception {
        // secure noise (the default): keyed by each client's secret, kept in its checkpoint, so the replayed rounds
        // release exactly what they released before the crash (no second draw to average), and the run ends the same
        Path a = run("dp-a", "rounds=8", "checkpoint.every=4", "checkpoint.keep=5", "privacy.dp.epsilon=2", "threads=2").runDir();
        Path b = resumedAsBefore(a, "dp-b", "round-000008");
        assertEquals(insights(a), insights(b));
        Map<String, String> stored = insights(b);
        assertEquals(40, stored.size());
        for (String payload : stored.values()) { // what the coordinator holds: no signal, no learning rate
            com.fasterxml.jackson.databind.JsonNode insight = new ObjectMapper().readTree(payload);
            assertTrue(insight.findValues("signals").stream().allMatch(com.fasterxml.jackson.databind.JsonNode::isEmpty), payload);
            assertFalse(payload.contains("drift.detected"), payload);
        }
        com.fasterxml.jackson.databind.JsonNode privacy = new ObjectMapper().readTree(b.resolve("summary.json").toFile())
                .get("privacy");
        assertEquals(2.0, privacy.get("maxEpsilonSpent").asDouble(), 0.01);
        assertTrue(privacy.get("maxEpsilonSpent").asDouble() <= 2.0);
        assertEquals(1e-5, privacy.get("delta").asDouble());
        assertEquals(5, privacy.get("epsilonSpent").size(), "every client's budget");
        // metrics.jsonl: the epsilon each client has spent, growing round by round
        List<String> lines = Files.readAllLines(b.resolve("metrics.jsonl"));
        double first = new ObjectMapper().readTree(lines.get(0)).findValue("privacy.epsilon").asDouble();
        double last = new ObjectMapper().readTree(lines.get(lines.size() - 1)).findValue("privacy.epsilon").asDouble();
        assertTrue(first > 0 && first < last && last <= 2.0, first + " then " + last);
    }

    /**
     * Under differential privacy on gossip (secure noise), each client's secret, tables and unreleased row sums are in its
     * checkpoint: a resumed run gossips exactly what the uninterrupted one does, and ends with the same metrics.
     */
    @Test
    void aRunWithPrivateGossipResumesExactly() throws Exception {
        Path a = run("gossip-dp-a", "rounds=8", "checkpoint.every=3", "checkpoint.keep=5", "privacy.dp.epsilon=2",
                "privacy.dp.outputs=gossip", "threads=2").runDir();
        Path b = resumedAsBefore(a, "gossip-dp-b", "round-000006");
        com.fasterxml.jackson.databind.JsonNode privacy = new ObjectMapper().readTree(b.resolve("summary.json").toFile())
                .get("privacy");
        double spent = privacy.get("maxRowEpsilonSpent").asDouble();
        assertTrue(spent > 1.9 && spent <= 2.0, "each row released once: " + privacy);
        assertEquals(5, privacy.get("rowEpsilonSpent").size(), "every client's rows");
        assertFalse(privacy.has("epsilonSpent"), "insights are not noised under outputs: gossip");
    }

    /**
     * Whole insights by secure aggregation: the masks are fresh after the resume, but the sums are exact, so the
     * coordinator learns the same and the metrics are the same, byte for byte.
     */
    @Test
    void aRunWithSecureInsightsResumesExactly() throws Exception {
        Path a = run("secure-insights-a", "rounds=8", "checkpoint.every=3", "checkpoint.keep=5",
                "privacy.secureAggregation.enabled=true", "privacy.secureAggregation.insights=true", "threads=2").runDir();
        Path b = resumedAsBefore(a, "secure-insights-b", "round-000006");
        assertEquals(Files.readString(a.resolve("coordinator.jsonl")), Files.readString(b.resolve("coordinator.jsonl")));
    }

    /**
     * A copy of the 8-round run {@code a} killed after its last round, without checkpoint {@code lost}, resumed into
     * {@code name}: it completes and writes the same metrics as {@code a}.
     */
    private Path resumedAsBefore(Path a, String name, String lost) throws Exception {
        Path b = tmp.resolve(name);
        crashedCopy(a, b);
        deleteTree(b.resolve("checkpoints").resolve(lost));
        RunExecution.Outcome resumed = RunExecution.resume(b, Map.of(), registry, QUIET);
        assertEquals(8, resumed.result().roundsCompleted());
        assertEquals(Files.readString(a.resolve("metrics.jsonl")), Files.readString(b.resolve("metrics.jsonl")));
        return b;
    }

    /** Every shipped expert (ND4J ones included), replay, gossip and two threads: still bit for bit. */
    @Test
    void aRunWithEveryExpertResumesExactly() throws Exception {
        String yaml = """
                name: all-experts
                rounds: 9
                batchSize: 20
                batchesPerRound: 2
                threads: 2
                replayRows: 5
                checkpoint: {every: 3, keep: 5}
                domains:
                  - name: digits
                    clients: 3
                    stream: {type: csv, path: data/digits/digits.csv.gz, header: false, label: 64}
                    partition: {type: dirichlet, alpha: 0.5}
                experts:
                  - {plugin: statistical, config: {minVariance: 1.0}}
                  - {plugin: drift}
                  - {plugin: geometry}
                  - {plugin: reconstruction}
                  - {plugin: temporal}
                  - {plugin: causal, config: {every: 2, minSamples: 20}}
                  - plugin: governance
                    config: {rules: [{type: compare, left: c20, op: "<", value: 15}]}
                  - {plugin: peer-selection}
                  - {plugin: meta-adaptation, config: {freeze: true, freezePatience: 3}}
                  - {plugin: memory-consolidation, config: {consolidateEvery: 4, replayRows: 8}}
                router: {plugin: ucb, config: {k: 2}}
                output: {progress: off}
                """;
        LoadedConfig loaded = ConfigLoader.parse(yaml, "all-experts.yaml", Path.of("src", "test", "resources").toAbsolutePath(),
                Map.of(), List.of("output.dir=" + tmp.resolve("a")));
        Path a = RunExecution.run(loaded, registry, QUIET, Clock.systemUTC()).runDir();
        Path b = tmp.resolve("b");
        crashedCopy(a, b);
        deleteTree(b.resolve("checkpoints").resolve("round-000006"));
        deleteTree(b.resolve("checkpoints").resolve("round-000009"));
        RunExecution.resume(b, Map.of(), registry, QUIET);
        assertEquals(Files.readString(a.resolve("metrics.jsonl")), Files.readString(b.resolve("metrics.jsonl")));
        assertEquals(withoutTiming(a), withoutTiming(b));
    }

    @Test
    void anInMemoryStoreIsRestoredFromTheCheckpointItself() throws Exception {
        String[] settings = {"rounds=8", "checkpoint.every=3", "coordinator.store.url=memory", "threads=1"};
        Path a = run("a", settings).runDir();
        Path b = tmp.resolve("b");
        crashedCopy(a, b);
        deleteTree(b.resolve("checkpoints").resolve("round-000006"));
        RunExecution.resume(b, Map.of(), registry, QUIET);
        assertEquals(Files.readString(a.resolve("metrics.jsonl")), Files.readString(b.resolve("metrics.jsonl")));
        assertEquals(withoutTiming(a), withoutTiming(b));
    }

    @Test
    void resumeRefusesAnEditedConfigAFolderWithoutCheckpointsAndACorruptCheckpoint() throws Exception {
        Path a = run("a", "rounds=6", "checkpoint.every=2").runDir();
        Path edited = tmp.resolve("edited");
        crashedCopy(a, edited);
        Path config = edited.resolve("config.yaml");
        Files.writeString(config, Files.readString(config).replace("seed: 42", "seed: 43"));
        UserException e = assertThrows(UserException.class, () -> RunExecution.resume(edited, Map.of(), registry, QUIET));
        assertTrue(e.getMessage().contains("not the one its checkpoint was taken with"), e.getMessage());

        Path envCopy = tmp.resolve("env");
        crashedCopy(a, envCopy);
        UserException env = assertThrows(UserException.class,
                () -> RunExecution.resume(envCopy, Map.of("SCARCITY_SEED", "7"), registry, QUIET));
        assertTrue(env.getMessage().contains("environment variable"), env.getMessage());

        Path none = run("none", "rounds=3", "checkpoint.every=0").runDir();
        Files.delete(none.resolve("summary.json")); // as if killed
        UserException missing = assertThrows(UserException.class, () -> RunExecution.resume(none, Map.of(), registry, QUIET));
        assertTrue(missing.getMessage().contains("no checkpoint"), missing.getMessage());
        assertFalse(Files.exists(none.resolve("checkpoints")));

        UserException notRun = assertThrows(UserException.class, () -> RunExecution.resume(tmp, Map.of(), registry, QUIET));
        assertTrue(notRun.getMessage().contains("not a run folder"), notRun.getMessage());

        Path corrupt = tmp.resolve("corrupt");
        crashedCopy(a, corrupt);
        deleteTree(corrupt.resolve("checkpoints").resolve("round-000006"));
        Path state = corrupt.resolve("checkpoints").resolve("round-000004").resolve("state.bin.gz");
        byte[] bytes;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(state))) {
            bytes = in.readAllBytes();
        }
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(state))) {
            out.write(bytes, 0, bytes.length / 2);
        }
        String before = Files.readString(corrupt.resolve("metrics.jsonl"));
        UserException broken = assertThrows(UserException.class, () -> RunExecution.resume(corrupt, Map.of(), registry, QUIET));
        assertTrue(broken.getMessage().contains("no checkpoint of") && broken.getMessage().contains("round-000004: state.bin.gz is "
                + Files.size(state) + " bytes, its manifest says"), broken.getMessage());
        assertEquals(before, Files.readString(corrupt.resolve("metrics.jsonl")), "a failed resume must not touch the outputs");

        // a state that verifies (its manifest updated to match) but does not decode: the checkpoint does not fit
        Path manifest = state.resolveSibling("manifest.json");
        ObjectNode m = (ObjectNode) new ObjectMapper().readTree(manifest.toFile());
        m.put("stateBytes", Files.size(state));
        m.put("stateSha256", java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(state))));
        Files.writeString(manifest, m.toString());
        UserException misfit = assertThrows(UserException.class, () -> RunExecution.resume(corrupt, Map.of(), registry, QUIET));
        assertTrue(misfit.getMessage().contains("cannot resume from") && misfit.getMessage().contains("does not fit this run"),
                misfit.getMessage());
        assertEquals(before, Files.readString(corrupt.resolve("metrics.jsonl")), "a failed resume must not touch the outputs");

        UserException finished = assertThrows(UserException.class, () -> RunExecution.resume(a, Map.of(), registry, QUIET));
        assertTrue(finished.getMessage().contains("nothing left to run"), finished.getMessage());
    }

    /**
     * A run folder of an older Scarcity, whose resolved config lacks keys a newer one added (with defaults
     * that change nothing), resumes: only an edit or an overriding environment variable is refused.
     */
    @Test
    void aRunFolderOfAnOlderVersionWithoutANewerDefaultKeyResumes() throws Exception {
        Path a = run("a", "rounds=6", "checkpoint.every=2").runDir();
        Path old = tmp.resolve("old");
        crashedCopy(a, old);
        deleteTree(old.resolve("checkpoints").resolve("round-000006"));
        Path config = old.resolve("config.yaml");
        String text = Files.readString(config);
        String withoutKey = text.replaceAll("(?m)^  minClients: 0\n", "");
        assertTrue(withoutKey.length() < text.length(), "the resolved config has coordinator.minClients");
        Files.writeString(config, withoutKey);
        String resolved = withoutKey.substring(withoutKey.indexOf('\n') + 1);
        for (RunCheckpoints.Checkpoint c : new RunCheckpoints(old, 5, "x", tmp).list()) {
            Path manifest = c.folder().resolve("manifest.json");
            ObjectNode m = (ObjectNode) new ObjectMapper().readTree(manifest.toFile());
            m.put("configSha256", RunCheckpoints.digest(resolved));
            Files.writeString(manifest, m.toString());
        }
        RunExecution.resume(old, Map.of(), registry, QUIET);
        assertEquals(Files.readString(a.resolve("metrics.jsonl")), Files.readString(old.resolve("metrics.jsonl")));
    }

    @Test
    void aRunThatStoppedOnConvergenceHasNothingLeftToResume() throws Exception {
        Path a = run("a", "rounds=20", "checkpoint.every=50", "coordinator.convergence.stop=true",
                "coordinator.convergence.lossSpread=10", "coordinator.convergence.parameterChange=100",
                "coordinator.convergence.patience=2").runDir();
        assertTrue(new ObjectMapper().readTree(a.resolve("summary.json").toFile()).get("stopReason").asText().startsWith("converged"));
        // a checkpoint is taken at the stop even though checkpoint.every was not reached
        assertEquals(1, new RunCheckpoints(a, 5, "x", tmp).list().size());
        UserException completed = assertThrows(UserException.class, () -> RunExecution.resume(a, Map.of(), registry, QUIET));
        assertTrue(completed.getMessage().contains("nothing left to run"), completed.getMessage());
        // killed after the stop's checkpoint, before its summary: the checkpoint itself says the run is over
        Files.delete(a.resolve("summary.json"));
        UserException stopped = assertThrows(UserException.class, () -> RunExecution.resume(a, Map.of(), registry, QUIET));
        assertTrue(stopped.getMessage().contains("it stopped (converged after round"), stopped.getMessage());
    }

    @Test
    void aRunFolderInUseByAnotherProcessIsNotResumed() throws Exception {
        Path a = run("a", "rounds=4", "checkpoint.every=2").runDir();
        Path b = tmp.resolve("b");
        crashedCopy(a, b);
        deleteTree(b.resolve("checkpoints").resolve("round-000004"));
        String before = Files.readString(b.resolve("metrics.jsonl"));
        try (var channel = java.nio.channels.FileChannel.open(b.resolve(".lock"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE); var held = channel.lock()) {
            UserException busy = assertThrows(UserException.class, () -> RunExecution.resume(b, Map.of(), registry, QUIET));
            assertTrue(busy.getMessage().contains("in use by another process"), busy.getMessage());
        }
        assertEquals(before, Files.readString(b.resolve("metrics.jsonl")), "the live run's outputs are left alone");
        RunExecution.resume(b, Map.of(), registry, QUIET);
        assertEquals(Files.readString(a.resolve("metrics.jsonl")), Files.readString(b.resolve("metrics.jsonl")));
    }

    @Test
    void aMaskedPasswordReadBackFromARunsConfigSaysWhereTheRealOneGoes() {
        LoadedConfig loaded = ConfigLoader.load(QuickstartPaths.quickstart(), Map.of(),
                List.of("coordinator.store.url=jdbc:postgresql://127.0.0.1:1/none", "coordinator.store.user=u",
                        "coordinator.store.password=***"));
        try (InProcessEngine engine = new InProcessEngine(loaded, registry)) {
            UserException e = assertThrows(UserException.class, () -> engine.checkStore(null));
            assertTrue(e.getMessage().contains("SCARCITY_COORDINATOR__STORE__PASSWORD"), e.getMessage());
        }
    }

    @Test
    void onlyTheMostRecentCheckpointsAreKept() throws Exception {
        Path a = run("a", "rounds=9", "checkpoint.every=2", "checkpoint.keep=2").runDir();
        assertEquals(List.of(6, 8), new RunCheckpoints(a, 2, "x", tmp).list().stream().map(RunCheckpoints.Checkpoint::round).toList());
        try (var files = Files.list(a.resolve("checkpoints"))) {
            assertEquals(2, files.count(), "no temporary folders left behind");
        }
    }

    static Map<String, Object> withoutTiming(Path runDir) throws Exception {
        ObjectNode s = (ObjectNode) new ObjectMapper().readTree(runDir.resolve("summary.json").toFile());
        TIMING.forEach(s::remove);
        return new ObjectMapper().convertValue(s, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {
        });
    }

    /** Stored insights by (domain, round, client pseudonym) -> payload. */
    static Map<String, String> insights(Path runDir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + runDir.resolve("coordinator.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT domain, round, client, payload FROM insights")) {
            while (rs.next()) {
                String key = rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getString(3);
                if (out.put(key, rs.getString(4)) != null) {
                    throw new AssertionError("insight stored twice: " + key);
                }
            }
        }
        return out;
    }

    static Map<String, String> counts(Path runDir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + runDir.resolve("coordinator.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT domain, stored, accepted, trimmed FROM domain_counts")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2) + "/" + rs.getLong(3) + "/" + rs.getLong(4));
            }
        }
        return out;
    }

    /** A copy of a finished run as a killed process leaves it: no summary.json (it is written at the end). */
    static void crashedCopy(Path from, Path to) throws Exception {
        copyTree(from, to);
        Files.delete(to.resolve("summary.json"));
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

}
