package io.scarcity.network.cli;

import io.scarcity.network.federation.RemoteFleet;
import io.scarcity.network.transport.CoordinatorServer;
import io.scarcity.runtime.cli.ConfigOptions;
import io.scarcity.runtime.cli.PluginOptions;
import io.scarcity.runtime.cli.RunCommand;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.plugin.PluginRegistry;
import io.scarcity.runtime.run.RunExecution;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "coordinator", mixinStandardHelpOptions = true,
        description = {"Runs the coordinator of a networked federation: it holds no data, waits for host processes",
                "('scarcity client --simulate FROM-TO') to take every client of the config, then runs the rounds",
                "and writes the usual run folder (metrics.jsonl, coordinator.jsonl, summary.json, run.log)."})
final class CoordinatorCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Mixin
    PluginOptions plugins;

    @Mixin
    Security security;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7400",
            description = "Where hosts connect (default ${DEFAULT-VALUE}: loopback; 0.0.0.0:7400 for other machines).")
    String listen;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "300",
            description = "How long to wait for hosts to take every client (default ${DEFAULT-VALUE}).")
    int waitSeconds;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        String[] hp = Security.hostPort(listen, "--listen");
        var channel = security.resolve(err);
        LoadedConfig loaded = configOptions.load();
        try (PluginRegistry registry = plugins.load()) {
            RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), java.util.UUID.randomUUID().toString(), registry);
            fleet.onAdmission(err::println);
            try (CoordinatorServer server = CoordinatorServer.start(
                    CoordinatorServer.Settings.loopback(Integer.parseInt(hp[1]), channel).withHost(hp[0]), fleet)) {
                err.println("coordinator listening on " + hp[0] + ":" + server.port() + "; waiting for hosts to take "
                        + loaded.config().totalClients() + " clients (scarcity client --coordinator HOST:" + server.port()
                        + " --simulate FROM-TO)");
                RunExecution.Outcome outcome = RunExecution.run(loaded, registry, System.err, Clock.systemDefaultZone(),
                        (config, assembly, baseDir) -> {
                            fleet.awaitClients(Duration.ofSeconds(waitSeconds));
                            return fleet;
                        });
                RunCommand.report(spec.commandLine().getOut(), outcome);
                server.close("the run finished");
            }
        }
        return 0;
    }
}
