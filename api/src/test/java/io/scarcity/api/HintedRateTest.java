package io.scarcity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HintedRateTest {
    static MetaParameters hints(Map<String, Double> rates) {
        return new MetaParameters("d", 1, rates, Map.of(), new FeatureMoments(0, new double[1], new double[1]), Map.of());
    }

    @Test
    void aScaleMultipliesTheConfiguredAndTheHintedRateAndIsCappedAtTheMaximum() {
        HintedRate r = new HintedRate("test expert", 0.02, 1e-4, 1.0, 0.0);
        assertEquals(0.02, r.effective());
        assertTrue(r.setScale(0.5));
        assertEquals(0.01, r.effective());
        r.hint(hints(Map.of("x", 0.1)), "x", new Random(1));
        assertEquals(0.1, r.base());
        assertEquals(0.05, r.effective(), "a hint replaces the rate underneath and keeps the scale");
        r.setScale(100);
        assertEquals(1.0, r.effective());
        r.setScale(1);
        assertEquals(0.1, r.effective());
    }

    @Test
    void hintsAreJitteredWithTheGivenGeneratorClampedAndIgnoredWhenAbsentOrInvalid() {
        HintedRate r = new HintedRate("test expert", 0.02, 1e-4, 1.0, 0.3);
        Random random = new Random(5);
        r.hint(hints(Map.of("other", 0.1)), "x", random);
        r.hint(hints(Map.of("x", Double.NaN)), "x", random);
        r.hint(hints(Map.of("x", -1.0)), "x", random);
        assertEquals(0.02, r.base());
        Random expected = new Random(5);
        r.hint(hints(Map.of("x", 0.1)), "x", random);
        assertEquals(0.1 * Math.exp(0.3 * expected.nextGaussian()), r.base(), 1e-15,
                "the generator is drawn from only for a valid hint");
        r.hint(hints(Map.of("x", 1e-9)), "x", random);
        assertEquals(1e-4, r.base());
        r.hint(hints(Map.of("x", 50.0)), "x", random);
        assertEquals(1.0, r.base());
    }

    @Test
    void aBadScaleIsRefusedNamingTheOwnerAndChangesNothing() {
        HintedRate r = new HintedRate("geometry expert", 0.02, 1e-5, 1.0, 0.0);
        for (double bad : new double[] {0, -0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.setScale(bad));
            assertEquals("geometry expert: learning-rate scale must be finite and > 0, got " + bad, e.getMessage());
        }
        assertEquals(1.0, r.scale());
        r.restore(0.3, 2.0);
        assertEquals(0.6, r.effective(), 1e-15);
    }
}
