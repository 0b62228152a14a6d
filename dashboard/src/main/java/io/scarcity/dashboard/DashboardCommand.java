package io.scarcity.dashboard;

import io.scarcity.runtime.UserException;
import io.scarcity.runtime.cli.PluginOptions;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = {"Serves a web page over the runs folder: every run and bench result, live and finished, with charts",
                "that update while a run goes on; start, stop and resume runs from configs/; compare runs.",
                "Binds to 127.0.0.1 unless told otherwise; Ctrl-C stops it (and the runs it started, which can be resumed)."})
public final class DashboardCommand implements Callable<Integer> {
    @Option(names = "--runs", paramLabel = "DIR", description = "The runs folder (default: runs, created if missing).")
    Path runsDir = Path.of("runs");

    @Option(names = "--configs", paramLabel = "DIR", description = "Where the page finds configs to start runs from (default: configs).")
    Path configsDir = Path.of("configs");

    @Option(names = "--port", description = "The port (default: 8080; 0 picks a free one).")
    int port = 8080;

    @Option(names = "--bind", paramLabel = "ADDRESS",
            description = "The address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 serves every network "
                    + "the machine is on, over plain HTTP with the token as the only guard: only on a network you trust).")
    String bind = "127.0.0.1";

    @Mixin
    PluginOptions plugins;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new UserException("--port " + port + ": expected 0..65535 (e.g. 8080; 0 picks a free port)");
        }
        if (Files.exists(runsDir) && !Files.isDirectory(runsDir)) {
            throw new UserException("--runs " + runsDir + " is a file, not a folder; give the folder runs are written to");
        }
        try {
            Files.createDirectories(runsDir);
        } catch (java.io.IOException e) {
            throw new UserException("--runs " + runsDir + ": cannot create the folder (" + e.getMessage() + "); give a writable one");
        }
        if (!Files.isReadable(runsDir)) {
            throw new UserException("--runs " + runsDir + ": the folder cannot be read; give a readable one (chmod u+rx)");
        }
        var pluginNames = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        try (PluginRegistry registry = plugins.load()) {
            pluginNames = DashboardServer.pluginList(registry);
        }
        DashboardServer server = new DashboardServer(runsDir, configsDir, bind, port, plugins.extraSources(), pluginNames);
        var out = spec.commandLine().getOut();
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "localhost" : bind.contains(":") ? "[" + bind + "]" : bind;
        out.println("dashboard at " + server.url(host));
        out.println("  open that address (its token lets your browser in; keep it to yourself); runs: "
                + runsDir.toAbsolutePath().normalize() + ", configs: " + configsDir.toAbsolutePath().normalize());
        if (!server.runs().root().toFile().canWrite()) {
            out.println("warning: " + runsDir + " is not writable: runs cannot be started from the page");
        }
        if (!java.net.InetAddress.getLoopbackAddress().getHostAddress().equals(bind) && !bind.equals("localhost")
                && !bind.equals("::1")) {
            out.println("warning: listening on " + bind + " over plain HTTP: the token crosses the network unencrypted; use it on a"
                    + " network you trust, or behind a reverse proxy with TLS");
        }
        out.println("Ctrl-C stops it");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.launcher().stopAll();
            server.close();
            stopped.countDown();
        }, "dashboard-stop"));
        stopped.await();
        return 0;
    }
}
