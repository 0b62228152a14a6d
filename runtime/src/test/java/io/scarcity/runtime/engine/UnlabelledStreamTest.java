package io.scarcity.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.Task;
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.eval.Kappa;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams without labels: a table without a label column, and a labelled stream whose labels are withheld from the
 * clients ({@code domains[i].labels.withheld}). The experts that learn without labels learn from every row, nothing is
 * predicted or scored, the router is rewarded by self-supervised losses, and anomaly flags are counted (and, with
 * withheld labels, scored against them).
 */
class UnlabelledStreamTest {
    static PluginRegistry registry;
    static final int ROUNDS = 6;
    static final int ROWS = 2 * ROUNDS * 4 * 50;
    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        registry = PluginRegistry.load(null, UnlabelledStreamTest.class.getClassLoader());
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    /**
     * {@code rows} lines {@code a,b,c[,label]}: c follows a and b, and one row in fifty is an anomaly (label 1) far off
     * that structure.
     */
    static String table(int rows, boolean withLabel, long seed) {
        StringBuilder text = new StringBuilder(withLabel ? "a,b,c,label\n" : "a,b,c\n");
        Random rnd = new Random(seed);
        for (int i = 0; i < rows; i++) {
            double a = rnd.nextGaussian();
            double b = rnd.nextGaussian();
            double c = a + 0.5 * b + 0.1 * rnd.nextGaussian();
            boolean anomaly = i % 50 == 17;
            if (anomaly) {
                c += 6 + rnd.nextDouble();
                a -= 4;
            }
            text.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%.4f", a, b, c));
            if (withLabel) {
                text.append(anomaly ? ",1" : ",0");
            }
            text.append('\n');
        }
        return text.toString();
    }

    LoadedConfig config(String stream, String labels, String experts) throws Exception {
        String yaml = """
                name: unlabelled
                seed: 3
                rounds: %d
                batchSize: 50
                batchesPerRound: 4
                domains: [{name: d, clients: 2, stream: %s%s}]
                experts: %s
                """.formatted(ROUNDS, stream, labels.isEmpty() ? "" : ", labels: " + labels, experts);
        return ConfigLoader.parse(yaml, "unlabelled.yaml", tmp, Map.of(),
                List.of("output.dir=" + tmp.resolve("runs"), "output.progress=off"));
    }

    Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static final String LEARNING_WITHOUT_LABELS = """

              - {plugin: statistical}
              - {plugin: geometry, config: {components: 2}}
              - {plugin: reconstruction, config: {latent: 2, hidden: 8}}
              - {plugin: temporal, config: {window: 4, hidden: 8}}
              - {plugin: causal}
              - {plugin: drift, config: {featureDrift: true}}
            """;

    @Test
    void aTableWithoutALabelColumnRunsEveryExpertThatLearnsWithoutLabels() throws Exception {
        write("plain.csv", table(ROWS, false, 1));
        LoadedConfig c = config("{type: csv, path: plain.csv}", "", LEARNING_WITHOUT_LABELS);
        List<ClientRoundResult> results = new ArrayList<>();
        try (InProcessEngine engine = new InProcessEngine(c, registry)) {
            assertEquals(Task.UNLABELLED, engine.clients().get(0).schema().task());
            engine.run((round, total, rs, extras) -> results.addAll(rs));
        }
        assertEquals(2 * ROUNDS, results.size());
        long flagged = 0;
        long rows = 0;
        for (ClientRoundResult r : results) {
            rows += r.rows();
            assertEquals(0, r.scored(), "nothing is scored without labels");
            assertTrue(Double.isNaN(r.insight().accuracy()) && Double.isNaN(r.insight().loss()));
            Map<String, io.scarcity.runtime.client.RoundMetrics.ExpertRound> experts = r.metrics().experts();
            for (String learner : List.of("statistical", "geometry", "reconstruction", "temporal", "causal", "drift")) {
                assertEquals(r.rows(), experts.get(learner).samples(), learner + " learns every row");
            }
            flagged += Math.round(r.metrics().plugins().get("anomaly.flagged-rows"));
        }
        assertTrue(rows > ROWS * 0.9, "rows " + rows);
        assertTrue(flagged > 0, "the statistical expert's outlier flags are counted");
        // the router was rewarded by self-supervised losses: the experts that have one report it as their loss
        ClientRoundResult last = results.get(results.size() - 1);
        double vae = last.metrics().experts().get("reconstruction").loss();
        double pca = last.metrics().experts().get("geometry").loss();
        assertTrue(vae >= 0 && vae < 3 && pca >= 0 && pca < 3, "every learner with a self-supervised loss reports it: "
                + vae + " " + pca);
        assertTrue(Double.isNaN(last.metrics().experts().get("statistical").loss()), "statistical has none");
    }

    @Test
    void withheldLabelsOnlyScoreTheAnomalyFlags() throws Exception {
        write("labelled.csv", table(ROWS, true, 2));
        LoadedConfig c = config("{type: csv, path: labelled.csv, label: label}", "{withheld: true, normal: '0'}",
                "[{plugin: statistical}]");
        List<ClientRoundResult> results = new ArrayList<>();
        try (InProcessEngine engine = new InProcessEngine(c, registry)) {
            assertEquals(Task.UNLABELLED, engine.clients().get(0).schema().task(), "the clients see no labels");
            engine.run((round, total, rs, extras) -> results.addAll(rs));
        }
        long[] confusion = new long[4];
        long scored = 0;
        for (ClientRoundResult r : results) {
            assertEquals(r.rows(), r.scored(), "every row's flag is scored");
            scored += r.scored();
            Kappa.add(confusion, r.confusion());
        }
        assertEquals(ROWS, scored);
        assertEquals(ROWS / 50, confusion[2] + confusion[3], "the anomalies are those labelled 1");
        // the outliers are far off: most are flagged, and few ordinary rows are
        double recall = (double) confusion[3] / (confusion[2] + confusion[3]);
        double precision = (double) confusion[3] / (confusion[1] + confusion[3]);
        assertTrue(recall > 0.7, "recall " + recall + " " + java.util.Arrays.toString(confusion));
        assertTrue(Kappa.of(confusion, 2) > 0.3, "kappa " + Kappa.of(confusion, 2) + " precision " + precision);
    }

    @Test
    void badSettingsNameTheKeyAndTheFix() throws Exception {
        write("plain.csv", table(400, false, 1));
        write("labelled.csv", table(400, true, 2));
        // the forest says at start-up that it needs labels; so would any expert that learns from labels only
        ConfigException forest = assertThrows(ConfigException.class, () -> {
            try (InProcessEngine engine = new InProcessEngine(config("{type: csv, path: plain.csv}", "",
                    "[{plugin: forest}]"), registry)) {
                engine.run((round, total, rs, extras) -> { });
            }
        });
        assertEquals("experts[0].config", forest.path());
        assertTrue(forest.getMessage().contains("labels only") && forest.getMessage().contains("statistical"),
                forest.getMessage());
        // drift on the losses learns from labels only: with it alone there is nothing the router could choose
        ConfigException onlyLabels = assertThrows(ConfigException.class, () -> {
            try (InProcessEngine engine = new InProcessEngine(config("{type: csv, path: plain.csv}", "",
                    "[{plugin: statistical, config: {}}, {plugin: drift}]".replace("statistical", "temporal")
                            .replace("{}", "{window: 1}")), registry)) {
                engine.run((round, total, rs, extras) -> { });
            }
        });
        assertEquals("experts", onlyLabels.path());
        assertTrue(onlyLabels.getMessage().contains("(temporal, drift learn from labels only)")
                && onlyLabels.getMessage().contains("statistical"), onlyLabels.getMessage());

        ConfigException task = assertThrows(ConfigException.class,
                () -> new InProcessEngine(config("{type: csv, path: plain.csv, task: classification}", "",
                        "[{plugin: statistical}]"), registry).close());
        assertTrue(task.path().endsWith("stream.label"), task.path());

        ConfigException rate = assertThrows(ConfigException.class,
                () -> config("{type: csv, path: labelled.csv, label: label}", "{withheld: true, rate: 0.5}",
                        "[{plugin: statistical}]"));
        assertTrue(rate.path().endsWith("labels.rate"), rate.path());

        ConfigException normal = assertThrows(ConfigException.class, () -> {
            try (InProcessEngine engine = new InProcessEngine(config("{type: csv, path: labelled.csv, label: label}",
                    "{withheld: true, normal: ok}", "[{plugin: statistical}]"), registry)) {
                engine.run((round, total, rs, extras) -> { });
            }
        });
        assertEquals("domains[0].labels.normal", normal.path());
        assertTrue(normal.getMessage().contains("[0, 1]"), normal.getMessage());

        RuntimeException missing = assertThrows(io.scarcity.runtime.data.DataException.class,
                () -> new InProcessEngine(config("{type: csv, path: plain.csv, label: y}", "",
                        "[{plugin: statistical}]"), registry).close());
        assertTrue(missing.getMessage().contains("no label column named 'y'"), missing.getMessage());
    }

    @Test
    void theQuickstartWithoutLabelsLoadsAndItsExpertsLearnWithoutLabels() throws Exception {
        Path file = io.scarcity.runtime.config.QuickstartPaths.configs().resolve("unlabelled.yaml");
        LoadedConfig c = ConfigLoader.parse(Files.readString(file), file.toString(), file.getParent(), Map.of(), List.of());
        assertTrue(c.config().domains().get(0).labels().withheld());
        new Assembly(c.config(), registry).checkNames();
    }

    /**
     * The router hears each activated expert's self-supervised loss: with one expert routed per batch, a PCA that keeps
     * every direction (it reconstructs each row exactly, loss 0, reward 1) wins the batches from a VAE listed first.
     * Local-only, so that the coordinator's router priors (learned from the same losses) play no part.
     */
    @Test
    void theRouterIsRewardedBySelfSupervisedLosses() throws Exception {
        List<ClientRoundResult> results = runPlain("rewards", ROUNDS, "federation: {mode: local, personal: false}",
                "[{plugin: reconstruction, config: {latent: 1, hidden: 4}}, {plugin: geometry, config: {components: 3}}]");
        long vae = activations(results, "reconstruction");
        long pca = activations(results, "geometry");
        assertTrue(vae + pca >= 2 * ROUNDS * 3, "batches routed: " + (vae + pca));
        assertTrue(pca > 3 * vae, "geometry " + pca + " batches, reconstruction " + vae);
    }

    @Test
    void anExpertWithoutASelfSupervisedLossDoesNotHoldTheRouterForever() throws Exception {
        List<ClientRoundResult> results = runPlain("baseline", ROUNDS, "federation: {mode: local, personal: false}",
                "[{plugin: statistical}, {plugin: geometry, config: {components: 3}}]");
        long stat = activations(results, "statistical");
        long pca = activations(results, "geometry");
        for (ClientRoundResult r : results) {
            assertTrue(Double.isNaN(r.metrics().experts().get("statistical").loss()),
                    "the baseline reward is not reported as the statistical expert's loss");
        }
        // The statistical expert has no reconstruction: never rewarded, UCB would keep it as an untried arm on
        // every batch. Rewarded as the features' means, it loses to the subspace that reconstructs the rows.
        assertTrue(pca > stat, "geometry " + pca + " batches, statistical " + stat);
    }

    @Test
    void aClientWithoutLabelsHasNoPersonalTwins() throws Exception {
        List<ClientRoundResult> results = runPlain("twins", 2, "federation: {mode: federated}",
                "[{plugin: statistical}, {plugin: geometry, config: {components: 3}}]");
        assertFalse(results.isEmpty());
        for (ClientRoundResult r : results) {
            // Twins are weighed against their shared expert by predictions, and nothing is predicted here; a cold
            // twin's flags, ORed in, would undo the coordinator's structural prior for a client that joins late.
            assertEquals(java.util.Set.of("statistical", "geometry"), r.metrics().experts().keySet());
        }
    }

    /** Batches {@code expert} was activated on, over every client and round. */
    private static long activations(List<ClientRoundResult> results, String expert) {
        return results.stream().mapToLong(r -> r.metrics().experts().get(expert).activations()).sum();
    }

    /** Every client's result of every round of a run on a CSV without labels, routed by UCB to one expert a batch. */
    private List<ClientRoundResult> runPlain(String name, int rounds, String federation, String experts) throws Exception {
        write("plain.csv", table(ROWS, false, 1));
        String yaml = """
                name: %s
                seed: 3
                rounds: %d
                batchSize: 50
                batchesPerRound: 4
                %s
                domains: [{name: d, clients: 2, stream: {type: csv, path: plain.csv}}]
                experts: %s
                router: {plugin: ucb, config: {k: 1}}
                """.formatted(name, rounds, federation, experts);
        LoadedConfig c = ConfigLoader.parse(yaml, name + ".yaml", tmp, Map.of(),
                List.of("output.dir=" + tmp.resolve("runs"), "output.progress=off"));
        List<ClientRoundResult> results = new ArrayList<>();
        try (InProcessEngine engine = new InProcessEngine(c, registry)) {
            engine.run((round, total, rs, extras) -> results.addAll(rs));
        }
        return results;
    }
}
