package io.scarcity.plugins.temporal;

/**
 * General matrix product on row-major {@code double[]} blocks: {@code C = beta * C + op(A) op(B)}, with
 * {@code op(A)} of shape {@code m x k} and {@code op(B)} of shape {@code k x n}. A transposed operand is
 * stored in its own (untransposed) shape: {@code A} as {@code k x m} when {@code transA}, {@code B} as
 * {@code n x k} when {@code transB}. Operands are read from {@code array[offset ...]}.
 *
 * <p>One instance per expert, used from one thread at a time.
 */
interface MatMul {
    void gemm(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
              double[] c, int cOff, double beta);
}
