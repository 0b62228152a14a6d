package io.scarcity.plugins.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The row-of-rows kernels against the naive products (within 1e-12) and against their flat
 * counterparts or the loop of axpys they replace (bit for bit), on odd sizes that exercise every
 * remainder of the blocking and the chunking by features.
 */
class DenseTest {
    private static final int[] WIDTHS = {1, 3, 7, 255, 256, 257, 300, 513, 784};

    private static double[][] matrix(Random random, int rows, int n) {
        double[][] a = new double[rows][n];
        for (double[] row : a) {
            for (int f = 0; f < n; f++) {
                row[f] = random.nextGaussian();
            }
        }
        return a;
    }

    private static double[] flat(double[][] a, int n) {
        double[] out = new double[a.length * n];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, out, i * n, n);
        }
        return out;
    }

    @Test
    void multiplyTransposedOfRowsEqualsTheNaiveProductAndTheFlatKernel() {
        Random random = new Random(1);
        for (int n : WIDTHS) {
            for (int rows = 1; rows <= 5; rows++) {
                for (int cols = 1; cols <= 9; cols++) {
                    double[][] a = matrix(random, rows, n);
                    double[][] b = matrix(random, cols, n);
                    double[] out = new double[rows * cols];
                    Dense.multiplyTransposed(a, rows, b, cols, n, out);
                    double[] flatOut = new double[rows * cols];
                    Dense.multiplyTransposed(flat(a, n), rows, flat(b, n), cols, n, flatOut);
                    assertArrayEquals(flatOut, out, 0.0, "same bits as the flat kernel, " + rows + " x " + cols + " x " + n);
                    for (int r = 0; r < rows; r++) {
                        for (int j = 0; j < cols; j++) {
                            double s = 0;
                            for (int f = 0; f < n; f++) {
                                s += a[r][f] * b[j][f];
                            }
                            assertEquals(s, out[r * cols + j], 1e-12 * Math.max(1, n), "naive " + r + "," + j + " of " + n);
                        }
                    }
                }
            }
        }
    }

    @Test
    void combineRowsEqualsTheNaiveProductAndSuccessiveAxpys() {
        Random random = new Random(2);
        for (int n : WIDTHS) {
            for (int count = 1; count <= 7; count++) {
                for (int outRows = 1; outRows <= 9; outRows++) {
                    double[][] sources = matrix(random, count, n);
                    double[] c = new double[count * outRows];
                    for (int i = 0; i < c.length; i++) {
                        c[i] = random.nextGaussian();
                    }
                    double[][] out = matrix(random, outRows, n); // overwritten, not accumulated into
                    Dense.combineRows(sources, count, c, out, outRows, n);
                    for (int j = 0; j < outRows; j++) {
                        double[] axpys = new double[n];
                        for (int s = 0; s < count; s++) {
                            Dense.axpy(c[s * outRows + j], sources[s], 0, axpys, 0, n);
                        }
                        assertArrayEquals(axpys, out[j], 0.0, "same bits as " + count + " axpys, row " + j + " of " + outRows + ", n " + n);
                        for (int f = 0; f < n; f++) {
                            double naive = 0;
                            for (int s = 0; s < count; s++) {
                                naive += c[s * outRows + j] * sources[s][f];
                            }
                            assertEquals(naive, out[j][f], 1e-12, "naive");
                        }
                    }
                }
            }
        }
    }

    @Test
    void orthonormalisingRowsGivesOrthonormalRowsSpanningTheSameLeadingSubspaces() {
        Random random = new Random(3);
        for (int n : WIDTHS) {
            int rows = Math.min(n, 9);
            double[][] a = matrix(random, rows, n);
            if (rows > 2) {
                a[2] = a[0].clone(); // dependent: replaced by an axis
            }
            double[][] before = new double[rows][];
            for (int i = 0; i < rows; i++) {
                before[i] = a[i].clone();
            }
            double[] flat = flat(a, n);
            Dense.orthonormaliseRows(a, rows, n);
            Dense.orthonormaliseRows(flat, rows, n);
            assertArrayEquals(flat, flat(a, n), 0.0, "flat and row-of-rows versions, n " + n);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < rows; j++) {
                    assertEquals(i == j ? 1.0 : 0.0, Dense.dot(a[i], 0, a[j], 0, n), 1e-12, "rows " + i + ", " + j + " of n " + n);
                }
            }
            // Row 1 (independent of row 0) stays in the span of the first two inputs: its part outside is 0.
            if (rows > 1) {
                double[][] span = {before[0].clone(), before[1].clone()};
                Dense.orthonormaliseRows(span, 2, n);
                double[] rest = a[1].clone();
                for (double[] q : span) {
                    Dense.axpy(-Dense.dot(q, 0, a[1], 0, n), q, rest, n);
                }
                assertEquals(0.0, Math.sqrt(Dense.dot(rest, 0, rest, 0, n)), 1e-12, "span, n " + n);
            }
        }
    }
}
