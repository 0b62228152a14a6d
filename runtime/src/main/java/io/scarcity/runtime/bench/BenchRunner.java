package io.scarcity.runtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.engine.InProcessEngine;
import io.scarcity.runtime.engine.RunObserver;
import io.scarcity.runtime.engine.RunResult;
import io.scarcity.runtime.engine.TaskEvaluation;
import io.scarcity.runtime.eval.ContinualMetrics;
import io.scarcity.runtime.eval.DriftRecovery;
import io.scarcity.runtime.eval.Kappa;
import io.scarcity.runtime.plugin.PluginRegistry;
import io.scarcity.runtime.report.HeapPeak;
import io.scarcity.runtime.report.MetricsWriter;
import io.scarcity.runtime.report.TaskMatrix;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Runs every method of a suite over every seed, one after the other in this JVM (so that timings and
 * memory are comparable), and measures each run. Every method gets the identical streams and
 * partitions for a seed: the data layer is seeded from the run seed and the domain alone.
 */
public final class BenchRunner {
    private final BenchSuite suite;
    private final Path suiteDir;
    private final PluginRegistry registry;
    private final PrintStream progress;

    public BenchRunner(BenchSuite suite, Path suiteDir, PluginRegistry registry, PrintStream progress) {
        this.suite = Objects.requireNonNull(suite, "suite is null");
        this.suiteDir = Objects.requireNonNull(suiteDir, "suiteDir is null");
        this.registry = Objects.requireNonNull(registry, "registry is null");
        this.progress = Objects.requireNonNull(progress, "progress is null");
    }

    /** The run config of a method with a seed, validated (so that a suite fails before anything runs). */
    public LoadedConfig configFor(BenchMethod method, long seed) {
        try {
            return bindMethod(method, seed);
        } catch (io.scarcity.api.ConfigException e) {
            throw new io.scarcity.api.ConfigException(e.path(), "in method '" + method.name() + "' of suite "
                    + suite.suite() + ": " + e.reason());
        }
    }

    private LoadedConfig bindMethod(BenchMethod method, long seed) {
        ObjectNode tree = suite.run().deepCopy();
        String origin = "methods[" + method.name() + "].set";
        for (Map.Entry<String, JsonNode> e : method.set().entrySet()) {
            ConfigLoader.set(tree, e.getKey(), e.getValue(), origin);
        }
        ConfigLoader.set(tree, "seed", LongNode.valueOf(seed), "seeds");
        ConfigLoader.set(tree, "output.progress", TextNode.valueOf("off"), "bench");
        ConfigLoader.set(tree, "name", TextNode.valueOf(suite.suite()), "bench");
        String mode = method.centralised() ? "local" : method.federation();
        ConfigLoader.set(tree, "federation.mode", TextNode.valueOf(mode), "bench");
        LoadedConfig bound = ConfigLoader.bindTree(tree, "suite " + suite.suite() + ", method " + method.name(), suiteDir);
        if (method.centralised() && tree.get("domains") instanceof ArrayNode domains) {
            // One learner per domain that gets every client's batches: the same rows per round, in stream order.
            boolean merged = method.cadence().equals("round");
            for (int i = 0; i < domains.size(); i++) {
                if (domains.get(i) instanceof ObjectNode domain) {
                    var d = bound.config().domains().get(i);
                    int perClient = d.batchesPerRound(bound.config().batchesPerRound());
                    domain.put("clients", 1);
                    domain.put("batchesPerRound", merged ? perClient : d.clients() * perClient);
                    domain.putObject("partition").put("type", "iid");
                }
            }
            if (merged) {
                mergeBatches(method, tree, bound);
            }
            bound = ConfigLoader.bindTree(tree, "suite " + suite.suite() + ", method " + method.name(), suiteDir);
        }
        return bound;
    }

    /**
     * Cadence {@code round}: each batch of the centralised learner is one step's batches of all the domain's clients
     * merged, {@code clients x batchSize} rows. The batch size is the run's, so every domain must have the same
     * number of clients.
     */
    private void mergeBatches(BenchMethod method, ObjectNode tree, LoadedConfig bound) {
        java.util.Set<Integer> clients = new java.util.TreeSet<>();
        for (var d : bound.config().domains()) {
            clients.add(d.clients());
        }
        if (clients.size() != 1) {
            throw new io.scarcity.api.ConfigException("methods[" + method.name() + "].cadence", "cadence round merges each"
                    + " step's batches of a domain's clients into one batch, and the batch size"
                    + " is the run's, so every domain needs the same number of clients (found " + clients
                    + "); use cadence batch");
        }
        ConfigLoader.set(tree, "batchSize", com.fasterxml.jackson.databind.node.IntNode.valueOf(
                clients.iterator().next() * bound.config().batchSize()), "bench");
    }

    /**
     * Runs everything.
     *
     * @param outDir where each run's metrics.jsonl goes ({@code <method>-seed<seed>/})
     */
    public List<MethodRun> runAll(Path outDir) {
        // Validate every method's config first (the seed changes no validity): a typo in the last
        // method must not cost the whole suite.
        for (BenchMethod m : suite.methods()) {
            try (InProcessEngine probe = new InProcessEngine(configFor(m, suite.seeds().get(0)), registry)) {
                probe.clients();
            }
        }
        List<MethodRun> runs = new ArrayList<>();
        int total = suite.methods().size() * suite.seeds().size();
        int done = 0;
        for (BenchMethod m : suite.methods()) {
            for (long seed : suite.seeds()) {
                done++;
                progress.printf(Locale.ROOT, "[%d/%d] %s, seed %d ... ", done, total, m.name(), seed);
                progress.flush();
                MethodRun r = runOne(m, seed, outDir.resolve(safe(m.name()) + "-seed" + seed));
                runs.add(r);
                progress.printf(Locale.ROOT, "%s  %,.0f rows/s%n", headline(r), r.rowsPerSecond());
            }
        }
        return runs;
    }

    private static String headline(MethodRun r) {
        if (!Double.isNaN(r.accuracy())) {
            return String.format(Locale.ROOT, "accuracy %.4f  kappa %.4f", r.accuracy(), r.kappa());
        }
        return String.format(Locale.ROOT, "RMSE %.4g", r.rmse());
    }

    static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]+", "_");
    }

    private MethodRun runOne(BenchMethod method, long seed, Path dir) {
        LoadedConfig config = configFor(method, seed);
        Collector collector = new Collector();
        RunResult result;
        System.gc();
        HeapPeak.reset();
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (InProcessEngine engine = new InProcessEngine(config, registry);
             MetricsWriter metrics = new MetricsWriter(dir.resolve("metrics.jsonl"))) {
            result = engine.run(new RunObserver() {
                @Override
                public void roundCompleted(int round, int totalRounds, List<ClientRoundResult> results, RoundExtras extras) {
                    metrics.roundCompleted(round, totalRounds, results, extras);
                    collector.roundCompleted(round, totalRounds, results, extras);
                }

                @Override
                public void tasksEvaluated(TaskEvaluation evaluation) {
                    collector.evaluations.add(evaluation);
                }
            });
        }
        double peakMb = HeapPeak.bytes() / 1048576.0;
        double seconds = result.elapsedNanos() / 1e9;
        double[] byRound = collector.accuracyByRound.stream().mapToDouble(Double::doubleValue).toArray();
        List<Double> recovery = new ArrayList<>();
        for (Map<Long, Integer> drifts : result.injectedDrifts().values()) {
            for (int round : drifts.values()) {
                recovery.add(DriftRecovery.rounds(byRound, round, suite.recoveryTolerance()));
            }
        }
        // Domains are averaged per segment when several run task streams with the same schedule.
        TaskMatrix tasks = TaskMatrix.of(collector.evaluations);
        double[][] matrix = tasks.accuracy();
        int[] taskOf = tasks.taskOf();
        ContinualMetrics cl = tasks.metrics();
        Map<String, Double> clientAcc = new LinkedHashMap<>();
        collector.clientRows.forEach((c, v) -> clientAcc.put(c, v[0] == 0 ? Double.NaN : v[1] / v[0]));
        double bytesPerClientRound = collector.clientRounds == 0 ? 0 : (double) collector.bytes / collector.clientRounds;
        List<Double> rowsToTarget = new ArrayList<>();
        for (var d : config.config().domains()) {
            for (int j = 0; j < d.clients(); j++) {
                if (d.joinsLate(j)) {
                    rowsToTarget.add(collector.rowsToTarget(d.name() + "-" + j, suite.coldStartTarget()));
                }
            }
        }
        return new MethodRun(method.name(), seed, result.rows(),
                collector.classRows == 0 ? Double.NaN : (double) collector.correct / collector.classRows,
                collector.confusion == null ? Double.NaN : Kappa.of(collector.confusion, collector.k),
                collector.regRows == 0 ? Double.NaN : Math.sqrt(collector.squaredErrors / collector.regRows),
                byRound, clientAcc,
                cl == null ? Double.NaN : cl.finalAccuracy(), cl == null ? Double.NaN : cl.backwardTransfer(),
                cl == null ? Double.NaN : cl.forgetting(), matrix, taskOf, recovery, bytesPerClientRound,
                seconds > 0 ? result.rows() / seconds : Double.NaN, peakMb, rowsToTarget,
                result.routing().computeSaved(), share(collector, suite.positiveClass(), true),
                share(collector, suite.positiveClass(), false));
    }

    /**
     * Precision ({@code ofPredicted}) or recall of class {@code positive} from the pooled confusion; NaN without a
     * positive class, a confusion, or a row predicted (precision) or labelled (recall) as it.
     */
    static double share(Collector collector, Integer positive, boolean ofPredicted) {
        if (positive == null || collector.confusion == null || positive >= collector.k) {
            return Double.NaN;
        }
        int k = collector.k;
        long hit = collector.confusion[positive * k + positive];
        long all = 0;
        for (int c = 0; c < k; c++) {
            all += ofPredicted ? collector.confusion[c * k + positive] : collector.confusion[positive * k + c];
        }
        return all == 0 ? Double.NaN : (double) hit / all;
    }

    /** Everything measured from the rounds' results. */
    private static final class Collector implements RunObserver {
        long classRows;
        long correct;
        long regRows;
        double squaredErrors;
        long[] confusion;
        int k;
        long bytes;
        long clientRounds;
        final List<Double> accuracyByRound = new ArrayList<>();
        final Map<String, double[]> clientRows = new LinkedHashMap<>();
        final List<TaskEvaluation> evaluations = new ArrayList<>();
        /** Per client: rows and accuracy of each round it learned in, in order. */
        final Map<String, List<double[]>> roundsByClient = new LinkedHashMap<>();

        double rowsToTarget(String client, double target) {
            long rows = 0;
            for (double[] r : roundsByClient.getOrDefault(client, List.of())) {
                rows += (long) r[0];
                if (r[1] >= target) {
                    return rows;
                }
            }
            return Double.NaN;
        }

        @Override
        public void roundCompleted(int round, int totalRounds, List<ClientRoundResult> results, RoundExtras extras) {
            long rr = 0;
            long rc = 0;
            for (int i = 0; i < results.size(); i++) {
                ClientRoundResult r = results.get(i);
                bytes += extras.bytesSent()[i];
                clientRounds++;
                if (r.classification() && r.scored() > 0) {
                    roundsByClient.computeIfAbsent(r.clientId(), x -> new ArrayList<>())
                            .add(new double[] {r.rows(), (double) r.correct() / r.scored()});
                }
                if (r.classification()) {
                    rr += r.scored();
                    rc += r.correct();
                    double[] c = clientRows.computeIfAbsent(r.clientId(), x -> new double[2]);
                    c[0] += r.scored();
                    c[1] += r.correct();
                    if (r.confusion() != null) {
                        if (confusion == null) {
                            k = (int) Math.round(Math.sqrt(r.confusion().length));
                            confusion = new long[r.confusion().length];
                        }
                        if (r.confusion().length == confusion.length) {
                            Kappa.add(confusion, r.confusion());
                        }
                    }
                } else {
                    regRows += r.scored();
                    squaredErrors += r.lossSum();
                }
            }
            classRows += rr;
            correct += rc;
            accuracyByRound.add(rr == 0 ? Double.NaN : (double) rc / rr);
        }
    }
}
