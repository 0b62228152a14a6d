package io.scarcity.plugins.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.scarcity.api.testing.PluginTestKit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feature drift with the default windows (reference 1000 rows, recent 500, 10 bins, threshold 0.1) on
 * five features of different kinds: Gaussian, uniform, binary, heavy-tailed (Student t with 2 degrees of
 * freedom) and a Gaussian on a large scale. Batches of 50 rows, unlabelled unless said otherwise.
 */
class FeatureDriftTest {
    private static final List<String> NAMES = List.of("gauss", "uniform", "binary", "heavy", "large");
    private static final DataSchema SCHEMA = new DataSchema(NAMES, Task.CLASSIFICATION, List.of("x", "y"));
    private static final int BATCH = 50;

    /** What the expert reports: its metrics and its log. */
    private static final class Recorder {
        final PluginTestKit.RecordingMetrics metrics = new PluginTestKit.RecordingMetrics();
        final PluginTestKit.RecordingLogger log = new PluginTestKit.RecordingLogger();
    }

    private static DriftExpert expert(Recorder recorder, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(Map.of("featureDrift", true));
        config.putAll(extra);
        PluginContext context = PluginTestKit.withReports(new PluginContext() { }, recorder.metrics, recorder.log);
        return (DriftExpert) new DriftExpertFactory().create(PluginConfig.of("experts[0].config", config), context);
    }

    /** One batch; {@code shifted} moves feature 3 ("heavy") by {@code shift} and feature 1 ("uniform") not at all. */
    static Batch batch(Random random, long firstRow, int shiftedFeature, double shift, boolean labelled) {
        double[] x = new double[BATCH * NAMES.size()];
        for (int r = 0; r < BATCH; r++) {
            double[] row = {random.nextGaussian(), random.nextDouble(), random.nextDouble() < 0.3 ? 1 : 0,
                    random.nextGaussian() / Math.sqrt((sq(random.nextGaussian()) + sq(random.nextGaussian())) / 2),
                    1000 + 250 * random.nextGaussian()};
            if (shiftedFeature >= 0) {
                row[shiftedFeature] += shift;
            }
            System.arraycopy(row, 0, x, r * row.length, row.length);
        }
        return Batch.ofClasses(SCHEMA, "d", firstRow, x, labelled ? new int[BATCH] : null);
    }

    private static double sq(double v) {
        return v * v;
    }

    private static BatchOutcome unlabelled() {
        return new BatchOutcome(null, new double[0], 1);
    }

    @Test
    void namesTheShiftedFeatureOnUnlabelledBatches() {
        // feature 0 ("gauss") moves by one standard deviation at row 5000
        for (long seed = 1; seed <= 10; seed++) {
            Recorder recorder = new Recorder();
            DriftExpert expert = expert(recorder, Map.of());
            SignalBoard signals = new InMemorySignalBoard();
            Random random = new Random(seed);
            long firedAt = -1;
            for (long row = 0; row < 8000; row += BATCH) {
                expert.learn(batch(random, row, row >= 5000 ? 0 : -1, 1.0, false), unlabelled(), signals);
                if (signals.get(DriftExpert.FEATURE_DETECTED_SIGNAL, -1) == 1.0 && firedAt < 0) {
                    firedAt = row + BATCH;
                    assertEquals(0.0, signals.get(DriftExpert.KL_FEATURE_SIGNAL, -2), "seed " + seed + ": the feature named");
                    assertTrue(signals.get(DriftExpert.KL_SIGNAL, -1) > 0.1);
                }
            }
            assertTrue(firedAt > 5000 && firedAt <= 5500, "seed " + seed + ": fired by row " + firedAt);
            assertEquals(1, expert.featureDetections(), "seed " + seed + ": one event for one shift");
            assertEquals(1L, recorder.metrics.counts.get("drift.kl.gauss"));
            assertEquals(1L, recorder.metrics.counts.get("drift.feature-detections"));
            assertEquals(1, recorder.metrics.counts.keySet().stream().filter(k -> k.startsWith("drift.kl.")).count(),
                    "no other feature counted: " + recorder.metrics.counts);
            assertEquals(1, recorder.log.lines.size());
            assertTrue(recorder.log.lines.get(0).contains("gauss (KL "), recorder.log.lines.get(0));
            assertEquals(0.0, signals.get(StandardSignals.DRIFT_DETECTED, -1), "feature drift does not raise drift.detected");
        }
    }

    @Test
    void namesAHeavyTailedFeatureAndABinaryOneWhenTheyShiftTogether() {
        // "heavy" moves by 2 (its scale is about 1 with tails), "binary" from 30% to 80% ones
        Recorder recorder = new Recorder();
        DriftExpert expert = expert(recorder, Map.of());
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(21);
        for (long row = 0; row < 6000; row += BATCH) {
            Batch b = batch(random, row, row >= 3000 ? 3 : -1, 2.0, true);
            if (row >= 3000) {
                double[] x = b.featuresCopy();
                for (int r = 0; r < BATCH; r++) {
                    x[r * NAMES.size() + 2] = random.nextDouble() < 0.8 ? 1 : 0;
                }
                b = Batch.ofClasses(SCHEMA, "d", row, x, new int[BATCH]);
            }
            expert.learn(b, new BatchOutcome(null, new double[BATCH], 1), signals);
        }
        assertEquals(1L, recorder.metrics.counts.get("drift.kl.heavy"), recorder.metrics.counts.toString());
        assertEquals(1L, recorder.metrics.counts.get("drift.kl.binary"), recorder.metrics.counts.toString());
        assertEquals(null, recorder.metrics.counts.get("drift.kl.gauss"));
        assertEquals(null, recorder.metrics.counts.get("drift.kl.uniform"));
        assertEquals(null, recorder.metrics.counts.get("drift.kl.large"));
        assertTrue(recorder.log.lines.get(0).contains("binary") && recorder.log.lines.get(0).contains("heavy"), recorder.log.lines.get(0));
    }

    @Test
    void staysQuietOnAStationaryStream() {
        for (long seed = 1; seed <= 5; seed++) {
            Recorder recorder = new Recorder();
            DriftExpert expert = expert(recorder, Map.of());
            SignalBoard signals = new InMemorySignalBoard();
            Random random = new Random(100 + seed);
            double maxKl = 0;
            for (long row = 0; row < 100_000; row += BATCH) {
                expert.learn(batch(random, row, -1, 0, false), unlabelled(), signals);
                maxKl = Math.max(maxKl, signals.get(DriftExpert.KL_SIGNAL, -1));
            }
            assertEquals(0, expert.featureDetections(), "seed " + seed);
            assertTrue(maxKl > 0 && maxKl < 0.1, "seed " + seed + ": largest divergence " + maxKl);
        }
    }

    @Test
    void publishesNothingMeaningfulWhileTheWindowsFill() {
        DriftExpert expert = expert(new Recorder(), Map.of("referenceRows", 100, "recentRows", 100, "bins", 5));
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(1);
        for (long row = 0; row < 200; row += BATCH) {
            assertEquals(-1.0, signals.get(DriftExpert.KL_FEATURE_SIGNAL, -1.0));
            expert.learn(batch(random, row, -1, 0, false), unlabelled(), signals);
            if (row + BATCH < 200) {
                assertEquals(0.0, signals.get(DriftExpert.KL_SIGNAL, -1));
                assertEquals(-1.0, signals.get(DriftExpert.KL_FEATURE_SIGNAL, -2));
            }
        }
        assertTrue(signals.get(DriftExpert.KL_SIGNAL, -1) > 0, "a divergence once both windows are full");
        assertTrue(signals.get(DriftExpert.KL_FEATURE_SIGNAL, -1) >= 0);
    }

    @Test
    void divergenceHasTheClosedFormOnAHandMadeWindow() {
        // two bins; reference 0,0,0,1 (edge at 0: bin 0 = x <= 0), recent 1,1,1,1 with smoothing 1:
        // Q = (4/6, 2/6), P = (1/6, 5/6), divergence = ((1/6-4/6) ln(1/4) + (5/6-2/6) ln(5/2)) / 2
        FeatureDrift kl = new FeatureDrift(1, 4, 4, 2, 0.5, 1);
        DataSchema one = new DataSchema(List.of("v"), Task.CLASSIFICATION, List.of("x", "y"));
        kl.add(Batch.ofClasses(one, "d", 0, new double[] {0, 0, 0, 1}, null));
        kl.add(Batch.ofClasses(one, "d", 4, new double[] {1, 1, 1, 1}, null));
        double expected = ((1.0 / 6 - 4.0 / 6) * Math.log(0.25) + (5.0 / 6 - 2.0 / 6) * Math.log(2.5)) / 2;
        assertTrue(kl.check() == expected > 0.5);
        assertEquals(expected, kl.divergences()[0], 1e-12);
    }
}
