package io.scarcity.network.bench;

import io.scarcity.api.ApiVersion;
import io.scarcity.network.certs.Certificates;
import io.scarcity.network.federation.RemoteFleet;
import io.scarcity.network.federation.SimulationHost;
import io.scarcity.network.proto.Hello;
import io.scarcity.network.proto.InstalledPlugin;
import io.scarcity.network.proto.SimulateRange;
import io.scarcity.network.transport.ChannelSecurity;
import io.scarcity.network.transport.CoordinatorServer;
import io.scarcity.network.transport.HostConnection;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.engine.InProcessEngine;
import io.scarcity.runtime.engine.RunResult;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost of the network: runs a config in process, then with its clients on H hosts connected over
 * loopback gRPC with mutual TLS (hosts in this JVM, so the difference is the protocol, the encoding and
 * TLS, not process start-up), and prints rounds/s and rows/s of both and their ratio. Same seed, so both
 * compute the same thing.
 * <pre>SCARCITY_PLUGINS_DIR=distribution/target/scarcity/plugins java -cp "distribution/target/scarcity/lib/*" \
 *     io.scarcity.network.bench.NetworkedThroughput configs/quickstart.yaml 40 2</pre>
 * (a benchmark that prints a table, not a test; it lives here because the benchmarks module keeps gRPC's
 * libraries off MOA's class path)
 */
public final class NetworkedThroughput {
    private NetworkedThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Path config = Path.of(args.length > 0 ? args[0] : "configs/quickstart.yaml");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int hosts = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        LoadedConfig loaded = ConfigLoader.load(config, Map.of(), List.of("rounds=" + rounds, "checkpoint.every=0",
                "coordinator.store.url=memory"));
        String plugins = System.getenv("SCARCITY_PLUGINS_DIR");
        try (PluginRegistry registry = PluginRegistry.load(plugins == null || plugins.isBlank() ? null : Path.of(plugins),
                NetworkedThroughput.class.getClassLoader())) {
            RunResult local = inProcess(loaded, registry);
            RunResult remote = networked(loaded, registry, hosts);
            System.out.printf(Locale.ROOT, "%-34s %8s %10s %10s %12s%n", "engine", "rounds", "seconds", "rounds/s", "rows/s");
            print("in process", local);
            print(hosts + " hosts, loopback gRPC, mutual TLS", remote);
            System.out.printf(Locale.ROOT, "networked / in-process rows/s: %.3f (same rows: %s, same accuracy: %s)%n",
                    rate(remote) / rate(local), local.rows() == remote.rows(), local.correct() == remote.correct());
        }
    }

    static double rate(RunResult r) {
        return r.rows() / (r.elapsedNanos() / 1e9);
    }

    static void print(String name, RunResult r) {
        double s = r.elapsedNanos() / 1e9;
        System.out.printf(Locale.ROOT, "%-34s %8d %10.2f %10.2f %,12.0f%n", name, r.roundsCompleted(), s, r.roundsCompleted() / s, rate(r));
    }

    static RunResult inProcess(LoadedConfig loaded, PluginRegistry registry) {
        try (InProcessEngine engine = new InProcessEngine(loaded, registry)) {
            return engine.run((round, total, results, extras) -> { });
        }
    }

    static RunResult networked(LoadedConfig loaded, PluginRegistry registry, int hosts) throws Exception {
        Path dir = Files.createTempDirectory("scarcity-netbench");
        Certificates.Authority ca = Certificates.createAuthority(dir.resolve("ca"), "bench");
        var coordinatorTls = ca.issueCoordinator(dir.resolve("coordinator"), List.of());
        int n = loaded.config().totalClients();
        RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), "bench", registry);
        List<AutoCloseable> open = new ArrayList<>();
        try (CoordinatorServer server = CoordinatorServer.start(
                CoordinatorServer.Settings.loopback(0, ChannelSecurity.mutualTls(coordinatorTls)), fleet)) {
            for (int h = 0; h < hosts; h++) {
                int from = h * n / hosts;
                int to = (h + 1) * n / hosts;
                var tls = ca.issueClient(dir.resolve("host" + h), "host-" + h);
                SimulationHost host = new SimulationHost(registry, loaded.baseDir(), from, to);
                Hello.Builder hello = Hello.newBuilder().setHostName("host-" + h).setApiVersion(ApiVersion.current())
                        .setSimulate(SimulateRange.newBuilder().setFrom(from).setTo(to));
                registry.all().forEach(p -> hello.addPlugins(InstalledPlugin.newBuilder().setKind(p.kind().label())
                        .setName(p.name()).setVersion(p.version())));
                open.add(host);
                open.add(HostConnection.connect(HostConnection.Settings.of("127.0.0.1:" + server.port(),
                        ChannelSecurity.mutualTls(tls)), hello.build(), host));
            }
            try (InProcessEngine engine = new InProcessEngine(loaded, registry, (config, assembly, baseDir) -> {
                fleet.awaitClients(Duration.ofSeconds(60));
                return fleet;
            })) {
                return engine.run((round, total, results, extras) -> { });
            }
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }
}
