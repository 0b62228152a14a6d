package io.scarcity.plugins.temporal;

import java.util.Arrays;

/**
 * {@link MatMul} in plain Java loops, ordered so that the innermost loop runs along contiguous rows
 * (which the JIT vectorises). For products too small to amortise ND4J's fixed cost per operation.
 */
final class JavaMatMul implements MatMul {
    static final JavaMatMul INSTANCE = new JavaMatMul();

    private JavaMatMul() {
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                     double[] c, int cOff, double beta) {
        if (beta == 0) {
            Arrays.fill(c, cOff, cOff + m * n, 0.0);
        } else if (beta != 1) {
            for (int i = cOff; i < cOff + m * n; i++) {
                c[i] *= beta;
            }
        }
        if (!transA && !transB) {
            ab(m, n, k, a, aOff, b, bOff, c, cOff);
        } else if (transA && !transB) {
            atb(m, n, k, a, aOff, b, bOff, c, cOff);
        } else if (!transA) {
            abt(m, n, k, a, aOff, b, bOff, c, cOff);
        } else {
            atbt(m, n, k, a, aOff, b, bOff, c, cOff);
        }
    }

    private static void ab(int m, int n, int k, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * n;
            int ai = aOff + i * k;
            for (int p = 0; p < k; p++) {
                double x = a[ai + p];
                int bp = bOff + p * n;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += x * b[bp + j];
                }
            }
        }
    }

    /** A is k x m: accumulates the outer products of row p of A and row p of B. */
    private static void atb(int m, int n, int k, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff) {
        for (int p = 0; p < k; p++) {
            int ap = aOff + p * m;
            int bp = bOff + p * n;
            for (int i = 0; i < m; i++) {
                double x = a[ap + i];
                int ci = cOff + i * n;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += x * b[bp + j];
                }
            }
        }
    }

    /** B is n x k: dot products of rows. */
    private static void abt(int m, int n, int k, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff) {
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * k;
            int ci = cOff + i * n;
            for (int j = 0; j < n; j++) {
                int bj = bOff + j * k;
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[ai + p] * b[bj + p];
                }
                c[ci + j] += s;
            }
        }
    }

    private static void atbt(int m, int n, int k, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * n;
            for (int j = 0; j < n; j++) {
                int bj = bOff + j * k;
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[aOff + p * m + i] * b[bj + p];
                }
                c[ci + j] += s;
            }
        }
    }
}
