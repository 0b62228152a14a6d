package io.scarcity.plugins.temporal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Nd4jMatMulTest {
    /**
     * Batch sizes vary in a real stream (a client's last batch, Dirichlet shares), so the pool of ND4J
     * arrays fills and is emptied; products across many shapes must stay correct (an array closed while
     * in use once crashed the expert on digits).
     */
    @Test
    void productsOfManyShapesMatchPlainJavaAcrossPoolRefills() {
        Nd4jMatMul nd4j = new Nd4jMatMul(0);
        Random random = new Random(3);
        for (int m = 1; m <= 60; m++) {
            int n = 1 + random.nextInt(9);
            int k = 1 + random.nextInt(7);
            for (boolean transA : new boolean[] {false, true}) {
                double[] a = new double[m * k];
                double[] b = new double[k * n];
                double[] c1 = new double[m * n];
                for (int i = 0; i < a.length; i++) {
                    a[i] = random.nextGaussian();
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = random.nextGaussian();
                }
                for (int i = 0; i < c1.length; i++) {
                    c1[i] = random.nextGaussian();
                }
                double[] c2 = c1.clone();
                nd4j.gemm(transA, false, m, n, k, a, 0, b, 0, c1, 0, 0.5);
                JavaMatMul.INSTANCE.gemm(transA, false, m, n, k, a, 0, b, 0, c2, 0, 0.5);
                assertArrayEquals(c2, c1, 1e-9, "m=" + m + " n=" + n + " k=" + k + " transA=" + transA);
            }
        }
        assertTrue(nd4j.nd4jProducts() == 120, "every product went through ND4J: " + nd4j.nd4jProducts());
    }
}
