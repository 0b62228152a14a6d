package io.scarcity.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStatusTest {
    @TempDir
    Path dir;

    @Test
    void aLockNamingAnotherProgramNamesNoRun() throws Exception {
        // a process that is not Scarcity, with its true id and start time written by hand into the lock
        Process other = new ProcessBuilder("sleep", "30").start();
        try {
            Files.writeString(dir.resolve(".lock"), other.pid() + " " + other.info().startInstant().orElseThrow().toEpochMilli() + "\n");
            assertFalse(RunStatus.alive(dir), "not Scarcity's command line: never signalled");
            assertTrue(RunStatus.holder(dir).isEmpty());
            Files.writeString(dir.resolve(".lock"), other.pid() + " 12345\n");
            assertFalse(RunStatus.alive(dir), "another start time: an id reused");
            Files.writeString(dir.resolve(".lock"), other.pid() + "\n");
            assertFalse(RunStatus.alive(dir), "no start time");
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void aScarcityProcessHoldingTheLockIsRunning() throws Exception {
        List<String> cmd = new java.util.ArrayList<>(Launcher.defaultJava());
        cmd.addAll(List.of("dashboard", "--port", "0", "--runs", dir.resolve("elsewhere").toString()));
        Process scarcity = startScarcity(cmd);
        try {
            Files.writeString(dir.resolve(".lock"), scarcity.pid() + " " + scarcity.info().startInstant().orElseThrow().toEpochMilli() + "\n");
            assertTrue(RunStatus.alive(dir));
            assertEquals("running", RunStatus.of(dir, null));
        } finally {
            scarcity.destroyForcibly();
            scarcity.waitFor();
        }
        assertFalse(RunStatus.alive(dir), "ended");
    }

    /** Starts the CLI in a new JVM and returns once the process runs it (not the launcher's helper before its exec). */
    static Process startScarcity(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long until = System.currentTimeMillis() + 20_000;
        Path cmdline = Path.of("/proc", String.valueOf(p.pid()), "cmdline");
        while (System.currentTimeMillis() < until && Files.isReadable(cmdline) && !Files.readString(cmdline).contains("io.scarcity.runtime.cli.Main")) {
            Thread.sleep(50);
        }
        return p;
    }

    @Test
    void aRunsOwnConfigIsResumedFromThePageOnlyIfItStaysInside() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Path configs = dir.resolve("project").resolve("configs");
        assertNull(Overrides.resumeRefusal(yaml.readTree("name: q\noutput: {dir: /home/me/runs}\ndomains:\n  - {name: d, stream: {type: csv, path: data/x.csv}}\n"), configs),
                "output.dir is where the folder was made, not read by a resume");
        assertNull(Overrides.resumeRefusal(yaml.readTree("domains:\n  - {stream: {type: csv, path: ../.cache/datasets/sensors/data.csv}}\n"), configs),
                "the project's data cache, beside the configs folder");
        for (String config : List.of("domains:\n  - {stream: {type: csv, path: /etc/passwd}}\n",
                "domains:\n  - {stream: {type: csv, path: ../../secret.csv}}\n", "coordinator: {store: {url: 'jdbc:sqlite:/tmp/x.db'}}\n",
                "privacy: {audit: {key: k.pem}}\n", "experts: [{plugin: governance, config: {file: ~/rules.yaml}}]\n")) {
            assertTrue(Overrides.resumeRefusal(yaml.readTree(config), configs) != null, config);
        }
        assertTrue(Overrides.resumeRefusal(null, configs) != null);
    }
}
