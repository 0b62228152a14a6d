package io.scarcity.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scarcity.api.ConfigException;
import io.scarcity.runtime.client.ClientNode;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.plugin.PluginRegistry;
import io.scarcity.runtime.run.RunExecution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code privacy.dp.outputs: gossip} in a run: only row sums leave a client, nothing else gossips, states stay home. */
class PrivateGossipRunTest {
    private static PluginRegistry registry;
    @TempDir
    Path tmp;

    private static final String YAML = """
            name: private-gossip
            rounds: 6
            batchSize: 20
            batchesPerRound: 2
            domains:
              - name: digits
                clients: 3
                stream: {type: csv, path: data/digits/digits.csv.gz, header: false, label: 64}
                partition: {type: dirichlet, alpha: 0.5}
            experts:
              - {plugin: statistical, config: {minVariance: 1.0}}
              - {plugin: geometry}
            privacy: {dp: {epsilon: 4, outputs: gossip}}
            output: {progress: off}
            """;

    @BeforeAll
    static void load() {
        registry = PluginRegistry.load(null, PrivateGossipRunTest.class.getClassLoader());
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    private LoadedConfig config(String... sets) {
        List<String> all = new java.util.ArrayList<>(List.of(sets));
        all.add("output.dir=" + tmp.resolve("runs"));
        return ConfigLoader.parse(YAML, "private-gossip.yaml", Path.of("src", "test", "resources").toAbsolutePath(), Map.of(), all);
    }

    @Test
    void onlyExpertsWithRowSumsGossipAndTheirStatesNeverLeave() throws Exception {
        try (InProcessEngine engine = new InProcessEngine(config(), registry)) {
            ClientNode client = engine.clients().get(0);
            assertEquals(List.of("geometry"), client.notGossipedPrivately());
            assertEquals(List.of("statistical"), client.gossipableExperts(0));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> client.exportState("geometry"));
            assertTrue(e.getMessage().contains("stays on the client"), e.getMessage());
            assertEquals(io.scarcity.runtime.privacy.GossipPrivacy.TABLE, client.exportState("statistical").expert(),
                    "what leaves for the statistical expert is a table of noised sums, not its state");
        }
        Path run = RunExecution.run(config(), registry, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), Clock.systemUTC()).runDir();
        JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        assertTrue(summary.get("privacy").get("maxRowEpsilonSpent").asDouble() <= 4.0, summary.get("privacy").toString());
        assertTrue(Files.readString(run.resolve("metrics.jsonl")).contains("\"privacy.row-epsilon\""));
    }

    /**
     * A client rebuilt afresh (a host process started again, replaying its rounds) takes its noise secret from its privacy
     * ledger: the rows it replays are released with the noise they were released with, which tells a peer nothing new.
     * Without the ledger its fresh secret would give them new noise, and each replayed row would cost its budget again.
     */
    @Test
    void aClientRebuiltFromItsLedgerReleasesReplayedRowsWithTheSameNoise() throws Exception {
        try (InProcessEngine first = new InProcessEngine(config(), registry);
             InProcessEngine fresh = new InProcessEngine(config(), registry);
             InProcessEngine rebuilt = new InProcessEngine(config(), registry)) {
            ClientNode a = first.clients().get(0);
            ClientNode b = fresh.clients().get(0);
            ClientNode c = rebuilt.clients().get(0);
            c.keepPrivacyLedger(a.privacyLedger());
            java.util.Random random = new java.util.Random(7);
            double[] x = new double[40 * 64];
            int[] y = new int[40];
            for (int r = 0; r < 40; r++) {
                y[r] = r % 4;
                for (int f = 0; f < 64; f++) {
                    x[r * 64 + f] = y[r] * 3 + random.nextGaussian();
                }
            }
            List<io.scarcity.api.Batch> batches = List.of(io.scarcity.api.Batch.ofClasses(a.schema(), "digits", 0, x, y));
            Map<String, double[]> released = new java.util.TreeMap<>();
            Map<String, double[]> replayedFresh = new java.util.TreeMap<>();
            Map<String, double[]> replayed = new java.util.TreeMap<>();
            // the frame the row sums are taken in: the coordinator's pooled moments (here of the rows themselves)
            double[] mean = new double[64];
            double[] m2 = new double[64];
            java.util.Arrays.fill(mean, 4.5);
            java.util.Arrays.fill(m2, 40 * 12.0);
            io.scarcity.api.MetaParameters frame = new io.scarcity.api.MetaParameters("digits", 0, Map.of(), Map.of(),
                    new io.scarcity.api.FeatureMoments(40, mean, m2), Map.of());
            for (var pair : List.of(Map.entry(a, released), Map.entry(b, replayedFresh), Map.entry(c, replayed))) {
                pair.getKey().apply(frame);
                pair.getKey().runRound(1, batches);
                pair.getValue().putAll(pair.getKey().exportState("statistical").weights());
            }
            assertFalse(released.isEmpty(), "the round's rows were released");
            assertEquals(released.keySet(), replayed.keySet(), "the same origin");
            released.forEach((k, v) -> org.junit.jupiter.api.Assertions.assertArrayEquals(v, replayed.get(k), 0, k));
            assertFalse(released.keySet().equals(replayedFresh.keySet()), "a fresh secret is another origin, with other noise");
        }
    }

    /** A row filter may admit a row by what other rows did: under private gossip it is refused, naming it. */
    @Test
    void aRowFilterUnderPrivateGossipIsRefusedByKey() {
        LoadedConfig loaded = ConfigLoader.parse(YAML.replace("  - {plugin: geometry}",
                "  - plugin: governance\n    config: {rules: [{type: compare, left: c20, op: \"<\", value: 15}]}"),
                "private-gossip.yaml", Path.of("src", "test", "resources").toAbsolutePath(), Map.of(),
                List.of("output.dir=" + tmp.resolve("runs")));
        ConfigException e = assertThrows(ConfigException.class, () -> {
            try (InProcessEngine engine = new InProcessEngine(loaded, registry)) {
                engine.clients();
            }
        });
        assertEquals("privacy.dp.outputs", e.path());
        assertTrue(e.getMessage().contains("row filter (governance)"), e.getMessage());
    }

    @Test
    void weightSharingUnderPrivateGossipIsRefusedByKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> {
            try (InProcessEngine engine = new InProcessEngine(config("federation.mode=fedavg"), registry)) {
                engine.clients();
            }
        });
        assertEquals("privacy.dp.outputs", e.path());
        assertTrue(e.getMessage().contains("weight sharing"), e.getMessage());
    }
}
