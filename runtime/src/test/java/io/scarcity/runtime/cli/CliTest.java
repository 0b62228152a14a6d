package io.scarcity.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.runtime.config.QuickstartPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end through the command line, as a user types it (class-path plugins). */
public class CliTest {
    @TempDir
    Path tmp;

    /** What a command did: its exit code and what it printed. */
    public record Result(int code, String out, String err) {
    }

    /** Runs {@code scarcity ARGS} in this JVM, as a user types it. */
    public static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void runWritesTheRunFolderAndSummarises() throws Exception {
        // training: active, so that the router's choice leaves experts idle and the accounting has something to count
        Result r = cli("run", QuickstartPaths.quickstart().toString(), "--set", "rounds=6",
                "--set", "output.dir=" + tmp.resolve("runs"), "--set", "output.progress=off", "--set", "mixture.training=active");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("completed: 6 rounds"), r.out());
        assertTrue(r.out().contains("prequential accuracy"), r.out());
        try (var dirs = Files.list(tmp.resolve("runs"))) {
            Path dir = dirs.findFirst().orElseThrow();
            assertTrue(dir.getFileName().toString().startsWith("quickstart-"), dir.toString());
            for (String f : new String[] {"config.yaml", "metrics.jsonl", "summary.json", "run.log"}) {
                assertTrue(Files.exists(dir.resolve(f)), f);
            }
            assertEquals(6 * 5, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
            // Routing accounting: the summary's totals are the sums of the per-client, per-round counts.
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            long batches = 0;
            long idle = 0;
            for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
                var routing = json.readTree(line).get("routing");
                batches += routing.get("expertBatches").asLong();
                idle += routing.get("idleExpertBatches").asLong();
            }
            var summary = json.readTree(dir.resolve("summary.json").toFile()).get("routing");
            assertTrue(batches > 0 && idle > 0, "quickstart routes one of several experts per batch");
            assertEquals(batches, summary.get("expertBatches").asLong());
            assertEquals(idle, summary.get("idleExpertBatches").asLong());
            // summary numbers are written to 6 decimals (Json.num)
            assertEquals(Math.round((double) idle / batches * 1e6) / 1e6, summary.get("computeSaved").asDouble(), 1e-12);
            assertTrue(summary.get("activations").has("stat-fast") && summary.get("activations").has("stat-slow"), summary.toString());
            assertFalse(summary.get("activations").has("drift"), "an analyser is not routed: " + summary);
            assertTrue(r.out().contains("of expert-batches skipped (compute saved)"), r.out());
        }
    }

    @Test
    void aRunsAuditLogRecordsTheCoordinatorsDecisionsAndVerifyNamesTheFirstBrokenEntry() throws Exception {
        Result r = cli("run", QuickstartPaths.quickstart().toString(), "--set", "rounds=4",
                "--set", "output.dir=" + tmp.resolve("runs"), "--set", "output.progress=off");
        assertEquals(0, r.code(), r.err());
        Path dir;
        try (var dirs = Files.list(tmp.resolve("runs"))) {
            dir = dirs.findFirst().orElseThrow();
        }
        Result ok = cli("audit", "verify", dir.toString(), "--key", dir.resolve("audit.pub").toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("is intact"), ok.out());
        // what the log holds: the start, 5 joins, per round 5 insights, 2 broadcasts (two domains) and the decision; the end
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.Map<String, Integer> types = new java.util.TreeMap<>();
        java.util.List<String> lines = Files.readAllLines(dir.resolve("audit.jsonl"));
        for (String line : lines) {
            types.merge(json.readTree(line).get("type").asText(), 1, Integer::sum);
        }
        assertEquals(java.util.Map.of("start", 1, "join", 5, "insight", 20, "broadcast", 8, "round", 4, "end", 1), types);
        assertFalse(String.join("\n", lines).contains("coast-0"), "clients appear by pseudonym only");
        // a tampered entry: exit 2, naming it
        java.util.List<String> tampered = new java.util.ArrayList<>(lines);
        tampered.set(9, tampered.get(9).replace("\"accepted\":true", "\"accepted\":false"));
        Files.write(dir.resolve("audit.jsonl"), tampered);
        Result broken = cli("audit", "verify", dir.toString());
        assertEquals(2, broken.code());
        assertTrue(broken.err().contains("entry 9 (line 10)") && !broken.err().contains("Exception"), broken.err());
        // entries cut off at the end of a line: summary.json knows how many there were
        Files.write(dir.resolve("audit.jsonl"), lines.subList(0, lines.size() - 3));
        Result cut = cli("audit", "verify", dir.toString());
        assertEquals(2, cut.code());
        assertTrue(cut.err().contains("are missing"), cut.err());
        Result none = cli("audit", "verify", tmp.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("has no audit.jsonl"), none.err());
    }

    @Test
    void aGeneratorStreamWithoutLabelsRunsAndSaysNothingWasScored() throws Exception {
        Path config = tmp.resolve("sea-unlabelled.yaml");
        Files.writeString(config, """
                name: sea-unlabelled
                rounds: 3
                batchSize: 50
                batchesPerRound: 2
                domains: [{name: sea, clients: 2, stream: {type: sea, task: unlabelled}}]
                experts: [{plugin: statistical}, {plugin: geometry}]
                router: {plugin: ucb, config: {k: 1}}
                """);
        Result r = cli("run", config.toString(), "--set", "output.dir=" + tmp.resolve("runs-u"), "--set", "output.progress=off");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("completed: 3 rounds, 600 rows"), r.out());
        assertTrue(r.out().contains("domain sea          no row scored: no label came"), r.out());
        assertFalse(r.out().contains("NaN"), r.out());
        Result forest = cli("run", config.toString(), "--set", "output.dir=" + tmp.resolve("runs-f"),
                "--set", "experts=[{plugin: forest}]");
        assertEquals(2, forest.code(), forest.out());
        assertTrue(forest.err().contains("experts[0]") && forest.err().contains("labels") && !forest.err().contains("\tat "), forest.err());
    }

    @Test
    void validateAcceptsTheQuickstartAndRejectsMistakesWithExitCode2() throws Exception {
        Result ok = cli("validate", QuickstartPaths.quickstart().toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("is valid: 5 clients in 2 domain(s)"), ok.out());
        assertTrue(ok.out().contains("a checkpoint every 5 rounds"), ok.out());
        Result off = cli("validate", QuickstartPaths.quickstart().toString(), "--set", "checkpoint.every=0");
        assertTrue(off.out().contains("no checkpoints (checkpoint.every: 0)"), off.out());
        Result negative = cli("validate", QuickstartPaths.quickstart().toString(), "--set", "checkpoint.every=-1");
        assertEquals(2, negative.code());
        assertTrue(negative.err().contains("checkpoint.every"), negative.err());

        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(QuickstartPaths.quickstart()).replace("rounds: 40", "rounds: forty"));
        Result r = cli("validate", bad.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("rounds: expected a whole number, got 'forty'"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void userErrorsExitWith2AndNoStackTrace() {
        Result missing = cli("run", tmp.resolve("nope.yaml").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());
        assertFalse(missing.err().contains("\tat "), missing.err());

        Result unknownOption = cli("run", QuickstartPaths.quickstart().toString(), "--frobnicate");
        assertEquals(2, unknownOption.code());
        assertTrue(unknownOption.err().contains("--frobnicate"), unknownOption.err());

        Result badPlugin = cli("run", QuickstartPaths.quickstart().toString(), "--set", "gossip.plugin=flood");
        assertEquals(2, badPlugin.code());
        assertTrue(badPlugin.err().contains("gossip.plugin: unknown gossip plugin 'flood'; installed gossip plugins: domain, random-pairs, similarity"),
                badPlugin.err());

        Result badDir = cli("plugins", "--plugins", tmp.resolve("absent").toString());
        assertEquals(2, badDir.code());
    }

    @Test
    void badDataFilesExitWith2NamingTheFileAndLine() throws Exception {
        Path cfg = tmp.resolve("csv.yaml");
        Files.writeString(cfg, """
                name: csv
                rounds: 2
                output: {dir: %s, progress: off}
                domains:
                  - name: d
                    clients: 1
                    stream: {type: csv, path: data.csv, label: y}
                experts: [{plugin: statistical}]
                """.formatted(tmp.resolve("runs").toString().replace("\\", "/")));
        Result missing = cli("run", cfg.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("data.csv"), missing.err());
        assertFalse(missing.err().contains("\tat "), missing.err());

        Files.writeString(tmp.resolve("data.csv"), "a,b,y\n1,2,p\n3,NaN,q\n5,6,p\n");
        Result nan = cli("run", cfg.toString());
        assertEquals(2, nan.code());
        assertTrue(nan.err().contains("data.csv:3"), nan.err());

        Files.writeString(tmp.resolve("data.csv"), "a,b,y\n1,2,p\n3,4\n5,6,p\n");
        Result ragged = cli("validate", cfg.toString());
        assertEquals(2, ragged.code());
        assertTrue(ragged.err().contains("data.csv:3"), ragged.err());

        Files.writeString(tmp.resolve("data.csv"), "a,b,y\n");
        Result empty = cli("run", cfg.toString(), "--set", "domains[0].stream.classes=[p, q]");
        assertEquals(2, empty.code(), empty.out());
        assertTrue(empty.err().contains("no data"), empty.err());

        Files.writeString(tmp.resolve("data.csv"), "a,b,y\n1,2,p\n3,4,q\n5,6,r\n");
        Result unknownLabel = cli("run", cfg.toString(), "--set", "domains[0].stream.classes=[p, q]");
        assertEquals(2, unknownLabel.code());
        assertTrue(unknownLabel.err().contains("data.csv:4") && unknownLabel.err().contains("'r'"), unknownLabel.err());
    }

    @Test
    void anUnreachableStoreIsAOneLineUserErrorAndLeavesNoRunFolder() {
        String url = "coordinator.store.url=jdbc:sqlite:" + tmp.resolve("no-such-folder/c.db");
        Result validate = cli("validate", QuickstartPaths.quickstart().toString(), "--set", url);
        assertEquals(2, validate.code());
        assertTrue(validate.err().contains("no-such-folder does not exist"), validate.err());
        Result run = cli("run", QuickstartPaths.quickstart().toString(), "--set", url,
                "--set", "output.dir=" + tmp.resolve("runs"));
        assertEquals(2, run.code());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertFalse(java.nio.file.Files.exists(tmp.resolve("runs")), "no debris");
        Result pg = cli("run", QuickstartPaths.quickstart().toString(), "--set", "coordinator.store.url=jdbc:postgresql://127.0.0.1:1/db",
                "--set", "output.dir=" + tmp.resolve("runs"));
        assertEquals(2, pg.code());
        assertTrue(pg.err().contains("cannot connect to jdbc:postgresql://127.0.0.1:1/db"), pg.err());
        assertEquals(1, pg.err().strip().lines().count(), pg.err());
    }

    @Test
    void pluginsListsKindNameVersionAndOrigin() {
        Result r = cli("plugins");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("KIND"), r.out());
        for (String name : new String[] {"statistical", "drift", "ucb", "hierarchical", "insight", "random-pairs"}) {
            assertTrue(r.out().contains(name), name + " missing from\n" + r.out());
        }
        assertTrue(r.out().contains("classpath:"), r.out());
    }

    @Test
    void helpIsAvailableOnEveryCommand() {
        for (String cmd : new String[] {"run", "validate", "plugins"}) {
            Result r = cli(cmd, "--help");
            assertEquals(0, r.code(), cmd);
            assertTrue(r.out().contains("Usage: scarcity " + cmd), r.out());
        }
        assertEquals(0, cli("--version").code());
    }
}
