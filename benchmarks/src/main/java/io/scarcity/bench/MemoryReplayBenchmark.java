package io.scarcity.bench;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.Memory;
import io.scarcity.api.MemoryFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
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
 * Rows per second through the hierarchical memory as the client uses it: {@code observe} of a batch of 50
 * labelled rows, then {@code replay} of 50 rows (the runtime's {@code replayRows}), on 100 batches of
 * Gaussian rows with 5 skewed classes, replayed invocation after invocation (the tiers stay full). One
 * operation is one observed row, so the score compares directly with
 * {@code ClientPipelineBenchmark.expertAlone} (the statistical expert's predict + learn, rows/s) run in
 * the same invocation as the baseline; the memory's cost per round is rows per round / score.
 * {@code policy}: {@code default} (reservoir, drift promotion, prototypes, uniform replay) or
 * {@code class-balanced} (class-balanced episodic tier and replay, promotion by drift and importance).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class MemoryReplayBenchmark {
    static final int BATCHES = 100;
    static final int BATCH_ROWS = 50;
    static final int REPLAY_ROWS = 50;
    static final int ROWS = BATCHES * BATCH_ROWS;

    @Param({"10", "64"})
    public int features;

    @Param({"default", "class-balanced"})
    public String policy;

    private Memory memory;
    private List<Batch> batches;
    private final SignalBoard signals = new InMemorySignalBoard();

    @Setup
    public void setUp() {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            names.add("f" + j);
        }
        DataSchema schema = new DataSchema(names, Task.CLASSIFICATION, List.of("a", "b", "c", "d", "e"));
        Random random = new Random(3);
        batches = new ArrayList<>(BATCHES);
        for (int b = 0; b < BATCHES; b++) {
            double[] x = new double[BATCH_ROWS * features];
            int[] y = new int[BATCH_ROWS];
            for (int r = 0; r < BATCH_ROWS; r++) {
                double u = random.nextDouble();
                y[r] = u < 0.5 ? 0 : u < 0.75 ? 1 : u < 0.9 ? 2 : u < 0.97 ? 3 : 4;
                for (int j = 0; j < features; j++) {
                    x[r * features + j] = random.nextGaussian() + y[r];
                }
            }
            batches.add(Batch.ofClasses(schema, "bench", (long) b * BATCH_ROWS, x, y));
        }
        MemoryFactory factory = ServiceLoader.load(MemoryFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("hierarchical")).findFirst().orElseThrow();
        Map<String, Object> config = policy.equals("default") ? Map.of()
                : Map.of("episodicPolicy", "class-balanced", "replayPolicy", "class-balanced", "promotion", "both");
        memory = factory.create(PluginConfig.of("memory.config", config), PluginContext.standalone(1, schema, "hierarchical"));
        signals.publish(StandardSignals.DRIFT_DETECTED, 0);
        signals.publish(StandardSignals.MIXTURE_LOSS, 0.2);
        for (Batch b : batches) {
            memory.observe(b, signals);
        }
    }

    /** What the client does after each batch when {@code replayRows} is 50. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int observeAndReplay() {
        int s = 0;
        for (int i = 0; i < BATCHES; i++) {
            memory.observe(batches.get(i), signals);
            s += memory.replay(REPLAY_ROWS).orElseThrow().rows();
        }
        return s;
    }

    /** The part of it that {@code replayRows: 0} still pays. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long observeOnly() {
        for (int i = 0; i < BATCHES; i++) {
            memory.observe(batches.get(i), signals);
        }
        return memory.stats().bytes();
    }
}
