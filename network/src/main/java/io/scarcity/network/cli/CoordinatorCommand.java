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
        header = "Runs the coordinator of a networked federation (its clients live in other processes).",
        description = {"Runs the coordinator of a networked federation: it holds no data, waits for host processes",
                "('scarcity client --simulate FROM-TO') to take every client of the config, or for real clients",
                "('scarcity client --id NAME --domain D --stream STREAM.yaml') to fill its domains with stream: {type: remote},",
                "then runs the rounds and writes the usual run folder (metrics.jsonl, coordinator.jsonl, summary.json, run.log).",
                "A coordinator that was stopped or killed continues with --resume RUN_DIR (instead of CONFIG): hosts",
                "reconnect by themselves and continue from the states they saved at the checkpoint."})
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

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue the run in RUN_DIR from its last checkpoint (the hosts reconnect and rewind to it).")
    java.nio.file.Path resume;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "300",
            description = "How long to wait for hosts to take every client (default ${DEFAULT-VALUE}).")
    int waitSeconds;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The server on {@code --listen}; an address that cannot be had is the user's to fix (exit 2). */
    private static CoordinatorServer listen(String[] hp, io.scarcity.network.transport.ChannelSecurity channel, RemoteFleet fleet) {
        try {
            return CoordinatorServer.start(CoordinatorServer.Settings.loopback(Integer.parseInt(hp[1]), channel).withHost(hp[0]), fleet);
        } catch (java.io.IOException e) {
            String why = e.getMessage();
            for (Throwable t = e; t != null; t = t.getCause()) {
                why = String.valueOf(t.getMessage());
            }
            throw new io.scarcity.runtime.UserException("cannot listen on " + hp[0] + ":" + hp[1] + " (" + why + "): "
                    + (why.toLowerCase(java.util.Locale.ROOT).contains("in use") ? "the port is in use (another coordinator?); "
                    : "is the address one of this machine's? ") + "choose another --listen");
        }
    }

    /** The config a run folder was started with (RunExecution.resume checks it against the checkpoint). */
    private static LoadedConfig resumedConfig(java.nio.file.Path runDir) {
        java.nio.file.Path file = runDir.resolve("config.yaml");
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new io.scarcity.runtime.UserException(runDir + " is not a run folder (it has no config.yaml); pass the folder "
                    + "the coordinator wrote, e.g. --resume runs/quickstart-20261122-101500");
        }
        try {
            return io.scarcity.runtime.config.ConfigLoader.parse(java.nio.file.Files.readString(file), file.toString(),
                    runDir.toAbsolutePath(), System.getenv(), java.util.List.of());
        } catch (java.io.IOException e) {
            throw new io.scarcity.runtime.UserException("cannot read " + file + ": " + io.scarcity.runtime.Faults.describe(e));
        }
    }

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        String[] hp = Security.hostPort(listen, "--listen");
        var channel = security.resolve(err);
        if (resume != null && !configOptions.none()) {
            throw new io.scarcity.runtime.UserException("--resume continues a run with its own config: give either CONFIG "
                    + "(and --set) for a new run, or --resume RUN_DIR alone");
        }
        LoadedConfig loaded = resume == null ? configOptions.load() : resumedConfig(resume);
        String runId = resume == null ? java.util.UUID.randomUUID().toString() : RemoteFleet.runIdOf(resume);
        java.util.List<java.nio.file.Path> recorded = resume == null ? java.util.List.of()
                : io.scarcity.runtime.run.PluginSources.recorded(resume).stream().filter(java.nio.file.Files::exists).toList();
        try (PluginRegistry registry = plugins.load(recorded)) {
            RemoteFleet fleet = new RemoteFleet(loaded.config(), loaded.resolvedYaml(), runId, registry);
            if (resume != null) {
                fleet.resumeFrom(resume);
            }
            fleet.onAdmission(err::println);
            try (CoordinatorServer server = listen(hp, channel, fleet)) {
                err.println("coordinator listening on " + hp[0] + ":" + server.port() + "; waiting for hosts to take "
                        + loaded.config().totalClients() + " clients (" + fleet.howToJoin("HOST:" + server.port()) + ")");
                io.scarcity.runtime.engine.InProcessEngine.FleetFactory hosts = (config, assembly, baseDir) -> {
                    fleet.awaitClients(Duration.ofSeconds(waitSeconds));
                    return fleet;
                };
                RunExecution.Outcome outcome = resume == null
                        ? RunExecution.run(loaded, registry, System.err, Clock.systemDefaultZone(), hosts)
                        : RunExecution.resume(resume, System.getenv(), registry, System.err, hosts);
                RunCommand.report(spec.commandLine().getOut(), outcome);
                server.close("the run finished");
            }
        }
        return 0;
    }
}
