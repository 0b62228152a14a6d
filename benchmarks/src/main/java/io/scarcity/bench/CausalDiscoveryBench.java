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
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import io.scarcity.plugins.causal.Cpdag;
import io.scarcity.plugins.causal.CausalExpertFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * How well the causal expert recovers known graphs: random linear-Gaussian structural models with 10 and
 * 20 nodes (one of them the regression target), expected degree 2 (each pair of a random order is an
 * edge with probability {@code 2 / (nodes - 1)}), edge weights {@code +-U[0.5, 1]}, unit Gaussian noise.
 * The structural Hamming distance (SHD) is between the expert's CPDAG and the true DAG's CPDAG, counted
 * per node pair; the trivial baseline is the empty graph, whose SHD is the number of true edges.
 *
 * <p>Table 1, SHD vs sample size: cumulative statistics ({@code learningRate: 0}), batches of 50, the
 * graph read after the search at 500, 1000, 2000, 5000 and 20000 rows ({@code every: 10}, a search each
 * 500 rows), 10 graphs per size. Table 2, recovery after the graph changes: default options (per-row
 * forgetting 0.001, about 2000 effective rows), 5000 rows of one random graph, then a new random graph on
 * the same nodes; SHD to the new graph at rows after the change, with and without {@code drift.detected}
 * raised on the change's first batch. Everything else at the defaults ({@code alpha} 0.01, conditioning
 * sets up to 3). Seeds fixed: the output is the same on every run.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.scarcity.bench.CausalDiscoveryBench</pre>
 */
public final class CausalDiscoveryBench {
    private static final int BATCH = 50;
    private static final int GRAPHS = 10;
    private static final int[] SIZES = {500, 1000, 2000, 5000, 20000};
    private static final int[] AFTER = {500, 1000, 2000, 3000, 5000, 10000};

    private CausalDiscoveryBench() {
    }

    /** A random DAG with weights: {@code weight[i][j] != 0} for {@code i -> j}; {@code order} topological. */
    record Sem(int nodes, double[][] weight, int[] order) {
        static Sem random(int nodes, Random random) {
            int[] order = new int[nodes];
            for (int i = 0; i < nodes; i++) {
                order[i] = i;
            }
            for (int i = nodes - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double p = 2.0 / (nodes - 1);
            double[][] w = new double[nodes][nodes];
            for (int a = 0; a < nodes; a++) {
                for (int b = a + 1; b < nodes; b++) {
                    if (random.nextDouble() < p) {
                        w[order[a]][order[b]] = (0.5 + 0.5 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1);
                    }
                }
            }
            return new Sem(nodes, w, order);
        }

        Cpdag cpdag() {
            boolean[] dag = new boolean[nodes * nodes];
            for (int i = 0; i < nodes; i++) {
                for (int j = 0; j < nodes; j++) {
                    dag[i * nodes + j] = weight[i][j] != 0;
                }
            }
            return Cpdag.fromDag(nodes, dag);
        }

        /** A batch: nodes {@code 0..nodes-2} are the features, node {@code nodes - 1} the target. */
        Batch batch(DataSchema schema, Random random, int rows, long first) {
            int f = nodes - 1;
            double[] x = new double[rows * f];
            double[] t = new double[rows];
            double[] v = new double[nodes];
            for (int r = 0; r < rows; r++) {
                for (int j : order) {
                    double s = random.nextGaussian();
                    for (int i = 0; i < nodes; i++) {
                        s += weight[i][j] * v[i];
                    }
                    v[j] = s;
                }
                System.arraycopy(v, 0, x, r * f, f);
                t[r] = v[f];
            }
            return Batch.ofTargets(schema, "bench", first, x, t);
        }
    }

    static DataSchema schema(int features) {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            names.add("x" + j);
        }
        return new DataSchema(names, Task.REGRESSION, null);
    }

    static Expert expert(DataSchema schema, Map<String, ?> config) {
        return new CausalExpertFactory().create(PluginConfig.of("causal", config), PluginContext.standalone(1, schema, "causal"));
    }

    static void step(Expert e, Batch b, SignalBoard board) {
        Prediction p = e.predict(b, board);
        e.learn(b, new BatchOutcome(p, new double[b.rows()], 1), board);
    }

    static Cpdag graph(Expert e, int nodes) {
        return Cpdag.fromAdjacency(nodes, e.exportState().weight("adjacency"));
    }

    private static String meanSd(double[] v) {
        double m = 0;
        for (double x : v) {
            m += x / v.length;
        }
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m) / (v.length - 1);
        }
        return String.format(Locale.ROOT, "%5.1f ± %4.1f", m, Math.sqrt(s));
    }

    public static void main(String[] args) {
        System.out.println("SHD vs sample size (mean ± sd over " + GRAPHS + " random graphs; learningRate 0, alpha 0.01, maxConditioningSet 3)");
        System.out.println();
        StringBuilder header = new StringBuilder("| nodes | true edges (= empty-graph SHD) |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (int n : SIZES) {
            header.append(" ").append(n).append(" rows |");
            rule.append("---|");
        }
        System.out.println(header);
        System.out.println(rule);
        for (int nodes : new int[] {10, 20}) {
            double[][] shd = new double[SIZES.length][GRAPHS];
            double[] edges = new double[GRAPHS];
            for (int g = 0; g < GRAPHS; g++) {
                Random random = new Random(1000L * nodes + g);
                Sem sem = Sem.random(nodes, random);
                Cpdag truth = sem.cpdag();
                edges[g] = truth.edges();
                DataSchema schema = schema(nodes - 1);
                Expert e = expert(schema, Map.of("learningRate", 0.0, "every", 10));
                SignalBoard board = new InMemorySignalBoard();
                int rows = 0;
                int next = 0;
                while (next < SIZES.length) {
                    step(e, sem.batch(schema, random, BATCH, rows), board);
                    rows += BATCH;
                    if (rows == SIZES[next]) {
                        shd[next][g] = graph(e, nodes).structuralHammingDistance(truth);
                        next++;
                    }
                }
            }
            StringBuilder line = new StringBuilder("| " + nodes + " | " + meanSd(edges) + " |");
            for (double[] s : shd) {
                line.append(" ").append(meanSd(s)).append(" |");
            }
            System.out.println(line);
        }

        System.out.println();
        System.out.println("Recovery after a change of graph at row 5000 (SHD to the new graph; defaults: learningRate 0.001, every 10)");
        System.out.println();
        StringBuilder h2 = new StringBuilder("| nodes | drift signal | SHD to old graph before | new graph's edges | SHD to new at change |");
        StringBuilder r2 = new StringBuilder("|---|---|---|---|---|");
        for (int a : AFTER) {
            h2.append(" +").append(a).append(" |");
            r2.append("---|");
        }
        System.out.println(h2);
        System.out.println(r2);
        for (int nodes : new int[] {10, 20}) {
            for (boolean signal : new boolean[] {false, true}) {
                double[] before = new double[GRAPHS];
                double[] newEdges = new double[GRAPHS];
                double[] atChange = new double[GRAPHS];
                double[][] after = new double[AFTER.length][GRAPHS];
                for (int g = 0; g < GRAPHS; g++) {
                    Random random = new Random(5000L * nodes + g);
                    Sem first = Sem.random(nodes, random);
                    Sem second = Sem.random(nodes, random);
                    DataSchema schema = schema(nodes - 1);
                    Expert e = expert(schema, Map.of());
                    SignalBoard board = new InMemorySignalBoard();
                    int rows = 0;
                    for (; rows < 5000; rows += BATCH) {
                        step(e, first.batch(schema, random, BATCH, rows), board);
                    }
                    Cpdag truth = second.cpdag();
                    before[g] = graph(e, nodes).structuralHammingDistance(first.cpdag());
                    newEdges[g] = truth.edges();
                    atChange[g] = graph(e, nodes).structuralHammingDistance(truth);
                    int next = 0;
                    for (int since = BATCH; next < AFTER.length; since += BATCH) {
                        board.publish(StandardSignals.DRIFT_DETECTED, signal && since == BATCH ? 1 : 0);
                        step(e, second.batch(schema, random, BATCH, rows), board);
                        rows += BATCH;
                        if (since == AFTER[next]) {
                            after[next][g] = graph(e, nodes).structuralHammingDistance(truth);
                            next++;
                        }
                    }
                }
                StringBuilder line = new StringBuilder("| " + nodes + " | " + (signal ? "yes" : "no") + " | " + meanSd(before)
                        + " | " + meanSd(newEdges) + " | " + meanSd(atChange) + " |");
                for (double[] s : after) {
                    line.append(" ").append(meanSd(s)).append(" |");
                }
                System.out.println(line);
            }
        }
    }
}
