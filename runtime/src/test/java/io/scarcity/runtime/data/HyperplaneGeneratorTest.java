package io.scarcity.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.PluginConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HyperplaneGeneratorTest {
    private static HyperplaneGenerator hyperplane(Map<String, ?> options, long seed) {
        Map<String, Object> m = new LinkedHashMap<>(options);
        m.put("type", "hyperplane");
        return (HyperplaneGenerator) StreamFactory.create(PluginConfig.of("stream", m), seed, Path.of("."));
    }

    private static int rule(Row r, double[] w) {
        double dot = 0;
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            dot += w[i] * r.features()[i];
            sum += w[i];
        }
        return dot >= 0.5 * sum ? 1 : 0;
    }

    @Test
    void schemaNamesFeaturesX1ToXd() {
        HyperplaneGenerator g = hyperplane(Map.of("features", 3), 1);
        assertEquals(List.of("x1", "x2", "x3"), g.schema().featureNames());
        assertEquals(List.of("0", "1"), g.schema().classNames());
        assertEquals(10, hyperplane(Map.of(), 1).schema().numFeatures());
    }

    @Test
    void labelsAreBalancedAndFollowTheHyperplane() {
        HyperplaneGenerator g = hyperplane(Map.of("noise", 0.0), 11);
        double[] w = g.currentWeights();
        int n = 100_000;
        int ones = 0;
        for (int i = 0; i < n; i++) {
            Row r = g.next().orElseThrow();
            for (double x : r.features()) {
                assertTrue(x >= 0 && x < 1);
            }
            assertEquals(rule(r, w), r.label(), "row " + i);
            ones += r.label();
        }
        assertEquals(0.5, ones / (double) n, 0.02, "share of label 1");
    }

    @Test
    void noiseFlipsTheConfiguredFractionOfLabels() {
        HyperplaneGenerator g = hyperplane(Map.of(), 12);
        double[] w = g.currentWeights();
        int n = 100_000;
        int flipped = 0;
        for (int i = 0; i < n; i++) {
            Row r = g.next().orElseThrow();
            flipped += rule(r, w) != r.label() ? 1 : 0;
        }
        assertEquals(0.05, flipped / (double) n, 0.004);
    }

    @Test
    void abruptDriftReplacesTheWeights() {
        HyperplaneGenerator g = hyperplane(Map.of("noise", 0.0, "drifts", List.of(Map.of("at", 500))), 13);
        assertEquals(List.of(500L), g.driftPositions());
        double[] before = g.currentWeights();
        for (int i = 0; i < 500; i++) {
            Row r = g.next().orElseThrow();
            assertEquals(rule(r, before), r.label());
        }
        assertArrayEquals(before, g.currentWeights(), "no change before the drift");
        g.next().orElseThrow();
        double[] after = g.currentWeights();
        assertFalse(Arrays.equals(before, after), "weights unchanged by the drift");
        int disagree = 0;
        for (int i = 0; i < 2000; i++) {
            Row r = g.next().orElseThrow();
            assertEquals(rule(r, after), r.label());
            disagree += rule(r, before) != r.label() ? 1 : 0;
        }
        assertTrue(disagree > 100, "the new concept is barely different: " + disagree);
    }

    @Test
    void gradualDriftMixesOldAndNewConceptInsideTheWindow() {
        HyperplaneGenerator g = hyperplane(Map.of("noise", 0.0,
                "drifts", List.of(Map.of("at", 1000, "width", 20_000))), 14);
        double[] old = g.currentWeights();
        for (int i = 0; i < 1000; i++) {
            g.next().orElseThrow();
        }
        int[] matchesOld = new int[2];
        for (int i = 0; i < 20_000; i++) {
            Row r = g.next().orElseThrow();
            int half = i < 10_000 ? 0 : 1;
            matchesOld[half] += rule(r, old) == r.label() ? 1 : 0;
        }
        // The old concept explains more labels in the first half of the window than in the second.
        assertTrue(matchesOld[0] > matchesOld[1] + 500, Arrays.toString(matchesOld));
        assertArrayEquals(old, g.currentWeights(), "the old concept is in force until the window ends");
        g.next().orElseThrow();
        assertFalse(Arrays.equals(old, g.currentWeights()), "the new concept is in force after the window");
    }

    @Test
    void magnitudeRotatesTheWeightsContinuously() {
        HyperplaneGenerator still = hyperplane(Map.of(), 15);
        HyperplaneGenerator moving = hyperplane(Map.of("magnitude", 0.001, "reversal", 0.0), 15);
        double[] w0 = moving.currentWeights();
        assertArrayEquals(still.currentWeights(), w0);
        for (int i = 0; i < 2000; i++) {
            still.next();
            moving.next();
        }
        assertArrayEquals(w0, still.currentWeights(), "weights moved without magnitude");
        double[] w = moving.currentWeights();
        for (int i = 0; i < w.length; i++) {
            // Without reversals each weight moves by exactly 2000 * 0.001 one way or the other.
            assertEquals(2.0, Math.abs(w[i] - w0[i]), 1e-9, "weight " + i);
        }
    }

    @Test
    void sameSeedGivesSameRows() {
        Map<String, Object> opts = Map.of("magnitude", 0.01, "drifts", List.of(Map.of("at", 300, "width", 100)));
        HyperplaneGenerator a = hyperplane(opts, 5);
        HyperplaneGenerator b = hyperplane(opts, 5);
        for (int i = 0; i < 3000; i++) {
            Row ra = a.next().orElseThrow();
            Row rb = b.next().orElseThrow();
            assertArrayEquals(ra.features(), rb.features());
            assertEquals(ra.label(), rb.label());
        }
        assertArrayEquals(a.currentWeights(), b.currentWeights());
    }

    @Test
    void readsAllItsKeys() {
        PluginConfig cfg = PluginConfig.of("stream", Map.of("type", "hyperplane", "features", 4, "noise", 0.0,
                "magnitude", 0.001, "reversal", 0.2, "length", 10, "drifts", List.of(Map.of("at", 5, "width", 2))));
        HyperplaneGenerator g = (HyperplaneGenerator) StreamFactory.create(cfg, 1, Path.of("."));
        assertEquals(java.util.Set.of(), cfg.unreadKeys());
        int rows = 0;
        while (g.next().isPresent()) {
            rows++;
        }
        assertEquals(10, rows);
    }
}
