package io.scarcity.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.runtime.client.ClientRoundResult;
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
 * {@code domains[i].labels}: a share of the rows keeps its label, and a label may come rows after its row. Every row is
 * predicted and learned from (without its label by the experts that can), accuracy counts the rows whose label came,
 * each scored with the prediction made when its row arrived, and nothing is scored twice or lost.
 */
class ScarceLabelsTest {
    static PluginRegistry registry;
    static final int ROUNDS = 8;
    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        registry = PluginRegistry.load(null, ScarceLabelsTest.class.getClassLoader());
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    LoadedConfig config(String labels) {
        String yaml = """
                name: labels
                seed: 5
                rounds: %d
                batchSize: 50
                batchesPerRound: 4
                domains: [{name: d, clients: 2, stream: {type: sea, concept: 0}%s}]
                experts:
                  - {plugin: statistical, name: fast, config: {learningRate: 0.05}}
                  - {plugin: statistical, name: slow, config: {learningRate: 0.005}}
                  - {plugin: drift}
                """.formatted(ROUNDS, labels.isEmpty() ? "" : ", labels: " + labels);
        return ConfigLoader.parse(yaml, "labels.yaml", Path.of("."), Map.of(),
                List.of("output.dir=" + tmp.resolve("runs"), "output.progress=off"));
    }

    List<ClientRoundResult> run(String labels) {
        return run(config(labels), new ArrayList<>());
    }

    /** Runs {@code c} in process: every client's result of every round; the first client's class names into {@code classes}. */
    static List<ClientRoundResult> run(LoadedConfig c, List<String> classes) {
        List<ClientRoundResult> all = new ArrayList<>();
        try (InProcessEngine engine = new InProcessEngine(c, registry)) {
            engine.run((round, total, results, extras) -> all.addAll(results));
            classes.addAll(engine.clients().get(0).schema().classNames());
        }
        return all;
    }

    /**
     * {@code rows} data lines {@code x,y,label} of two classes ({@code no}, {@code yes}) apart on x, the label written as
     * {@code missing} on every row {@code i} with {@code i % every == offset}.
     */
    static String partlyLabelledLines(int rows, int every, int offset, String missing, long seed) {
        StringBuilder text = new StringBuilder();
        java.util.Random rnd = new java.util.Random(seed);
        for (int i = 0; i < rows; i++) {
            int y = rnd.nextInt(2);
            text.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%s%n", rnd.nextGaussian() + 2 * y, rnd.nextGaussian(),
                    i % every == offset ? missing : y == 1 ? "yes" : "no"));
        }
        return text.toString();
    }

    /** How many of the first {@code rows} rows {@link #partlyLabelledLines} writes without a label. */
    static int unlabelledAmong(int rows, int every, int offset) {
        int n = 0;
        for (int i = 0; i < rows; i++) {
            n += i % every == offset ? 1 : 0;
        }
        return n;
    }

    static long sum(List<ClientRoundResult> rs, java.util.function.ToLongFunction<ClientRoundResult> f) {
        return rs.stream().mapToLong(f).sum();
    }

    @Test
    void everyLabelAtOnceIsTheStreamAsItIs() {
        List<ClientRoundResult> plain = run("");
        List<ClientRoundResult> explicit = run("{rate: 1, delay: 0}");
        assertEquals(plain.size(), explicit.size());
        for (int i = 0; i < plain.size(); i++) {
            assertEquals(plain.get(i).correct(), explicit.get(i).correct(), "result " + i);
            assertEquals(plain.get(i).logLossSum(), explicit.get(i).logLossSum(), "result " + i);
            assertEquals(plain.get(i).rows(), plain.get(i).scored());
        }
    }

    @Test
    void aTenthOfTheLabelsScoresATenthOfTheRowsAndStillLearns() {
        List<ClientRoundResult> rs = run("{rate: 0.1}");
        long rows = sum(rs, ClientRoundResult::rows);
        long scored = sum(rs, ClientRoundResult::scored);
        assertEquals(2L * ROUNDS * 200, rows, "every row arrives and is predicted");
        assertTrue(scored > 0.07 * rows && scored < 0.13 * rows, scored + " of " + rows + " rows scored");
        long correct = sum(rs, ClientRoundResult::correct);
        // SEA concept 0 with 10% noise: about 0.87 with every label; a tenth of them is still far above chance
        assertTrue((double) correct / scored > 0.75, "accuracy " + (double) correct / scored);
        ClientRoundResult last = rs.get(rs.size() - 1);
        assertEquals((double) last.scored(), last.metrics().plugins().get("labels.scored-rows"));
        assertEquals((double) last.correct() / last.scored(), last.insight().accuracy(), 1e-12);
        // the same draw under another method: which rows keep their label depends on the seed, client and row only
        List<ClientRoundResult> again = run("{rate: 0.1}");
        for (int i = 0; i < rs.size(); i++) {
            assertEquals(rs.get(i).scored(), again.get(i).scored());
        }
    }

    @Test
    void lateLabelsAreScoredOnceWhenTheyComeWithThePredictionMadeOnArrival() {
        List<ClientRoundResult> rs = run("{delay: 300}");
        long rows = sum(rs, ClientRoundResult::rows);
        long scored = sum(rs, ClientRoundResult::scored);
        // per client, the last 300 rows' labels are still on the way when the run ends
        assertEquals(rows - 2 * 300, scored);
        for (ClientRoundResult r : rs) {
            if (r.round() == 1) {
                assertEquals(0, r.scored(), "200 rows in, no label of a 300-row delay has come");
            }
            if (r.round() == ROUNDS) {
                assertEquals(300.0, r.metrics().plugins().get("labels.waiting-rows"));
            }
        }
        List<ClientRoundResult> drawn = run("{delay: {distribution: exponential, mean: 100}}");
        long waiting = drawn.stream().filter(r -> r.round() == ROUNDS)
                .mapToLong(r -> r.metrics().plugins().get("labels.waiting-rows").longValue()).sum();
        assertEquals(sum(drawn, ClientRoundResult::rows), sum(drawn, ClientRoundResult::scored) + waiting,
                "every row is scored once or still waiting");
        assertTrue((double) sum(drawn, ClientRoundResult::correct) / sum(drawn, ClientRoundResult::scored) > 0.8);
    }

    @Test
    void aFullBufferDropsTheArrivingLabelsAndCountsThem() {
        List<ClientRoundResult> rs = run("{delay: 1000, buffer: 120}");
        for (ClientRoundResult r : rs) {
            assertTrue(r.metrics().plugins().get("labels.waiting-rows") <= 120, r.metrics().plugins().toString());
        }
        ClientRoundResult last = rs.get(rs.size() - 1);
        assertTrue(last.metrics().plugins().get("labels.dropped-rows") > 0, last.metrics().plugins().toString());
    }

    /** A checkpoint holds the rows waiting for their labels: a restored client goes on exactly as the saved one. */
    @Test
    void aRestoredClientHoldsTheSameWaitingRows() throws java.io.IOException {
        LoadedConfig c = config("{rate: 0.5, delay: {distribution: uniform, min: 0, max: 400}}");
        io.scarcity.api.DataSchema schema = new io.scarcity.api.DataSchema(List.of("a", "b", "c"), io.scarcity.api.Task.CLASSIFICATION,
                List.of("0", "1"));
        java.util.Random rnd = new java.util.Random(4);
        java.util.function.IntFunction<List<io.scarcity.api.Batch>> round = first -> {
            List<io.scarcity.api.Batch> out = new ArrayList<>();
            for (int b = 0; b < 4; b++) {
                double[] x = new double[150];
                int[] y = new int[50];
                for (int r = 0; r < 50; r++) {
                    y[r] = rnd.nextInt(2);
                    x[3 * r] = rnd.nextGaussian() + 2 * y[r];
                    x[3 * r + 1] = rnd.nextGaussian();
                    x[3 * r + 2] = rnd.nextGaussian();
                }
                out.add(io.scarcity.api.Batch.ofClasses(schema, "d", first + 50L * b, x, y));
            }
            return out;
        };
        Assembly assembly = new Assembly(c.config(), registry);
        io.scarcity.runtime.client.ClientNode a = assembly.client("d-0", "d", schema);
        for (int r = 1; r <= 3; r++) {
            a.runRound(r, round.apply(200 * (r - 1)));
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        io.scarcity.api.StateWriter w = new io.scarcity.api.StateWriter(bytes);
        a.saveState(w);
        w.flush();
        io.scarcity.runtime.client.ClientNode b = assembly.client("d-0", "d", schema);
        b.restoreState(new io.scarcity.api.StateReader(new java.io.ByteArrayInputStream(bytes.toByteArray())));
        for (int r = 4; r <= 7; r++) {
            List<io.scarcity.api.Batch> batches = round.apply(200 * (r - 1));
            ClientRoundResult ra = a.runRound(r, batches);
            ClientRoundResult rb = b.runRound(r, batches);
            assertEquals(ra.scored(), rb.scored(), "round " + r);
            assertEquals(ra.correct(), rb.correct(), "round " + r);
            assertEquals(ra.logLossSum(), rb.logLossSum(), "round " + r);
            assertEquals(ra.metrics().plugins(), rb.metrics().plugins(), "round " + r);
            assertTrue(ra.metrics().plugins().get("labels.waiting-rows") > 0, "rows are waiting");
        }
    }

    /**
     * Self-training: rows without a label that the mixture is sure of are learned with the class it predicts, by the
     * predicting experts only; the rows scored are the same (a pseudo-label is never scored).
     */
    @Test
    void selfTrainingLearnsTheConfidentUnlabelledRowsAndScoresNothingMore() {
        List<ClientRoundResult> plain = run("{rate: 0.05}");
        List<ClientRoundResult> self = run("{rate: 0.05, selfTraining: 0.9}");
        assertEquals(sum(plain, ClientRoundResult::scored), sum(self, ClientRoundResult::scored));
        long pseudo = self.stream().mapToLong(r -> r.metrics().plugins().get("labels.self-trained-rows").longValue()).sum();
        long unlabelled = sum(self, ClientRoundResult::rows) - sum(self, ClientRoundResult::scored);
        assertTrue(pseudo > 0.2 * unlabelled && pseudo < unlabelled, pseudo + " of " + unlabelled + " unlabelled rows");
        // Every pseudo-labelled row is learned by each predicting expert, on top of the labelled rows both runs learn
        // (over the run: in one client's round the mixture may be sure of no row).
        assertEquals(pseudo, sum(self, r -> r.metrics().experts().get("fast").samples())
                - sum(plain, r -> r.metrics().experts().get("fast").samples()), "the experts learned the pseudo-labelled rows too");
        ClientRoundResult a = plain.get(plain.size() - 1);
        assertTrue(!a.metrics().plugins().containsKey("labels.self-trained-rows"), "reported only when on");
    }

    /**
     * {@code unlabelledRows}: with {@code learn} (the default) every row is learned on arrival, without its label, and the
     * labelled ones again when their label comes; with {@code ignore} a row is only predicted on arrival and learned
     * once, with its label. The rows scored are the same.
     */
    @Test
    void unlabelledRowsAreLearnedOnArrivalUnlessIgnored() {
        List<ClientRoundResult> learn = run("{rate: 0.1}");
        List<ClientRoundResult> ignore = run("{rate: 0.1, unlabelledRows: ignore}");
        long scored = sum(learn, ClientRoundResult::scored);
        assertEquals(scored, sum(ignore, ClientRoundResult::scored), "the same rows are scored");
        long rows = sum(learn, ClientRoundResult::rows);
        assertEquals(rows + scored, sum(learn, r -> r.metrics().experts().get("fast").samples()),
                "every row on arrival, the labelled ones again with their labels");
        assertEquals(scored, sum(ignore, r -> r.metrics().experts().get("fast").samples()), "only the labelled rows, once");
    }

    /** As a user runs it: the run folder says how many rows were scored, per round and in the summary. */
    @Test
    void theRunFolderSaysWhichRowsWereScored() throws Exception {
        var r = io.scarcity.runtime.cli.CliTest.cli("run", io.scarcity.runtime.config.QuickstartPaths.quickstart().toString(),
                "--set", "rounds=4", "--set", "output.dir=" + tmp.resolve("cli"), "--set", "output.progress=off",
                "--set", "domains[0].labels.rate=0.2", "--set", "domains[1].labels.delay=150");
        assertEquals(0, r.code(), r.err());
        Path dir;
        try (var dirs = java.nio.file.Files.list(tmp.resolve("cli"))) {
            dir = dirs.findFirst().orElseThrow();
        }
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        long rows = 0;
        long scored = 0;
        for (String line : java.nio.file.Files.readAllLines(dir.resolve("metrics.jsonl"))) {
            var m = json.readTree(line);
            rows += m.get("rows").asLong();
            scored += m.has("scoredRows") ? m.get("scoredRows").asLong() : m.get("rows").asLong();
        }
        var summary = json.readTree(dir.resolve("summary.json").toFile());
        assertEquals(rows, summary.get("rows").asLong());
        assertEquals(scored, summary.get("scoredRows").asLong());
        assertTrue(scored < rows, scored + " of " + rows);
    }

    /**
     * A label column with missing values ({@code missingLabels: unlabelled}): its rows are predicted and learned from
     * without a label and never scored; without the option an empty label cell is an invalid row, as before.
     */
    @Test
    void emptyLabelCellsAreRowsWithoutALabelWhenAskedFor() throws Exception {
        Path csv = tmp.resolve("partly.csv");
        java.nio.file.Files.writeString(csv, "x,y,label\n" + partlyLabelledLines(2_000, 3, 1, "", 2));
        int empty = unlabelledAmong(2_000, 3, 1);
        String yaml = """
                name: partly
                seed: 1
                rounds: 5
                domains: [{name: d, clients: 2, stream: {type: csv, path: %s, label: label%s}, partition: {type: dirichlet, alpha: 1}}]
                experts: [{plugin: statistical}, {plugin: drift}]
                """;
        LoadedConfig c = ConfigLoader.parse(yaml.formatted(csv, ", missingLabels: unlabelled"), "partly.yaml", tmp, Map.of(),
                List.of("output.dir=" + tmp.resolve("runs"), "output.progress=off"));
        List<String> classes = new ArrayList<>();
        List<ClientRoundResult> rs = run(c, classes);
        long rows = sum(rs, ClientRoundResult::rows);
        long scored = sum(rs, ClientRoundResult::scored);
        assertEquals(2_000, rows, "every row arrives, labelled or not");
        assertEquals(2_000 - empty, scored, "exactly the rows with a label are scored");
        assertTrue((double) sum(rs, ClientRoundResult::correct) / scored > 0.75, "and it learns from them");
        assertEquals(List.of("no", "yes"), classes, "the classes are the labels that occur: an empty cell is not one");
        var refused = io.scarcity.runtime.cli.CliTest.cli("validate", writeConfig(yaml.formatted(csv, "")).toString());
        assertEquals(2, refused.code(), refused.out() + refused.err());
        assertTrue(refused.err().contains("missingLabels: unlabelled"), refused.err());
        // a file whose every label cell is empty is not a labelled stream: said, with the way out
        Path none = tmp.resolve("none.csv");
        java.nio.file.Files.writeString(none, "x,y,label\n1,2,\n3,4,\n5,6,\n");
        var noLabel = io.scarcity.runtime.cli.CliTest.cli("validate", writeConfig(yaml.formatted(none, ", missingLabels: unlabelled")).toString());
        assertEquals(2, noLabel.code(), noLabel.out() + noLabel.err());
        assertTrue(noLabel.err().contains("is empty in every one of its 3 rows"), noLabel.err());
        var bad = io.scarcity.runtime.cli.CliTest.cli("validate", writeConfig(yaml.formatted(csv, ", missingLabels: skip")).toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("missingLabels") && bad.err().contains("unlabelled"), bad.err());
    }

    /** {@code unlabelledRows: ignore} holds for a stream's own missing labels too, with every other label at once. */
    @Test
    void ignoredRowsWithoutALabelIncludeTheStreamsOwnMissingLabels() throws Exception {
        Path csv = tmp.resolve("partly-ignored.csv");
        java.nio.file.Files.writeString(csv, "x,y,label\n" + partlyLabelledLines(2_000, 3, 1, "", 2));
        String yaml = """
                name: partly
                seed: 1
                rounds: 5
                domains: [{name: d, clients: 2, stream: {type: csv, path: %s, label: label, missingLabels: unlabelled}%s}]
                experts: [{plugin: statistical, name: fast}]
                """;
        java.util.function.Function<String, List<ClientRoundResult>> run = labels -> run(ConfigLoader.parse(
                yaml.formatted(csv, labels), "partly.yaml", tmp, Map.of(),
                List.of("output.dir=" + tmp.resolve("runs"), "output.progress=off")), new ArrayList<>());
        List<ClientRoundResult> learn = run.apply("");
        List<ClientRoundResult> ignore = run.apply(", labels: {unlabelledRows: ignore}");
        long scored = sum(learn, ClientRoundResult::scored);
        assertEquals(scored, sum(ignore, ClientRoundResult::scored));
        assertEquals(sum(learn, ClientRoundResult::rows) + scored, sum(learn, r -> r.metrics().experts().get("fast").samples()));
        assertEquals(scored, sum(ignore, r -> r.metrics().experts().get("fast").samples()), "the rows without a label are not learned");
    }

    /** ARFF's missing label, '?', likewise. */
    @Test
    void missingArffLabelsAreRowsWithoutALabelWhenAskedFor() throws Exception {
        Path arff = tmp.resolve("partly.arff");
        java.nio.file.Files.writeString(arff, "@relation partly\n@attribute x numeric\n@attribute y numeric\n"
                + "@attribute label {no,yes}\n@data\n" + partlyLabelledLines(1_000, 4, 0, "?", 3));
        int missing = unlabelledAmong(1_000, 4, 0);
        String yaml = """
                name: partly-arff
                seed: 1
                rounds: 5
                batchesPerRound: 2
                domains: [{name: d, clients: 1, stream: {type: arff, path: %s%s}}]
                experts: [{plugin: statistical}]
                """;
        LoadedConfig c = ConfigLoader.parse(yaml.formatted(arff, ", missingLabels: unlabelled"), "p.yaml", tmp, Map.of(),
                List.of("output.dir=" + tmp.resolve("runs-arff"), "output.progress=off"));
        List<ClientRoundResult> rs = run(c, new ArrayList<>());
        assertEquals(500, sum(rs, ClientRoundResult::rows));
        long missingSeen = unlabelledAmong(500, 4, 0);
        assertEquals(500 - missingSeen, sum(rs, ClientRoundResult::scored));
        // without the option the first '?' stops the run (ARFF declares its classes: nothing is scanned before it starts)
        var refused = io.scarcity.runtime.cli.CliTest.cli("run", writeConfig(yaml.formatted(arff, "")).toString(),
                "--set", "output.dir=" + tmp.resolve("refused"), "--set", "output.progress=off");
        assertEquals(2, refused.code(), refused.out() + refused.err());
        assertTrue(refused.err().contains("missingLabels: unlabelled"), refused.err());
        assertTrue(missing > missingSeen, "the run read half the file");
    }

    private Path writeConfig(String yaml) throws java.io.IOException {
        Path p = java.nio.file.Files.createTempFile(tmp, "config", ".yaml");
        java.nio.file.Files.writeString(p, yaml);
        return p;
    }

    @Test
    void badLabelSettingsNameTheKeyAndTheFix() {
        record Bad(String labels, String path, String says) {
        }
        for (Bad b : List.of(new Bad("{rate: 0}", "domains[0].labels.rate", "(0, 1]"),
                new Bad("{rate: 1.5}", "domains[0].labels.rate", "(0, 1]"),
                new Bad("{delay: -5}", "domains[0].labels.delay", ">= 0"),
                new Bad("{delay: 2.5}", "domains[0].labels.delay", "whole number"),
                new Bad("{delay: {distribution: normal, mean: 3}}", "domains[0].labels.delay.distribution", "uniform or exponential"),
                new Bad("{delay: {distribution: uniform, min: 10, max: 5}}", "domains[0].labels.delay.max", "max >= min"),
                new Bad("{delay: {distribution: exponential, mean: 0}}", "domains[0].labels.delay.mean", "> 0"),
                new Bad("{delay: {distribution: exponential, mean: 5, max: 3}}", "domains[0].labels.delay.max", "unknown key"),
                new Bad("{buffer: 0}", "domains[0].labels.buffer", ">= 1"),
                new Bad("{rate: 0.1, selfTraining: 0.5}", "domains[0].labels.selfTraining", "(0.5, 1]"),
                new Bad("{rate: 0.1, unlabelledRows: skip}", "domains[0].labels.unlabelledRows", "learn"),
                new Bad("{withheld: true, unlabelledRows: ignore}", "domains[0].labels.unlabelledRows", "withheld"),
                new Bad("{rate: 0.1, unlabelledRows: ignore, selfTraining: 0.9}", "domains[0].labels.unlabelledRows", "selfTraining"),
                new Bad("{rat: 0.5}", "domains[0].labels.rat", "rate"))) {
            ConfigException e = assertThrows(ConfigException.class, () -> config(b.labels()), b.labels());
            assertEquals(b.path(), e.path(), b.labels() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(b.says()), b.labels() + ": " + e.getMessage());
        }
    }
}
