package io.scarcity.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
