package io.scarcity.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertState;
import io.scarcity.runtime.client.ClientNode;
import io.scarcity.runtime.client.ExpertSlot;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Personal twins ({@code federation.personal}, the default): beside each gossipable predicting expert a client keeps
 * {@code NAME@own}, which learns the same rows, never leaves the client and never merges, and the mixture weighs
 * both; so a federation whose merges do not fit a client cannot leave it much below learning alone.
 */
class PersonalTwinsTest {
    static PluginRegistry registry;
    static final int ROUNDS = 5;
    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        registry = PluginRegistry.load(null, PersonalTwinsTest.class.getClassLoader());
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    LoadedConfig config(String federation) {
        String yaml = """
                name: twins
                seed: 3
                rounds: %d
                batchSize: 50
                batchesPerRound: 4
                domains: [{name: d, clients: 3, stream: {type: sea, concept: 0}, partition: {type: dirichlet, alpha: 0.5}}]
                experts:
                  - {plugin: statistical, name: fast, config: {learningRate: 0.05}}
                  - {plugin: statistical, name: slow, config: {learningRate: 0.005}}
                mixture: {sleep: 0}
                federation: %s
                """.formatted(ROUNDS, federation);
        return ConfigLoader.parse(yaml, "twins.yaml", Path.of("."), Map.of(),
                List.of("output.dir=" + tmp.resolve("runs"), "output.progress=off"));
    }

    /** Per round, client d-1's state of {@code expert}. */
    List<ExpertState> statesOf(String federation, String expert, List<List<String>> slotNames, List<List<String>> gossipable) {
        List<ExpertState> states = new ArrayList<>();
        try (InProcessEngine engine = new InProcessEngine(config(federation), registry)) {
            engine.run((round, total, results, extras) -> {
                for (ClientNode c : engine.clients()) {
                    if (c.id().equals("d-1")) {
                        states.add(c.exportState(expert));
                        slotNames.add(c.slots().stream().map(ExpertSlot::name).toList());
                        gossipable.add(c.gossipableExperts(0).stream().sorted().toList());
                    }
                }
            });
        }
        return states;
    }

    @Test
    void aTwinLearnsWhatTheClientWouldAloneAndNeverLeavesIt() {
        List<List<String>> slots = new ArrayList<>();
        List<List<String>> gossipable = new ArrayList<>();
        List<ExpertState> alone = statesOf("{mode: local}", "fast", slots, gossipable);
        assertEquals(List.of("fast", "slow"), slots.get(0), "no twins where nothing merges");
        slots.clear();
        gossipable.clear();
        // FedAvg: the shared experts adopt the domain's average every round; the twins of the predictors do not
        List<ExpertState> twin = statesOf("{mode: fedavg}", "fast@own", slots, gossipable);
        assertEquals(List.of("fast", "fast@own", "slow", "slow@own"), slots.get(0));
        assertEquals(List.of("fast", "slow"), gossipable.get(0), "twins are never exchanged nor uploaded");
        List<ExpertState> shared = statesOf("{mode: fedavg}", "fast", new ArrayList<>(), new ArrayList<>());
        assertEquals(ROUNDS, alone.size());
        for (int round = 0; round < ROUNDS; round++) {
            // every expert learns every batch (training: all, nothing asleep), so the twin sees exactly the rows the
            // client's expert sees when it learns alone, and ends each round in the same state, to the bit
            assertEquals(alone.get(round).samples(), twin.get(round).samples(), "round " + (round + 1));
            for (String array : alone.get(round).weights().keySet()) {
                assertArrayEquals(alone.get(round).weight(array), twin.get(round).weight(array), 0, "round " + (round + 1) + ": " + array);
            }
            assertFalse(java.util.Arrays.equals(shared.get(round).weight("mean"), twin.get(round).weight("mean")),
                    "round " + (round + 1) + ": the shared expert merged, its twin did not");
        }
        // federated: the coordinator's learning-rate hints and pooled moments reach the shared experts only
        List<ExpertState> federatedTwin = statesOf("{mode: federated}", "fast@own", new ArrayList<>(), new ArrayList<>());
        for (int round = 0; round < ROUNDS; round++) {
            for (String array : alone.get(round).weights().keySet()) {
                assertArrayEquals(alone.get(round).weight(array), federatedTwin.get(round).weight(array), 0,
                        "federated, round " + (round + 1) + ": " + array);
            }
        }
    }

    @Test
    void personalFalseBuildsNoTwins() {
        List<List<String>> slots = new ArrayList<>();
        statesOf("{mode: federated, personal: false}", "fast", slots, new ArrayList<>());
        assertEquals(List.of("fast", "slow"), slots.get(0));
        assertTrue(config("{mode: federated}").config().federation().personal(), "on by default");
    }
}
