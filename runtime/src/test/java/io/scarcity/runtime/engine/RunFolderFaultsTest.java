package io.scarcity.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.runtime.cli.Main;
import io.scarcity.runtime.config.QuickstartPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run folder that stops accepting writes mid-run: exit 2, the true cause and the fix, nothing computed lost. */
class RunFolderFaultsTest {
    @TempDir
    Path tmp;

    @AfterEach
    void disarm() {
        FolderBreaker.disarm();
    }

    static String[] run(Path out, String... more) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("run", QuickstartPaths.quickstart().toString(),
                "--set", "rounds=6", "--set", "checkpoint.every=2", "--set", "output.dir=" + out, "--set", "output.progress=off"));
        args.addAll(java.util.List.of(more));
        int code = Main.execute(args.toArray(String[]::new), new PrintWriter(o, true), new PrintWriter(e, true));
        return new String[] {String.valueOf(code), o.toString(), e.toString()};
    }

    @Test
    void aFolderThatStopsAcceptingWritesIsAUserErrorNamingTheCauseAndKeepsTheRounds() throws Exception {
        Path out = tmp.resolve("runs");
        FolderBreaker.arm(out, 3);
        String[] r = run(out);
        assertEquals("2", r[0], r[2]);
        String err = r[2];
        assertTrue(err.contains("error: cannot write the checkpoint of round 4 in ") && err.contains("a file of that name is in the way (a folder is needed there)")
                && err.contains("then continue with scarcity run --resume"), err);
        assertTrue(err.contains("the 4 rounds completed before the error are kept in")
                && err.contains("summary.json could not be written either: it is a folder, not a file"), err);
        assertFalse(err.contains("internal error") || err.contains("\tat "), err);
        Path run;
        try (var runs = Files.list(out)) {
            run = runs.findFirst().orElseThrow();
        }
        assertEquals(4, Files.readAllLines(run.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"client\":\"coast-0\"")).count());
        assertTrue(Files.readString(run.resolve("run.log")).contains("cannot write the checkpoint of round 4"));
    }

    /** Real permissions (skipped as root, where they stop nothing; the test above covers the same path). */
    @Test
    void aReadOnlyOutputFolderIsNamedWithPermissionDenied() throws Exception {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "permissions do not bind root");
        Path out = Files.createDirectories(tmp.resolve("ro"));
        assertTrue(out.toFile().setWritable(false, false));
        try {
            String[] r = run(out);
            assertEquals("2", r[0], r[2]);
            assertTrue(r[2].contains("cannot create the run folder under") && r[2].contains("permission denied"), r[2]);
        } finally {
            out.toFile().setWritable(true, false);
        }
    }
}
