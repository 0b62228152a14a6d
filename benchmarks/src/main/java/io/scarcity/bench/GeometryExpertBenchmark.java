package io.scarcity.bench;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.plugins.geometry.GeometryExpertFactory;
import java.util.List;
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
 * Rows per second of the geometry expert alone at its defaults (k = 4 components, 4 oversampled), on
 * batches of 50 rows of 10-class data with a low-rank structure (6 latent directions plus isotropic
 * noise), single-threaded, for 64 features (the digits' width) and 784 (MNIST's). {@code learn} is the
 * training step (standardisation, projection, residual signals, learner, one block power step, history,
 * importance); {@code predict} the test step. Scores are rows/s (one operation = one row); every
 * invocation runs over the same 100 pre-generated batches.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class GeometryExpertBenchmark {
    static final int BATCHES = 100;
    static final int BATCH_ROWS = 50;
    static final int ROWS = BATCHES * BATCH_ROWS;

    @Param({"64", "784"})
    public int features;

    private Expert expert;
    private List<Batch> batches;
    private BatchOutcome[] outcomes;
    private final SignalBoard signals = new InMemorySignalBoard();

    @Setup
    public void setUp() {
        DataSchema schema = ExpertBatches.schema(features);
        batches = ExpertBatches.lowRank(schema, BATCHES, BATCH_ROWS, 7);
        expert = new GeometryExpertFactory().create(PluginConfig.empty(), PluginContext.standalone(1, schema, "geometry"));
        outcomes = ExpertBatches.warmUp(expert, batches, signals);
    }

    /** The training step on 100 batches of 50 rows. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double learn() {
        for (int i = 0; i < BATCHES; i++) {
            expert.learn(batches.get(i), outcomes[i], signals);
        }
        return signals.get("geometry.residual", 0.0);
    }

    /** The test step on the same batches. */
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
