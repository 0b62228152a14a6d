package io.scarcity.plugins.causal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;
import org.junit.jupiter.api.Test;

/** The parts checked against known answers and against Commons Math. */
class GraphAndStatisticsTest {
    private static boolean[] dag(int n, int[][] edges) {
        boolean[] d = new boolean[n * n];
        for (int[] e : edges) {
            d[e[0] * n + e[1]] = true;
        }
        return d;
    }

    @Test
    void aChainAndAForkStayUndirectedAColliderAndWhatFollowsAreOriented() {
        // 0 -> 1 -> 2 (chain): nothing oriented
        Cpdag chain = Cpdag.fromDag(3, dag(3, new int[][] {{0, 1}, {1, 2}}));
        assertTrue(chain.undirected(0, 1) && chain.undirected(1, 2) && !chain.adjacent(0, 2));
        // 0 -> 2 <- 1, 2 -> 3: collider, then R1 orients 2 -> 3
        Cpdag collider = Cpdag.fromDag(4, dag(4, new int[][] {{0, 2}, {1, 2}, {2, 3}}));
        assertTrue(collider.directed(0, 2) && collider.directed(1, 2) && collider.directed(2, 3));
        assertEquals(3, collider.directedEdges());
        assertArrayEquals(new int[] {0, 1, 3}, collider.markovBlanket(2));
        assertArrayEquals(new int[] {1, 2}, collider.markovBlanket(0), "the spouse is in the blanket");
    }

    @Test
    void meekRuleTwoAndThree() {
        // R2: 0 -> 1 -> 2 with 0 - 2, made from the DAG 3 -> 1 <- 0, 1 -> 2, 0 -> 2: 0 -> 1 (collider with 3),
        // 1 -> 2 (R1 from 3), then 0 - 2 becomes 0 -> 2 by R2.
        Cpdag r2 = Cpdag.fromDag(4, dag(4, new int[][] {{3, 1}, {0, 1}, {1, 2}, {0, 2}}));
        assertTrue(r2.directed(0, 1) && r2.directed(1, 2) && r2.directed(0, 2), r2.toString());
        // R3: a - c, a - d, c -> b <- d, a - b, c and d not adjacent: a -> b
        // DAG: a -> c, a -> d, c -> b, d -> b, a -> b (a=0, b=1, c=2, d=3)
        Cpdag r3 = Cpdag.fromDag(4, dag(4, new int[][] {{0, 2}, {0, 3}, {2, 1}, {3, 1}, {0, 1}}));
        assertTrue(r3.directed(2, 1) && r3.directed(3, 1), r3.toString());
        assertTrue(r3.directed(0, 1), "R3 orients a -> b: " + r3);
        assertTrue(r3.undirected(0, 2) && r3.undirected(0, 3), r3.toString());
    }

    @Test
    void structuralHammingDistanceCountsPairs() {
        Cpdag chain = Cpdag.fromDag(3, dag(3, new int[][] {{0, 1}, {1, 2}}));
        Cpdag collider = Cpdag.fromDag(3, dag(3, new int[][] {{0, 1}, {2, 1}}));
        assertEquals(2, chain.structuralHammingDistance(collider), "two pairs with another orientation");
        assertEquals(2, chain.structuralHammingDistance(Cpdag.empty(3)), "two missing edges");
        assertEquals(0, collider.structuralHammingDistance(Cpdag.fromAdjacency(3, collider.adjacency())));
        assertThrows(IllegalArgumentException.class, () -> Cpdag.fromDag(2, dag(2, new int[][] {{0, 1}, {1, 0}})));
    }

    @Test
    void quantilesMatchCommonsMath() {
        NormalDistribution normal = new NormalDistribution();
        for (double p : new double[] {1e-6, 0.005, 0.025, 0.3, 0.5, 0.9, 0.975, 0.995, 1 - 1e-6}) {
            assertEquals(normal.inverseCumulativeProbability(p), Quantiles.normalQuantile(p), 1e-6, "p = " + p);
        }
        for (int df = 1; df <= 12; df++) {
            for (double alpha : new double[] {0.05, 0.01, 0.001}) {
                double exact = new ChiSquaredDistribution(df).inverseCumulativeProbability(1 - alpha);
                assertEquals(exact, Quantiles.chiSquareCritical(df, alpha), 1e-5 * exact, "df " + df + " alpha " + alpha);
            }
        }
    }

    /** Weighted, forgetting covariance against the plain weighted formulas on the same rows. */
    @Test
    void runningCovarianceMatchesTheWeightedFormula() {
        Random random = new Random(7);
        int n = 4;
        int rows = 500;
        double decay = 0.99;
        double[][] x = new double[rows][n];
        double[] w = new double[rows];
        RunningCovariance cov = new RunningCovariance(n);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                x[r][j] = 5 + random.nextGaussian() * (j + 1) + (j > 0 ? x[r][j - 1] : 0);
            }
            w[r] = 0.5 + random.nextDouble();
            cov.add(x[r], w[r], decay);
            if (r % 50 == 49) {
                cov.settle();
            }
        }
        cov.settle();
        double[] weight = new double[rows];
        double total = 0;
        double total2 = 0;
        for (int r = 0; r < rows; r++) {
            weight[r] = w[r] * Math.pow(decay, rows - 1 - r);
            total += weight[r];
            total2 += weight[r] * weight[r];
        }
        double[] mean = new double[n];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                mean[j] += weight[r] * x[r][j] / total;
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(mean[i], cov.mean(i), 1e-9);
            for (int j = 0; j < n; j++) {
                double c = 0;
                for (int r = 0; r < rows; r++) {
                    c += weight[r] * (x[r][i] - mean[i]) * (x[r][j] - mean[j]) / total;
                }
                assertEquals(c, cov.covariance(i, j), 1e-9 * (1 + Math.abs(c)), i + "," + j);
            }
        }
        assertEquals(total * total / total2, cov.effectiveRows(), 1e-9);
    }

    /**
     * The partial correlation from the correlation matrix equals the correlation of the two variables'
     * least-squares residuals on the conditioning set; the test rejects exactly when Fisher's z says so.
     */
    @Test
    void partialCorrelationTestAgreesWithResidualCorrelation() {
        Random random = new Random(3);
        int rows = 400;
        double[][] data = new double[rows][4];
        for (int r = 0; r < rows; r++) {
            double a = random.nextGaussian();
            double b = 0.6 * a + random.nextGaussian();
            double c = 0.5 * a + 0.4 * b + random.nextGaussian();
            double d = 0.1 * c + 0.7 * a + random.nextGaussian();
            data[r] = new double[] {a, b, c, d};
        }
        RunningCovariance cov = new RunningCovariance(4);
        for (double[] row : data) {
            cov.add(row, 1.0, 1.0);
        }
        double[] corr = cov.correlation(new double[16]);
        // residuals of c and d on {a, b}
        double[][] s = new double[rows][2];
        double[] c = new double[rows];
        double[] d = new double[rows];
        for (int r = 0; r < rows; r++) {
            s[r] = new double[] {data[r][0], data[r][1]};
            c[r] = data[r][2];
            d[r] = data[r][3];
        }
        OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
        ols.newSampleData(c, s);
        double[] rc = ols.estimateResiduals();
        ols.newSampleData(d, s);
        double[] rd = ols.estimateResiduals();
        double rho = new PearsonsCorrelation().correlation(rc, rd);
        double z = Math.sqrt(rows - 2 - 3) * 0.5 * Math.log((1 + Math.abs(rho)) / (1 - Math.abs(rho)));
        double critical = new NormalDistribution().inverseCumulativeProbability(1 - 0.05 / 2);
        int[][] columns = {{0}, {1}, {2}, {3}};
        for (double alpha : new double[] {0.05, 2 * (1 - new NormalDistribution().cumulativeProbability(z)) * 0.999,
                2 * (1 - new NormalDistribution().cumulativeProbability(z)) * 1.001}) {
            IndependenceTest test = new IndependenceTest(columns, alpha, 2);
            test.reset(corr, rows);
            double crit = new NormalDistribution().inverseCumulativeProbability(1 - alpha / 2);
            assertEquals(z <= crit, test.independent(2, 3, new int[] {0, 1}, 2), "alpha " + alpha + ", z " + z);
        }
        assertTrue(z > 0.5 && z > critical, "this data's partial correlation is small but significant at 0.05: z = " + z);
        assertTrue(test(columns, 0.01, corr, rows), "and not at 0.01");
        // marginally c and d are clearly dependent (through a)
        IndependenceTest test = new IndependenceTest(columns, 0.05, 2);
        test.reset(corr, rows);
        assertFalse(test.independent(2, 3, new int[0], 0));
        assertEquals(1, test.count());
    }

    private static boolean test(int[][] columns, double alpha, double[] corr, int rows) {
        IndependenceTest test = new IndependenceTest(columns, alpha, 2);
        test.reset(corr, rows);
        return test.independent(2, 3, new int[] {0, 1}, 2);
    }
}
