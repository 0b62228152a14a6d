package io.scarcity.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeaGeneratorTest {
    private static final double[] THETA = {8.0, 9.0, 7.0, 9.5};

    private static SeaGenerator sea(Map<String, ?> options, long seed) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(options);
        m.put("type", "sea");
        return (SeaGenerator) StreamFactory.create(PluginConfig.of("stream", m), seed, Path.of("."));
    }

    private static boolean rule(Row r, double theta) {
        return r.features()[0] + r.features()[1] <= theta;
    }

    @Test
    void schemaHasThreeFeaturesAndTwoClasses() {
        SeaGenerator g = sea(Map.of(), 1);
        assertEquals(List.of("f1", "f2", "f3"), g.schema().featureNames());
        assertEquals(List.of("0", "1"), g.schema().classNames());
        assertEquals(Task.CLASSIFICATION, g.schema().task());
    }

    @Test
    void noiselessLabelsObeyEachConceptThreshold() {
        for (int concept = 0; concept < 4; concept++) {
            SeaGenerator g = sea(Map.of("concept", concept, "noise", 0.0), 7 + concept);
            int disagreeWithOtherConcepts = 0;
            for (int i = 0; i < 20_000; i++) {
                Row r = g.next().orElseThrow();
                assertEquals(i, r.index());
                for (double f : r.features()) {
                    assertTrue(f >= 0 && f <= 10, "feature out of [0, 10]: " + f);
                }
                assertEquals(rule(r, THETA[concept]) ? 1 : 0, r.label(), "row " + i + " of concept " + concept);
                assertTrue(Double.isNaN(r.target()));
                for (int other = 0; other < 4; other++) {
                    if (other != concept && rule(r, THETA[other]) != rule(r, THETA[concept])) {
                        disagreeWithOtherConcepts++;
                        break;
                    }
                }
            }
            // Guards against a test that passes because the thresholds do not matter.
            assertTrue(disagreeWithOtherConcepts > 1000, "concepts indistinguishable: " + disagreeWithOtherConcepts);
        }
    }

    @Test
    void noiseFlipsTheConfiguredFractionOfLabels() {
        SeaGenerator g = sea(Map.of("noise", 0.1), 42);
        int n = 200_000;
        int flipped = 0;
        for (int i = 0; i < n; i++) {
            Row r = g.next().orElseThrow();
            if ((rule(r, 8.0) ? 1 : 0) != r.label()) {
                flipped++;
            }
        }
        double rate = flipped / (double) n;
        assertEquals(0.1, rate, 0.003, "flip rate");
    }

    @Test
    void abruptDriftSwitchesConceptExactlyAtPosition() {
        SeaGenerator g = sea(Map.of("noise", 0.0,
                "drifts", List.of(Map.of("at", 1000, "concept", 2), Map.of("at", 3000, "concept", 3))), 3);
        assertEquals(List.of(1000L, 3000L), g.driftPositions());
        for (int i = 0; i < 5000; i++) {
            Row r = g.next().orElseThrow();
            int expected = i < 1000 ? 0 : i < 3000 ? 2 : 3;
            assertEquals(expected, g.lastConcept(), "concept of row " + i);
            assertEquals(rule(r, THETA[expected]) ? 1 : 0, r.label(), "label of row " + i);
        }
    }

    @Test
    void gradualDriftRaisesTheShareOfTheNewConceptAcrossTheWindow() {
        int at = 10_000;
        int width = 40_000;
        SeaGenerator g = sea(Map.of("noise", 0.0, "drifts", List.of(Map.of("at", at, "width", width))), 5);
        int quarter = width / 4;
        int[] fromNew = new int[4];
        for (int i = 0; i < at + width + 5000; i++) {
            Row r = g.next().orElseThrow();
            int c = g.lastConcept();
            // Without a concept the drift goes to the next one: 0 -> 1.
            assertTrue(c == 0 || c == 1);
            assertEquals(rule(r, THETA[c]) ? 1 : 0, r.label());
            if (i < at) {
                assertEquals(0, c, "row " + i + " before the window");
            } else if (i >= at + width) {
                assertEquals(1, c, "row " + i + " after the window");
            } else if (c == 1) {
                fromNew[(i - at) / quarter]++;
            }
        }
        double[] expected = {0.125, 0.375, 0.625, 0.875};
        for (int q = 0; q < 4; q++) {
            assertEquals(expected[q], fromNew[q] / (double) quarter, 0.03, "share of the new concept in quarter " + q);
        }
    }

    @Test
    void sameSeedGivesSameRowsAndAnotherSeedDifferentOnes() {
        Map<String, Object> opts = Map.of("drifts", List.of(Map.of("at", 100, "width", 50)));
        SeaGenerator a = sea(opts, 99);
        SeaGenerator b = sea(opts, 99);
        SeaGenerator c = sea(opts, 100);
        boolean anyDifferent = false;
        for (int i = 0; i < 1000; i++) {
            Row ra = a.next().orElseThrow();
            Row rb = b.next().orElseThrow();
            Row rc = c.next().orElseThrow();
            assertArrayEquals(ra.features(), rb.features());
            assertEquals(ra.label(), rb.label());
            anyDifferent |= ra.features()[0] != rc.features()[0];
        }
        assertTrue(anyDifferent);
    }

    @Test
    void lengthEndsTheStream() {
        SeaGenerator g = sea(Map.of("length", 5), 1);
        for (int i = 0; i < 5; i++) {
            assertTrue(g.next().isPresent());
        }
        assertFalse(g.next().isPresent());
        assertFalse(g.next().isPresent());
    }

    @Test
    void readsAllItsKeysSoNoneIsReportedUnknown() {
        PluginConfig cfg = PluginConfig.of("stream", Map.of("type", "sea", "concept", 1, "noise", 0.0,
                "length", 100, "drifts", List.of(Map.of("at", 10, "concept", 3, "width", 5))));
        StreamFactory.create(cfg, 1, Path.of("."));
        assertEquals(java.util.Set.of(), cfg.unreadKeys());
        PluginConfig typo = PluginConfig.of("stream", Map.of("type", "sea", "nosie", 0.2, "label", "y"));
        StreamFactory.create(typo, 1, Path.of("."));
        assertEquals(java.util.Set.of("stream.nosie", "stream.label"), typo.unreadKeys());
    }

    @Test
    void defaultsAreConcept0Noise10PercentUnbounded() {
        SeaGenerator g = sea(Map.of(), 1);
        assertEquals(0, g.options().concept());
        assertEquals(0.1, g.options().noise());
        assertEquals(Long.MAX_VALUE, g.options().length());
        assertTrue(g.next().isPresent());
    }
}
