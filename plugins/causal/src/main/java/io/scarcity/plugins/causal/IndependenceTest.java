package io.scarcity.plugins.causal;

/**
 * Conditional-independence tests between nodes of the graph by partial correlation on a correlation
 * matrix, with the effective sample size of the running statistics.
 *
 * <p>A node is one column (a feature, a regression target, a binary label) or a block of columns (the
 * {@code K - 1} class indicators of a multi-class target). For nodes {@code i}, {@code j} and a set
 * {@code S}, the residual correlation matrix {@code M = R_AA - R_AS R_SS^-1 R_SA} of the columns
 * {@code A} of {@code i} and {@code j} given the columns of {@code S} (a Cholesky solve; {@code |S|} is
 * small) is the inverse-submatrix partial correlation. Then:
 * <ul>
 *   <li>two single columns: Fisher's z, {@code sqrt(n - |S| - 3) atanh|rho|} against the normal
 *       {@code 1 - alpha/2} quantile;</li>
 *   <li>a column and a block of {@code q} columns: the likelihood-ratio statistic of the partial multiple
 *       correlation with Bartlett's factor, {@code -(n - |S| - (q + 3) / 2) log(1 - R^2)} against the
 *       chi-square {@code 1 - alpha} quantile with {@code q} degrees of freedom.</li>
 * </ul>
 * {@code n} is the effective number of rows and {@code |S|} counts columns; with too few rows for the
 * test to have any degrees of freedom left the pair is declared dependent (an edge is kept, never removed
 * on no evidence). A column fully explained by {@code S} (zero residual variance) is independent given
 * {@code S}. Not thread-safe: scratch arrays are reused.
 */
final class IndependenceTest {
    private static final double JITTER = 1e-10;

    private final int[][] columns;
    private final int totalColumns;
    private final double zCritical;
    private final double[] chiCritical;
    private double[] correlation;
    private double rows;
    private long count;

    // scratch
    private final int[] condColumns;
    private final int[] pairColumns;
    private final double[] chol;
    private final double[] solved;
    private final double[] residual;
    private final double[] blockChol;
    private final double[] blockRhs;

    /**
     * @param columns per node, the columns it occupies in the correlation matrix
     * @param maxConditioningNodes the largest conditioning set (in nodes) that will be asked for
     */
    IndependenceTest(int[][] columns, double alpha, int maxConditioningNodes) {
        this.columns = columns;
        int total = 0;
        int widest = 1;
        for (int[] c : columns) {
            total += c.length;
            widest = Math.max(widest, c.length);
        }
        this.totalColumns = total;
        this.zCritical = Quantiles.normalQuantile(1 - alpha / 2);
        this.chiCritical = new double[widest + 1];
        for (int q = 2; q <= widest; q++) {
            chiCritical[q] = Quantiles.chiSquareCritical(q, alpha);
        }
        // a conditioning set may hold the block node: at most maxConditioningNodes - 1 + widest columns
        int maxCond = Math.min(total, maxConditioningNodes + widest);
        int maxPair = 2 * widest;
        this.condColumns = new int[total];
        this.pairColumns = new int[maxPair];
        this.chol = new double[maxCond * maxCond];
        this.solved = new double[maxCond * maxPair];
        this.residual = new double[maxPair * maxPair];
        this.blockChol = new double[widest * widest];
        this.blockRhs = new double[widest];
    }

    /** Tests from now on read this correlation matrix ({@code totalColumns^2}, not copied) and row count. */
    void reset(double[] correlationMatrix, double effectiveRows) {
        if (correlationMatrix.length != totalColumns * totalColumns) {
            throw new IllegalArgumentException("correlation matrix of " + correlationMatrix.length + " values for "
                    + totalColumns + " columns");
        }
        this.correlation = correlationMatrix;
        this.rows = effectiveRows;
    }

    /** Tests run since construction. */
    long count() {
        return count;
    }

    /**
     * Whether node {@code i} is independent of node {@code j} given the first {@code size} nodes of
     * {@code set}, at level {@code alpha}.
     */
    boolean independent(int i, int j, int[] set, int size) {
        count++;
        int s = 0;
        for (int k = 0; k < size; k++) {
            for (int c : columns[set[k]]) {
                condColumns[s++] = c;
            }
        }
        int[] ci = columns[i];
        int[] cj = columns[j];
        if (ci.length > 1 && cj.length > 1) {
            throw new IllegalStateException("two block nodes cannot be tested");
        }
        if (ci.length > 1) {
            int[] t = ci;
            ci = cj;
            cj = t;
        }
        // pair columns: the single column of i first, then j's
        int a = 0;
        pairColumns[a++] = ci[0];
        for (int c : cj) {
            pairColumns[a++] = c;
        }
        if (!residualCorrelation(s, a)) {
            return false; // no evidence either way: keep the edge
        }
        double m00 = residual[0];
        if (m00 <= 1e-12) {
            return true;
        }
        int q = cj.length;
        if (q == 1) {
            double m11 = residual[a + 1];
            if (m11 <= 1e-12) {
                return true;
            }
            double rho = residual[1] / Math.sqrt(m00 * m11);
            double df = rows - s - 3;
            if (df <= 0) {
                return false;
            }
            rho = Math.min(Math.abs(rho), 1 - 1e-15);
            double z = 0.5 * Math.log((1 + rho) / (1 - rho));
            return Math.sqrt(df) * z <= zCritical;
        }
        // R^2 of column 0 on the block, all given S: m_0B M_BB^-1 m_B0 / m_00
        for (int x = 0; x < q; x++) {
            for (int y = 0; y <= x; y++) {
                blockChol[x * q + y] = residual[(1 + x) * a + 1 + y];
            }
            blockRhs[x] = residual[1 + x];
        }
        if (!cholesky(blockChol, q)) {
            return true;
        }
        forward(blockChol, q, blockRhs);
        double explained = 0;
        for (int x = 0; x < q; x++) {
            explained += blockRhs[x] * blockRhs[x];
        }
        double r2 = Math.min(explained / m00, 1 - 1e-15);
        double factor = rows - s - (q + 3) / 2.0;
        if (factor <= 0) {
            return false;
        }
        return -factor * Math.log(1 - r2) <= chiCritical[q];
    }

    /**
     * Fills {@link #residual} ({@code a x a}) with the correlation of the pair's columns given the
     * conditioning columns; false if the conditioning block is numerically singular beyond repair.
     */
    private boolean residualCorrelation(int s, int a) {
        double[] r = correlation;
        int n = totalColumns;
        for (int x = 0; x < a; x++) {
            for (int y = 0; y < a; y++) {
                residual[x * a + y] = r[pairColumns[x] * n + pairColumns[y]];
            }
        }
        if (s == 0) {
            return true;
        }
        for (int x = 0; x < s; x++) {
            for (int y = 0; y <= x; y++) {
                chol[x * s + y] = r[condColumns[x] * n + condColumns[y]] + (x == y ? JITTER : 0.0);
            }
        }
        if (!cholesky(chol, s)) {
            return false;
        }
        // solved[:, col] = L^-1 R_S,col for every pair column; residual -= solved^T solved
        for (int col = 0; col < a; col++) {
            int base = col * s;
            for (int x = 0; x < s; x++) {
                double v = r[condColumns[x] * n + pairColumns[col]];
                for (int y = 0; y < x; y++) {
                    v -= chol[x * s + y] * solved[base + y];
                }
                solved[base + x] = v / chol[x * s + x];
            }
        }
        for (int x = 0; x < a; x++) {
            for (int y = x; y < a; y++) {
                double dot = 0;
                for (int k = 0; k < s; k++) {
                    dot += solved[x * s + k] * solved[y * s + k];
                }
                double v = residual[x * a + y] - dot;
                residual[x * a + y] = v;
                residual[y * a + x] = v;
            }
        }
        return true;
    }

    /** In-place lower Cholesky of the lower triangle of {@code m} ({@code k x k}); false if not positive. */
    static boolean cholesky(double[] m, int k) {
        for (int x = 0; x < k; x++) {
            for (int y = 0; y <= x; y++) {
                double v = m[x * k + y];
                for (int z = 0; z < y; z++) {
                    v -= m[x * k + z] * m[y * k + z];
                }
                if (x == y) {
                    if (!(v > 0)) {
                        return false;
                    }
                    m[x * k + x] = Math.sqrt(v);
                } else {
                    m[x * k + y] = v / m[y * k + y];
                }
            }
        }
        return true;
    }

    /** Solves {@code L y = b} in place for a lower Cholesky factor. */
    static void forward(double[] l, int k, double[] b) {
        for (int x = 0; x < k; x++) {
            double v = b[x];
            for (int y = 0; y < x; y++) {
                v -= l[x * k + y] * b[y];
            }
            b[x] = v / l[x * k + x];
        }
    }
}
