package io.scarcity.bench;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.RowFilter;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.Task;
import io.scarcity.plugins.governance.GovernanceExpertFactory;
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
 * Rows per second of the governance expert (declarative constraints, a {@code RowFilter}) with 8 rules
 * on 10 features, single-threaded: two ranges, {@code required} over all 10 features, allowed values of a
 * categorical feature (5 codes), allowed classes, and three comparisons (two between features, one with a
 * constant). {@code violations} is the share of rows made to break one rule (picked at random), so that
 * {@code 0.02} exercises counting and the windows, {@code 0} the clean path. {@code admitAndLearn} is
 * what the client does with the expert on each batch ({@code admit}, then {@code learn} on the batch);
 * {@code admitAndSelect} adds the client's removal of the rejected rows ({@code Batch.select}). The issue's
 * target is 500,000 rows/s on one core; compare with {@code ClientPipelineBenchmark.expertAlone} (the
 * statistical expert's predict + learn) measured in the same run:
 * {@code java -jar benchmarks/target/benchmarks.jar "GovernanceExpertBenchmark|ClientPipelineBenchmark.expertAlone"}.
 * Scores are rows/s (one operation = one row); every invocation runs over the same 100 pre-generated
 * batches of 100 rows.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class GovernanceExpertBenchmark {
    static final int BATCHES = 100;
    static final int BATCH_ROWS = 100;
    static final int ROWS = BATCHES * BATCH_ROWS;
    static final int FEATURES = 10;

    @Param({"0.02", "0"})
    public double violations;

    private Expert expert;
    private RowFilter filter;
    private List<Batch> batches;
    private BatchOutcome[] outcomes;
    private final SignalBoard signals = new InMemorySignalBoard();

    @Setup
    public void setUp() {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < FEATURES; j++) {
            names.add("f" + j);
        }
        DataSchema schema = new DataSchema(names, Task.CLASSIFICATION, List.of("ok", "warn", "bad"));
        Random random = new Random(11);
        batches = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            double[] x = new double[BATCH_ROWS * FEATURES];
            int[] y = new int[BATCH_ROWS];
            for (int r = 0; r < BATCH_ROWS; r++) {
                int o = r * FEATURES;
                for (int j = 0; j < FEATURES; j++) {
                    x[o + j] = random.nextDouble() * 10; // in [0, 10)
                }
                x[o + 2] = random.nextInt(5);                 // a category coded 0..4
                x[o + 4] = x[o + 3] + random.nextDouble();    // f3 <= f4
                x[o + 6] = x[o + 5] - random.nextDouble();    // f5 >= f6
                y[r] = random.nextInt(2);                     // ok or warn
                if (random.nextDouble() < violations) {
                    switch (random.nextInt(8)) {
                        case 0 -> x[o] = -1;
                        case 1 -> x[o + 1] = 12;
                        case 2 -> x[o + 7] = Double.NaN;
                        case 3 -> x[o + 2] = 7;
                        case 4 -> y[r] = 2;
                        case 5 -> x[o + 4] = x[o + 3] - 1;
                        case 6 -> x[o + 6] = x[o + 5] + 1;
                        default -> x[o + 8] = 11;
                    }
                }
            }
            batches.add(Batch.ofClasses(schema, "bench", (long) b * BATCH_ROWS, x, y));
        }
        List<Map<String, Object>> rules = List.of(
                Map.of("type", "range", "feature", "f0", "min", 0, "max", 10),
                Map.of("type", "range", "feature", "f1", "min", 0, "max", 10),
                Map.of("type", "required", "features", names),
                Map.of("type", "allowed", "feature", "f2", "values", List.of(0, 1, 2, 3, 4)),
                Map.of("type", "allowed", "label", List.of("ok", "warn")),
                Map.of("type", "compare", "left", "f3", "op", "<=", "right", "f4"),
                Map.of("type", "compare", "left", "f5", "op", ">=", "right", "f6"),
                Map.of("type", "compare", "left", "f8", "op", "<", "value", 10));
        expert = new GovernanceExpertFactory().create(PluginConfig.of("experts[0].config",
                        Map.of("rules", rules, "maxViolationRate", 0.1)), PluginContext.standalone(1, schema, "governance"));
        filter = (RowFilter) expert;
        outcomes = new BatchOutcome[BATCHES];
        for (int i = 0; i < BATCHES; i++) {
            outcomes[i] = new BatchOutcome(null, new double[BATCH_ROWS], 1);
        }
    }

    /** What the client calls on the expert per batch: admit, then learn. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int admitAndLearn() {
        int admitted = 0;
        for (int i = 0; i < BATCHES; i++) {
            Batch b = batches.get(i);
            boolean[] keep = filter.admit(b, signals);
            admitted += keep == null ? b.rows() : count(keep);
            expert.learn(b, outcomes[i], signals);
        }
        return admitted;
    }

    /** Admit plus the client's removal of the rejected rows (a copy of the admitted ones). */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int admitAndSelect() {
        int admitted = 0;
        for (int i = 0; i < BATCHES; i++) {
            Batch b = batches.get(i);
            boolean[] keep = filter.admit(b, signals);
            admitted += keep == null ? b.rows() : b.select(keep).rows();
        }
        return admitted;
    }

    private static int count(boolean[] keep) {
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        return n;
    }
}
