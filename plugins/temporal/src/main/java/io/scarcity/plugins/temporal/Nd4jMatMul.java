package io.scarcity.plugins.temporal;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.DoublePointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link MatMul} on ND4J (BLAS {@code dgemm} of the native CPU backend): the operands are copied into
 * off-heap double arrays that this instance keeps and reuses (one per role and shape), multiplied by
 * {@link Nd4j#gemm}, and the product copied back. The copies are bulk memory moves, cheap next to
 * the product for the sizes this is used for.
 *
 * <p>Products below {@code minMultiplyAdds} multiply-adds go to {@link JavaMatMul} instead: ND4J's
 * fixed cost per operation (tens of microseconds here) exceeds the whole product's cost in plain Java
 * at such sizes.
 */
final class Nd4jMatMul implements MatMul {
    /** Arrays kept before the pool is emptied (a stream whose batch sizes vary keeps it bounded). */
    private static final int MAX_POOLED = 32;

    private final long minMultiplyAdds;
    private final Map<Long, INDArray> pool = new HashMap<>();
    private long products;

    /** @param minMultiplyAdds products with fewer multiply-adds ({@code m n k}) run in plain Java */
    Nd4jMatMul(long minMultiplyAdds) {
        this.minMultiplyAdds = minMultiplyAdds;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                     double[] c, int cOff, double beta) {
        if ((long) m * n * k < minMultiplyAdds) {
            JavaMatMul.INSTANCE.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, beta);
            return;
        }
        if (pool.size() > MAX_POOLED - 3) {
            // empty the pool before taking this product's three arrays, never between them: an array
            // closed while in use has no memory left (its pointer is null)
            pool.values().forEach(INDArray::close);
            pool.clear();
        }
        INDArray x = transA ? array(0, k, m) : array(0, m, k);
        INDArray y = transB ? array(1, n, k) : array(1, k, n);
        INDArray z = array(2, m, n);
        pointer(x).put(a, aOff, m * k);
        pointer(y).put(b, bOff, k * n);
        if (beta != 0) {
            pointer(z).put(c, cOff, m * n);
        }
        Nd4j.gemm(x, y, z, transA, transB, 1.0, beta);
        pointer(z).get(c, cOff, m * n);
        products++;
    }

    /** Products computed by ND4J so far (for tests). */
    long nd4jProducts() {
        return products;
    }

    private INDArray array(int role, int rows, int cols) {
        long key = ((long) role << 62) | ((long) rows << 31) | cols;
        INDArray found = pool.get(key);
        if (found == null) {
            found = Nd4j.create(DataType.DOUBLE, rows, cols);
            pool.put(key, found);
        }
        return found;
    }

    private static DoublePointer pointer(INDArray array) {
        return (DoublePointer) array.data().addressPointer();
    }
}
