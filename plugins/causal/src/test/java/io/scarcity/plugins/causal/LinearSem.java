package io.scarcity.plugins.causal;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A linear-Gaussian structural equation model for tests: node {@code j = sum_i w[i][j] x_i + e_j} with
 * {@code e_j ~ N(0, noise_j^2)}, nodes listed in a topological order of the sampler's choosing. The last
 * node index {@code nodes - 1} is the regression target unless told otherwise.
 */
final class LinearSem {
    final int nodes;
    final double[][] weight;
    final double[] noise;
    final double[] offset;
    private final int[] order;

    /**
     * @param order a topological order of the nodes
     */
    LinearSem(int nodes, int[] order) {
        this.nodes = nodes;
        this.weight = new double[nodes][nodes];
        this.noise = new double[nodes];
        this.offset = new double[nodes];
        java.util.Arrays.fill(noise, 1.0);
        this.order = order.clone();
    }

    LinearSem edge(int from, int to, double w) {
        weight[from][to] = w;
        return this;
    }

    /** The DAG as {@link Cpdag#fromDag} wants it. */
    boolean[] dag() {
        boolean[] out = new boolean[nodes * nodes];
        for (int i = 0; i < nodes; i++) {
            for (int j = 0; j < nodes; j++) {
                out[i * nodes + j] = weight[i][j] != 0;
            }
        }
        return out;
    }

    Cpdag cpdag() {
        return Cpdag.fromDag(nodes, dag());
    }

    double[] sample(Random random) {
        double[] x = new double[nodes];
        for (int j : order) {
            double v = offset[j] + noise[j] * random.nextGaussian();
            for (int i = 0; i < nodes; i++) {
                v += weight[i][j] * x[i];
            }
            x[j] = v;
        }
        return x;
    }

    static DataSchema regressionSchema(int features) {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            names.add("x" + j);
        }
        return new DataSchema(names, Task.REGRESSION, null);
    }

    /** Rows of the model, the last node as the target. */
    Batch regressionBatch(DataSchema schema, Random random, int rows, long firstRow) {
        int f = nodes - 1;
        double[] x = new double[rows * f];
        double[] t = new double[rows];
        for (int r = 0; r < rows; r++) {
            double[] s = sample(random);
            System.arraycopy(s, 0, x, r * f, f);
            t[r] = s[f];
        }
        return Batch.ofTargets(schema, "d", firstRow, x, t);
    }
}
