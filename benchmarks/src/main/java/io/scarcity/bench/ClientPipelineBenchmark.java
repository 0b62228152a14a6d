package io.scarcity.bench;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.PluginKind;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.runtime.client.ClientNode;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.engine.Assembly;
import io.scarcity.runtime.plugin.PluginRegistry;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rows per second through one client's whole pipeline (router, statistical expert test-then-train,
 * memory, signals, accounting) on SEA, single-threaded, against the baseline of the statistical expert
 * alone (predict + learn, no runtime around it) on the same batches in the same run, and against MOA's
 * Hoeffding Tree alone ({@code moa-ht} with MOA's defaults, predict + learn) on the same batches, so
 * that Scarcity's expert and MOA's tree are measured side by side. Scores are rows/s (one operation =
 * one row). Every benchmark keeps learning from the same 100 batches, invocation after invocation.
 * {@code calibration} switches the mixture's temperature calibration (the default) on and off; it only
 * concerns {@code clientPipeline}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class ClientPipelineBenchmark {
    static final int BATCHES = 100;
    static final int BATCH_ROWS = 100;
    static final int ROWS = BATCHES * BATCH_ROWS;

    /** {@code mixture.calibration}: the cost of tempering each active expert's probabilities. */
    @Param({"temperature", "none"})
    public String calibration;

    private PluginRegistry registry;
    private ClientNode client;
    private Expert expert;
    private Expert moaTree;
    private List<Batch> batches;
    private BatchOutcome[] outcomes;
    private final SignalBoard signals = new InMemorySignalBoard();
    private int round;

    @Setup
    public void setUp() {
        registry = PluginRegistry.load(null, getClass().getClassLoader());
        LoadedConfig config = LightClient.config(1, 1, List.of("mixture.calibration=" + calibration));
        batches = LightClient.batches(BATCHES, BATCH_ROWS, 7);
        client = new Assembly(config.config(), registry).client("bench-0", "sea", batches.get(0).schema());
        ExpertFactory f = (ExpertFactory) registry.require(PluginKind.EXPERT, "statistical", "bench").factory();
        expert = f.create(PluginConfig.empty(), PluginContext.standalone(1, batches.get(0).schema(), "statistical"));
        ExpertFactory moa = (ExpertFactory) registry.require(PluginKind.EXPERT, "moa-ht", "bench").factory();
        moaTree = moa.create(PluginConfig.empty(), PluginContext.standalone(1, batches.get(0).schema(), "moa-ht"));
        outcomes = new BatchOutcome[BATCHES];
        for (int i = 0; i < BATCHES; i++) {
            Batch b = batches.get(i);
            outcomes[i] = new BatchOutcome(expert.predict(b, signals), new double[b.rows()], 1);
        }
    }

    @TearDown
    public void tearDown() {
        registry.close();
    }

    /** The whole client pipeline, as the engine runs it for one round of 100 batches. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public Object clientPipeline() {
        return client.runRound(++round, batches);
    }

    /** Baseline: the statistical expert alone, predict then learn, on the same batches. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double expertAlone() {
        double s = 0;
        for (int i = 0; i < BATCHES; i++) {
            Batch b = batches.get(i);
            Prediction p = expert.predict(b, signals);
            expert.learn(b, outcomes[i], signals);
            s += p.probability(0, 0);
        }
        return s;
    }

    /** Baseline: MOA's Hoeffding Tree as an expert, predict then learn, on the same batches. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double moaHoeffdingTreeAlone() {
        double s = 0;
        for (int i = 0; i < BATCHES; i++) {
            Batch b = batches.get(i);
            Prediction p = moaTree.predict(b, signals);
            moaTree.learn(b, outcomes[i], signals);
            s += p.probability(0, 0);
        }
        return s;
    }
}
