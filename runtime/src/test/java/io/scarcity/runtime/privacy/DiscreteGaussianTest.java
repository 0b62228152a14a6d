package io.scarcity.runtime.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DiscreteGaussianTest {
    @Test
    void bernoulliExpHasTheRightFrequency() {
        DiscreteGaussian g = new DiscreteGaussian(new Random(1));
        int n = 200_000;
        for (long[] ratio : new long[][] {{1, 1}, {1, 3}, {5, 2}, {0, 1}}) {
            int hits = 0;
            for (int i = 0; i < n; i++) {
                if (g.bernoulliExp(BigInteger.valueOf(ratio[0]), BigInteger.valueOf(ratio[1]))) {
                    hits++;
                }
            }
            double p = Math.exp(-(double) ratio[0] / ratio[1]);
            assertEquals(p, (double) hits / n, 5 * Math.sqrt(p * (1 - p) / n) + 1e-9, ratio[0] + "/" + ratio[1]);
        }
    }

    @Test
    void samplesHaveTheDiscreteGaussiansMassesMeanAndVariance() {
        DiscreteGaussian g = new DiscreteGaussian(new Random(2));
        // sigma² = 1: P(0) = 1 / sum_k exp(-k²/2)
        double z = 0;
        for (int k = -40; k <= 40; k++) {
            z += Math.exp(-k * k / 2.0);
        }
        int n = 200_000;
        int zeros = 0;
        int ones = 0;
        for (int i = 0; i < n; i++) {
            long x = g.sample(BigInteger.ONE);
            zeros += x == 0 ? 1 : 0;
            ones += x == 1 ? 1 : 0;
        }
        assertEquals(1 / z, (double) zeros / n, 0.005);
        assertEquals(Math.exp(-0.5) / z, (double) ones / n, 0.005);
        // sigma² = 10^12 (a grid-scale noise): mean 0, variance sigma² (the discrete Gaussian's is just below it)
        BigInteger s2 = BigInteger.TEN.pow(12);
        int m = 40_000;
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < m; i++) {
            double x = g.sample(s2);
            sum += x;
            sq += x * x;
        }
        double mean = sum / m;
        double var = sq / m - mean * mean;
        assertEquals(0, mean / 1e6, 5 / Math.sqrt(m));
        assertEquals(1.0, var / 1e12, 0.05);
    }

    @Test
    void theSameBitsGiveTheSameSamples() {
        long[] a = new long[50];
        long[] b = new long[50];
        DiscreteGaussian ga = new DiscreteGaussian(new Random(9));
        DiscreteGaussian gb = new DiscreteGaussian(new Random(9));
        for (int i = 0; i < a.length; i++) {
            a[i] = ga.sample(BigInteger.valueOf(1_000_000));
            b[i] = gb.sample(BigInteger.valueOf(1_000_000));
        }
        assertTrue(java.util.Arrays.equals(a, b));
        assertThrows(IllegalArgumentException.class, () -> ga.sample(BigInteger.ZERO));
    }
}
