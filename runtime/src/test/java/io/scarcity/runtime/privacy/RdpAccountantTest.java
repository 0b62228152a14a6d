package io.scarcity.runtime.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RdpAccountantTest {
    @Test
    void matchesOpacusOnTheSampledGaussianMechanism() {
        // Opacus' RDP accountant: noise multiplier 1.5, sampling rate 0.04, 2,250 steps, delta 1e-5 gives 7.329
        RdpAccountant a = new RdpAccountant();
        a.compose(1.5, 0.04, 2250);
        assertEquals(7.329, a.epsilon(1e-5), 0.005);
        assertEquals(2250, a.releases());
    }

    @Test
    void composingStepByStepEqualsComposingAtOnce() {
        RdpAccountant once = new RdpAccountant();
        once.compose(1.1, 0.01, 300);
        RdpAccountant stepwise = new RdpAccountant();
        for (int i = 0; i < 300; i++) {
            stepwise.compose(1.1, 0.01, 1);
        }
        assertEquals(once.epsilon(1e-5), stepwise.epsilon(1e-5), 1e-9);
    }

    @Test
    void withoutSubsamplingTheGaussianBoundIsExact() {
        double sigma = 2.0;
        for (double alpha : new double[] {1.5, 2, 7.3, 40}) {
            assertEquals(alpha / (2 * sigma * sigma), RdpAccountant.rdpAt(sigma, 1.0, alpha), 1e-15);
        }
        // one release, delta 1e-5, the conversion minimised over the default orders, checked against a fine grid
        RdpAccountant a = new RdpAccountant();
        a.compose(sigma, 1.0, 1);
        double best = Double.POSITIVE_INFINITY;
        for (double alpha : RdpAccountant.DEFAULT_ORDERS) {
            best = Math.min(best, alpha / 8 + Math.log((alpha - 1) / alpha) - (Math.log(1e-5) + Math.log(alpha)) / (alpha - 1));
        }
        assertEquals(best, a.epsilon(1e-5), 1e-12);
    }

    @Test
    void fractionalSeriesAgreesWithTheBinomialSumAtWholeOrders() {
        for (double sigma : new double[] {0.7, 1.0, 3.0}) {
            for (double q : new double[] {0.001, 0.05, 0.3}) {
                for (int alpha : new int[] {2, 3, 8, 20}) {
                    double whole = RdpAccountant.logAWhole(sigma, q, alpha);
                    double series = RdpAccountant.logAFractional(sigma, q, alpha);
                    assertEquals(whole, series, 1e-8 * Math.max(1, Math.abs(whole)), sigma + " " + q + " " + alpha);
                }
            }
        }
    }

    @Test
    void subsamplingAmplifiesPrivacyAndMoreNoiseSpendsLess() {
        RdpAccountant full = new RdpAccountant();
        full.compose(1.0, 1.0, 10);
        RdpAccountant sampled = new RdpAccountant();
        sampled.compose(1.0, 0.1, 10);
        assertTrue(sampled.epsilon(1e-5) < full.epsilon(1e-5));
        RdpAccountant noisier = new RdpAccountant();
        noisier.compose(2.0, 1.0, 10);
        assertTrue(noisier.epsilon(1e-5) < full.epsilon(1e-5));
        assertEquals(0.0, new RdpAccountant().epsilon(1e-5));
    }

    @Test
    void noiseMultiplierForATargetIsTheSmallestThatMeetsIt() {
        double sigma = RdpAccountant.noiseMultiplierFor(4.0, 1e-5, 1.0, 40);
        RdpAccountant a = new RdpAccountant();
        a.compose(sigma, 1.0, 40);
        assertTrue(a.epsilon(1e-5) <= 4.0);
        RdpAccountant less = new RdpAccountant();
        less.compose(sigma * 0.99, 1.0, 40);
        assertTrue(less.epsilon(1e-5) > 4.0);
        // and for the sampled mechanism of the Opacus reference, the inverse gives back its noise
        assertEquals(1.5, RdpAccountant.noiseMultiplierFor(7.329, 1e-5, 0.04, 2250), 0.01);
    }

    @Test
    void epsilonAfterDoesNotSpend() {
        RdpAccountant a = new RdpAccountant();
        a.compose(3.0, 1.0, 5);
        double before = a.epsilon(1e-6);
        double after = a.epsilonAfter(3.0, 1.0, 1, 1e-6);
        assertTrue(after > before);
        assertEquals(before, a.epsilon(1e-6));
        RdpAccountant six = new RdpAccountant();
        six.compose(3.0, 1.0, 6);
        assertEquals(six.epsilon(1e-6), after, 1e-12);
    }

    @Test
    void restoresWhatItSaved() {
        RdpAccountant a = new RdpAccountant();
        a.compose(1.2, 0.5, 17);
        RdpAccountant b = new RdpAccountant();
        b.restore(a.rdp(), a.releases());
        assertEquals(a.epsilon(1e-5), b.epsilon(1e-5));
        assertThrows(IllegalArgumentException.class, () -> b.restore(new double[3], 0));
        assertThrows(IllegalArgumentException.class, () -> a.epsilon(0));
        assertThrows(IllegalArgumentException.class, () -> a.compose(1, 1.5, 1));
    }

    @Test
    void logErfcIsAccurateFromNegativeToHugeArguments() {
        assertEquals(0.4795001221869535, Erfc.erfc(0.5), 1e-15);
        assertEquals(0.15729920705028513, Erfc.erfc(1), 1e-15);
        assertEquals(0.004677734981047266, Erfc.erfc(2), 1e-17);
        assertEquals(1.5374597944280349e-12, Erfc.erfc(5), 1e-25);
        assertEquals(2.088487583762545e-45, Erfc.erfc(10), 1e-57);
        assertEquals(1.8427007929497148, Erfc.erfc(-1), 1e-15);
        assertEquals(1.0, Erfc.erfc(0), 1e-16);
        // far beyond double range: the asymptotic series -x^2 - log(x sqrt(pi)) + log(1 - 1/(2x^2) + 3/(4x^4) - 15/(8x^6))
        double x = 30;
        double asymptotic = -x * x - Math.log(x * Math.sqrt(Math.PI)) + Math.log(1 - 1 / (2 * x * x) + 3 / (4 * Math.pow(x, 4)) - 15 / (8 * Math.pow(x, 6)));
        assertEquals(asymptotic, Erfc.logErfc(x), 1e-10);
    }
}
