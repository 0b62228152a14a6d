package io.scarcity.plugins.geometry;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Random;

/**
 * An online principal subspace: block power iteration with Rayleigh-Ritz on an exponentially weighted
 * covariance that is never formed.
 *
 * <p><b>Model.</b> The covariance is kept at rank {@code m = k + oversampling} as {@code U^T diag(lambda) U}
 * ({@code U}: {@code m x d}, orthonormal rows, {@code lambda} descending). A batch {@code Z} of
 * standardised rows with weights {@code w_r} (total {@code W}) and forgetting weight {@code gamma} defines
 * <pre>  C = (1 - gamma) U^T diag(lambda) U + gamma / W * sum_r w_r z_r z_r^T</pre>
 * and one step of subspace iteration on it:
 * <ol>
 *   <li>Rayleigh-Ritz in the current basis: {@code H = U C U^T = (1 - gamma) diag(lambda) + gamma/W P^T diag(w) P}
 *       with the projections {@code P = Z U^T} ({@code n x m}, also used for the residuals and the
 *       learner, so computed once), eigen-decomposed by Jacobi: {@code H = V diag(theta) V^T};</li>
 *   <li>the power step in the Ritz basis: {@code Y = V^T U C = (1 - gamma) V^T diag(lambda) U + gamma/W (P V)^T diag(w) Z},
 *       {@code (m + n) m d} multiply-adds and no {@code d x d} matrix;</li>
 *   <li>{@code U <- orth(Y)} (Gram-Schmidt in the order of {@code theta}), {@code lambda <- theta}.</li>
 * </ol>
 * In expectation the fixed points are the invariant subspaces of the covariance, and a direction of
 * eigenvalue {@code mu} outside the tracked subspace grows relative to one inside of eigenvalue
 * {@code lambda} by {@code 1 + gamma (mu / lambda - 1)} per batch: only the principal subspace is stable,
 * and the convergence rate per batch is about {@code gamma (1 - lambda_(m+1) / lambda_k)}; the
 * oversampled directions are there to make that ratio small. The cost per row is about
 * {@code 2 m d + 2 m^2 d / n} multiply-adds.
 *
 * <p><b>Layout.</b> The basis is kept twice: as rows ({@code double[m][d]}), on which the kernels work
 * (see {@link Dense} for why), and as the flat row-major {@code m x d} array that is exported and
 * checkpointed; every change of the rows is copied to the flat array before the method returns.
 *
 * <p><b>Sign convention.</b> Each basis vector is signed so that its dot product with a fixed reference
 * vector ({@link Dense#reference}) is positive: clients that learn the same subspace get the same signs,
 * which is what makes averaging bases in gossip meaningful.
 */
final class PrincipalSubspace {
    private final int d;
    private final int m;
    private final int k;
    /** {@code m x d}, row {@code i} is the {@code i}-th principal direction; flat copy of {@link #directions}. */
    private final double[] basis;
    /** The same directions, one array per row: what the kernels read and write. */
    private double[][] directions;
    /** Ritz values (variance of the standardised data along each direction), descending. */
    private final double[] eigenvalues;
    private final double[] reference;

    // Scratch, reused across batches.
    private final double[] h;
    private final double[] ritzVectors;
    private final double[] theta;
    /** The power step's result, then swapped with {@link #directions}. */
    private double[][] next;
    /** Rows of the power step: the basis rows, then the batch's rows of non-zero weight. */
    private double[][] sources = new double[0][];
    /** Their coefficients, {@code sources x m}. */
    private double[] coefficients = new double[0];

    PrincipalSubspace(int features, int tracked, int components, Random random) {
        if (components < 1 || components > tracked || tracked > features) {
            throw new IllegalArgumentException("need 1 <= components <= tracked <= features, got " + components + ", "
                    + tracked + ", " + features);
        }
        this.d = features;
        this.m = tracked;
        this.k = components;
        this.basis = new double[m * d];
        this.eigenvalues = new double[m];
        this.reference = new double[d];
        for (int f = 0; f < d; f++) {
            reference[f] = Dense.reference(f);
        }
        this.h = new double[m * m];
        this.ritzVectors = new double[m * m];
        this.theta = new double[m];
        this.directions = new double[m][d];
        this.next = new double[m][d];
        // A random start: power iteration needs a start with a part in every principal direction, which
        // a random basis has with probability one (a fixed one, e.g. coordinate axes, may not).
        for (int i = 0; i < m; i++) {
            for (int f = 0; f < d; f++) {
                directions[i][f] = random.nextGaussian();
            }
        }
        Dense.orthonormaliseRows(directions, m, d);
        canonicalSigns();
    }

    int features() {
        return d;
    }

    int tracked() {
        return m;
    }

    int components() {
        return k;
    }

    /** Live view of the basis ({@code m x d}, row-major); do not modify. */
    double[] basis() {
        return basis;
    }

    /** Live view of the Ritz values; do not modify. */
    double[] eigenvalues() {
        return eigenvalues;
    }

    /**
     * Projections of the first {@code n} rows of {@code z} (each of length {@code d}) on the first
     * {@code count} directions, into {@code out} ({@code n x count}).
     */
    void project(double[][] z, int n, int count, double[] out) {
        Dense.multiplyTransposed(z, n, directions, count, d, out);
    }

    /**
     * One step of subspace iteration (see the class description).
     *
     * @param z standardised rows (the first {@code rows}, each of length {@code d})
     * @param projections {@code rows x m}, {@code z} projected on the current basis ({@link #project} with {@code m})
     * @param weights per row, >= 0 (rows of weight 0 are ignored)
     * @param totalWeight sum of the weights, > 0
     * @param gamma the batch's share of the new covariance, in (0, 1]
     */
    void update(double[][] z, double[] projections, double[] weights, int rows, double totalWeight, double gamma) {
        // 1. Rayleigh-Ritz matrix H = (1 - gamma) diag(lambda) + gamma/W sum_r w_r p_r p_r^T.
        java.util.Arrays.fill(h, 0.0);
        double keep = 1 - gamma;
        for (int i = 0; i < m; i++) {
            h[i * m + i] = keep * eigenvalues[i];
        }
        double scale = gamma / totalWeight;
        for (int r = 0; r < rows; r++) {
            double w = weights[r] * scale;
            if (w == 0) {
                continue;
            }
            int po = r * m;
            for (int i = 0; i < m; i++) {
                double wi = w * projections[po + i];
                for (int j = i; j < m; j++) {
                    h[i * m + j] += wi * projections[po + j];
                }
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < i; j++) {
                h[i * m + j] = h[j * m + i];
            }
        }
        Dense.symmetricEigen(h, m, theta, ritzVectors);

        // 2. Y = (1 - gamma) V^T diag(lambda) U + gamma/W (P V)^T diag(w) Z: row j of Y combines the m basis
        //    rows (coefficients keep lambda_i V_ij) and the batch's rows (w_r (P V)_rj), in that order.
        if (sources.length < m + rows) {
            sources = new double[m + rows][];
            coefficients = new double[(m + rows) * m];
        }
        for (int i = 0; i < m; i++) {
            sources[i] = this.directions[i];
            for (int j = 0; j < m; j++) {
                coefficients[i * m + j] = keep * eigenvalues[i] * ritzVectors[i * m + j];
            }
        }
        int count = m;
        for (int r = 0; r < rows; r++) {
            double w = weights[r] * scale;
            if (w == 0) {
                continue;
            }
            int po = r * m;
            int co = count * m;
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int i = 0; i < m; i++) {
                    s += projections[po + i] * ritzVectors[i * m + j];
                }
                coefficients[co + j] = w * s;
            }
            sources[count++] = z[r];
        }
        Dense.combineRows(sources, count, coefficients, next, m, d);
        // The batch's rows are the caller's: keep no references to them.
        java.util.Arrays.fill(sources, m, count, null);
        // 3. Orthonormalise in the order of the Ritz values; those are the new eigenvalues.
        Dense.orthonormaliseRows(next, m, d);
        double[][] swap = this.directions;
        this.directions = next;
        next = swap;
        for (int i = 0; i < m; i++) {
            eigenvalues[i] = Math.max(0.0, theta[i]);
        }
        canonicalSigns();
    }

    /** Flips every direction whose dot product with the reference is negative, then refreshes the flat copy. */
    private void canonicalSigns() {
        for (int i = 0; i < m; i++) {
            double[] row = directions[i];
            if (Dense.dot(row, 0, reference, 0, d) < 0) {
                for (int f = 0; f < d; f++) {
                    row[f] = -row[f];
                }
            }
            System.arraycopy(row, 0, basis, i * d, d);
        }
    }

    /** Copies the first {@code k} directions ({@code k x d}) into {@code out} at {@code offset}. */
    void copyPrincipal(double[] out, int offset) {
        System.arraycopy(basis, 0, out, offset, k * d);
    }

    /**
     * {@code T = U_new U_old^T} ({@code k x k}) over the first {@code k} directions: the map from the
     * old projected coordinates to the new ones for a row inside both subspaces.
     */
    void transport(double[] oldPrincipal, double[] t) {
        Dense.multiplyTransposed(basis, k, oldPrincipal, k, d, t);
    }

    /**
     * Distance between two {@code k}-dimensional subspaces given by orthonormal rows ({@code k x d}
     * each, {@code a} at 0, {@code b} at {@code bo}; {@code scratch} holds {@code k x k}): {@code 1 - ||A B^T||_F^2 / k}, the mean of
     * {@code sin^2} of the principal angles, in [0, 1]: 0 for the same subspace (whatever the basis
     * within it), 1 for orthogonal ones. Equals {@code ||P_A - P_B||_F^2 / (2k)}.
     */
    static double distance(double[] a, double[] b, int bo, int k, int d, double[] scratch) {
        Dense.multiplyTransposed(a, k, b, bo, k, d, scratch);
        double s = 0;
        for (int i = 0; i < k * k; i++) {
            s += scratch[i] * scratch[i];
        }
        return Math.min(1.0, Math.max(0.0, 1 - s / k));
    }

    /**
     * Adopts a basis and eigenvalues from gossip. An average of orthonormal bases is not orthonormal:
     * the directions are sorted by eigenvalue, re-orthonormalised in that order and re-signed.
     */
    void set(double[] newBasis, double[] newEigenvalues) {
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(newEigenvalues[y], newEigenvalues[x]));
        for (int i = 0; i < m; i++) {
            System.arraycopy(newBasis, order[i] * d, directions[i], 0, d);
            eigenvalues[i] = Math.max(0.0, newEigenvalues[order[i]]);
        }
        Dense.orthonormaliseRows(directions, m, d);
        canonicalSigns();
    }

    void save(StateWriter out) throws IOException {
        out.writeDoubles(basis);
        out.writeDoubles(eigenvalues);
    }

    void restore(StateReader in) throws IOException {
        double[] b = in.readDoubles(m * d, "principal basis (tracked directions x features)");
        double[] e = in.readDoubles(m, "eigenvalues (one per tracked direction)");
        System.arraycopy(b, 0, basis, 0, b.length);
        for (int i = 0; i < m; i++) {
            System.arraycopy(b, i * d, directions[i], 0, d);
        }
        System.arraycopy(e, 0, eigenvalues, 0, e.length);
    }
}
