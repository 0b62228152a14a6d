package io.scarcity.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A networked federation as separate processes of the distribution, on loopback with mutual TLS made by
 * {@code scarcity certs}: a coordinator and three host processes (one taking its gossip peers directly) give the
 * in-process metrics byte for byte;
 * a host with a certificate from another CA, and one lacking a selected plugin, are refused by name.
 */
class FederationIT {
    static final Path DIST = Path.of("target", "scarcity").toAbsolutePath();
    static final Path CONFIGS = Path.of("..", "configs").toAbsolutePath().normalize();
    static final String[] SETTINGS = {"--set", "rounds=6", "--set", "faults.offlineRate=0.1", "--set", "checkpoint.every=0",
        "--set", "output.progress=off"};

    @TempDir
    Path tmp;

    record Proc(Process process, Path out, Path err) {
        int await(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("did not finish in " + seconds + " s: " + text());
            }
            return process.exitValue();
        }

        /**
         * Waits until the process has printed {@code text} (e.g. that its coordinator listens), so that no host process
         * started after it can take the port it was given for an ephemeral one of its own first.
         */
        void awaitText(String text, int seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!text().contains(text)) {
                if (!process.isAlive() || System.nanoTime() > end) {
                    throw new AssertionError("never printed '" + text + "': " + text());
                }
                Thread.sleep(100);
            }
        }

        String text() {
            try {
                return Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        }
    }

    Proc start(Path plugins, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", DIST.resolve("lib") + "/*", "io.scarcity.runtime.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SCARCITY_"));
        pb.environment().put("SCARCITY_PLUGINS_DIR", plugins.toString());
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        return new Proc(pb.start(), out, err);
    }

    int run(String... args) throws Exception {
        Proc p = start(DIST.resolve("plugins"), args);
        int code = p.await(120);
        assertEquals(0, code, p.text());
        return code;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    static Path only(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    @Test
    void aCoordinatorAndThreeHostProcessesOverTlsGiveTheInProcessMetrics() throws Exception {
        run("certs", "ca", "--ca", tmp.resolve("ca").toString(), "--name", "test federation");
        run("certs", "coordinator", "--ca", tmp.resolve("ca").toString(), "--out", tmp.resolve("coordinator").toString());
        for (int h = 1; h <= 3; h++) {
            run("certs", "client", "--ca", tmp.resolve("ca").toString(), "--out", tmp.resolve("host" + h).toString(), "--name", "host-" + h);
        }
        String quickstart = CONFIGS.resolve("quickstart.yaml").toString();
        run(with(new String[] {"run", quickstart}, with(SETTINGS, "--set", "output.dir=" + tmp.resolve("local"))));

        int port = freePort();
        Proc coordinator = start(DIST.resolve("plugins"), with(new String[] {"coordinator", quickstart, "--listen", "127.0.0.1:" + port,
            "--tls-dir", tmp.resolve("coordinator").toString(), "--wait", "90"}, with(SETTINGS, "--set", "output.dir=" + tmp.resolve("remote"))));
        coordinator.awaitText("coordinator listening on", 90);
        String[] ranges = {"0-1", "2-3", "4-4"};
        List<Proc> hosts = new ArrayList<>();
        for (int h = 1; h <= 3; h++) {
            // host 3 (inland-1) takes its gossip peers directly: inland pairs go host to host, coast pairs are relayed
            hosts.add(start(DIST.resolve("plugins"), with(new String[] {"client", "--coordinator", "127.0.0.1:" + port, "--simulate",
                ranges[h - 1], "--tls-dir", tmp.resolve("host" + h).toString()}, h == 3 ? new String[] {"--peer-listen", "0"} : new String[0])));
        }
        assertEquals(0, coordinator.await(180), coordinator.text());
        for (Proc h : hosts) {
            assertEquals(0, h.await(60), h.text());
        }
        assertTrue(coordinator.text().contains("completed: 6 rounds"), coordinator.text());
        assertTrue(coordinator.text().contains("(certificate of 'host-3') admitted for clients 4-4"), coordinator.text());
        assertTrue(hosts.get(2).text().contains("gossip peers reach this host at 127.0.0.1:"), hosts.get(2).text());
        String log = Files.readString(only(tmp.resolve("remote")).resolve("run.log"), StandardCharsets.UTF_8);
        assertTrue(log.matches("(?s).*gossip: [1-9][0-9]* pairs direct host to host \\([1-9][0-9]* bytes between the hosts\\).*"), log);
        assertEquals(Files.readString(only(tmp.resolve("local")).resolve("metrics.jsonl")),
                Files.readString(only(tmp.resolve("remote")).resolve("metrics.jsonl")), "networked metrics.jsonl differs from in-process");

        // a host enrolled in another federation is refused at the handshake
        run("certs", "ca", "--ca", tmp.resolve("other-ca").toString());
        run("certs", "client", "--ca", tmp.resolve("other-ca").toString(), "--out", tmp.resolve("stranger").toString(), "--name", "stranger");
        int port2 = freePort();
        Proc waiting = start(DIST.resolve("plugins"), with(new String[] {"coordinator", quickstart, "--listen", "127.0.0.1:" + port2,
            "--tls-dir", tmp.resolve("coordinator").toString(), "--wait", "40"}, with(SETTINGS, "--set", "output.dir=" + tmp.resolve("never"))));
        waiting.awaitText("coordinator listening on", 40);
        Proc stranger = start(DIST.resolve("plugins"), "client", "--coordinator", "127.0.0.1:" + port2, "--simulate", "0-4",
                "--tls-dir", tmp.resolve("stranger").toString());
        assertEquals(2, stranger.await(90), stranger.text());
        assertTrue(stranger.text().contains("not enrolled in this federation"), stranger.text());
        assertFalse(stranger.text().contains("\tat "), stranger.text());

        // a host lacking a selected plugin is refused naming it
        Path lacking = Files.createDirectories(tmp.resolve("lacking"));
        try (var files = Files.list(DIST.resolve("plugins"))) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().startsWith("scarcity-plugin-ucb-")) {
                    Files.copy(f, lacking.resolve(f.getFileName()));
                }
            }
        }
        Proc noUcb = start(lacking, "client", "--coordinator", "127.0.0.1:" + port2, "--simulate", "0-4",
                "--tls-dir", tmp.resolve("host1").toString());
        assertEquals(2, noUcb.await(90), noUcb.text());
        assertTrue(noUcb.text().contains("the coordinator refused this host") && noUcb.text().contains("router 'ucb'"), noUcb.text());
        assertEquals(2, waiting.await(90), waiting.text());
        assertTrue(waiting.text().contains("no host took clients"), waiting.text());
    }

    /** Waits until the run folder under {@code out} has the metrics of round {@code round}; returns the folder. */
    static Path awaitRound(Path out, int round, Proc coordinator) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            if (Files.isDirectory(out)) {
                try (var dirs = Files.list(out)) {
                    for (Path d : dirs.toList()) {
                        Path metrics = d.resolve("metrics.jsonl");
                        if (Files.isRegularFile(metrics) && Files.readString(metrics).contains("{\"round\":" + round + ",")) {
                            return d;
                        }
                    }
                }
            }
            assertTrue(coordinator.process().isAlive(), "the coordinator ended before round " + round + ": " + coordinator.text());
            Thread.sleep(20);
        }
        throw new AssertionError("no round " + round + " within 120 s: " + coordinator.text());
    }

    /**
     * The coordinator is killed with SIGKILL mid-run and started again with --resume: the two host processes
     * (never stopped) reconnect by themselves, rewind to its checkpoint from the states they saved, and the run
     * ends with the in-process metrics byte for byte: nothing accepted lost, nothing counted twice.
     */
    @Test
    void aCoordinatorKilledMidRunResumesAndEndsWithTheInProcessMetrics() throws Exception {
        String quickstart = CONFIGS.resolve("quickstart.yaml").toString();
        String[] settings = {"--set", "rounds=60", "--set", "faults.offlineRate=0.1", "--set", "checkpoint.every=1",
            "--set", "output.progress=off"};
        run(with(new String[] {"run", quickstart}, with(settings, "--set", "output.dir=" + tmp.resolve("local"))));
        int port = freePort();
        String[] listen = {"--listen", "127.0.0.1:" + port, "--insecure", "--wait", "90"};
        Proc coordinator = start(DIST.resolve("plugins"), with(with(new String[] {"coordinator", quickstart}, listen),
                with(settings, "--set", "output.dir=" + tmp.resolve("remote"))));
        List<Proc> hosts = new ArrayList<>();
        for (String range : List.of("0-1", "2-4")) {
            hosts.add(start(DIST.resolve("plugins"), "client", "--coordinator", "127.0.0.1:" + port, "--simulate", range,
                    "--insecure", "--state-dir", tmp.resolve("state").toString()));
        }
        Path runDir = awaitRound(tmp.resolve("remote"), 8, coordinator);
        coordinator.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertFalse(Files.readString(runDir.resolve("metrics.jsonl")).contains("{\"round\":60,"), "killed before the end");

        Proc resumed = start(DIST.resolve("plugins"), with(new String[] {"coordinator", "--resume", runDir.toString()}, listen));
        assertEquals(0, resumed.await(180), resumed.text());
        for (Proc h : hosts) {
            assertEquals(0, h.await(60), h.text());
            assertTrue(h.text().contains("trying again in"), "the host said it redialled: " + h.text());
        }
        assertTrue(resumed.text().contains("completed: 60 rounds"), resumed.text());
        assertEquals(Files.readString(only(tmp.resolve("local")).resolve("metrics.jsonl")),
                Files.readString(runDir.resolve("metrics.jsonl")), "the resumed networked metrics.jsonl differs from in-process");
        assertEquals(Files.readString(only(tmp.resolve("local")).resolve("coordinator.jsonl")),
                Files.readString(runDir.resolve("coordinator.jsonl")));
    }

    /**
     * A host process is killed with SIGKILL mid-run: its clients are left out of the rounds while it is away and
     * the run goes on; started again with its state folder, it continues its clients from its own checkpoint.
     */
    @Test
    void aHostKilledMidRunIsLeftOutAndComesBackFromItsOwnCheckpoint() throws Exception {
        String quickstart = CONFIGS.resolve("quickstart.yaml").toString();
        int port = freePort();
        Proc coordinator = start(DIST.resolve("plugins"), "coordinator", quickstart, "--listen", "127.0.0.1:" + port, "--insecure",
                "--set", "rounds=400", "--set", "faults.offlineRate=0", "--set", "checkpoint.every=1", "--set", "output.progress=off",
                "--set", "output.dir=" + tmp.resolve("remote"));
        String[] second = {"client", "--coordinator", "127.0.0.1:" + port, "--simulate", "2-4", "--insecure",
            "--state-dir", tmp.resolve("state-2").toString()};
        Proc first = start(DIST.resolve("plugins"), "client", "--coordinator", "127.0.0.1:" + port, "--simulate", "0-1", "--insecure",
                "--state-dir", tmp.resolve("state-1").toString());
        Proc doomed = start(DIST.resolve("plugins"), second);
        Path runDir = awaitRound(tmp.resolve("remote"), 10, coordinator);
        doomed.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        Proc back = start(DIST.resolve("plugins"), second);
        assertEquals(0, coordinator.await(300), coordinator.text());
        assertEquals(0, back.await(60), back.text());
        assertEquals(0, first.await(60), first.text());
        assertTrue(back.text().matches("(?s).*clients 2-4 continue from this host's checkpoint of round [1-9][0-9]*.*"), back.text());
        assertTrue(coordinator.text().contains("completed: 400 rounds"), coordinator.text());
        List<String> inland = Files.readAllLines(runDir.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"client\":\"inland-1\"")).toList();
        int firstAway = -1;
        int backAt = -1;
        for (int i = 0; i < inland.size(); i++) {
            boolean offline = inland.get(i).contains("\"offline\":true");
            if (offline && firstAway < 0) {
                firstAway = i;
            }
            if (!offline && firstAway >= 0 && backAt < 0) {
                backAt = i;
            }
        }
        assertTrue(firstAway >= 10 && backAt > firstAway, "inland-1 was left out after the kill (round " + (firstAway + 1)
                + ") and played again once its host was back (round " + (backAt + 1) + ")");
        assertFalse(coordinator.text().contains("\tat "), coordinator.text());
    }

    /**
     * Real clients as processes over mutual TLS: a coordinator of configs/remote-clients.yaml (domain "ward",
     * two slots) and two 'scarcity client --id --domain --stream' processes, each with a CSV of its own.
     */
    @Test
    void aCoordinatorAndTwoRealClientProcessesWithTheirOwnStreamsCompleteARun() throws Exception {
        run("certs", "ca", "--ca", tmp.resolve("ca").toString(), "--name", "test federation");
        run("certs", "coordinator", "--ca", tmp.resolve("ca").toString(), "--out", tmp.resolve("coordinator").toString());
        for (String h : List.of("hospital-a", "hospital-b")) {
            run("certs", "client", "--ca", tmp.resolve("ca").toString(), "--out", tmp.resolve(h).toString(), "--name", h);
            java.util.Random rnd = new java.util.Random(h.hashCode());
            StringBuilder csv = new StringBuilder("f1,f2,f3,outcome\n");
            for (int r = 0; r < 1000; r++) {
                double a = rnd.nextDouble() * 10;
                double b = rnd.nextDouble() * 10;
                csv.append(String.format(java.util.Locale.ROOT, "%.3f,%.3f,%.3f,%s%n", a, b, rnd.nextDouble() * 10, a + b <= 8 ? "yes" : "no"));
            }
            Files.writeString(tmp.resolve(h + ".csv"), csv);
            Files.writeString(tmp.resolve(h + ".yaml"), "type: csv\npath: " + h + ".csv\nlabel: outcome\nclasses: ['no', 'yes']\n");
        }
        int port = freePort();
        Proc coordinator = start(DIST.resolve("plugins"), "coordinator", CONFIGS.resolve("remote-clients.yaml").toString(),
                "--listen", "127.0.0.1:" + port, "--tls-dir", tmp.resolve("coordinator").toString(), "--wait", "30",
                "--set", "rounds=4", "--set", "checkpoint.every=0", "--set", "output.progress=off", "--set", "output.dir=" + tmp.resolve("real"));
        List<Proc> clients = new ArrayList<>();
        for (String h : List.of("hospital-a", "hospital-b")) {
            clients.add(start(DIST.resolve("plugins"), "client", "--coordinator", "127.0.0.1:" + port, "--id", h, "--domain", "ward",
                    "--stream", h + ".yaml", "--data-dir", tmp.toString(), "--tls-dir", tmp.resolve(h).toString()));
        }
        assertEquals(0, coordinator.await(90), coordinator.text() + clients.get(0).text() + clients.get(1).text());
        for (Proc c : clients) {
            assertEquals(0, c.await(30), c.text());
            assertTrue(c.text().contains("the coordinator ended the session"), c.text());
        }
        assertTrue(coordinator.text().contains("completed: 4 rounds"), coordinator.text());
        for (String h : List.of("hospital-a", "hospital-b")) {
            assertTrue(coordinator.text().matches("(?s).*real client '" + h + "' of domain ward on host [^\\n]* \\(certificate of '"
                    + h + "'\\) admitted as ward-[01].*"), coordinator.text());
        }
        List<String> metrics = Files.readAllLines(only(tmp.resolve("real")).resolve("metrics.jsonl"));
        for (int round = 1; round <= 4; round++) {
            for (String client : List.of("ward-0", "ward-1")) {
                String line = "{\"round\":" + round + ",\"client\":\"" + client + "\",\"domain\":\"ward\",\"rows\":200,";
                assertTrue(metrics.stream().anyMatch(l -> l.startsWith(line)), "each client plays every round: " + metrics);
            }
        }
    }
}
