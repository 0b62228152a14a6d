package io.scarcity.plugins.reconstruction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.Task;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReconstructionExpertTest {
    private static final DataSchema REGRESSION = new DataSchema(List.of("a", "b", "c", "d", "e", "f"), Task.REGRESSION, null);
    private static final DataSchema THREE = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final BatchOutcome NONE = new BatchOutcome(null, new double[0], 0);

    private static ReconstructionExpert expert(DataSchema schema, Map<String, ?> config) {
        return ReconstructionCheckpointTest.expert(schema, config);
    }

    /** Six features driven by two factors; the target is a linear function of the factors. */
    private static Batch regressionBatch(Random random, int rows) {
        double[] x = new double[rows * 6];
        double[] t = new double[rows];
        for (int r = 0; r < rows; r++) {
            double f1 = random.nextGaussian();
            double f2 = random.nextGaussian();
            for (int j = 0; j < 6; j++) {
                x[r * 6 + j] = 100 * j + (j % 3 + 1) * (j < 3 ? f1 : f2) + 0.3 * random.nextGaussian();
            }
            t[r] = 10 + 3 * f1 - 2 * f2 + 0.1 * random.nextGaussian();
        }
        return Batch.ofTargets(REGRESSION, "d", 0, x, t);
    }

    @Test
    void latentHeadLearnsARegression() {
        ReconstructionExpert e = expert(REGRESSION, Map.of());
        InMemorySignalBoard board = new InMemorySignalBoard();
        Random random = new Random(3);
        double early = 0;
        double late = 0;
        for (int i = 0; i < 200; i++) {
            Batch b = regressionBatch(random, 50);
            Prediction p = e.predict(b, board);
            double sq = 0;
            for (int r = 0; r < b.rows(); r++) {
                double d = p.value(r) - b.target(r);
                sq += d * d;
            }
            if (i < 10) {
                early += sq / b.rows() / 10;
            }
            if (i >= 150) {
                late += sq / b.rows() / 50;
            }
            e.learn(b, NONE, board);
        }
        // The target's variance is 13 (9 + 4); its mean is 10, so an untrained head starts far off.
        System.out.printf("regression: prequential MSE in the first 10 batches %.3f, in the last 50 %.3f%n", early, late);
        assertTrue(late < 0.4, "late MSE " + late + " (measured 0.14)");
        assertTrue(late < 0.05 * early, "late " + late + " vs early " + early);
    }

    @Test
    void everyClientStartsFromTheSameNetwork() {
        // Two clients of one run: the same run seed and instance name, different generators.
        PluginContext one = context(9, "client-1");
        PluginContext two = context(9, "client-2");
        ReconstructionExpert a = (ReconstructionExpert) new ReconstructionExpertFactory().create(PluginConfig.empty(), one);
        ReconstructionExpert b = (ReconstructionExpert) new ReconstructionExpertFactory().create(PluginConfig.empty(), two);
        for (Map.Entry<String, double[]> w : a.exportState().weights().entrySet()) {
            assertArrayEquals(w.getValue(), b.exportState().weight(w.getKey()), 0.0, w.getKey());
        }
        // ... but their noise differs: the same batch gives different signals.
        Digits digits = Digits.load();
        InMemorySignalBoard boardA = new InMemorySignalBoard();
        InMemorySignalBoard boardB = new InMemorySignalBoard();
        a.learn(digits.batch(0, 50), NONE, boardA);
        b.learn(digits.batch(0, 50), NONE, boardB);
        assertNotEquals(boardA.get(ReconstructionExpert.ERROR, 0), boardB.get(ReconstructionExpert.ERROR, 0));
        // Another run seed gives another initialisation.
        ReconstructionExpert c = (ReconstructionExpert) new ReconstructionExpertFactory().create(PluginConfig.empty(),
                context(10, "client-1"));
        assertFalse(java.util.Arrays.equals(a.network().w1.value, c.network().w1.value));
    }

    private static PluginContext context(long seed, String client) {
        return new PluginContext() {
            @Override
            public long seed() {
                return seed;
            }

            @Override
            public Random random() {
                return new Random(seed * 1000 + client.hashCode());
            }

            @Override
            public Optional<DataSchema> schema() {
                return Optional.of(Digits.SCHEMA);
            }

            @Override
            public String instanceName() {
                return "vae";
            }

            @Override
            public Optional<String> clientId() {
                return Optional.of(client);
            }
        };
    }

    @Test
    void pooledMomentsStandardiseUntilTheClientHasItsOwn() {
        ReconstructionExpert e = expert(THREE, Map.of("priorRows", 200.0));
        // Pooled: mean 0, variance 1 over 1000 rows (worth 200). The client's data: mean 5, sd 2.
        e.adapt(new MetaParameters("d", 1, Map.of(), Map.of(), new FeatureMoments(1000, new double[3],
                new double[] {999, 999, 999}), Map.of()), "vae");
        Batch probe = Batch.ofClasses(THREE, "d", 0, new double[] {1, 2, 3}, null);
        assertEquals((1 + 4 + 9) / 3.0, e.meanPredictorError(probe), 1e-12);
        Random random = new Random(1);
        InMemorySignalBoard board = new InMemorySignalBoard();
        int rows = 0;
        while (rows < 20_000) {
            double[] x = new double[150];
            for (int i = 0; i < x.length; i++) {
                x[i] = 5 + 2 * random.nextGaussian();
            }
            e.learn(Batch.ofClasses(THREE, "d", rows, x, new int[50]), NONE, board);
            rows += 50;
        }
        // The prior now weighs 200 of 20,200 rows: the probe is standardised by about (x - 5) / 2.
        double expected = ((1 - 5) * (1 - 5) + (2 - 5) * (2 - 5) + (3 - 5) * (3 - 5)) / 4.0 / 3;
        assertEquals(expected, e.meanPredictorError(probe), 0.15 * expected);
        // Without a prior (priorRows 0) the pooled moments are ignored: before data, no standardisation.
        ReconstructionExpert plain = expert(THREE, Map.of("priorRows", 0.0));
        plain.adapt(new MetaParameters("d", 1, Map.of(), Map.of(), new FeatureMoments(1000, new double[] {7, 7, 7},
                new double[] {999, 999, 999}), Map.of()), "vae");
        assertEquals((1 + 4 + 9) / 3.0, plain.meanPredictorError(probe), 1e-12);
        // Moments of another dimension, or of fewer than two rows, are ignored.
        ReconstructionExpert other = expert(THREE, Map.of());
        other.adapt(MetaParameters.none("d", 3), "vae");
        other.adapt(new MetaParameters("d", 1, Map.of(), Map.of(), new FeatureMoments(10, new double[2], new double[2]),
                Map.of()), "vae");
        assertEquals((1 + 4 + 9) / 3.0, other.meanPredictorError(probe), 1e-12);
    }

    @Test
    void learningRateHintIsJitteredAndClamped() {
        ReconstructionExpert e = expert(THREE, Map.of());
        MetaParameters hint = new MetaParameters("d", 1, Map.of("vae", 0.002), Map.of(), MetaParameters.none("d", 3).normalisation(),
                Map.of());
        e.adapt(hint, "vae");
        assertNotEquals(0.002, e.learningRate());
        assertTrue(Math.abs(Math.log(e.learningRate() / 0.002)) < 0.5, "jittered rate " + e.learningRate());
        ReconstructionExpert exact = expert(THREE, Map.of("explore", 0.0));
        exact.adapt(hint, "vae");
        assertEquals(0.002, exact.learningRate());
        exact.adapt(new MetaParameters("d", 1, Map.of("vae", 50.0), Map.of(), hint.normalisation(), Map.of()), "vae");
        assertEquals(1.0, exact.learningRate());
        exact.adapt(new MetaParameters("d", 1, Map.of("other", 0.1), Map.of(), hint.normalisation(), Map.of()), "vae");
        assertEquals(1.0, exact.learningRate(), "a hint for another instance changes nothing");
    }

    @Test
    void aLearningRateScaleMultipliesTheConfiguredAndHintedRateUntilOneRestoresIt() {
        ReconstructionExpert e = expert(THREE, Map.of("learningRate", 0.008, "explore", 0.0));
        assertTrue(e.scaleLearningRate(0.5));
        assertEquals(0.004, e.learningRate(), 1e-15, "learningRate() reports the effective rate");
        e.adapt(new MetaParameters("d", 1, Map.of("vae", 0.02), Map.of(), MetaParameters.none("d", 3).normalisation(), Map.of()),
                "vae");
        assertEquals(0.01, e.learningRate(), 1e-15, "the scale stays on top of a hint");
        assertTrue(e.scaleLearningRate(1.0));
        assertEquals(0.02, e.learningRate(), 1e-15, "1 restores the hinted rate");
        assertTrue(e.scaleLearningRate(1000));
        assertEquals(1.0, e.learningRate(), "the effective rate is clamped to 1");
    }

    @Test
    void aHalvedScaleStepsExactlyLikeAHalvedRateAndDifferentlyFromTheUnscaledTwin() {
        // 0.02 * 0.5 is exactly 0.01 in binary, so the scaled expert must match the one configured at 0.01 bit for bit
        ReconstructionExpert scaled = expert(REGRESSION, Map.of("learningRate", 0.02));
        ReconstructionExpert half = expert(REGRESSION, Map.of("learningRate", 0.01));
        ReconstructionExpert unscaled = expert(REGRESSION, Map.of("learningRate", 0.02));
        assertTrue(scaled.scaleLearningRate(0.5));
        ReconstructionExpert[] experts = {scaled, half, unscaled};
        InMemorySignalBoard[] boards = {new InMemorySignalBoard(), new InMemorySignalBoard(), new InMemorySignalBoard()};
        Random random = new Random(3);
        for (int b = 0; b < 6; b++) {
            Batch batch = regressionBatch(random, 30);
            Batch replay = regressionBatch(random, 8);
            for (int i = 0; i < 3; i++) {
                experts[i].learn(batch, NONE, boards[i]);
                experts[i].replay(replay);
            }
        }
        var s = scaled.exportState();
        var h = half.exportState();
        for (String k : s.weights().keySet()) {
            assertArrayEquals(h.weight(k), s.weight(k), 0.0, k);
        }
        assertEquals(boards[1].snapshot(), boards[0].snapshot());
        assertFalse(java.util.Arrays.equals(unscaled.exportState().weight("encoder.w1"), s.weight("encoder.w1")),
                "the unscaled twin steps differently");
        assertTrue(scaled.scaleLearningRate(1.0));
        assertEquals(unscaled.learningRate(), scaled.learningRate());
    }

    @Test
    void aLearningRateScaleThatIsNotFiniteAndPositiveIsRefused() {
        ReconstructionExpert e = expert(THREE, Map.of("learningRate", 0.004));
        for (double bad : new double[] {0.0, -0.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> e.scaleLearningRate(bad), "" + bad);
            assertTrue(x.getMessage().contains("scale") && x.getMessage().contains(String.valueOf(bad)), x.getMessage());
        }
        assertEquals(0.004, e.learningRate(), "a refused scale changes nothing");
    }

    @Test
    void replayLearnsWithoutMovingTheMomentsTheSignalsOrTheCount() {
        Digits digits = Digits.load();
        ReconstructionExpert e = expert(Digits.SCHEMA, Map.of());
        InMemorySignalBoard board = new InMemorySignalBoard();
        e.learn(digits.batch(0, 50), NONE, board);
        Map<String, Double> signals = board.snapshot();
        var before = e.exportState();
        e.replay(digits.batch(100, 130));
        var after = e.exportState();
        assertEquals(before.samples(), after.samples());
        assertArrayEquals(before.weight("norm.mean"), after.weight("norm.mean"), 0.0);
        assertArrayEquals(before.weight("norm.variance"), after.weight("norm.variance"), 0.0);
        assertFalse(java.util.Arrays.equals(before.weight("encoder.w1"), after.weight("encoder.w1")));
        assertFalse(java.util.Arrays.equals(before.weight("head.w"), after.weight("head.w")));
        assertEquals(signals, board.snapshot());
    }

    @Test
    void rowsPerStepSlicesLearnedAndReplayedBatchesIntoSteps() {
        Digits digits = Digits.load();
        ReconstructionExpert whole = expert(Digits.SCHEMA, Map.of());
        ReconstructionExpert sliced = expert(Digits.SCHEMA, Map.of("rowsPerStep", 10));
        InMemorySignalBoard board = new InMemorySignalBoard();
        whole.learn(digits.batch(0, 45), NONE, board);
        sliced.learn(digits.batch(0, 45), NONE, new InMemorySignalBoard());
        assertEquals(1, whole.steps());
        assertEquals(5, sliced.steps(), "45 rows: four steps of 10 rows and one of 5");
        sliced.replay(digits.batch(100, 120));
        assertEquals(7, sliced.steps());
        sliced.learn(digits.batch(200, 208), NONE, new InMemorySignalBoard());
        assertEquals(8, sliced.steps(), "a batch of fewer rows is one step");
    }

    @Test
    void withRowsPerStepTheNetworkLearnsAsMuchFromLargeBatchesAsFromSmallOnes() {
        // the same 800 rows, in batches of 50 or of 10; held-out accuracy on the next 500
        Digits digits = Digits.load();
        double wholeLarge = heldOut(digits, Map.of(), 50);
        double slicedLarge = heldOut(digits, Map.of("rowsPerStep", 10), 50);
        double wholeSmall = heldOut(digits, Map.of(), 10);
        assertTrue(slicedLarge > wholeLarge + 0.05, "one step per 10 rows " + slicedLarge + ", one per batch of 50 " + wholeLarge);
        assertEquals(wholeSmall, slicedLarge, 0.03, "batches of 10 against batches of 50 sliced into steps of 10");
    }

    private static double heldOut(Digits digits, Map<String, ?> config, int batchRows) {
        ReconstructionExpert e = expert(Digits.SCHEMA, config);
        InMemorySignalBoard board = new InMemorySignalBoard();
        for (int from = 0; from < 800; from += batchRows) {
            e.learn(digits.batch(from, from + batchRows), NONE, board);
        }
        Batch test = digits.batch(800, 1300);
        Prediction p = e.predict(test, board);
        int correct = 0;
        for (int r = 0; r < test.rows(); r++) {
            correct += p.predictedClass(r) == test.label(r) ? 1 : 0;
        }
        return (double) correct / test.rows();
    }

    @Test
    void unlabelledBatchesTrainTheAutoencoderButNotTheHead() {
        Digits digits = Digits.load();
        ReconstructionExpert e = expert(Digits.SCHEMA, Map.of());
        InMemorySignalBoard board = new InMemorySignalBoard();
        e.learn(digits.batch(0, 50), NONE, board);
        var before = e.exportState();
        e.learn(digits.unlabelled(50, 100), NONE, board);
        var after = e.exportState();
        assertArrayEquals(before.weight("head.w"), after.weight("head.w"), 0.0);
        assertArrayEquals(before.weight("head.b"), after.weight("head.b"), 0.0);
        assertFalse(java.util.Arrays.equals(before.weight("decoder.w4"), after.weight("decoder.w4")));
        assertEquals(100, after.samples());
        assertTrue(board.get(ReconstructionExpert.ERROR, -1) > 0);
    }

    @Test
    void importanceIsTheRunningMeanOfSquaredGradientsShapedLikeTheState() {
        Digits digits = Digits.load();
        ReconstructionExpert e = expert(Digits.SCHEMA, Map.of());
        assertTrue(e.importance().isEmpty(), "nothing learned yet");
        InMemorySignalBoard board = new InMemorySignalBoard();
        e.learn(digits.batch(0, 50), NONE, board);
        // After one batch the estimate is that batch's squared gradient.
        var network = e.network();
        var first = e.importance().orElseThrow();
        for (Vae.Param p : network.params) {
            double[] f = first.weight(p.name);
            for (int i = 0; i < f.length; i++) {
                assertEquals(p.grad[i] * p.grad[i], f[i], 0.0, p.name);
            }
        }
        e.learn(digits.unlabelled(50, 100), NONE, board);
        var state = e.exportState();
        var importance = e.importance().orElseThrow();
        assertEquals(state.weights().keySet(), importance.weights().keySet());
        for (String name : state.weights().keySet()) {
            assertEquals(state.weight(name).length, importance.weight(name).length, name);
            for (double v : importance.weight(name)) {
                assertTrue(v >= 0 && Double.isFinite(v), name);
            }
        }
        assertTrue(java.util.Arrays.stream(importance.weight("encoder.w1")).anyMatch(v -> v > 0));
        assertTrue(java.util.Arrays.stream(importance.weight("head.w")).anyMatch(v -> v > 0));
        assertTrue(java.util.Arrays.stream(importance.weight("norm.mean")).allMatch(v -> v == 0), "moments are not learned by gradient");
        // An unlabelled batch gives the head no gradient: its estimate is untouched.
        assertArrayEquals(first.weight("head.w"), importance.weight("head.w"), 0.0);
        assertFalse(java.util.Arrays.equals(first.weight("decoder.w4"), importance.weight("decoder.w4")));
    }

    @Test
    void zeroWeightRowsAreNotLearned() {
        Digits digits = Digits.load();
        ReconstructionExpert e = expert(Digits.SCHEMA, Map.of());
        InMemorySignalBoard board = new InMemorySignalBoard();
        var before = e.exportState();
        e.learn(digits.batch(0, 20).withWeights(new double[20]), NONE, board);
        var after = e.exportState();
        for (String name : before.weights().keySet()) {
            if (!name.equals("norm.count")) {
                assertArrayEquals(before.weight(name), after.weight(name), 0.0, name);
            }
        }
        assertEquals(0, after.samples());
        // Signals are still published for every row.
        assertTrue(board.get(ReconstructionExpert.ERROR, -1) > 0);
    }

    @Test
    void predictsBeforeLearningAndChecksShapes() {
        ReconstructionExpert e = expert(THREE, Map.of());
        Batch b = Batch.ofClasses(THREE, "d", 0, new double[] {1, 2, 3, 4, 5, 6}, null);
        Prediction p = e.predict(b, new InMemorySignalBoard());
        assertEquals(2, p.rows());
        assertEquals(0.5, p.probability(0, 0), 1e-12, "an untrained head is uniform");
        Batch wrong = Batch.ofClasses(Digits.SCHEMA, "d", 0, new double[64], null);
        assertThrows(IllegalArgumentException.class, () -> e.predict(wrong, new InMemorySignalBoard()));
        assertThrows(IllegalArgumentException.class, () -> e.learn(wrong, NONE, new InMemorySignalBoard()));
        assertThrows(IllegalArgumentException.class, () -> e.encode(wrong));
        IllegalArgumentException codes = assertThrows(IllegalArgumentException.class, () -> e.decode(new double[7], 1));
        assertTrue(codes.getMessage().contains("1 x 8"), codes.getMessage());
        assertEquals(6, e.decode(new double[16], 2).length);
        // Empty batches are harmless.
        Batch empty = Batch.ofClasses(THREE, "d", 0, new double[0], new int[0]);
        assertEquals(0, e.predict(empty, new InMemorySignalBoard()).rows());
        InMemorySignalBoard board = new InMemorySignalBoard();
        e.learn(empty, NONE, board);
        e.replay(empty);
        assertTrue(board.snapshot().isEmpty());
        assertEquals(0, e.encode(empty).length);
        assertEquals(0, e.decode(new double[0], 0).length);
    }
}
