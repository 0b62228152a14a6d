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
 * Rows per second of the drift expert's {@code learn} (one operation = one row), single-threaded, with 2
 * and 64 Gaussian features, 100 batches of 100 rows and Bernoulli(0.1) losses: each loss detector alone
 * (feature drift off, the default), and Page-Hinkley with feature drift on (defaults: reference 1,000
 * rows, recent 500, 10 bins; the windows are full after warm-up, so every batch is checked). Baseline in
 * the same run: the statistical expert alone, predict then learn, on the same batches (as
 * {@code ClientPipelineBenchmark.expertAlone}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class DriftExpertBenchmark {
    static final int BATCHES = 100;
    static final int BATCH_ROWS = 100;
    static final int ROWS = BATCHES * BATCH_ROWS;

    @Param({"2", "64"})
    public int features;

    private PluginRegistry registry;
    private Expert pageHinkley;
    private Expert adwin;
    private Expert ddm;
    private Expert featureDrift;
    private Expert statistical;
    private final List<Batch> batches = new ArrayList<>();
    private BatchOutcome[] outcomes;
    private final SignalBoard signals = new InMemorySignalBoard();

    @Setup
    public void setUp() {
        registry = PluginRegistry.load(null, getClass().getClassLoader());
        List<String> names = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            names.add("x" + j);
        }
        DataSchema schema = new DataSchema(names, Task.CLASSIFICATION, List.of("a", "b"));
        Random random = new Random(7);
        outcomes = new BatchOutcome[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            double[] x = new double[BATCH_ROWS * features];
            int[] y = new int[BATCH_ROWS];
            double[] losses = new double[BATCH_ROWS];
            for (int r = 0; r < BATCH_ROWS; r++) {
                y[r] = random.nextInt(2);
                for (int j = 0; j < features; j++) {
                    x[r * features + j] = random.nextGaussian() + y[r];
                }
                losses[r] = random.nextDouble() < 0.1 ? 1 : 0;
            }
            batches.add(Batch.ofClasses(schema, "d", (long) b * BATCH_ROWS, x, y));
            outcomes[b] = new BatchOutcome(null, losses, 1);
        }
        pageHinkley = drift(schema, Map.of());
        adwin = drift(schema, Map.of("detector", "adwin"));
        ddm = drift(schema, Map.of("detector", "ddm"));
        featureDrift = drift(schema, Map.of("featureDrift", true));
        ExpertFactory f = (ExpertFactory) registry.require(PluginKind.EXPERT, "statistical", "bench").factory();
        statistical = f.create(PluginConfig.empty(), PluginContext.standalone(1, schema, "statistical"));
        for (int i = 0; i < 3; i++) {
            run(featureDrift);   // fill the windows so that the measurement checks every batch
        }
    }

    private Expert drift(DataSchema schema, Map<String, ?> config) {
        ExpertFactory f = (ExpertFactory) registry.require(PluginKind.EXPERT, "drift", "bench").factory();
        return f.create(PluginConfig.of("drift", config), PluginContext.standalone(1, schema, "drift"));
    }

    @TearDown
    public void tearDown() {
        registry.close();
    }

    private double run(Expert expert) {
        for (int i = 0; i < BATCHES; i++) {
            expert.learn(batches.get(i), outcomes[i], signals);
        }
        return signals.get("drift.score", 0);
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double pageHinkley() {
        return run(pageHinkley);
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double adwin() {
        return run(adwin);
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double ddm() {
        return run(ddm);
    }

    /** Page-Hinkley and per-feature KL drift. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double pageHinkleyWithFeatureDrift() {
        run(featureDrift);
        return signals.get("drift.kl", 0);
    }

    /** Baseline: the statistical expert alone, predict then learn, on the same batches. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double statisticalBaseline() {
        double s = 0;
        for (int i = 0; i < BATCHES; i++) {
            Batch b = batches.get(i);
            Prediction p = statistical.predict(b, signals);
            statistical.learn(b, outcomes[i], signals);
            s += p.probability(0, 0);
        }
        return s;
    }
}
