package io.scarcity.runtime.cli;

import com.fasterxml.jackson.databind.node.IntNode;
import io.scarcity.api.ConfigException;
import io.scarcity.runtime.bench.BenchMethod;
import io.scarcity.runtime.bench.BenchReport;
import io.scarcity.runtime.bench.BenchRunner;
import io.scarcity.runtime.bench.BenchSuite;
import io.scarcity.runtime.bench.BenchTable;
import io.scarcity.runtime.bench.MethodRun;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.engine.InProcessEngine;
import io.scarcity.runtime.plugin.PluginRegistry;
import io.scarcity.runtime.report.RunFolder;
import io.scarcity.runtime.report.RunLog;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Runs every method of a benchmark suite over its seeds on identical streams and partitions,",
                "prints one table (method x metric, mean ± sd over seeds) and writes runs/bench-<suite>-<timestamp>/:",
                "results.csv, results.json, results.md, report.html (plots) and each run's metrics.jsonl."})
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SUITE", description = "A suite file, e.g. configs/bench/sea-drift.yaml.")
    Path suiteFile;

    @Option(names = "--seeds", split = ",", paramLabel = "SEED", description = "Run only these seeds (default: the suite's).")
    List<Long> seeds;

    @Option(names = "--methods", split = ",", paramLabel = "NAME", description = "Run only these methods (default: all).")
    List<String> methods;

    @Option(names = "--rounds", paramLabel = "N", description = "Override the suite's rounds (for a quick look).")
    Integer rounds;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for the results (default: runs).")
    Path out = Path.of("runs");

    @Mixin
    PluginOptions plugins;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        BenchSuite suite = BenchSuite.load(suiteFile);
        List<BenchMethod> chosen = new ArrayList<>(suite.methods());
        if (methods != null) {
            for (String m : methods) {
                if (chosen.stream().noneMatch(x -> x.name().equals(m))) {
                    throw new ConfigException("--methods", "unknown method '" + m + "'; the suite has: "
                            + String.join(", ", suite.methods().stream().map(BenchMethod::name).toList()));
                }
            }
            chosen.removeIf(x -> !methods.contains(x.name()));
        }
        var run = suite.run().deepCopy();
        if (rounds != null) {
            if (rounds < 1) {
                throw new ConfigException("--rounds", "expected a whole number >= 1, got " + rounds);
            }
            ConfigLoader.set(run, "rounds", IntNode.valueOf(rounds), "--rounds");
        }
        suite = new BenchSuite(suite.suite(), suite.description(), seeds == null ? suite.seeds() : seeds, run, chosen,
                suite.recoveryTolerance(), suite.datasets(), suite.coldStartTarget(), suite.positiveClass());
        Path suiteDir = suiteFile.toAbsolutePath().getParent();
        for (String dataset : suite.datasets()) {
            DatasetCache.ensure(dataset, suiteDir, System.err);
        }
        var out = spec.commandLine().getOut();
        try (PluginRegistry registry = plugins.load()) {
            BenchRunner runner = new BenchRunner(suite, suiteDir, registry, System.err);
            List<Integer> driftRounds;
            try (InProcessEngine probe = new InProcessEngine(runner.configFor(chosen.get(0), suite.seeds().get(0)), registry)) {
                driftRounds = new ArrayList<>();
                for (Map<Long, Integer> m : probe.injectedDrifts().values()) {
                    driftRounds.addAll(m.values());
                }
            }
            Path dir = RunFolder.create(this.out, "bench-" + suite.suite(), Clock.systemDefaultZone(),
                    "pass --out with a writable folder");
            List<MethodRun> runs;
            try (RunLog log = RunLog.attach(dir.resolve("bench.log"))) {
                runs = runner.runAll(dir.resolve("runs"));
            }
            BenchTable table = BenchTable.of(chosen.stream().map(BenchMethod::name).toList(), runs);
            table.write(dir, suite, runs);
            String command = "./scarcity bench " + suiteFile + (seeds == null ? "" : " --seeds " + join(seeds))
                    + (methods == null ? "" : " --methods " + String.join(",", methods)) + (rounds == null ? "" : " --rounds " + rounds);
            BenchReport.write(dir.resolve("report.html"), suite, command, table, runs, driftRounds);
            out.println();
            out.println("suite " + suite.suite() + ", seeds " + suite.seeds() + " (mean ± sd over seeds)");
            out.print(table.render());
            out.println("results in " + Path.of("").toAbsolutePath().relativize(dir.toAbsolutePath())
                    + "/ (report.html, results.csv, results.json, results.md)");
            return 0;
        }
    }

    private static String join(List<Long> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }
}
