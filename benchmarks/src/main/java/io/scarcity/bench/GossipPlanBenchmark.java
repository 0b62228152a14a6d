package io.scarcity.bench;

import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.Peer;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.plugins.domaingossip.DomainGossipFactory;
import io.scarcity.plugins.randompairs.RandomPairsFactory;
import io.scarcity.plugins.similaritygossip.SimilarityGossipFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The gossip overhead on the coordinator's side of a round: one {@link GossipStrategy#plan} over 100 and 1000
 * live peers, for {@code random-pairs} (the baseline: a shuffle, O(n)), {@code domain} (round-robin within 4
 * domains: a sort per domain, O(n log n)) and {@code similarity} (standardised signatures, all pairwise
 * distances and a sort of the pairs: O(n^2 m + n^2 log n), m the signature length). Peers carry what a client's
 * board holds with the peer-selection expert at its defaults on a 10-class task: 26 signature coordinates
 * ({@code peer.sig.0..25}) plus {@code peer.dims}, {@code peer.rows} and a few signals of other experts; the
 * signatures come from 8 clusters so that the matching has structure to find. Plans run on the same peers every
 * round (the strategies keep no per-peer state, so that is a fair steady state). Not measured: the exchange of
 * states itself, which costs the same whatever the strategy for the same number of pairs.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.scarcity.bench.GossipPlanBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Threads(1)
public class GossipPlanBenchmark {
    static final int SIGNATURE = 26;
    static final int DOMAINS = 4;
    static final int CLUSTERS = 8;

    @Param({"100", "1000"})
    public int peers;

    @Param({"random-pairs", "domain", "similarity"})
    public String strategy;

    private GossipStrategy gossip;
    private List<Peer> population;
    private int round;

    @Setup(Level.Trial)
    public void setUp() {
        PluginContext context = PluginContext.standalone(7, null, strategy);
        gossip = switch (strategy) {
            case "random-pairs" -> new RandomPairsFactory().create(PluginConfig.empty(), context);
            case "domain" -> new DomainGossipFactory().create(PluginConfig.empty(), context);
            case "similarity" -> new SimilarityGossipFactory().create(PluginConfig.empty(), context);
            default -> throw new IllegalArgumentException("unknown strategy " + strategy);
        };
        population = population(peers, new Random(11));
        round = 0;
    }

    static List<Peer> population(int n, Random random) {
        double[][] centres = new double[CLUSTERS][SIGNATURE];
        for (double[] c : centres) {
            for (int i = 0; i < SIGNATURE; i++) {
                c[i] = random.nextGaussian() * 3;
            }
        }
        List<Peer> out = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            double[] centre = centres[random.nextInt(CLUSTERS)];
            Map<String, Double> signals = new TreeMap<>();
            for (int i = 0; i < SIGNATURE; i++) {
                signals.put("peer.sig." + i, centre[i] + random.nextGaussian());
            }
            signals.put("peer.dims", (double) SIGNATURE);
            signals.put("peer.rows", 100.0 + p);
            signals.put("mixture.accuracy", random.nextDouble());
            signals.put("mixture.loss", random.nextDouble());
            signals.put("statistical.outlier-rate", 0.0);
            out.add(new Peer("client-" + p, "d" + p % DOMAINS, signals));
        }
        return out;
    }

    @Benchmark
    public List<GossipPair> plan() {
        return gossip.plan(++round, population);
    }

    public static void main(String[] args) throws RunnerException {
        new Runner(new OptionsBuilder().include(GossipPlanBenchmark.class.getSimpleName()).build()).run();
    }
}
