package io.scarcity.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scarcity.api.ConfigException;
import io.scarcity.runtime.cli.Main;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchTest {
    static final String SUITE = """
            suite: tiny
            description: a tiny SEA suite for tests
            seeds: [1, 2]
            run:
              rounds: 6
              batchSize: 50
              batchesPerRound: 2
              domains:
                - name: sea
                  clients: 3
                  stream: {type: sea, noise: 0.1, drifts: [{at: 1200, concept: 3}]}
                  partition: {type: dirichlet, alpha: 0.5}
              experts: [{plugin: statistical}, {plugin: drift}]
            methods:
              - name: scarcity
              - name: local-only
                federation: local
              - name: centralised
                centralised: true
              - name: fedavg
                federation: fedavg
              - name: slow
                federation: local
                set: {"experts[0].config.learningRate": 0.001}
            """;

    @TempDir
    Path tmp;

    Path write(String text) throws Exception {
        Path f = tmp.resolve("suite.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void methodsChangeTheSharedRunConfigAsDeclared() throws Exception {
        BenchSuite suite = BenchSuite.load(write(SUITE));
        try (PluginRegistry r = PluginRegistry.load(null, getClass().getClassLoader())) {
            BenchRunner runner = new BenchRunner(suite, tmp, r, System.err);
            LoadedConfig central = runner.configFor(suite.methods().get(2), 7);
            assertEquals(1, central.config().domains().get(0).clients());
            assertEquals("iid", central.config().domains().get(0).partition().get("type"));
            assertEquals("local", central.config().federation().mode());
            assertEquals(7, central.config().seed());
            LoadedConfig fed = runner.configFor(suite.methods().get(0), 7);
            assertEquals(3, fed.config().domains().get(0).clients());
            assertEquals("federated", fed.config().federation().mode());
            assertEquals("fedavg", runner.configFor(suite.methods().get(3), 7).config().federation().mode());
            assertEquals(0.001, runner.configFor(suite.methods().get(4), 7).config().experts().get(0).config().get("learningRate"));
            BenchSuite typo = BenchSuite.load(write(SUITE.replace("set: {\"experts[0].config.learningRate\": 0.001}",
                    "set: {\"expertz\": 1}")));
            ConfigException e = assertThrows(ConfigException.class,
                    () -> new BenchRunner(typo, tmp, r, System.err).configFor(typo.methods().get(4), 1));
            assertTrue(e.getMessage().contains("in method 'slow' of suite tiny") && e.getMessage().contains("expertz"), e.getMessage());
        }
    }

    @Test
    void aCentralisedLearnerAtTheRoundsCadenceLearnsOnceAStepFromEveryClientsBatchMerged() throws Exception {
        String suiteText = SUITE.replace("  - name: fedavg\n",
                "  - name: centralised by round\n    centralised: true\n    cadence: round\n  - name: fedavg\n");
        BenchSuite suite = BenchSuite.load(write(suiteText));
        try (PluginRegistry r = PluginRegistry.load(null, getClass().getClassLoader())) {
            BenchRunner runner = new BenchRunner(suite, tmp, r, System.err);
            var batch = runner.configFor(suite.methods().get(2), 7).config();
            var round = runner.configFor(suite.methods().get(3), 7).config();
            assertEquals("batch", suite.methods().get(2).cadence());
            // the same rows per round (3 clients x 2 batches x 50), learned in 6 batches of 50 or 2 of 150
            assertEquals(50, batch.batchSize());
            assertEquals(6, batch.domains().get(0).batchesPerRound(batch.batchesPerRound()));
            assertEquals(150, round.batchSize());
            assertEquals(2, round.domains().get(0).batchesPerRound(round.batchesPerRound()));
            assertEquals(1, round.domains().get(0).clients());
            assertEquals("local", round.federation().mode());
        }
        // both see the same rows; the one that learns less often cannot be more accurate on this drifting stream
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"bench", write(suiteText).toString(), "--out", tmp.resolve("out").toString(),
                "--methods", "centralised,centralised by round"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        Path dir;
        try (var dirs = Files.list(tmp.resolve("out"))) {
            dir = dirs.findFirst().orElseThrow();
        }
        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        long rows = -1;
        for (JsonNode run : json.get("runs")) {
            rows = rows < 0 ? run.get("rows").asLong() : rows;
            assertEquals(rows, run.get("rows").asLong(), "method " + run.get("method") + " saw other rows");
        }
        double perBatch = json.get("table").get("centralised").get("accuracy").get("mean").asDouble();
        double perRound = json.get("table").get("centralised by round").get("accuracy").get("mean").asDouble();
        assertTrue(perRound < perBatch, perRound + " by round against " + perBatch + " by batch");

        ConfigException notCentral = assertThrows(ConfigException.class, () -> BenchSuite.load(write(SUITE.replace(
                "    federation: fedavg\n", "    federation: fedavg\n    cadence: round\n"))));
        assertTrue(notCentral.getMessage().contains("cadence applies only to a centralised method"), notCentral.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> BenchSuite.load(write(suiteText.replace(
                "cadence: round", "cadence: hourly"))));
        assertTrue(unknown.getMessage().contains("got 'hourly'"), unknown.getMessage());
        BenchSuite twoDomains = BenchSuite.load(write(suiteText.replace("  experts: [",
                "    - name: sea2\n      clients: 2\n      stream: {type: sea}\n      partition: {type: iid}\n  experts: [")));
        try (PluginRegistry r = PluginRegistry.load(null, getClass().getClassLoader())) {
            ConfigException uneven = assertThrows(ConfigException.class,
                    () -> new BenchRunner(twoDomains, tmp, r, System.err).configFor(twoDomains.methods().get(3), 1));
            assertTrue(uneven.getMessage().contains("every domain needs the same number of clients"), uneven.getMessage());
        }
    }

    @Test
    void suiteMistakesNameTheKey() throws Exception {
        ConfigException unknown = assertThrows(ConfigException.class, () -> BenchSuite.load(write(SUITE.replace("seeds:", "seedz:"))));
        assertTrue(unknown.getMessage().contains("unknown key 'seedz'"), unknown.getMessage());
        ConfigException twice = assertThrows(ConfigException.class,
                () -> BenchSuite.load(write(SUITE.replace("- name: slow", "- name: scarcity"))));
        assertEquals("methods[4].name", twice.path());
        ConfigException mode = assertThrows(ConfigException.class,
                () -> BenchSuite.load(write(SUITE.replace("federation: fedavg", "federation: gossip"))));
        assertTrue(mode.getMessage().contains("federated, local, fedavg"), mode.getMessage());
        ConfigException seeds = assertThrows(ConfigException.class, () -> BenchSuite.load(write(SUITE.replace("seeds: [1, 2]", "seeds: []"))));
        assertEquals("seeds", seeds.path());
        ConfigException repeated = assertThrows(ConfigException.class,
                () -> BenchSuite.load(write(SUITE.replace("seeds: [1, 2]", "seeds: [1, 1]"))));
        assertEquals("seeds[1]", repeated.path());
    }

    @Test
    void benchRunsEveryMethodOnIdenticalStreamsAndWritesTheReport() throws Exception {
        Path suite = write(SUITE);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"bench", suite.toString(), "--out", tmp.resolve("out").toString()},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        String table = out.toString();
        for (String m : new String[] {"scarcity", "local-only", "centralised", "fedavg", "slow"}) {
            assertTrue(table.contains(m), m + " missing:\n" + table);
        }
        assertTrue(table.contains("accuracy") && table.contains("kappa") && table.contains("±"), table);
        Path dir;
        try (var dirs = Files.list(tmp.resolve("out"))) {
            dir = dirs.findFirst().orElseThrow();
        }
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("data:image/png;base64,") && html.contains("centralised"), "report without plots");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        // 5 methods x 2 seeds, and every run of a seed saw the same rows
        assertEquals(10, json.get("runs").size());
        long rows = json.get("runs").get(0).get("rows").asLong();
        for (JsonNode r : json.get("runs")) {
            assertEquals(rows, r.get("rows").asLong(), "method " + r.get("method") + " saw other rows");
        }
        assertEquals(3 * 6 * 2 * 50, rows);
        assertTrue(Files.readString(dir.resolve("results.csv")).contains("\"fedavg\",accuracy,"));
        // local-only sends nothing; fedavg sends weights; scarcity sends insights and gossip
        double localBytes = json.get("table").get("local-only").get("KB/client/round").get("mean").asDouble();
        assertEquals(0.0, localBytes, 1e-12);
        assertTrue(json.get("table").get("fedavg").get("KB/client/round").get("mean").asDouble() > 0);
        assertTrue(Files.exists(dir.resolve("runs").resolve("scarcity-seed1").resolve("metrics.jsonl")));
        assertFalse(err.toString().contains("\tat "), err.toString());
    }

    @Test
    void unknownMethodSelectionIsAUserError() throws Exception {
        Path suite = write(SUITE);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"bench", suite.toString(), "--methods", "scarcity,nope"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(2, code);
        assertTrue(err.toString().contains("unknown method 'nope'"), err.toString());
    }

    @Test
    void everyShippedSuiteLoadsAndEveryMethodBindsToAValidRunConfig() throws Exception {
        java.nio.file.Path dir = io.scarcity.runtime.config.QuickstartPaths.configs().resolve("bench");
        java.util.List<java.nio.file.Path> files;
        try (java.util.stream.Stream<java.nio.file.Path> list = java.nio.file.Files.list(dir)) {
            files = list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 10, files.toString());
        try (PluginRegistry r = PluginRegistry.load(null, getClass().getClassLoader())) {
            for (java.nio.file.Path f : files) {
                BenchSuite suite = BenchSuite.load(f);
                BenchRunner runner = new BenchRunner(suite, f.getParent(), r, System.err);
                for (BenchMethod m : suite.methods()) {
                    LoadedConfig c = runner.configFor(m, suite.seeds().get(0));
                    boolean moa = c.config().experts().stream().anyMatch(e -> e.plugin().startsWith("moa-"));
                    if (!moa) { // MOA's experts live in the benchmarks module, not on this class path
                        new io.scarcity.runtime.engine.Assembly(c.config(), r).checkNames();
                    }
                }
            }
        }
    }
}
