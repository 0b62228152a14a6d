package io.scarcity.bench;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.runtime.coordinator.CoordinatorDatabase;
import io.scarcity.runtime.coordinator.GlobalMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Insights per second written to the coordinator's global memory: in memory (the baseline), to an
 * SQLite file (WAL, synchronous=FULL: every commit is fsynced) and, when {@code SCARCITY_TEST_PG_URL}
 * (with {@code SCARCITY_TEST_PG_USER}, {@code SCARCITY_TEST_PG_PASSWORD}) names a server, to
 * PostgreSQL. {@code add} commits each insight on its own (the worst case); {@code addRound} commits a
 * round of {@value #ROUND} clients' insights together, as the coordinator does. Insights are realistic in
 * size (3 experts, {@value #FEATURES} features' moments), from 2 domains; each domain is bounded at
 * {@value #CAPACITY}, so after warm-up every write also trims.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.scarcity.bench.GlobalMemoryBenchmark} (which
 * leaves PostgreSQL out when the variable is unset), or through JMH's own main with
 * {@code -p backend=memory,sqlite}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Threads(1)
public class GlobalMemoryBenchmark {
    static final int ROUND = 20;
    static final int FEATURES = 10;
    static final int CAPACITY = 1000;
    static final String PG_URL = "SCARCITY_TEST_PG_URL";

    @Param({"memory", "sqlite", "postgresql"})
    public String backend;

    private GlobalMemory memory;
    private Path dir;
    private CoordinatorDatabase database;
    private List<Insight> insights;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        insights = insights(400, new Random(7));
        switch (backend) {
            case "memory" -> memory = GlobalMemory.inMemory(CAPACITY);
            case "sqlite" -> {
                dir = Files.createTempDirectory("scarcity-bench-memory");
                database = CoordinatorDatabase.sqlite(dir.resolve("coordinator.db"));
                memory = GlobalMemory.open(database, CAPACITY);
            }
            case "postgresql" -> {
                String url = System.getenv(PG_URL);
                if (url == null || url.isBlank()) {
                    throw new IllegalStateException(PG_URL + " is not set: no PostgreSQL server to measure "
                            + "(run with -p backend=memory,sqlite, or inside .ci/run)");
                }
                database = new CoordinatorDatabase(url, System.getenv("SCARCITY_TEST_PG_USER"),
                        System.getenv("SCARCITY_TEST_PG_PASSWORD"), "bench_" + Long.toHexString(System.nanoTime()));
                memory = GlobalMemory.open(database, CAPACITY);
            }
            default -> throw new IllegalArgumentException("backend memory, sqlite or postgresql, not " + backend);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, SQLException {
        memory.close();
        if (database != null && database.schema() != null) {
            try (Connection c = DriverManager.getConnection(database.url(), database.user(), database.password());
                 Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + database.schema() + " CASCADE");
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** One insight, one commit. */
    @Benchmark
    public Insight add() {
        Insight i = insights.get(next);
        next = (next + 1) % insights.size();
        return memory.add(i);
    }

    /** A round of insights, one commit. */
    @Benchmark
    @OperationsPerInvocation(ROUND)
    public List<Insight> addRound() {
        List<Insight> round = insights.subList(next, next + ROUND);
        next = (next + ROUND) % insights.size();
        return memory.addAll(round);
    }

    static List<Insight> insights(int n, Random random) {
        List<Insight> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            Map<String, ExpertReport> experts = new TreeMap<>();
            for (String e : List.of("drift", "stat-fast", "stat-slow")) {
                experts.put(e, new ExpertReport(e, e.startsWith("stat") ? "statistical" : "drift", random.nextDouble(),
                        200, 4, 0.02 * (1 + random.nextDouble()), Map.of(e + ".score", random.nextDouble())));
            }
            double[] mean = new double[FEATURES];
            double[] m2 = new double[FEATURES];
            for (int f = 0; f < FEATURES; f++) {
                mean[f] = random.nextGaussian();
                m2[f] = 200 * random.nextDouble();
            }
            out.add(new Insight("client-" + k % ROUND, k % 2 == 0 ? "coast" : "inland", 1 + k / ROUND, 200,
                    random.nextDouble(), random.nextDouble(), experts,
                    Map.of("drift.detected", 0.0, "statistical.outlier-rate", 0.01), new FeatureMoments(200, mean, m2)));
        }
        return out;
    }

    /** Runs the benchmark with PostgreSQL only if a server is configured. */
    public static void main(String[] args) throws RunnerException {
        String url = System.getenv(PG_URL);
        String[] backends = url == null || url.isBlank()
                ? new String[] {"memory", "sqlite"}
                : new String[] {"memory", "sqlite", "postgresql"};
        new Runner(new OptionsBuilder().include(GlobalMemoryBenchmark.class.getSimpleName())
                .param("backend", backends).build()).run();
    }
}
