package io.scarcity.runtime.data;

import java.util.Objects;
import java.util.Random;

/**
 * Label skew, the usual non-IID benchmark split (Hsu et al., 2019): for each class c, proportions
 * p_c over the clients are drawn from a symmetric Dirichlet(alpha), and each row of class c goes to
 * client k with probability p_c[k]. Small alpha concentrates each class on few clients; large alpha
 * approaches an IID split.
 */
public final class DirichletPartitioner implements Partitioner {
    /** Client shares per class. */
    private final DirichletShares[] byClass;
    private final double alpha;
    private final Random rnd;
    private final int clients;

    /**
     * @param alpha concentration, > 0
     * @param clients number of clients, >= 1
     * @param classes number of classes, >= 1
     */
    public DirichletPartitioner(double alpha, int clients, int classes, long seed) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be a finite number > 0, got " + alpha);
        }
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be >= 1, got " + clients);
        }
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        this.alpha = alpha;
        this.clients = clients;
        this.rnd = new Random(seed);
        this.byClass = new DirichletShares[classes];
        for (int c = 0; c < classes; c++) {
            byClass[c] = new DirichletShares(alpha, clients, rnd);
        }
    }

    @Override
    public int assign(Row row) {
        Objects.requireNonNull(row, "row is null");
        int label = row.label();
        if (label == -1) { // a row without a label (missingLabels): any client, equally likely
            return rnd.nextInt(clients);
        }
        if (label < 0 || label >= byClass.length) {
            throw new IllegalArgumentException("row " + row.index() + " has label " + label
                    + ", outside the " + byClass.length + " classes of the schema");
        }
        return byClass[label].draw(rnd);
    }

    public double alpha() {
        return alpha;
    }

    /** Client proportions of class {@code c}, for reports and tests. */
    public double[] proportions(int c) {
        return byClass[c].shares();
    }
}
