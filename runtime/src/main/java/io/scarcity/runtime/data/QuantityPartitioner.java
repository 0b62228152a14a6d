package io.scarcity.runtime.data;

import java.util.Objects;
import java.util.Random;

/**
 * Quantity skew: client shares p over the clients are drawn once from a symmetric Dirichlet(alpha),
 * and each row, whatever its label, goes to client k with probability p[k]. Clients then hold very
 * different amounts of data with the same distribution. Small alpha makes a few clients hold most rows;
 * large alpha approaches equal shares. Works for classification and regression.
 */
public final class QuantityPartitioner implements Partitioner {
    private final double[] cumulative;
    private final double alpha;
    private final Random rnd;

    /**
     * @param alpha concentration, > 0
     * @param clients number of clients, >= 1
     */
    public QuantityPartitioner(double alpha, int clients, long seed) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be a finite number > 0, got " + alpha);
        }
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be >= 1, got " + clients);
        }
        this.alpha = alpha;
        this.rnd = new Random(seed);
        double[] p = DirichletPartitioner.sampleDirichlet(alpha, clients, rnd);
        double sum = 0;
        for (int k = 0; k < clients; k++) {
            sum += p[k];
            p[k] = sum;
        }
        p[clients - 1] = 1.0;
        this.cumulative = p;
    }

    @Override
    public int assign(Row row) {
        Objects.requireNonNull(row, "row is null");
        double u = rnd.nextDouble();
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (u < cumulative[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    public double alpha() {
        return alpha;
    }

    /** Each client's expected share of the rows, summing to 1. */
    public double[] shares() {
        double[] p = new double[cumulative.length];
        double previous = 0;
        for (int k = 0; k < p.length; k++) {
            p[k] = cumulative[k] - previous;
            previous = cumulative[k];
        }
        return p;
    }
}
