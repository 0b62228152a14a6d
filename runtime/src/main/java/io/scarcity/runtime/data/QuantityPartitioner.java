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
    private final DirichletShares shares;
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
        this.shares = new DirichletShares(alpha, clients, rnd);
    }

    @Override
    public int assign(Row row) {
        Objects.requireNonNull(row, "row is null");
        return shares.draw(rnd);
    }

    public double alpha() {
        return alpha;
    }

    /** Each client's expected share of the rows, summing to 1. */
    public double[] shares() {
        return shares.shares();
    }
}
