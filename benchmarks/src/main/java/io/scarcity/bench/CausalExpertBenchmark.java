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
import io.scarcity.plugins.causal.CausalExpertFactory;
import java.util.ArrayList;
import java.util.List;
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
 * Rows per second of the causal expert alone at its defaults (a PC search every 10 batches, conditioning
 * sets up to 3, majority-rule orientation), single-threaded, on batches of 50 rows of a random
 * linear-Gaussian model (expected degree 2) with 10 and 20 features plus the regression target.
 * {@code learn} is the amortised training step: the covariance update of every row plus one full search
 * per 10 batches (10 searches per invocation); {@code predict} the test step (blanket regression). Scores
 * are rows/s (one operation = one row); every invocation runs over the same 100 pre-generated batches.
 * Compare with {@code ClientPipelineBenchmark.expertAlone} (the statistical expert) run alongside:
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar "CausalExpertBenchmark|ClientPipelineBenchmark.expertAlone" -wi 2 -i 3 -w 2s -r 2s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class CausalExpertBenchmark {
    static final int BATCHES = 100;
    static final int BATCH_ROWS = 50;
    static final int ROWS = BATCHES * BATCH_ROWS;

    @Param({"10", "20"})
    public int features;

    private Expert expert;
    private List<Batch> batches;
    private BatchOutcome[] outcomes;
    private final SignalBoard signals = new InMemorySignalBoard();

    @Setup
    public void setUp() {
        DataSchema schema = CausalDiscoveryBench.schema(features);
        // the first seeded model whose target has at least 3 nodes in its Markov blanket, so that predict
        // measures a real regression and not the prior mean
        Random random = new Random(7);
        CausalDiscoveryBench.Sem sem = CausalDiscoveryBench.Sem.random(features + 1, random);
        while (sem.cpdag().markovBlanket(features).length < 3) {
            sem = CausalDiscoveryBench.Sem.random(features + 1, random);
        }
        batches = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            batches.add(sem.batch(schema, random, BATCH_ROWS, (long) b * BATCH_ROWS));
        }
        expert = new CausalExpertFactory().create(PluginConfig.empty(), PluginContext.standalone(1, schema, "causal"));
        outcomes = new BatchOutcome[BATCHES];
        for (int i = 0; i < BATCHES; i++) {
            Prediction p = expert.predict(batches.get(i), signals);
            outcomes[i] = new BatchOutcome(p, new double[BATCH_ROWS], 1);
            expert.learn(batches.get(i), outcomes[i], signals);
        }
        if (signals.get("causal.blanket-size", 0.0) < 3) {
            throw new IllegalStateException("the expert found a blanket of " + signals.get("causal.blanket-size", 0.0)
                    + " features only; predict would measure the prior");
        }
    }

    /** The training step on 100 batches of 50 rows, 10 searches among them; returns the blanket's size. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double learn() {
        for (int i = 0; i < BATCHES; i++) {
            expert.learn(batches.get(i), outcomes[i], signals);
        }
        return signals.get("causal.blanket-size", 0.0);
    }

    /** The test step on the same batches. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double predict() {
        double s = 0;
        for (int i = 0; i < BATCHES; i++) {
            s += expert.predict(batches.get(i), signals).value(0);
        }
        return s;
    }
}
