package io.scarcity.bench;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.Task;
import io.scarcity.plugins.temporal.TemporalExpertFactory;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rows per second of the temporal expert (an LSTM over a window of recent rows) alone at its defaults
 * (window 8, hidden 16, one layer, Adam), on consecutive batches of 50 rows of a two-class stream whose
 * label depends on earlier rows, single-threaded, with its products on ND4J ({@code backend=nd4j}: the
 * whole-batch products of at least 32,768 multiply-adds) or all in plain Java ({@code backend=java}), for 2
 * and 10 features. {@code testThenTrain} is what the runtime does with an active expert: {@code predict}
 * (one forward pass over all rows x window steps) then {@code learn} (which reuses that pass: one backward
 * pass, clipping, one Adam update, the forecast-error signal); {@code learn} the training step alone (with its
 * own forward pass); {@code predict} the test step alone. The target is 20,000 rows/s of
 * training on one core: run it pinned, e.g. {@code OMP_NUM_THREADS=1 taskset -c 0 java -jar
 * benchmarks/target/benchmarks.jar TemporalExpertBenchmark}. Scores are rows/s (one operation = one row);
 * every invocation runs over the same 100 pre-generated batches (the expert keeps learning).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class TemporalExpertBenchmark {
    static final int BATCHES = 100;
    static final int BATCH_ROWS = 50;
    static final int ROWS = BATCHES * BATCH_ROWS;

    @Param({"nd4j", "java"})
    public String backend;

    @Param({"2", "10"})
    public int features;

    private Expert expert;
    private List<Batch> batches;
    private BatchOutcome[] outcomes;
    private final SignalBoard signals = new InMemorySignalBoard();

    @Setup
    public void setUp() {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            names.add("f" + j);
        }
        DataSchema schema = new DataSchema(names, Task.CLASSIFICATION, List.of("neg", "pos"));
        Random random = new Random(7);
        double[] first = new double[ROWS];
        batches = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            double[] x = new double[BATCH_ROWS * features];
            int[] y = new int[BATCH_ROWS];
            for (int r = 0; r < BATCH_ROWS; r++) {
                int row = b * BATCH_ROWS + r;
                for (int j = 0; j < features; j++) {
                    x[r * features + j] = random.nextGaussian();
                }
                first[row] = x[r * features];
                y[r] = row >= 3 && first[row - 3] > 0 ? 1 : 0;
            }
            batches.add(Batch.ofClasses(schema, "bench", (long) b * BATCH_ROWS, x, y));
        }
        expert = new TemporalExpertFactory().create(PluginConfig.of("experts[0].config", Map.of("backend", backend)),
                PluginContext.standalone(1, schema, "temporal"));
        outcomes = new BatchOutcome[BATCHES];
        for (int i = 0; i < BATCHES; i++) {
            Batch b = batches.get(i);
            Prediction p = expert.predict(b, signals);
            outcomes[i] = new BatchOutcome(p, new double[b.rows()], 1);
            expert.learn(b, outcomes[i], signals);
        }
    }

    /** Test-then-train on 100 consecutive batches of 50 rows: predict, then learn from the same forward pass. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double testThenTrain() {
        double s = 0;
        for (int i = 0; i < BATCHES; i++) {
            Batch b = batches.get(i);
            s += expert.predict(b, signals).probability(0, 0);
            expert.learn(b, outcomes[i], signals);
        }
        return s + signals.get("temporal.forecast-error", 0.0);
    }

    /** The training step alone (its own forward pass, backward pass, clipping, Adam update, signal) on the same batches. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double learn() {
        for (int i = 0; i < BATCHES; i++) {
            expert.learn(batches.get(i), outcomes[i], signals);
        }
        return signals.get("temporal.forecast-error", 0.0);
    }

    /** The test step alone (one forward pass) on the same batches. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double predict() {
        double s = 0;
        for (int i = 0; i < BATCHES; i++) {
            s += expert.predict(batches.get(i), signals).probability(0, 0);
        }
        return s;
    }
}
