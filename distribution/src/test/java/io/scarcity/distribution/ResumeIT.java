package io.scarcity.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability as a user meets it: the run process is killed with SIGKILL in the middle of a round (after
 * the coordinator committed that round's insights, before the round's metrics or any checkpoint), then
 * {@code scarcity run --resume RUN_DIR} continues it. No insight accepted before the kill may be missing
 * and the final metrics must equal those of a run that was never interrupted.
 */
class ResumeIT {
    static final Path CONFIGS = DistributionIT.CONFIGS;

    @TempDir
    Path tmp;

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", DistributionIT.DIST.resolve("lib") + "/*", "io.scarcity.runtime.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    String[] runArgs(String out) {
        return new String[] {"run", CONFIGS.resolve("quickstart.yaml").toString(), "--set", "rounds=12",
            "--set", "checkpoint.every=3", "--set", "output.dir=" + tmp.resolve(out), "--set", "output.progress=off"};
    }

    @Test
    void aRunKilledMidRoundResumesToTheSameMetricsWithEveryAcceptedInsightKept() throws Exception {
        DistributionIT.Result whole = DistributionIT.scarcity(DistributionIT.DIST.resolve("plugins"), runArgs("whole"));
        assertEquals(0, whole.code(), whole.err());
        Path a = only(tmp.resolve("whole"));

        // The same run, halted in the middle of round 8 by a run listener on its class path (HaltInRound, from
        // this module's test classes) and killed there (SIGKILL: no shutdown hooks).
        List<String> killable = command(runArgs("killed"));
        String testClasses = Path.of(HaltInRound.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        killable.set(2, killable.get(2) + java.io.File.pathSeparator + testClasses);
        ProcessBuilder pb = new ProcessBuilder(killable);
        pb.environment().keySet().removeIf(k -> k.startsWith("SCARCITY_"));
        pb.environment().put("SCARCITY_PLUGINS_DIR", DistributionIT.DIST.resolve("plugins").toString());
        pb.environment().put("SCARCITY_TEST_HALT_IN_ROUND", "8");
        Path err = tmp.resolve("killed-err.txt");
        pb.redirectOutput(tmp.resolve("killed-out.txt").toFile()).redirectError(err.toFile());
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(err, StandardCharsets.UTF_8).contains("halted in round 8")) {
            assertTrue(p.isAlive(), "the run ended before the hook halted it: " + Files.readString(err));
            assertTrue(System.nanoTime() < deadline, "the run did not reach round 8 in 120 s");
            Thread.sleep(50);
        }
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
        Path b = only(tmp.resolve("killed"));
        assertEquals(7 * 5, Files.readAllLines(b.resolve("metrics.jsonl")).size(), "rounds 1-7 written before the kill");
        assertTrue(Files.isDirectory(b.resolve("checkpoints").resolve("round-000006")));
        Map<String, String> acceptedBeforeKill = insights(b);
        assertTrue(acceptedBeforeKill.keySet().stream().anyMatch(k -> k.contains("/8/")),
                "round 8's insights were committed before the kill: " + acceptedBeforeKill.keySet());

        DistributionIT.Result resumed = DistributionIT.scarcity(DistributionIT.DIST.resolve("plugins"), "run", "--resume", b.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("completed: 12 rounds"), resumed.out());
        DistributionIT.assertNoStackTrace(resumed);

        assertEquals(Files.readString(a.resolve("metrics.jsonl")), Files.readString(b.resolve("metrics.jsonl")),
                "the resumed run's metrics differ from the uninterrupted run's");
        Map<String, String> finalB = insights(b);
        for (Map.Entry<String, String> e : acceptedBeforeKill.entrySet()) {
            assertEquals(e.getValue(), finalB.get(e.getKey()), "insight accepted before the kill lost or changed: " + e.getKey());
        }
        // the same insights as the uninterrupted run's store (whose pseudonyms differ: each store draws its own salt)
        assertEquals(withoutPseudonyms(insights(a)), withoutPseudonyms(finalB));
        String summary = Files.readString(b.resolve("summary.json"));
        String uninterrupted = Files.readString(a.resolve("summary.json"));
        assertEquals(field(uninterrupted, "accuracy"), field(summary, "accuracy"));
        assertEquals(field(uninterrupted, "rows"), field(summary, "rows"));
        assertTrue(summary.contains("\"status\" : \"completed\""), summary);
    }

    @Test
    void resumingSomethingThatIsNotARunExitsWith2AndSaysWhy() throws Exception {
        DistributionIT.Result r = DistributionIT.scarcity(DistributionIT.DIST.resolve("plugins"), "run", "--resume", tmp.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("not a run folder"), r.err());
        DistributionIT.assertNoStackTrace(r);
        DistributionIT.Result both = DistributionIT.scarcity(DistributionIT.DIST.resolve("plugins"), "run",
                CONFIGS.resolve("quickstart.yaml").toString(), "--resume", tmp.toString());
        assertEquals(2, both.code(), both.err());
        assertFalse(both.err().isBlank());
        DistributionIT.assertNoStackTrace(both);
    }

    static String field(String json, String name) {
        var m = java.util.regex.Pattern.compile("\"" + name + "\" : ([^,\\n]+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }

    static Path only(Path dir) throws Exception {
        try (var dirs = Files.list(dir)) {
            List<Path> all = dirs.toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }

    static List<String> withoutPseudonyms(Map<String, String> insights) {
        return insights.values().stream().map(p -> p.replaceAll("\"client\":\"[0-9a-f]{64}\"", "\"client\":\"-\""))
                .sorted().toList();
    }

    static Map<String, String> insights(Path runDir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + runDir.resolve("coordinator.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT domain, round, client, payload FROM insights")) {
            while (rs.next()) {
                String key = rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getString(3);
                if (out.put(key, rs.getString(4)) != null) {
                    throw new AssertionError("insight stored twice: " + key);
                }
            }
        }
        return out;
    }
}
