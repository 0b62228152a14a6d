package io.scarcity.plugins.geometry;

/**
 * The few dense kernels the expert needs, on plain row-major {@code double[]}s with offsets or on
 * matrices given as arrays of rows ({@code double[][]}). At these sizes (vectors of up to ~1000, matrices
 * of a few tens) plain loops beat any library call; dot products use four accumulators so that the JIT
 * can overlap the multiply-adds (a single accumulator serialises on the add latency). All results are
 * deterministic: same inputs, same bits.
 *
 * <p><b>Why arrays of rows.</b> HotSpot 17's C2 vectorises an element-wise loop (axpy, scaling,
 * clamping) only when every array is indexed by the loop variable itself: {@code y[i] += a * x[i]} runs
 * on SIMD registers, {@code y[yo + i] += a * x[xo + i]} with offsets that vary at run time stays scalar
 * (measured on this kernel at d = 784: about 3.5 times slower). The hot element-wise kernels therefore
 * take one array per row, indexed from 0; the row-of-rows overloads compute exactly what their
 * flat counterparts compute, in the same order (same bits).
 */
final class Dense {
    /** Features per chunk of {@link #combineRows}: 4 output rows x 256 doubles = 8 KiB stay in the first-level cache. */
    private static final int CHUNK = 256;

    private Dense() {
    }

    /** {@code sum_i a[ao + i] * b[bo + i]} for {@code i < n}. */
    static double dot(double[] a, int ao, double[] b, int bo, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * {@code out[r * cols + j] = a_r . b_j} for the rows {@code a_r} of {@code a} ({@code rows x n}) and
     * {@code b_j} of {@code b} ({@code cols x n}): the projection of a batch on a basis. Blocked two rows by
     * four columns, so that each pass over the features does eight independent multiply-adds from six
     * loads: one dot product at a time is bound by the latency of its additions (the JIT does not
     * vectorise floating-point reductions), this is bound by throughput, about three times faster.
     */
    static void multiplyTransposed(double[] a, int rows, double[] b, int cols, int n, double[] out) {
        multiplyTransposed(a, rows, b, 0, cols, n, out);
    }

    /** As {@link #multiplyTransposed(double[], int, double[], int, int, double[])} with {@code b}'s rows from {@code bo}. */
    static void multiplyTransposed(double[] a, int rows, double[] b, int bo, int cols, int n, double[] out) {
        int r = 0;
        for (; r + 1 < rows; r += 2) {
            int a0 = r * n;
            int a1 = a0 + n;
            int j = 0;
            for (; j + 3 < cols; j += 4) {
                int b0 = bo + j * n;
                int b1 = b0 + n;
                int b2 = b1 + n;
                int b3 = b2 + n;
                double s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
                for (int f = 0; f < n; f++) {
                    double x0 = a[a0 + f];
                    double x1 = a[a1 + f];
                    double y0 = b[b0 + f];
                    double y1 = b[b1 + f];
                    double y2 = b[b2 + f];
                    double y3 = b[b3 + f];
                    s00 += x0 * y0;
                    s01 += x0 * y1;
                    s02 += x0 * y2;
                    s03 += x0 * y3;
                    s10 += x1 * y0;
                    s11 += x1 * y1;
                    s12 += x1 * y2;
                    s13 += x1 * y3;
                }
                int o0 = r * cols + j;
                int o1 = o0 + cols;
                out[o0] = s00;
                out[o0 + 1] = s01;
                out[o0 + 2] = s02;
                out[o0 + 3] = s03;
                out[o1] = s10;
                out[o1 + 1] = s11;
                out[o1 + 2] = s12;
                out[o1 + 3] = s13;
            }
            for (; j < cols; j++) {
                out[r * cols + j] = dot(a, a0, b, bo + j * n, n);
                out[(r + 1) * cols + j] = dot(a, a1, b, bo + j * n, n);
            }
        }
        for (; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                out[r * cols + j] = dot(a, r * n, b, bo + j * n, n);
            }
        }
    }

    /**
     * As {@link #multiplyTransposed(double[], int, double[], int, int, double[])} on arrays of rows:
     * {@code out[r * cols + j] = a[r] . b[j]} over the first {@code n} values, same blocking and order.
     */
    static void multiplyTransposed(double[][] a, int rows, double[][] b, int cols, int n, double[] out) {
        int r = 0;
        for (; r + 1 < rows; r += 2) {
            double[] x0s = a[r];
            double[] x1s = a[r + 1];
            int j = 0;
            for (; j + 3 < cols; j += 4) {
                double[] y0s = b[j];
                double[] y1s = b[j + 1];
                double[] y2s = b[j + 2];
                double[] y3s = b[j + 3];
                double s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
                for (int f = 0; f < n; f++) {
                    double x0 = x0s[f];
                    double x1 = x1s[f];
                    double y0 = y0s[f];
                    double y1 = y1s[f];
                    double y2 = y2s[f];
                    double y3 = y3s[f];
                    s00 += x0 * y0;
                    s01 += x0 * y1;
                    s02 += x0 * y2;
                    s03 += x0 * y3;
                    s10 += x1 * y0;
                    s11 += x1 * y1;
                    s12 += x1 * y2;
                    s13 += x1 * y3;
                }
                int o0 = r * cols + j;
                int o1 = o0 + cols;
                out[o0] = s00;
                out[o0 + 1] = s01;
                out[o0 + 2] = s02;
                out[o0 + 3] = s03;
                out[o1] = s10;
                out[o1 + 1] = s11;
                out[o1 + 2] = s12;
                out[o1 + 3] = s13;
            }
            for (; j < cols; j++) {
                out[r * cols + j] = dot(x0s, 0, b[j], 0, n);
                out[(r + 1) * cols + j] = dot(x1s, 0, b[j], 0, n);
            }
        }
        for (; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                out[r * cols + j] = dot(a[r], 0, b[j], 0, n);
            }
        }
    }

    /**
     * {@code out[j][f] = sum_s coefficients[s * outRows + j] * sources[s][f]} for {@code j < outRows},
     * {@code f < n}: a combination of {@code count} source rows, i.e. {@code C^T S}. Each value is
     * accumulated from 0 in source order, {@code ((0 + c_0 x_0) + c_1 x_1) + ...}, the order of
     * {@code count} successive {@link #axpy}s, so the result has the same bits as that loop.
     *
     * <p>Blocked four output rows by two sources: each pass over a chunk of features loads two source
     * values and updates four outputs (eight multiply-adds per three loads and a store per output), in
     * element-wise loops that C2 vectorises; the chunk of the outputs stays in the first-level cache while
     * the sources stream through once.
     */
    static void combineRows(double[][] sources, int count, double[] coefficients, double[][] out, int outRows, int n) {
        for (int j = 0; j < outRows; j++) {
            java.util.Arrays.fill(out[j], 0, n, 0.0);
        }
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            int j = 0;
            for (; j + 3 < outRows; j += 4) {
                double[] ya = out[j];
                double[] yb = out[j + 1];
                double[] yc = out[j + 2];
                double[] yd = out[j + 3];
                int s = 0;
                for (; s + 1 < count; s += 2) {
                    int c0 = s * outRows + j;
                    int c1 = c0 + outRows;
                    double a0 = coefficients[c0];
                    double b0 = coefficients[c0 + 1];
                    double e0 = coefficients[c0 + 2];
                    double d0 = coefficients[c0 + 3];
                    double a1 = coefficients[c1];
                    double b1 = coefficients[c1 + 1];
                    double e1 = coefficients[c1 + 2];
                    double d1 = coefficients[c1 + 3];
                    double[] x0s = sources[s];
                    double[] x1s = sources[s + 1];
                    for (int f = from; f < to; f++) {
                        double x0 = x0s[f];
                        double x1 = x1s[f];
                        ya[f] = ya[f] + a0 * x0 + a1 * x1;
                        yb[f] = yb[f] + b0 * x0 + b1 * x1;
                        yc[f] = yc[f] + e0 * x0 + e1 * x1;
                        yd[f] = yd[f] + d0 * x0 + d1 * x1;
                    }
                }
                for (; s < count; s++) {
                    int c0 = s * outRows + j;
                    double a0 = coefficients[c0];
                    double b0 = coefficients[c0 + 1];
                    double e0 = coefficients[c0 + 2];
                    double d0 = coefficients[c0 + 3];
                    double[] x0s = sources[s];
                    for (int f = from; f < to; f++) {
                        double x0 = x0s[f];
                        ya[f] = ya[f] + a0 * x0;
                        yb[f] = yb[f] + b0 * x0;
                        yc[f] = yc[f] + e0 * x0;
                        yd[f] = yd[f] + d0 * x0;
                    }
                }
            }
            for (; j < outRows; j++) {
                double[] y = out[j];
                int s = 0;
                for (; s + 1 < count; s += 2) {
                    double a0 = coefficients[s * outRows + j];
                    double a1 = coefficients[(s + 1) * outRows + j];
                    double[] x0s = sources[s];
                    double[] x1s = sources[s + 1];
                    for (int f = from; f < to; f++) {
                        y[f] = y[f] + a0 * x0s[f] + a1 * x1s[f];
                    }
                }
                for (; s < count; s++) {
                    double a0 = coefficients[s * outRows + j];
                    double[] x0s = sources[s];
                    for (int f = from; f < to; f++) {
                        y[f] = y[f] + a0 * x0s[f];
                    }
                }
            }
        }
    }

    /** {@code y[i] += alpha * x[i]} for {@code i < n}: {@link #axpy(double, double[], int, double[], int, int)} from 0, vectorised. */
    static void axpy(double alpha, double[] x, double[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] += alpha * x[i];
        }
    }

    /** {@code y[yo + i] += alpha * x[xo + i]} for {@code i < n}. */
    static void axpy(double alpha, double[] x, int xo, double[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] += alpha * x[xo + i];
        }
    }

    /**
     * Eigen-decomposition of a symmetric {@code m x m} matrix by cyclic Jacobi rotations (exact to
     * rounding for the small matrices met here, and deterministic).
     *
     * @param a the matrix, row-major; destroyed (its diagonal ends up holding the eigenvalues)
     * @param values receives the eigenvalues, in descending order
     * @param vectors receives the eigenvectors as columns ({@code vectors[i * m + j]} is component
     *        {@code i} of eigenvector {@code j}), in the order of {@code values}
     */
    static void symmetricEigen(double[] a, int m, double[] values, double[] vectors) {
        double[] v = new double[m * m];
        for (int i = 0; i < m; i++) {
            v[i * m + i] = 1.0;
        }
        for (int sweep = 0; sweep < 60; sweep++) {
            double off = 0;
            double diag = 0;
            for (int p = 0; p < m; p++) {
                diag += a[p * m + p] * a[p * m + p];
                for (int q = p + 1; q < m; q++) {
                    off += a[p * m + q] * a[p * m + q];
                }
            }
            if (off <= 1e-30 * diag || off == 0) {
                break;
            }
            for (int p = 0; p < m - 1; p++) {
                for (int q = p + 1; q < m; q++) {
                    double apq = a[p * m + q];
                    if (apq == 0) {
                        continue;
                    }
                    double app = a[p * m + p];
                    double aqq = a[q * m + q];
                    // The rotation angle that zeroes a[p][q] (Golub & Van Loan, Algorithm 8.4.1).
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int r = 0; r < m; r++) {
                        double arp = a[r * m + p];
                        double arq = a[r * m + q];
                        a[r * m + p] = c * arp - s * arq;
                        a[r * m + q] = s * arp + c * arq;
                    }
                    for (int r = 0; r < m; r++) {
                        double apr = a[p * m + r];
                        double aqr = a[q * m + r];
                        a[p * m + r] = c * apr - s * aqr;
                        a[q * m + r] = s * apr + c * aqr;
                    }
                    for (int r = 0; r < m; r++) {
                        double vrp = v[r * m + p];
                        double vrq = v[r * m + q];
                        v[r * m + p] = c * vrp - s * vrq;
                        v[r * m + q] = s * vrp + c * vrq;
                    }
                }
            }
        }
        // Sort descending (selection sort: m is small), carrying the vectors along.
        int[] order = new int[m];
        boolean[] taken = new boolean[m];
        for (int j = 0; j < m; j++) {
            int best = -1;
            for (int i = 0; i < m; i++) {
                if (!taken[i] && (best < 0 || a[i * m + i] > a[best * m + best])) {
                    best = i;
                }
            }
            taken[best] = true;
            order[j] = best;
        }
        for (int j = 0; j < m; j++) {
            values[j] = a[order[j] * m + order[j]];
            for (int i = 0; i < m; i++) {
                vectors[i * m + j] = v[i * m + order[j]];
            }
        }
    }

    /**
     * Orthonormalises the rows of {@code rows x n} matrix {@code u} in place, in row order, by modified
     * Gram-Schmidt with one re-orthogonalisation pass where it is needed (Kahan's "twice is enough": a
     * second pass only when the first removed more than half of the row's norm, i.e. when rounding may
     * have left a visible part along the earlier rows). A row that is (numerically) in the span of the
     * earlier ones is replaced by the first coordinate axis that is not, so the result always has full
     * rank without any randomness.
     */
    static void orthonormaliseRows(double[] u, int rows, int n) {
        double[][] split = new double[rows][];
        for (int i = 0; i < rows; i++) {
            split[i] = java.util.Arrays.copyOfRange(u, i * n, (i + 1) * n);
        }
        orthonormaliseRows(split, rows, n);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(split[i], 0, u, i * n, n);
        }
    }

    /** As {@link #orthonormaliseRows(double[], int, int)} on the first {@code rows} rows of {@code u} (each of length {@code >= n}). */
    static void orthonormaliseRows(double[][] u, int rows, int n) {
        for (int i = 0; i < rows; i++) {
            double[] row = u[i];
            double before = Math.sqrt(dot(row, 0, row, 0, n));
            double norm = before;
            // A second pass only when the first removed most of the row (Kahan's criterion): otherwise
            // rounding left nothing worth removing, and the rows given here are usually nearly orthogonal.
            for (int pass = 0; pass < 2 && i > 0; pass++) {
                double start = norm;
                for (int j = 0; j < i; j++) {
                    double c = dot(u[j], 0, row, 0, n);
                    axpy(-c, u[j], row, n);
                }
                norm = Math.sqrt(dot(row, 0, row, 0, n));
                if (norm > 0.5 * start) {
                    break;
                }
            }
            if (!(norm > 1e-10 * before) || !(norm > 1e-300) || !Double.isFinite(norm)) {
                replaceByAxis(u, i, n);
                continue;
            }
            double inv = 1.0 / norm;
            for (int f = 0; f < n; f++) {
                row[f] *= inv;
            }
        }
    }

    /** Puts into row {@code i} the first coordinate axis with a clear part outside rows {@code 0..i-1}. */
    private static void replaceByAxis(double[][] u, int i, int n) {
        double[] row = u[i];
        for (int axis = 0; axis < n; axis++) {
            java.util.Arrays.fill(row, 0, n, 0.0);
            row[axis] = 1.0;
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < i; j++) {
                    double c = dot(u[j], 0, row, 0, n);
                    axpy(-c, u[j], row, n);
                }
            }
            double norm = Math.sqrt(dot(row, 0, row, 0, n));
            if (norm > 0.1) {
                double inv = 1.0 / norm;
                for (int f = 0; f < n; f++) {
                    row[f] *= inv;
                }
                return;
            }
        }
        throw new IllegalStateException("cannot complete an orthonormal basis of " + (i + 1) + " rows in " + n + " dimensions");
    }

    /**
     * A fixed reference direction for the sign convention of basis vectors: the same on every client
     * (it depends on the feature index only), so that peers learning the same subspace pick the same
     * signs and their bases can be averaged by gossip. Values are a SplitMix64 hash of the index,
     * mapped to [0.5, 1.5): positive and varied, so that no basis vector of interest is orthogonal to it
     * except by a coincidence of measure zero.
     */
    static double reference(int feature) {
        long z = (feature + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return 0.5 + (z >>> 11) * 0x1.0p-53;
    }

    /**
     * In-place Cholesky factor {@code L} (lower triangle, row-major) of a symmetric positive-definite
     * {@code k x k} matrix; returns {@code log det}, or NaN if the matrix is not positive definite.
     */
    static double cholesky(double[] a, int k) {
        double logDet = 0;
        for (int j = 0; j < k; j++) {
            double s = a[j * k + j];
            for (int p = 0; p < j; p++) {
                s -= a[j * k + p] * a[j * k + p];
            }
            if (!(s > 0) || Double.isInfinite(s)) {
                return Double.NaN;
            }
            double l = Math.sqrt(s);
            a[j * k + j] = l;
            logDet += 2 * Math.log(l);
            for (int i = j + 1; i < k; i++) {
                double t = a[i * k + j];
                for (int p = 0; p < j; p++) {
                    t -= a[i * k + p] * a[j * k + p];
                }
                a[i * k + j] = t / l;
            }
            for (int i = 0; i < j; i++) {
                a[i * k + j] = 0;
            }
        }
        return logDet;
    }
}
