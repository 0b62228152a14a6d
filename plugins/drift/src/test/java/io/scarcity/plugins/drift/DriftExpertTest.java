package io.scarcity.plugins.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DriftExpertTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final int BATCH = 50;

    private static final class CountingSink implements MetricsSink {
        long detections;

        @Override
        public void gauge(String name, double value) {
        }

        @Override
        public void count(String name, long delta) {
            if (name.equals("drift.detections")) {
                detections += delta;
            }
        }
    }

    private static Expert expert(Map<String, ?> config, MetricsSink sink) {
        PluginContext context = new PluginContext() {
            @Override
            public MetricsSink metrics() {
                return sink;
            }
        };
        return new DriftExpertFactory().create(PluginConfig.of("experts[0].config", config), context);
    }

    /** Feeds one batch of Bernoulli(p) losses; returns drift.detected. */
    private static double feed(Expert expert, SignalBoard signals, Random random, double p, long firstRow) {
        double[] losses = new double[BATCH];
        for (int i = 0; i < BATCH; i++) {
            losses[i] = random.nextDouble() < p ? 1 : 0;
        }
        Batch batch = Batch.ofClasses(SCHEMA, "d", firstRow, new double[BATCH], new int[BATCH]);
        expert.learn(batch, new BatchOutcome(null, losses, 1), signals);
        return signals.get(StandardSignals.DRIFT_DETECTED, Double.NaN);
    }

    @Test
    void detectsAnIncreaseInErrorRateWithin500Rows() {
        for (long seed = 1; seed <= 10; seed++) {
            CountingSink sink = new CountingSink();
            Expert expert = expert(Map.of(), sink);
            SignalBoard signals = new InMemorySignalBoard();
            Random random = new Random(seed);
            long detectedAt = -1;
            for (long row = 0; row < 10_000 && detectedAt < 0; row += BATCH) {
                if (feed(expert, signals, random, row < 5000 ? 0.1 : 0.5, row) == 1.0) {
                    detectedAt = row;
                }
            }
            assertTrue(detectedAt >= 5000, "seed " + seed + ": false alarm at row " + detectedAt);
            assertTrue(detectedAt < 5500, "seed " + seed + ": detected at row " + detectedAt);
            assertEquals(1, sink.detections, "one detection counted");
        }
    }

    @Test
    void staysQuietOnAStationaryStream() {
        for (long seed = 1; seed <= 10; seed++) {
            CountingSink sink = new CountingSink();
            Expert expert = expert(Map.of(), sink);
            SignalBoard signals = new InMemorySignalBoard();
            Random random = new Random(100 + seed);
            double maxScore = 0;
            for (long row = 0; row < 20_000; row += BATCH) {
                assertEquals(0.0, feed(expert, signals, random, 0.1, row), "seed " + seed + ": false alarm at row " + row);
                maxScore = Math.max(maxScore, signals.get(StandardSignals.DRIFT_SCORE, Double.NaN));
            }
            assertEquals(0, sink.detections);
            assertTrue(maxScore < 1.0);
        }
    }

    @Test
    void detectorRowDelayOnTheRawTest() {
        PageHinkley test = new PageHinkley(0.005, 50, 0.9999, 30);
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            assertTrue(!test.add(random.nextDouble() < 0.1 ? 1 : 0), "false alarm at " + i);
        }
        int delay = 0;
        while (!test.add(random.nextDouble() < 0.5 ? 1 : 0)) {
            delay++;
        }
        // The statistic grows by roughly 0.4 per row after the change: about 125 rows to reach 50.
        assertTrue(delay > 60 && delay < 300, "delay " + delay);
        assertEquals(0, test.count(), "reset after a detection");
        assertEquals(0.0, test.statistic());
    }

    @Test
    void warningAndScoreFollowTheStatistic() {
        Expert expert = expert(Map.of("lambda", 20.0, "alpha", 1.0, "delta", 0.0), MetricsSink.NONE);
        SignalBoard signals = new InMemorySignalBoard();
        double[] zeros = new double[40];
        expert.learn(batch(40), new BatchOutcome(null, zeros, 1), signals);
        assertEquals(0.0, signals.get(StandardSignals.DRIFT_SCORE, -1));
        assertEquals(0.0, signals.get(StandardSignals.DRIFT_WARNING, -1));

        // 15 losses of 1 after 40 zeros: the running mean is 15/55, the statistic about 15 * (1 - 0.14) > 10.
        double[] ones = new double[15];
        java.util.Arrays.fill(ones, 1.0);
        expert.learn(batch(15), new BatchOutcome(null, ones, 1), signals);
        double score = signals.get(StandardSignals.DRIFT_SCORE, -1);
        assertTrue(score > 0.5 && score < 1.0, "score " + score);
        assertEquals(1.0, signals.get(StandardSignals.DRIFT_WARNING, -1));
        assertEquals(0.0, signals.get(StandardSignals.DRIFT_DETECTED, -1));

        expert.learn(batch(15), new BatchOutcome(null, ones, 1), signals);
        assertEquals(1.0, signals.get(StandardSignals.DRIFT_DETECTED, -1));
        assertTrue(signals.get(StandardSignals.DRIFT_SCORE, -1) < 0.5, "the test restarted after the detection");

        expert.learn(batch(1), new BatchOutcome(null, new double[1], 1), signals);
        assertEquals(0.0, signals.get(StandardSignals.DRIFT_DETECTED, -1), "detected is per batch");
    }

    @Test
    void unlabelledBatchReportsNoDetectionAndKeepsTheState() {
        Expert expert = expert(Map.of("lambda", 20.0), MetricsSink.NONE);
        SignalBoard signals = new InMemorySignalBoard();
        double[] losses = new double[60];
        for (int i = 40; i < 60; i++) {
            losses[i] = 1;
        }
        expert.learn(batch(60), new BatchOutcome(null, losses, 1), signals);
        double score = signals.get(StandardSignals.DRIFT_SCORE, -1);
        signals.publish(StandardSignals.DRIFT_DETECTED, 1.0);
        expert.learn(batch(10), new BatchOutcome(null, new double[0], 1), signals);
        assertEquals(0.0, signals.get(StandardSignals.DRIFT_DETECTED, -1));
        assertEquals(score, signals.get(StandardSignals.DRIFT_SCORE, -1));
    }

    @Test
    void adaptTakesTheThresholdFromTheMetaParameters() {
        DriftExpert expert = (DriftExpert) expert(Map.of(), MetricsSink.NONE);
        FeatureMoments none = new FeatureMoments(0, new double[1], new double[1]);
        expert.adapt(new MetaParameters("d", 1, Map.of(), Map.of(), none, Map.of("drift.lambda", 12.5)), "drift");
        assertEquals(12.5, expert.lambda());
        expert.adapt(new MetaParameters("d", 2, Map.of(), Map.of(), none, Map.of("drift.lambda", -3.0)), "drift");
        assertEquals(12.5, expert.lambda(), "a non-positive threshold is ignored");
        expert.adapt(MetaParameters.none("d", 1), "drift");
        assertEquals(12.5, expert.lambda());
    }

    private static MetaParameters values(Map<String, Double> values) {
        return new MetaParameters("d", 1, Map.of(), Map.of(), new FeatureMoments(0, new double[1], new double[1]), values);
    }

    @Test
    void adaptScalesTheConfiguredThresholdAndToleranceByTheDomainsLossScale() {
        DriftExpert expert = (DriftExpert) expert(Map.of("lambda", 40.0, "delta", 0.01), MetricsSink.NONE);
        assertEquals(40.0, expert.lambda(), "the configured threshold until the coordinator sends something");
        expert.adapt(MetaParameters.none("d", 1), "drift");
        assertEquals(40.0, expert.lambda());
        assertEquals(0.01, expert.delta());
        expert.adapt(values(Map.of("drift.loss-scale", 0.5)), "drift");
        assertEquals(20.0, expert.lambda(), 1e-12);
        assertEquals(0.005, expert.delta(), 1e-15);
        expert.adapt(values(Map.of("drift.loss-scale", 1.5)), "drift");
        assertEquals(60.0, expert.lambda(), 1e-12, "scales apply to the configured values, they do not compound");
        assertEquals(0.015, expert.delta(), 1e-15);
        expert.adapt(values(Map.of("drift.loss-scale", 0.0)), "drift");
        assertEquals(60.0, expert.lambda(), 1e-12, "a zero scale is ignored");
        expert.adapt(values(Map.of("drift.loss-scale", Double.NaN)), "drift");
        assertEquals(60.0, expert.lambda(), 1e-12);
        expert.adapt(values(Map.of("drift.loss-scale", 0.25, "drift.lambda", 33.0)), "drift");
        assertEquals(33.0, expert.lambda(), "an explicit threshold wins over the scale");
    }

    @Test
    void aQuieterDomainsStandardisedTestDetectsSoonerWithoutFalseAlarms() {
        // Error rate 0.05 -> 0.2 in a domain whose loss noise is 0.7 of the federation's (variance ratio 1/2).
        long scaledDelay = 0;
        long configuredDelay = 0;
        for (long seed = 1; seed <= 10; seed++) {
            for (boolean scaled : new boolean[] {true, false}) {
                Expert expert = expert(Map.of(), MetricsSink.NONE);
                if (scaled) {
                    expert.adapt(values(Map.of("drift.loss-scale", Math.sqrt(0.5))), "drift");
                }
                SignalBoard signals = new InMemorySignalBoard();
                Random random = new Random(seed);
                long detectedAt = -1;
                for (long row = 0; row < 20_000 && detectedAt < 0; row += BATCH) {
                    if (feed(expert, signals, random, row < 10_000 ? 0.05 : 0.2, row) == 1.0) {
                        detectedAt = row;
                    }
                }
                assertTrue(detectedAt >= 10_000, "seed " + seed + (scaled ? " scaled" : "") + ": false alarm at row " + detectedAt);
                if (scaled) {
                    scaledDelay += detectedAt - 10_000;
                } else {
                    configuredDelay += detectedAt - 10_000;
                }
            }
        }
        assertTrue(scaledDelay < configuredDelay, "scaled " + scaledDelay + " vs configured " + configuredDelay);
    }

    private static Batch batch(int rows) {
        return Batch.ofClasses(SCHEMA, "d", 0, new double[rows], new int[rows]);
    }
}
