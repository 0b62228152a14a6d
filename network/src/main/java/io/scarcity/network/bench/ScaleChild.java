package io.scarcity.network.bench;

import io.scarcity.network.federation.RemoteFleet;
import io.scarcity.network.transport.ChannelSecurity;
import io.scarcity.network.transport.CoordinatorServer;
import io.scarcity.network.transport.TlsFiles;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.engine.InProcessEngine;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two measured roles of {@link FederationScale}, each in a child JVM of its own so that its heap is
 * measured alone: {@code in-process CONFIG [SET...]} runs the config's clients in this JVM;
 * {@code coordinator TLS_DIR WAIT_SECONDS CONFIG [SET...]} listens on a free loopback port with mutual TLS,
 * prints {@code FEDERATION-SCALE-LISTENING PORT}, waits for host processes to take every client and runs
 * the rounds. Both end by printing one {@link ScaleMeasurement} line on stdout.
 */
final class ScaleChild {
    static final String LISTENING = "FEDERATION-SCALE-LISTENING";
    private static final Pattern ACKED = Pattern.compile("\\bbytes_acked:(\\d+)");
    private static final Pattern RECEIVED = Pattern.compile("\\bbytes_received:(\\d+)");

    private ScaleChild() {
    }

    static void main(List<String> args) throws Exception {
        String role = args.get(0);
        switch (role) {
            case "in-process" -> inProcess(Path.of(args.get(1)), args.subList(2, args.size()));
            case "coordinator" -> coordinator(Path.of(args.get(1)), Integer.parseInt(args.get(2)), Path.of(args.get(3)),
                    args.subList(4, args.size()));
            default -> throw new IllegalArgumentException("unknown child role " + role);
        }
    }

    private static PluginRegistry plugins() {
        String dir = System.getenv("SCARCITY_PLUGINS_DIR");
        return PluginRegistry.load(dir == null || dir.isBlank() ? null : Path.of(dir), ScaleChild.class.getClassLoader());
    }

    private static void inProcess(Path config, List<String> sets) {
        LoadedConfig loaded = ConfigLoader.load(config, Map.of(), sets);
        try (PluginRegistry registry = plugins()) {
            long t0 = System.nanoTime();
            try (InProcessEngine engine = new InProcessEngine(loaded, registry)) {
                long setup = System.nanoTime() - t0;
                report(ScaleMeasurement.measure(engine, setup, () -> null));
            }
        }
    }

    private static void coordinator(Path tlsDir, int waitSeconds, Path config, List<String> sets) throws IOException {
        LoadedConfig loaded = ConfigLoader.load(config, Map.of(), sets);
        try (PluginRegistry registry = plugins()) {
            RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), UUID.randomUUID().toString(), registry);
            try (CoordinatorServer server = CoordinatorServer.start(
                    CoordinatorServer.Settings.loopback(0, ChannelSecurity.mutualTls(TlsFiles.inDirectory(tlsDir))), fleet)) {
                int port = server.port();
                System.out.println(LISTENING + " " + port);
                System.out.flush();
                long t0 = System.nanoTime();
                try (InProcessEngine engine = new InProcessEngine(loaded, registry, (c, assembly, baseDir) -> {
                    fleet.awaitClients(Duration.ofSeconds(waitSeconds));
                    return fleet;
                })) {
                    long setup = System.nanoTime() - t0;
                    report(ScaleMeasurement.measure(engine, setup, () -> socketBytes(port)));
                }
                server.close("the run finished");
            }
        }
    }

    private static void report(ScaleMeasurement m) {
        System.out.println(m.line());
        System.out.flush();
    }

    /**
     * {@code [acknowledged bytes sent, bytes received]} summed over the established TCP connections whose
     * local port is {@code port} (the kernel's counters, read with {@code ss -ti}), or {@code null} where
     * that cannot be read (no {@code ss}: not Linux, or iproute2 missing).
     */
    static long[] socketBytes(int port) {
        try {
            Process p = new ProcessBuilder("ss", "-tinH", "state", "established", "( sport = :" + port + " )")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            if (!out.contains("bytes_received:")) {
                return null;
            }
            return new long[] {sum(ACKED, out), sum(RECEIVED, out)};
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static long sum(Pattern p, String text) {
        long total = 0;
        Matcher m = p.matcher(text);
        while (m.find()) {
            total += Long.parseLong(m.group(1));
        }
        return total;
    }
}
