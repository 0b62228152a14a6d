package io.scarcity.runtime.engine;

import io.scarcity.runtime.run.RunExecution;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scarcity.api.ExpertState;
import io.scarcity.runtime.client.ClientNode;
import io.scarcity.runtime.client.ExpertSlot;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.config.QuickstartPaths;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The weight sharing baselines (the fedavg and reptile meta-learners) run through the engine on the
 * quickstart config: clients upload their gossipable expert states, the coordinator averages them and
 * every live client adopts the result.
 */
class WeightSharingTest {
    static PluginRegistry registry;
    static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());
    static final int ROUNDS = 6;
    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        registry = PluginRegistry.load(null, WeightSharingTest.class.getClassLoader());
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    LoadedConfig quickstart(String... sets) {
        List<String> all = new ArrayList<>(List.of("rounds=" + ROUNDS));
        all.addAll(List.of(sets));
        all.add("output.dir=" + tmp.resolve("runs"));
        all.add("output.progress=off");
        return ConfigLoader.load(QuickstartPaths.quickstart(), Map.of(), all);
    }

    byte[] metrics(String name, String... sets) throws Exception {
        List<String> all = new ArrayList<>(List.of(sets));
        all.add("name=" + name);
        RunExecution.Outcome o = RunExecution.run(quickstart(all.toArray(String[]::new)), registry, QUIET, Clock.systemUTC());
        assertEquals(ROUNDS, o.result().roundsCompleted(), name);
        byte[] bytes = Files.readAllBytes(o.runDir().resolve("metrics.jsonl"));
        assertTrue(bytes.length > 1000, name);
        return bytes;
    }

    static long bytesSent(byte[] metrics) throws Exception {
        ObjectMapper m = new ObjectMapper();
        long total = 0;
        for (String line : new String(metrics, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                JsonNode n = m.readTree(line);
                total += n.get("bytesSent").asLong();
            }
        }
        return total;
    }

    /**
     * Runs the quickstart with the given meta-learner, after every round comparing the exported
     * gossipable states of each domain's clients with those of its first client. Returns the number of
     * client-expert-rounds that differed from the first client's.
     */
    int differingStatesPerRound(String metaLearner, String... overrides) {
        return differingStatesPerRound(metaLearner, Set.of(), overrides);
    }

    /**
     * Client pairs of a domain whose states differ after a round: exactly, or, when some weights are
     * {@code ignored}, in any other weight beyond round-off.
     */
    int differingStatesPerRound(String metaLearner, Set<String> ignored, String... overrides) {
        int[] differing = new int[1];
        int[] compared = new int[1];
        List<String> all = new ArrayList<>(List.of(overrides));
        all.add("metaLearner.plugin=" + metaLearner);
        try (InProcessEngine engine = new InProcessEngine(quickstart(all.toArray(String[]::new)), registry)) {
            engine.run((round, total, results, extras) -> {
                Map<String, ClientNode> first = new LinkedHashMap<>();
                for (ClientNode c : engine.clients()) {
                    ClientNode reference = first.putIfAbsent(c.domain(), c);
                    if (reference == null) {
                        continue;
                    }
                    List<String> slots = c.gossipCandidates(0).stream().map(ExpertSlot::name).sorted().toList();
                    assertEquals(List.of("stat-fast", "stat-slow"), slots);
                    for (String slot : slots) {
                        ExpertState mine = c.exportState(slot);
                        ExpertState theirs = reference.exportState(slot);
                        assertTrue(mine.samples() > 0, slot + " of " + c.id() + " learned nothing");
                        compared[0]++;
                        if (!same(mine, theirs, ignored)) {
                            differing[0]++;
                        }
                    }
                }
            });
        }
        // 3 coast clients + 2 inland: 2 + 1 compared per expert, 2 experts, every round
        assertEquals(ROUNDS * 3 * 2, compared[0]);
        return differing[0];
    }

    /** Equal to round-off (the moments a client recovers from the merged ones with its own priors may differ in the last bit). */
    private static boolean close(double[] a, double[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-12 * Math.max(1, Math.abs(a[i])))) {
                return false;
            }
        }
        return true;
    }

    static boolean same(ExpertState a, ExpertState b) {
        return same(a, b, Set.of());
    }

    /** Compares every array, to round-off. */
    static final Set<String> ROUND_OFF = Set.of("(no array ignored: every one compared to round-off)");

    static boolean same(ExpertState a, ExpertState b, Set<String> ignored) {
        if (a.samples() != b.samples() || !a.expert().equals(b.expert()) || !a.weights().keySet().equals(b.weights().keySet())) {
            return false;
        }
        for (String k : a.weights().keySet()) {
            if (ignored.contains(k)) {
                continue;
            }
            if (ignored.isEmpty() ? !Arrays.equals(a.weight(k), b.weight(k)) : !close(a.weight(k), b.weight(k))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void withFedAvgEveryLiveClientOfADomainHoldsIdenticalStatesAfterEachRound() {
        String[] pooledPriors = {"experts[0].config.mergedPriors=pooled", "experts[1].config.mergedPriors=pooled",
            "experts[0].config.mergeLaw=mean", "experts[1].config.mergeLaw=mean"};
        assertEquals(0, differingStatesPerRound("fedavg", pooledPriors));
        assertEquals(0, differingStatesPerRound("reptile", pooledPriors), "reptile: every client starts the next round from phi");
        // the union law (the default): the same to round-off (its rows of memory, 1 / rate, are each client's w / (rate w))
        String[] union = {"experts[0].config.mergedPriors=pooled", "experts[1].config.mergedPriors=pooled"};
        assertEquals(0, differingStatesPerRound("fedavg", ROUND_OFF, union));
        // By default a statistical expert keeps its own class priors through a merge (and the moments weighted by
        // them): everything else is the shared state; the priors are this client's, so they differ.
        // (to round-off: each client recovers them from the merged moments weighted by its own priors)
        // Under the union law (the default) the priors of the state last merged are the client's too: in this federated
        // mode gossip pairs merge after the shared state is adopted, each pair's own priors.
        Set<String> clientOwn = Set.of("prior", "weightedMean", "weightedSecond", "weightedShare", "union.basePrior");
        assertEquals(0, differingStatesPerRound("fedavg", clientOwn), "FedAvg with own priors: the rest of the state is shared");
        assertTrue(differingStatesPerRound("fedavg") > 0, "own priors: the clients' priors differ after FedAvg");
        // the control: learning from insights alone, clients keep their own weights
        assertTrue(differingStatesPerRound("insight") > ROUNDS, "with insight the clients' states should differ");
    }

    @Test
    void weightSharingSendsMoreBytesThanInsightsAlone() throws Exception {
        long insight = bytesSent(metrics("insight", "metaLearner.plugin=insight"));
        long fedavg = bytesSent(metrics("fedavg", "metaLearner.plugin=fedavg"));
        long reptile = bytesSent(metrics("reptile", "metaLearner.plugin=reptile"));
        assertTrue(insight > 0);
        assertTrue(fedavg > insight, "fedavg " + fedavg + " vs insight " + insight);
        assertTrue(reptile > insight, "reptile " + reptile + " vs insight " + insight);
    }

    @Test
    void metricsAreDeterministicForASeedWhateverTheThreadCount() throws Exception {
        for (String plugin : List.of("fedavg", "reptile")) {
            byte[] one = metrics(plugin + "-1", "metaLearner.plugin=" + plugin, "threads=1");
            byte[] four = metrics(plugin + "-4", "metaLearner.plugin=" + plugin, "threads=4");
            assertArrayEquals(one, four, plugin + ": 1 vs 4 threads differ");
            byte[] otherSeed = metrics(plugin + "-seed", "metaLearner.plugin=" + plugin, "threads=1", "seed=7");
            assertFalse(Arrays.equals(one, otherSeed), plugin + ": the seed has no effect");
        }
    }

    @Test
    void reptileWithEpsilonOneEqualsFedAvgByteForByte() throws Exception {
        byte[] fedavg = metrics("fedavg", "metaLearner.plugin=fedavg");
        byte[] reptileOne = metrics("reptile-1", "metaLearner.plugin=reptile", "metaLearner.config.epsilon=1");
        assertArrayEquals(fedavg, reptileOne);
        byte[] reptileHalf = metrics("reptile-half", "metaLearner.plugin=reptile", "metaLearner.config.epsilon=0.5");
        assertFalse(Arrays.equals(fedavg, reptileHalf), "epsilon 0.5 must differ from FedAvg, else the comparison proves nothing");
    }

    @Test
    void federationModeFedavgWithoutTheFedavgPluginIsRefusedNamingTheModeAndTheInstalledOnes() throws Exception {
        // a class loader that hides the fedavg plugin's service registration (every other plugin stays)
        ClassLoader parent = WeightSharingTest.class.getClassLoader();
        ClassLoader withoutFedavg = new ClassLoader(parent) {
            @Override
            public java.util.Enumeration<java.net.URL> getResources(String name) throws java.io.IOException {
                List<java.net.URL> kept = new ArrayList<>();
                for (java.net.URL u : java.util.Collections.list(parent.getResources(name))) {
                    if (!u.toString().contains("fedavg")) {
                        kept.add(u);
                    }
                }
                return java.util.Collections.enumeration(kept);
            }
        };
        try (PluginRegistry partial = PluginRegistry.load(null, withoutFedavg)) {
            assertFalse(partial.names(io.scarcity.api.PluginKind.META_LEARNER).contains("fedavg"));
            io.scarcity.api.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(io.scarcity.api.ConfigException.class,
                    () -> RunExecution.run(quickstart("federation.mode=fedavg"), partial, QUIET, Clock.systemUTC()));
            assertEquals("federation.mode", e.path());
            assertTrue(e.getMessage().contains("'fedavg' meta-learner plugin, which is not installed"), e.getMessage());
            assertTrue(e.getMessage().contains("insight"), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("runs")), "a refused run leaves no folder");
        }
    }
}
