package io.scarcity.plugins.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Known answers for the three loss detectors with their default options: a Bernoulli loss stream whose
 * error rate goes from 0.1 to 0.4 at row 10,000 (20 seeds), and stationary streams at 0.1 (5 seeds of
 * 200,000 rows). The bounds are about twice the largest delay observed on these seeds.
 */
class LossDetectorsTest {
    private static final int CHANGE = 10_000;
    private static final DataSchema SCHEMA = new DataSchema(List.of("a"), Task.CLASSIFICATION, List.of("x", "y"));

    static Supplier<LossDetector> detector(String name) {
        Options o = Options.defaults();
        return switch (name) {
            case "adwin" -> () -> new Adwin(o.adwinDelta(), o.warningFraction());
            case "ddm" -> () -> new Ddm(o.minInstances(), o.warningLevel(), o.driftLevel());
            default -> () -> new PageHinkley(o.delta(), o.lambda(), o.alpha(), o.minInstances(), o.warningFraction());
        };
    }

    /**
     * detector, largest delay allowed (rows after the change), false alarms allowed before the change over
     * the 20 seeds (200,000 stationary rows), false alarms allowed on 1,000,000 stationary rows.
     * DDM's minimum is taken early after each (re)start, where its estimates are noisy: its false alarms
     * cluster in the first few thousand rows, and its delay grows with the rows since the last reset
     * (its mean is over all of them).
     */
    static List<Arguments> bounds() {
        return List.of(Arguments.of("page-hinkley", 400, 0, 0), Arguments.of("adwin", 250, 0, 0),
                Arguments.of("ddm", 4_000, 25, 10));
    }

    @ParameterizedTest
    @MethodSource("bounds")
    void detectsTheIncreaseWithinTheBoundAndRaisesFewFalseAlarms(String name, int maxDelay, int allowedBefore, int allowedStationary) {
        int before = 0;
        long totalDelay = 0;
        for (long seed = 1; seed <= 20; seed++) {
            LossDetector d = detector(name).get();
            Random random = new Random(seed);
            int delay = -1;
            for (int row = 0; row < CHANGE + 20_000 && delay < 0; row++) {
                boolean detected = d.add(random.nextDouble() < (row < CHANGE ? 0.1 : 0.4) ? 1 : 0);
                if (detected && row < CHANGE) {
                    before++;
                } else if (detected) {
                    delay = row - CHANGE;
                }
            }
            assertTrue(delay >= 0 && delay <= maxDelay, name + " seed " + seed + ": delay " + delay + " (bound " + maxDelay + ")");
            totalDelay += delay;
        }
        assertTrue(before <= allowedBefore, name + ": " + before + " false alarms before the change");
        int stationary = 0;
        for (long seed = 1; seed <= 5; seed++) {
            LossDetector d = detector(name).get();
            Random random = new Random(1000 + seed);
            for (int row = 0; row < 200_000; row++) {
                stationary += d.add(random.nextDouble() < 0.1 ? 1 : 0) ? 1 : 0;
            }
        }
        assertTrue(stationary <= allowedStationary, name + ": " + stationary + " alarms on 1,000,000 stationary rows");
        assertTrue(totalDelay > 0, "a change is never detected on the row where it happens");
    }

    @ParameterizedTest
    @ValueSource(strings = {"page-hinkley", "adwin", "ddm"})
    void theExpertReportsTheDetectorsChangeOnTheBatch(String name) {
        Expert expert = new DriftExpertFactory().create(PluginConfig.of("experts[0].config", Map.of("detector", name)),
                PluginContext.standalone(1, SCHEMA, "drift"));
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(5);
        long detectedAt = -1;
        double maxScore = 0;
        for (int row = 0; row < CHANGE + 10_000 && detectedAt < 0; row += 50) {
            double[] losses = new double[50];
            for (int i = 0; i < 50; i++) {
                losses[i] = random.nextDouble() < (row < CHANGE ? 0.1 : 0.4) ? 1 : 0;
            }
            expert.learn(Batch.ofClasses(SCHEMA, "d", row, new double[50], new int[50]), new BatchOutcome(null, losses, 1), signals);
            if (signals.get(StandardSignals.DRIFT_DETECTED, -1) == 1.0) {
                detectedAt = row;
            }
            double score = signals.get(StandardSignals.DRIFT_SCORE, -1);
            assertTrue(score >= 0 && score <= 1, "score " + score);
            if (row < CHANGE - 3000) {
                maxScore = Math.max(maxScore, score);
            }
        }
        assertTrue(detectedAt >= CHANGE && detectedAt < CHANGE + 4_000, name + ": detected at " + detectedAt);
        assertTrue(maxScore < 1, name + ": score before the change " + maxScore);
    }

    @Test
    void ddmFollowsThePapersControlChartOnZeroOneLosses() {
        // 10 rows with 2 errors set the minimum p = 0.2, s = sqrt(0.2 * 0.8 / 10) = 0.1265; then only errors:
        // row 11: p + s = 0.2727 + 0.1343 = 0.4070 (below 0.2 + 2s = 0.4530)
        // row 12: 0.3333 + 0.1361 = 0.4694 -> warning; row 14: 0.4286 + 0.1323 = 0.5608 (below 0.2 + 3s = 0.5795)
        // row 15: 0.4667 + 0.1288 = 0.5955 -> change
        Ddm ddm = new Ddm(10, 2, 3);
        double[] start = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0};
        for (double x : start) {
            assertFalse(ddm.add(x));
        }
        double s = Math.sqrt(0.2 * 0.8 / 10);
        assertEquals(0.0, ddm.level(), 1e-12, "at the minimum");
        assertFalse(ddm.add(1));
        assertFalse(ddm.warning());
        double p11 = 3.0 / 11;
        assertEquals((p11 + Math.sqrt(p11 * (1 - p11) / 11) - 0.2 - s) / (2 * s), ddm.level(), 1e-12);
        assertFalse(ddm.add(1));
        assertTrue(ddm.warning(), "row 12 is past two standard errors");
        assertFalse(ddm.add(1));
        assertFalse(ddm.add(1));
        assertTrue(ddm.add(1), "row 15 is past three standard errors");
        assertEquals(0, ddm.count(), "reset after the change");
        assertFalse(ddm.warning());
    }

    @Test
    void ddmNeverTakesAZeroBandAsItsMinimum() {
        // 30 correct rows (p = s = 0) then one error: the paper's rule would report a change
        Ddm ddm = new Ddm(30, 2, 3);
        for (int i = 0; i < 30; i++) {
            assertFalse(ddm.add(0));
        }
        assertFalse(ddm.add(1), "a single error after a perfect start is no change");
    }

    @Test
    void ddmOnRealValuedLossesUsesTheirStandardError() {
        // squared errors of a N(0, 1) residual (mean 1, variance 2), then of N(0, 2^2) (mean 4)
        Ddm ddm = new Ddm(30, 2, 3);
        Random random = new Random(3);
        int alarms = 0;
        for (int i = 0; i < 20_000; i++) {
            double e = random.nextGaussian();
            alarms += ddm.add(e * e) ? 1 : 0;
        }
        assertTrue(alarms <= 2, alarms + " false alarms");
        int delay = 0;
        while (true) {
            double e = 2 * random.nextGaussian();
            if (ddm.add(e * e)) {
                break;
            }
            delay++;
        }
        assertTrue(delay < 500, "delay " + delay);
    }

    @Test
    void adwinKeepsTheExactMeanOfItsWindowAndDropsThePastAfterAChange() {
        Adwin adwin = new Adwin(0.002, 0.5);
        Random random = new Random(11);
        double[] history = new double[60_000];
        int n = 0;
        int detections = 0;
        for (int segment = 0; segment < 3; segment++) {
            double p = segment == 1 ? 0.5 : 0.1;
            for (int i = 0; i < 20_000; i++) {
                double x = random.nextDouble() < p ? 1 : 0;
                history[n++] = x;
                detections += adwin.add(x) ? 1 : 0;
                if (i % 997 == 0) {
                    double sum = 0;
                    for (int k = n - (int) adwin.width(); k < n; k++) {
                        sum += history[k];
                    }
                    assertEquals(sum / adwin.width(), adwin.mean(), 1e-9, "row " + n);
                }
            }
            if (segment == 0) {
                assertEquals(20_000, adwin.width(), "no cut on a stationary stream");
            } else {
                // cuts fall on bucket boundaries, so a few rows from before the change may stay
                assertTrue(adwin.width() < 21_000, "the window dropped the rows before the change: " + adwin.width());
                assertEquals(p, adwin.mean(), 0.03);
            }
        }
        assertEquals(1, detections, "the increase is one detection (not a burst of cuts), the decrease none");
    }

    @Test
    void adwinReportsASecondIncreaseAfterTheFirst() {
        Adwin adwin = new Adwin(0.002, 0.5);
        Random random = new Random(12);
        int[] detectedAt = new int[4];
        int n = 0;
        for (int row = 0; row < 30_000; row++) {
            double p = row < 10_000 ? 0.1 : row < 20_000 ? 0.3 : 0.6;
            if (adwin.add(random.nextDouble() < p ? 1 : 0)) {
                detectedAt[n++] = row;
            }
        }
        assertEquals(2, n, "one detection per increase");
        assertTrue(detectedAt[0] >= 10_000 && detectedAt[0] < 10_500, "first at " + detectedAt[0]);
        assertTrue(detectedAt[1] >= 20_000 && detectedAt[1] < 20_500, "second at " + detectedAt[1]);
    }
}
