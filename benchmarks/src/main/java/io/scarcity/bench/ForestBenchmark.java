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
 * Rows per second of the {@code forest} expert against MOA's Adaptive Random Forest with the same number of
 * trees ({@code moa-arf}, 10), each alone, predict then learn (one operation = one row), single-threaded, on
 * the same batches: the experts without the harness around them, which the bench suites' rows/s include.
 * Two streams of 10,000 rows in batches of 50, passed over again and again (the ensembles keep learning):
 * {@code sea}, three uniform features on [0, 10], class 1 iff f1 + f2 <= 8, 10% label noise; and
 * {@code sensors}, two Gaussian features (a humidity and a temperature) with 1% anomalies in a narrow range
 * of both, as the sensor motes. Both experts are warmed up over the whole stream twice before measuring.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Threads(1)
public class ForestBenchmark {
    static final int BATCHES = 200;
    static final int BATCH_ROWS = 50;
    static final int ROWS = BATCHES * BATCH_ROWS;

    @Param({"sea", "sensors"})
    public String data;

    private PluginRegistry registry;
    private Expert forest;
    private Expert paperForest;
    private Expert arf;
    private final List<Batch> batches = new ArrayList<>();
    private final SignalBoard signals = new InMemorySignalBoard();

    @Setup
    public void setUp() {
        registry = PluginRegistry.load(null, getClass().getClassLoader());
        boolean sea = data.equals("sea");
        int features = sea ? 3 : 2;
        List<String> names = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            names.add("f" + j);
        }
        DataSchema schema = new DataSchema(names, Task.CLASSIFICATION, List.of("0", "1"));
        Random random = new Random(11);
        for (int b = 0; b < BATCHES; b++) {
            double[] x = new double[BATCH_ROWS * features];
            int[] y = new int[BATCH_ROWS];
            for (int r = 0; r < BATCH_ROWS; r++) {
                int o = r * features;
                if (sea) {
                    for (int j = 0; j < features; j++) {
                        x[o + j] = 10 * random.nextDouble();
                    }
                    y[r] = x[o] + x[o + 1] <= 8 ? 1 : 0;
                    if (random.nextDouble() < 0.1) {
                        y[r] = 1 - y[r];
                    }
                } else if (random.nextDouble() < 0.01) {
                    x[o] = 60 + 2 * random.nextDouble();
                    x[o + 1] = 10 + random.nextDouble();
                    y[r] = 1;
                } else {
                    x[o] = 40 + 5 * random.nextGaussian();
                    x[o + 1] = 25 + 3 * random.nextGaussian();
                }
            }
            batches.add(Batch.ofClasses(schema, "d", (long) b * BATCH_ROWS, x, y));
        }
        forest = create("forest", schema, PluginConfig.empty());
        paperForest = create("forest", schema, PluginConfig.of("bench", Map.of("sharedBayes", false)));
        arf = create("moa-arf", schema, PluginConfig.empty());
        for (int i = 0; i < 2; i++) {
            pass(forest);
            pass(paperForest);
            pass(arf);
        }
    }

    private Expert create(String plugin, DataSchema schema, PluginConfig config) {
        ExpertFactory f = (ExpertFactory) registry.require(PluginKind.EXPERT, plugin, "bench").factory();
        return f.create(config, PluginContext.standalone(1, schema, plugin));
    }

    @TearDown
    public void tearDown() {
        registry.close();
    }

    private double pass(Expert expert) {
        double s = 0;
        for (Batch b : batches) {
            Prediction p = expert.predict(b, signals);
            expert.learn(b, new BatchOutcome(p, new double[b.rows()], 1), signals);
            s += p.probability(0, 0);
        }
        return s;
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double forest() {
        return pass(forest);
    }

    /** The forest without its naive Bayes over every feature ({@code sharedBayes: false}, the paper's forest). */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double forestWithoutNaiveBayes() {
        return pass(paperForest);
    }

    /** Baseline: MOA's Adaptive Random Forest with the same 10 trees, on the same batches. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double moaArf() {
        return pass(arf);
    }
}
