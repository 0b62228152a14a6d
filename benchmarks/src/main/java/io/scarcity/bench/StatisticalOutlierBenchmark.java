package io.scarcity.bench;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.PluginKind;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.Task;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rows per second of the statistical expert, predict then learn (one operation = one row), single-threaded,
 * on 10,000 rows in batches of {@code batchRows} rows of two Gaussian classes whose features are pairwise correlated
 * (0.8) and of which 1% carry a gross outlier (+20 on one feature): {@code outliersOn}, everything on
 * (robust z-scores, Mahalanobis distance from the running covariance, full up to 64 features, refreshed per
 * batch, and {@code outlierWeighting: huber}), against {@code outliersOff} ({@code mahalanobis: false}, and
 * no down-weighting: the robust z-score signal alone, the expert before the outlier work) in the same run.
 * The defaults ({@code mahalanobis: true}, no down-weighting) cost about what {@code outliersOn} does: the
 * weighting itself is a few operations per row.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class StatisticalOutlierBenchmark {
    static final int ROWS = 10_000;

    @Param({"10", "64"})
    public int features;

    /** The quickstart's batch size and a larger one: the covariance's Cholesky factor is refreshed once per batch. */
    @Param({"50", "200"})
    public int batchRows;

    private PluginRegistry registry;
    private Expert on;
    private Expert off;
    private final List<Batch> batches = new ArrayList<>();
    private BatchOutcome[] outcomes;
    private int count;
    private final SignalBoard signals = new InMemorySignalBoard();

    @Setup
    public void setUp() {
        registry = PluginRegistry.load(null, getClass().getClassLoader());
        List<String> names = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            names.add("x" + j);
        }
        DataSchema schema = new DataSchema(names, Task.CLASSIFICATION, List.of("a", "b"));
        Random random = new Random(11);
        count = ROWS / batchRows;
        outcomes = new BatchOutcome[count];
        for (int b = 0; b < count; b++) {
            double[] x = new double[batchRows * features];
            int[] y = new int[batchRows];
            double[] losses = new double[batchRows];
            for (int r = 0; r < batchRows; r++) {
                y[r] = random.nextInt(2);
                double common = random.nextGaussian();
                for (int j = 0; j < features; j++) {
                    x[r * features + j] = Math.sqrt(0.8) * common + Math.sqrt(0.2) * random.nextGaussian() + y[r];
                }
                if (random.nextDouble() < 0.01) {
                    x[r * features + random.nextInt(features)] += 20;
                }
                losses[r] = random.nextDouble() < 0.1 ? 1 : 0;
            }
            batches.add(Batch.ofClasses(schema, "d", (long) b * batchRows, x, y));
            outcomes[b] = new BatchOutcome(null, losses, 1);
        }
        on = statistical(schema, Map.of("outlierWeighting", "huber"));
        off = statistical(schema, Map.of("mahalanobis", false, "outlierWeighting", "off"));
        // Past every warm-up (64 features: 640 rows for the full covariance) before measuring.
        run(on);
        run(off);
    }

    private Expert statistical(DataSchema schema, Map<String, ?> config) {
        ExpertFactory f = (ExpertFactory) registry.require(PluginKind.EXPERT, "statistical", "bench").factory();
        return f.create(PluginConfig.of("statistical", config), PluginContext.standalone(1, schema, "statistical"));
    }

    @TearDown
    public void tearDown() {
        registry.close();
    }

    private double run(Expert expert) {
        double s = 0;
        for (int i = 0; i < count; i++) {
            Batch b = batches.get(i);
            Prediction p = expert.predict(b, signals);
            expert.learn(b, outcomes[i], signals);
            s += p.probability(0, 0);
        }
        return s + signals.get("statistical.outlier-rate", 0);
    }

    /** Robust z, Mahalanobis (full covariance up to 64 features), Huber down-weighting. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double outliersOn() {
        return run(on);
    }

    /** Baseline: robust z-score signal only, no Mahalanobis, no down-weighting. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double outliersOff() {
        return run(off);
    }
}
