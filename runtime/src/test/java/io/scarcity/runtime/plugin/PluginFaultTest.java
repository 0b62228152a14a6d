package io.scarcity.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.runtime.cli.CliTest;
import io.scarcity.runtime.cli.CliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party plugin's bug is reported as that plugin's: exit 1, its name, archive and version, where
 * it failed (starting, or the client and round), its own frames, "report it to the plugin's author",
 * no stack trace on the terminal, and the rounds completed before it kept.
 */
class PluginFaultTest {
    @TempDir
    Path tmp;

    static Result cli(String... args) {
        return CliTest.cli(args);
    }

    Path config(String boomConfig) throws Exception {
        Path file = tmp.resolve("boom.yaml");
        Files.writeString(file, """
                name: boom
                seed: 1
                rounds: 6
                batchSize: 20
                batchesPerRound: 2
                domains:
                  - name: coast
                    clients: 2
                    stream: {type: sea, concept: 2, noise: 0.1}
                experts:
                  - {plugin: statistical}
                  - {plugin: boom, config: %s}
                router: {plugin: all}
                memory: {plugin: hierarchical}
                metaLearner: {plugin: insight}
                gossip: {plugin: random-pairs}
                checkpoint: {every: 0}
                output: {dir: %s, progress: off}
                """.formatted(boomConfig, tmp.resolve("runs")));
        return file;
    }

    Path plugins() throws Exception {
        Path dir = tmp.resolve("plugins");
        PluginArchives.build(dir, "boom", "test.boom", "BoomExpertFactory",
                PluginArchives.testSource("BoomExpertFactory", "test.boom"), ">=0.2.0");
        return dir;
    }

    @Test
    void aPluginThatThrowsInRound2IsNamedWithItsArchiveClientAndRound() throws Exception {
        Result r = cli("run", config("{failIn: predict, failAt: 5}").toString(), "--plugins", plugins().toString());
        assertEquals(1, r.code(), r.err());
        String e = r.err();
        assertTrue(e.contains("error: the expert plugin 'boom' (plugin:boom@boom.jar, version 1.2.3) failed on client coast-"), e);
        assertTrue(e.contains(" in round 2: java.lang.ArithmeticException: boom: simulated bug ("), e);
        assertTrue(e.contains("    at test.boom.BoomExpertFactory$Boom.divide(BoomExpertFactory.java:"), e);
        assertTrue(e.contains("report it to the plugin's author") && e.contains("the round completed before it is kept in"), e);
        assertFalse(e.contains("internal error") || e.contains("\tat ") || e.contains("io.scarcity.runtime.engine"), e);
        Path run;
        try (var runs = Files.list(tmp.resolve("runs"))) {
            run = runs.findFirst().orElseThrow();
        }
        assertEquals(2, Files.readAllLines(run.resolve("metrics.jsonl")).stream().filter(l -> l.startsWith("{\"round\":1,")).count());
        assertEquals(0, Files.readAllLines(run.resolve("metrics.jsonl")).stream().filter(l -> l.startsWith("{\"round\":2,")).count());
        String summary = Files.readString(run.resolve("summary.json"));
        assertTrue(summary.contains("\"failed\"") && summary.contains("the expert plugin 'boom'"), summary);
        assertTrue(Files.readString(run.resolve("run.log")).contains("\tat test.boom.BoomExpertFactory$Boom.predict"),
                "run.log holds the whole stack trace");
    }

    @Test
    void aRunWithAPluginThatCannotCheckpointSaysSoOnTheTerminal() throws Exception {
        Path cfg = config("{failIn: predict, failAt: 1000000}");
        Files.writeString(cfg, Files.readString(cfg).replace("checkpoint: {every: 0}", "checkpoint: {every: 2}"));
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream terminal = new java.io.ByteArrayOutputStream();
        Result r;
        try {
            System.setErr(new java.io.PrintStream(terminal, true, java.nio.charset.StandardCharsets.UTF_8));
            r = cli("run", cfg.toString(), "--plugins", plugins().toString());
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, r.code(), r.err());
        String progress = terminal.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(progress.contains("warning: no checkpoints in this run (it cannot be resumed): these plugins do not support them:")
                && progress.contains("boom"), progress);
    }

    @Test
    void aPluginWhoseFactoryThrowsIsNamedBeforeAnyRunFolderExists() throws Exception {
        Result r = cli("run", config("{failIn: create}").toString(), "--plugins", plugins().toString());
        assertEquals(1, r.code(), r.err());
        String e = r.err();
        assertTrue(e.contains("error: the expert plugin 'boom' (plugin:boom@boom.jar, version 1.2.3) failed while starting"), e);
        assertTrue(e.contains("java.lang.IllegalArgumentException: boom: simulated bug in create")
                && e.contains("    at test.boom.BoomExpertFactory.create(") && e.contains("report it to the plugin's author"), e);
        assertFalse(e.contains("internal error") || e.contains("\tat "), e);
        assertFalse(Files.exists(tmp.resolve("runs")) && Files.list(tmp.resolve("runs")).findAny().isPresent(), "no run folder");

        Result v = cli("validate", config("{failIn: create}").toString(), "--plugins", plugins().toString());
        assertEquals(1, v.code(), v.err());
        assertTrue(v.err().contains("the expert plugin 'boom'") && v.err().contains("failed while starting"), v.err());
    }
}
