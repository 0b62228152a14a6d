package io.scarcity.runtime.cli;

import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.run.RunExecution;
import io.scarcity.runtime.engine.RunResult;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the experiment a YAML config describes and writes runs/<name>-<timestamp>/:",
                "config.yaml (resolved), metrics.jsonl (one line per client per round), summary.json, run.log.",
                "Overrides: environment variables SCARCITY_<KEY> (SCARCITY_DOMAINS__0__CLIENTS for nesting), then --set.",
                "An interrupted run continues from its last checkpoint with --resume RUN_DIR (instead of CONFIG)."})
public final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Mixin
    PluginOptions plugins;

    @picocli.CommandLine.Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue an interrupted run from the last checkpoint in its folder, e.g. runs/quickstart-20261122-101500.")
    Path resume;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (resume != null && !configOptions.none()) {
            throw new io.scarcity.runtime.UserException("--resume continues a run with its own config: give either CONFIG "
                    + "(and --set) for a new run, or --resume RUN_DIR alone");
        }
        LoadedConfig loaded = resume == null ? configOptions.load() : null;
        // A resume loads the plugins the run used (recorded in its plugins.json) besides any --plugins given now.
        List<Path> recorded = resume == null ? List.of() : io.scarcity.runtime.run.PluginSources.recorded(resume);
        List<Path> moved = recorded.stream().filter(p -> !java.nio.file.Files.exists(p)).toList();
        try (PluginRegistry registry = plugins.load(recorded.stream().filter(java.nio.file.Files::exists).toList())) {
            PrintStream progress = System.err;
            RunExecution.Outcome outcome;
            try {
                outcome = resume == null
                        ? RunExecution.run(loaded, registry, progress, Clock.systemDefaultZone())
                        : RunExecution.resume(resume, System.getenv(), registry, progress);
            } catch (io.scarcity.api.ConfigException e) {
                if (!moved.isEmpty() && e.path().endsWith(".plugin")) {
                    throw new io.scarcity.runtime.UserException(e.getMessage() + "\nthe run loaded plugins from " + moved
                            + ", which no longer exist; resume with --plugins pointing at where they are now", e);
                }
                throw e;
            }
            report(spec.commandLine().getOut(), outcome);
            return 0;
        }
    }

    /** Prints what a finished run did: the headline, per-domain results, drifts, insights, gossip, routing, where the results are. */
    public static void report(java.io.PrintWriter out, RunExecution.Outcome outcome) {
        RunResult r = outcome.result();
        StringBuilder headline = new StringBuilder(String.format(Locale.ROOT, "%s: %d rounds, %,d rows",
                r.stopReason(), r.roundsCompleted(), r.rows()));
        if (!Double.isNaN(outcome.accuracy())) {
            headline.append(String.format(Locale.ROOT, ", prequential accuracy %.4f", outcome.accuracy()));
        }
        if (!Double.isNaN(outcome.rmse())) {
            headline.append(String.format(Locale.ROOT, ", prequential RMSE %.4g", outcome.rmse()));
        }
        out.println(headline);
        for (Map.Entry<String, double[]> d : r.domainMetrics().entrySet()) {
            double[] m = d.getValue();
            if (m[1] == 0) {
                out.printf(Locale.ROOT, "  domain %-12s no row scored: no label came (a stream without labels, or every label"
                        + " withheld, dropped or still on the way; metrics.jsonl has the experts' losses and flags)%n", d.getKey());
                continue;
            }
            out.printf(Locale.ROOT, "  domain %-12s %s %.4f over %,d rows%n", d.getKey(), m[2] == 1 ? "accuracy" : "RMSE    ",
                    m[0], (long) m[1]);
        }
        int detections = r.detectedDrifts().values().stream().mapToInt(List::size).sum();
        out.printf(Locale.ROOT, "  drifts injected %s; detections %d; insights accepted %d, rejected %d; gossip %,d bytes%n",
                r.injectedDrifts(), detections, r.insightsAccepted(), r.insightsRejected(), r.gossipBytes());
        long quarantined = r.quarantinedRows().values().stream().mapToLong(Long::longValue).sum();
        if (quarantined > 0) {
            out.printf(Locale.ROOT, "  %,d invalid rows quarantined %s (reasons in run.log)%n", quarantined, r.quarantinedRows());
        }
        long filtered = r.filteredRows().values().stream().mapToLong(Long::longValue).sum();
        if (filtered > 0) {
            out.printf(Locale.ROOT, "  %,d rows held back by row filters %s (not predicted, learned or counted; per rule in metrics.jsonl)%n",
                    filtered, r.filteredRows());
        }
        if (r.routing().expertBatches() > 0) {
            out.printf(Locale.ROOT, "  routing: %.1f%% of expert-batches skipped (compute saved); activations %s%n",
                    100 * r.routing().computeSaved(), r.routing().activations());
        }
        out.printf(Locale.ROOT, "  %,.0f rows/s; results in %s%n", r.rows() / Math.max(1e-9, r.elapsedNanos() / 1e9),
                Path.of("").toAbsolutePath().relativize(outcome.runDir().toAbsolutePath()));
    }
}
