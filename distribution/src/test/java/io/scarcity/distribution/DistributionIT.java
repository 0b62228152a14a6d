package io.scarcity.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user runs it: a fresh JVM, {@code lib/} on the class path, the shipped plugins
 * loaded from {@code plugins/} through PF4J (not from the class path), and the user's terminal (stdout,
 * stderr, exit code) as the only interface.
 */
class DistributionIT {
    static final Path DIST = Path.of("target", "scarcity").toAbsolutePath();
    static final Path CONFIGS = Path.of("..", "configs").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    static Result scarcity(Path pluginsDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", DIST.resolve("lib") + "/*", "io.scarcity.runtime.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SCARCITY_"));
        env.put("SCARCITY_PLUGINS_DIR", pluginsDir.toString());
        Path out = Files.createTempFile("out", ".txt");
        Path err = Files.createTempFile("err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("scarcity " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    static void assertNoStackTrace(Result r) {
        assertFalse(r.err().contains("\tat ") || r.err().contains("SEVERE") || r.err().contains("Exception in"),
                "stderr must hold one message, no stack trace:\n" + r.err());
    }

    @Test
    void quickstartRunsWithThePluginsLoadedThroughPf4j() throws Exception {
        Result r = scarcity(DIST.resolve("plugins"), "run", CONFIGS.resolve("quickstart.yaml").toString(),
                "--set", "rounds=8", "--set", "output.dir=" + tmp.resolve("runs"), "--set", "output.progress=lines");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("completed: 8 rounds"), r.out());
        assertTrue(r.err().contains("round 8/8"), "progress lines on stderr: " + r.err());
        assertNoStackTrace(r);
        // the distribution carries the dashboard: the run leaves its report.html, and the command is there
        try (var dirs = java.nio.file.Files.list(tmp.resolve("runs"))) {
            Path run = dirs.filter(java.nio.file.Files::isDirectory).findFirst().orElseThrow();
            assertTrue(r.err().contains("writing to "), "the run names its folder first: " + r.err());
            String report = java.nio.file.Files.readString(run.resolve("report.html"));
            assertTrue(report.contains("ScarcityCharts.renderReport") && report.contains("\"rounds\":[1,2,3,4,5,6,7,8]"),
                    "report.html with the run's 8 rounds");
        }
        Result dashboard = scarcity(DIST.resolve("plugins"), "dashboard", "--help");
        assertEquals(0, dashboard.code(), dashboard.err());
        assertTrue(dashboard.out().contains("--bind"), dashboard.out());
        Result plugins = scarcity(DIST.resolve("plugins"), "plugins");
        assertEquals(0, plugins.code(), plugins.err());
        for (String name : List.of("statistical", "drift", "geometry", "reconstruction", "temporal", "governance", "causal", "peer-selection", "meta-adaptation", "memory-consolidation", "ucb", "thompson", "epsilon-greedy", "softmax-gate", "all", "round-robin", "random", "variance", "hierarchical", "insight", "random-pairs")) {
            assertTrue(plugins.out().contains("plugin:" + name + "@scarcity-plugin-" + name), name + " not loaded from its archive:\n" + plugins.out());
        }
        for (String archive : List.of("domain-gossip", "similarity-gossip")) {
            assertTrue(plugins.out().contains("@scarcity-plugin-" + archive), archive + " not loaded from its archive:\n" + plugins.out());
        }
        assertFalse(plugins.out().contains("classpath:"), "the distribution must not load plugins from the class path");
    }

    @Test
    void aBadRowMidRunExitsWith2WithoutAStackTraceAndKeepsTheMetrics() throws Exception {
        StringBuilder csv = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 600; i++) {
            csv.append(i == 450 ? "NaN" : String.valueOf(i % 7)).append(',').append(i % 5).append(',').append(i % 2 == 0 ? "x" : "y").append('\n');
        }
        Files.writeString(tmp.resolve("rows.csv"), csv);
        Path cfg = tmp.resolve("late.yaml");
        Files.writeString(cfg, """
                name: late
                rounds: 6
                batchSize: 50
                batchesPerRound: 2
                output: {dir: runs, progress: off}
                domains:
                  - {name: d, clients: 1, stream: {type: csv, path: rows.csv, label: label, classes: [x, y]}}
                experts: [{plugin: statistical}]
                """);
        Result r = scarcity(DIST.resolve("plugins"), "run", cfg.toString(), "--set", "output.dir=" + tmp.resolve("runs"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("rows.csv:452") && r.err().contains("NaN"), r.err());
        assertNoStackTrace(r);
        Path runDir;
        try (var dirs = Files.list(tmp.resolve("runs"))) {
            runDir = dirs.findFirst().orElseThrow();
        }
        assertEquals(4, Files.readAllLines(runDir.resolve("metrics.jsonl")).size(), "rounds 1-4 (400 rows) are kept");
        assertTrue(Files.readString(runDir.resolve("summary.json")).contains("\"status\" : \"failed\""));
    }

    @Test
    void regressionStreamsAreReportedByRmse() throws Exception {
        StringBuilder csv = new StringBuilder("x1,x2,y\n");
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < 2000; i++) {
            double a = rnd.nextDouble();
            double b = rnd.nextDouble();
            csv.append(a).append(',').append(b).append(',').append(10 + a + rnd.nextGaussian() * 0.1).append('\n');
        }
        Files.writeString(tmp.resolve("reg.csv"), csv);
        Path cfg = tmp.resolve("reg.yaml");
        Files.writeString(cfg, """
                name: reg
                rounds: 5
                domains:
                  - {name: r, clients: 2, stream: {type: csv, path: reg.csv, label: y, task: regression}}
                experts: [{plugin: statistical}]
                """);
        Result r = scarcity(DIST.resolve("plugins"), "run", cfg.toString(), "--set", "output.dir=" + tmp.resolve("runs"),
                "--set", "output.progress=off");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("prequential RMSE"), r.out());
        assertFalse(r.out().contains("accuracy"), "no accuracy for a regression run:\n" + r.out());
        // Predicting 0 would give RMSE 10. The running target mean starts from nothing, so the first
        // batch costs most of the prequential RMSE; by the last round only the target's spread (~0.3) is left.
        String rmse = r.out().replaceAll("(?s).*prequential RMSE ([0-9.]+).*", "$1");
        assertTrue(Double.parseDouble(rmse) < 3.0, r.out());
        Path runDir;
        try (var dirs = Files.list(tmp.resolve("runs"))) {
            runDir = dirs.findFirst().orElseThrow();
        }
        List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        String last = lines.get(lines.size() - 1);
        double lastRmse = Double.parseDouble(last.replaceAll(".*\"rmse\":([0-9.]+).*", "$1"));
        assertTrue(lastRmse < 0.5, last);
        assertTrue(last.contains("\"accuracy\":null"), last);
    }

    @Test
    void aBrokenArchiveInThePluginsFolderIsAUserError() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        try (var files = Files.list(DIST.resolve("plugins"))) {
            for (Path f : files.toList()) {
                Files.copy(f, plugins.resolve(f.getFileName()));
            }
        }
        Files.writeString(plugins.resolve("half-downloaded.jar"), "PK");
        Result r = scarcity(plugins, "plugins");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("half-downloaded.jar is not a readable jar"), r.err());
        assertNoStackTrace(r);
    }

    /** The shipped plugins but one archive, which goes to a folder of its own ("third-party"). */
    Path[] splitPlugins(String aside) throws IOException {
        Path shipped = Files.createDirectories(tmp.resolve("shipped"));
        Path extra = Files.createDirectories(tmp.resolve("extra"));
        try (var files = Files.list(DIST.resolve("plugins"))) {
            for (Path f : files.toList()) {
                boolean isAside = f.getFileName().toString().startsWith("scarcity-plugin-" + aside + "-");
                Files.copy(f, (isAside ? extra : shipped).resolve(f.getFileName()));
            }
        }
        return new Path[] {shipped, extra};
    }

    @Test
    void pluginsGivenWithPluginsAddToTheShippedOnesAndAResumeRemembersThem() throws Exception {
        Path[] dirs = splitPlugins("ucb");
        Path shipped = dirs[0];
        Path extra = dirs[1];
        Result list = scarcity(shipped, "plugins", "--plugins", extra.toString());
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().contains("plugin:statistical@") && list.out().contains("plugin:ucb@"), list.out());
        Path jar;
        try (var files = Files.list(extra)) {
            jar = files.findFirst().orElseThrow();
        }
        Result one = scarcity(shipped, "plugins", "--plugins", jar.toString());
        assertEquals(0, one.code(), one.err());
        assertTrue(one.out().contains("plugin:ucb@"), "a single archive can be given: " + one.out());

        Result without = scarcity(shipped, "run", CONFIGS.resolve("quickstart.yaml").toString(), "--set", "rounds=1");
        assertEquals(2, without.code());
        assertTrue(without.err().contains("unknown router plugin 'ucb'"), without.err());

        Result run = scarcity(shipped, "run", CONFIGS.resolve("quickstart.yaml").toString(), "--plugins", extra.toString(),
                "--set", "rounds=4", "--set", "checkpoint.every=2", "--set", "output.dir=" + tmp.resolve("runs"),
                "--set", "output.progress=off");
        assertEquals(0, run.code(), run.err());
        Path runDir;
        try (var runs = Files.list(tmp.resolve("runs"))) {
            runDir = runs.findFirst().orElseThrow();
        }
        assertTrue(Files.readString(runDir.resolve("plugins.json")).contains(extra.toString()));
        assertFalse(Files.readString(runDir.resolve("plugins.json")).contains("\"" + shipped + "\""),
                "the shipped folder is not recorded: a resume uses the shipped plugins of the Scarcity that resumes it");
        Files.delete(runDir.resolve("summary.json")); // as if killed after round 4, before its summary
        Files.walk(runDir.resolve("checkpoints/round-000004")).sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        Path moved = tmp.resolve("moved");
        Result resumed = scarcity(shipped, "run", "--resume", runDir.toString());
        assertEquals(0, resumed.code(), "the resume loads the run's own --plugins folder again: " + resumed.err());

        Files.delete(runDir.resolve("summary.json"));
        Files.walk(runDir.resolve("checkpoints/round-000004")).sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        Files.move(extra, moved);
        Result lost = scarcity(shipped, "run", "--resume", runDir.toString());
        assertEquals(2, lost.code(), lost.err());
        assertTrue(lost.err().contains("unknown router plugin 'ucb'") && lost.err().contains("the run loaded plugins from ["
                + extra + "], which no longer exist; resume with --plugins"), lost.err());
        assertNoStackTrace(lost);
    }

    @Test
    void wrongPluginsArgumentsAreNamed() throws Exception {
        Path shipped = DIST.resolve("plugins");
        Path file = Files.writeString(tmp.resolve("notes.txt"), "not a plugin");
        Result notJar = scarcity(shipped, "plugins", "--plugins", file.toString());
        assertEquals(2, notJar.code());
        assertTrue(notJar.err().contains("is a file but not a plugin archive (.jar)"), notJar.err());

        Result absent = scarcity(shipped, "plugins", "--plugins", tmp.resolve("absent").toString());
        assertEquals(2, absent.code());
        assertTrue(absent.err().contains("no such folder or archive"), absent.err());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Result none = scarcity(shipped, "plugins", "--plugins", empty.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("holds no plugin archives (*.jar)"), none.err());

        // an archive with a PF4J descriptor but no factory registration
        Path lonely = Files.createDirectories(tmp.resolve("lonely"));
        java.util.jar.Manifest mf = new java.util.jar.Manifest();
        mf.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Plugin-Id", "lonely");
        mf.getMainAttributes().putValue("Plugin-Version", "1.0.0");
        mf.getMainAttributes().putValue("Plugin-Class", "org.pf4j.Plugin");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(lonely.resolve("lonely.jar")), mf)) {
            out.putNextEntry(new java.util.jar.JarEntry("readme.txt"));
            out.write("nothing here".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        Result silent = scarcity(shipped, "plugins", "--plugins", lonely.toString());
        assertEquals(2, silent.code(), silent.out());
        assertTrue(silent.err().contains("lonely.jar (Plugin-Id 'lonely') registers no Scarcity plugin"), silent.err());
        assertNoStackTrace(silent);
    }
}
