package io.scarcity.plugins.statistical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertState;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import java.util.List;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StatisticalExpertTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("neg", "pos"));
    private static final DataSchema REGRESSION = new DataSchema(List.of("a", "b", "c"), Task.REGRESSION, null);

    private static Expert expert(Map<String, ?> config) {
        return new StatisticalExpertFactory().create(PluginConfig.of("experts[0].config", config),
                PluginContext.standalone(7, SCHEMA, "stat"));
    }

    /** Two classes with unit-variance features centred at -shift and +shift (swapped if {@code swapped}). */
    private static Batch gaussianBatch(Random random, int rows, double shift, boolean swapped, long firstRow) {
        double[] x = new double[rows * 3];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = random.nextBoolean() ? 1 : 0;
            double centre = (y[r] == 1) != swapped ? shift : -shift;
            for (int j = 0; j < 3; j++) {
                x[r * 3 + j] = centre + random.nextGaussian();
            }
        }
        return Batch.ofClasses(SCHEMA, "d", firstRow, x, y);
    }

    /** Test-then-train on one batch; returns the expert's accuracy on it. */
    private static double step(Expert expert, Batch batch, SignalBoard signals) {
        Prediction p = expert.predict(batch, signals);
        double[] losses = new double[batch.rows()];
        int correct = 0;
        for (int r = 0; r < batch.rows(); r++) {
            boolean ok = p.predictedClass(r) == batch.label(r);
            correct += ok ? 1 : 0;
            losses[r] = ok ? 0 : 1;
        }
        expert.learn(batch, new BatchOutcome(p, losses, 1), signals);
        return (double) correct / batch.rows();
    }

    @Test
    void valuesFarOutsideTheLearnedScaleGiveFinitePriorBasedPredictions() {
        Expert expert = expert(Map.of());
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(5);
        for (int b = 0; b < 20; b++) {
            step(expert, gaussianBatch(random, 50, 2.0, false, b * 50L), signals);
        }
        double[] huge = {1e160, -1e160, 3e200, 1e300, 1e300, -1e300};
        Prediction p = expert.predict(Batch.ofClasses(SCHEMA, "d", 0, huge, new int[] {0, 1}), signals);
        for (int r = 0; r < 2; r++) {
            double sum = p.probability(r, 0) + p.probability(r, 1);
            assertEquals(1.0, sum, 1e-9);
            assertTrue(p.probability(r, 0) > 0.3 && p.probability(r, 0) < 0.7, "prior-like, got " + p.probability(r, 0));
        }
        // and learning from such rows keeps the expert usable on ordinary rows
        expert.learn(Batch.ofClasses(SCHEMA, "d", 0, huge, new int[] {0, 1}), new BatchOutcome(p, new double[] {0, 0}, 1), signals);
        Prediction after = expert.predict(gaussianBatch(random, 50, 2.0, false, 0), signals);
        assertTrue(Double.isFinite(after.probability(0, 0)));
    }

    @Test
    void separatedGaussianClassesArePredictedAccurately() {
        Expert expert = expert(Map.of());
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(11);
        double correct = 0;
        int batches = 100;
        for (int b = 0; b < batches; b++) {
            correct += step(expert, gaussianBatch(random, 50, 1.5, false, b * 50L), signals);
        }
        double accuracy = correct / batches;
        assertTrue(accuracy > 0.95, "prequential accuracy " + accuracy);
    }

    @Test
    void probabilitiesAreCalibratedInDirection() {
        Expert expert = expert(Map.of());
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(3);
        for (int b = 0; b < 20; b++) {
            step(expert, gaussianBatch(random, 50, 1.5, false, 0), signals);
        }
        Batch probe = Batch.ofClasses(SCHEMA, "d", 0, new double[] {0, 0, 0, 3, 3, 3, -3, -3, -3}, null);
        Prediction p = expert.predict(probe, signals);
        assertEquals(0.5, p.probability(0, 1), 0.2);
        assertTrue(p.probability(1, 1) > 0.999);
        assertTrue(p.probability(2, 0) > 0.999);
    }

    @Test
    void untrainedExpertPredictsUniformly() {
        Expert expert = expert(Map.of());
        Prediction p = expert.predict(gaussianBatch(new Random(1), 5, 1, false, 0), new InMemorySignalBoard());
        for (int r = 0; r < 5; r++) {
            assertEquals(0.5, p.probability(r, 0), 1e-12);
        }
    }

    /** Accuracy per batch of 20 rows after the class means swap (after 50 batches of the old concept). */
    private static double[] accuracyAfterSwap(boolean signalDrift) {
        Expert expert = expert(Map.of());
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(5);
        for (int b = 0; b < 50; b++) {
            signals.publish(StandardSignals.DRIFT_DETECTED, 0);
            step(expert, gaussianBatch(random, 20, 1.5, false, 0), signals);
        }
        double[] accuracy = new double[40];
        for (int b = 0; b < accuracy.length; b++) {
            signals.publish(StandardSignals.DRIFT_DETECTED, signalDrift && b == 0 ? 1 : 0);
            accuracy[b] = step(expert, gaussianBatch(random, 20, 1.5, true, 0), signals);
        }
        return accuracy;
    }

    private static int batchesToRecover(double[] accuracy) {
        for (int b = 0; b < accuracy.length; b++) {
            if (accuracy[b] > 0.9) {
                return b;
            }
        }
        return Integer.MAX_VALUE;
    }

    @Test
    void recoversFromAnAbruptSwapOfClassMeans() {
        double[] accuracy = accuracyAfterSwap(false);
        assertTrue(accuracy[0] < 0.2, "the swap should break the old model, accuracy " + accuracy[0]);
        int recovered = batchesToRecover(accuracy);
        assertTrue(recovered <= 10, "recovered after " + recovered + " batches");
        double late = 0;
        for (int b = 20; b < accuracy.length; b++) {
            late += accuracy[b] / (accuracy.length - 20);
        }
        assertTrue(late > 0.9, "accuracy once recovered " + late);
    }

    @Test
    void detectedDriftSpeedsUpRecovery() {
        double[] plain = accuracyAfterSwap(false);
        double[] boosted = accuracyAfterSwap(true);
        assertTrue(batchesToRecover(boosted) < batchesToRecover(plain),
                "boosted " + batchesToRecover(boosted) + " vs plain " + batchesToRecover(plain));
        assertTrue(batchesToRecover(boosted) <= 2, "boosted recovery took " + batchesToRecover(boosted) + " batches");
        double plainEarly = 0;
        double boostedEarly = 0;
        for (int b = 0; b < 10; b++) {
            plainEarly += plain[b];
            boostedEarly += boosted[b];
        }
        assertTrue(boostedEarly > plainEarly + 1, "boosted " + boostedEarly + " vs plain " + plainEarly);
    }

    @Test
    void outlierRateRisesOnPlantedOutliersAndStaysLowOnCleanData() {
        Expert expert = expert(Map.of());
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(21);
        double maxClean = 0;
        for (int b = 0; b < 60; b++) {
            step(expert, gaussianBatch(random, 100, 1.0, false, 0), signals);
            if (b > 0) {
                maxClean = Math.max(maxClean, signals.get(StandardSignals.OUTLIER_RATE, Double.NaN));
            }
        }
        assertTrue(maxClean <= 0.05, "clean outlier rate up to " + maxClean);

        Batch clean = gaussianBatch(random, 100, 1.0, false, 0);
        double[] x = clean.featuresCopy();
        int[] y = new int[100];
        for (int r = 0; r < 100; r++) {
            y[r] = clean.label(r);
            if (r % 4 == 0) {
                x[r * 3 + 1] += 25.0; // a quarter of the rows get one wild feature
            }
        }
        step(expert, Batch.ofClasses(SCHEMA, "d", 0, x, y), signals);
        double planted = signals.get(StandardSignals.OUTLIER_RATE, Double.NaN);
        assertTrue(planted >= 0.24 && planted <= 0.3, "planted outlier rate " + planted);

        // The sign-based estimates barely move: the next clean batch is clean again.
        step(expert, gaussianBatch(random, 100, 1.0, false, 0), signals);
        assertTrue(signals.get(StandardSignals.OUTLIER_RATE, Double.NaN) <= 0.05);
    }

    @Test
    void exportThenMergeKeepsPredictionsEqual() {
        Expert trained = expert(Map.of());
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(8);
        for (int b = 0; b < 20; b++) {
            step(trained, gaussianBatch(random, 50, 1.0, false, 0), signals);
        }
        ExpertState state = trained.exportState();
        assertEquals(1000, state.samples());
        assertEquals(6, state.weight("mean").length);
        assertEquals(6, state.weight("variance").length);
        assertEquals(2, state.weight("prior").length);

        Expert fresh = expert(Map.of());
        fresh.mergeState(state);
        Expert self = expert(Map.of());
        self.mergeState(ExpertState.sampleWeightedMean(state, state));
        Batch probe = gaussianBatch(random, 200, 1.0, false, 0);
        Prediction expected = trained.predict(probe, signals);
        Prediction adopted = fresh.predict(probe, signals);
        Prediction averaged = self.predict(probe, signals);
        for (int r = 0; r < probe.rows(); r++) {
            assertEquals(expected.probability(r, 1), adopted.probability(r, 1), 1e-9);
            assertEquals(expected.probability(r, 1), averaged.probability(r, 1), 1e-9);
        }
        assertEquals(state.samples(), fresh.exportState().samples());
    }

    @Test
    void mergingWithAPeerThatNeverSawAClassKeepsThatClassMean() {
        SignalBoard signals = new InMemorySignalBoard();
        Expert both = expert(Map.of());
        Expert onlyNegative = expert(Map.of());
        Random random = new Random(4);
        for (int b = 0; b < 20; b++) {
            step(both, gaussianBatch(random, 50, 2.0, false, 0), signals);
        }
        double[] x = new double[300];
        for (int i = 0; i < x.length; i++) {
            x[i] = -2.0 + random.nextGaussian();
        }
        step(onlyNegative, Batch.ofClasses(SCHEMA, "d", 0, x, new int[100]), signals);
        ExpertState merged = ExpertState.sampleWeightedMean(both.exportState(), onlyNegative.exportState());
        Expert result = expert(Map.of());
        result.mergeState(merged);
        double[] mean = result.exportState().weight("mean");
        for (int j = 0; j < 3; j++) {
            assertEquals(2.0, mean[3 + j], 0.3, "class 1 mean must not be dragged to zero");
            assertEquals(-2.0, mean[j], 0.3);
        }
    }

    @Test
    void adaptAppliesTheHintForItsInstance() {
        Expert exact = expert(Map.of("explore", 0.0));
        exact.adapt(new MetaParameters("d", 1, Map.of("stat", 0.07, "other", 0.5), Map.of(),
                new io.scarcity.api.FeatureMoments(0, new double[3], new double[3]), Map.of()), "stat");
        assertEquals(0.07, exact.learningRate(), 1e-15);

        exact.adapt(MetaParameters.none("d", 3), "stat");
        assertEquals(0.07, exact.learningRate(), 1e-15, "no hint leaves the rate alone");

        exact.adapt(new MetaParameters("d", 2, Map.of("stat", 50.0), Map.of(),
                new io.scarcity.api.FeatureMoments(0, new double[3], new double[3]), Map.of()), "stat");
        assertEquals(1.0, exact.learningRate(), "clamped to 1");

        Expert jittered = expert(Map.of("explore", 0.1));
        MetaParameters hint = new MetaParameters("d", 1, Map.of("stat", 0.05), Map.of(),
                new io.scarcity.api.FeatureMoments(0, new double[3], new double[3]), Map.of());
        jittered.adapt(hint, "stat");
        double rate = jittered.learningRate();
        assertNotEquals(0.05, rate);
        assertTrue(Math.abs(Math.log(rate / 0.05)) < 0.5, "jitter too large: " + rate);
    }

    private static MetaParameters hint(double rate) {
        return new MetaParameters("d", 1, Map.of("stat", rate), Map.of(),
                new io.scarcity.api.FeatureMoments(0, new double[3], new double[3]), Map.of());
    }

    @Test
    void aLearningRateScaleMultipliesTheConfiguredAndHintedRateUntilOneRestoresIt() {
        Expert expert = expert(Map.of("learningRate", 0.08, "explore", 0.0));
        assertTrue(expert.scaleLearningRate(0.5));
        assertEquals(0.04, expert.learningRate(), 1e-15, "learningRate() reports the effective rate");
        expert.adapt(hint(0.2), "stat");
        assertEquals(0.1, expert.learningRate(), 1e-15, "the scale stays on top of a hint");
        assertTrue(expert.scaleLearningRate(1.0));
        assertEquals(0.2, expert.learningRate(), 1e-15, "1 restores the hinted rate");
        assertTrue(expert.scaleLearningRate(50));
        assertEquals(1.0, expert.learningRate(), "the effective rate is clamped to 1");
    }

    @Test
    void aHalvedScaleLearnsExactlyLikeAHalvedRateAndDifferentlyFromTheUnscaledTwin() {
        // 0.2 * 0.5 is exactly 0.1 in binary, so the scaled expert must match the one configured at 0.1 bit for bit
        Expert scaled = expert(Map.of("learningRate", 0.2));
        Expert half = expert(Map.of("learningRate", 0.1));
        Expert unscaled = expert(Map.of("learningRate", 0.2));
        assertTrue(scaled.scaleLearningRate(0.5));
        Random random = new Random(17);
        SignalBoard[] boards = {new InMemorySignalBoard(), new InMemorySignalBoard(), new InMemorySignalBoard()};
        for (int b = 0; b < 8; b++) {
            // past the plain-average warm-up (~1/rate rows per class), a drift boost at batch 5, and replay
            Batch batch = gaussianBatch(random, 40, 1.0 + 0.2 * b, b % 2 == 1, b * 40L);
            Batch replay = gaussianBatch(random, 6, 1.0, false, 0);
            boards[0].publish(StandardSignals.DRIFT_DETECTED, b == 5 ? 1 : 0);
            boards[1].publish(StandardSignals.DRIFT_DETECTED, b == 5 ? 1 : 0);
            boards[2].publish(StandardSignals.DRIFT_DETECTED, b == 5 ? 1 : 0);
            step(scaled, batch, boards[0]);
            step(half, batch, boards[1]);
            step(unscaled, batch, boards[2]);
            scaled.replay(replay);
            half.replay(replay);
            unscaled.replay(replay);
        }
        ExpertState s = scaled.exportState();
        ExpertState h = half.exportState();
        ExpertState u = unscaled.exportState();
        for (String k : s.weights().keySet()) {
            assertEquals(java.util.Arrays.toString(h.weight(k)), java.util.Arrays.toString(s.weight(k)), k);
        }
        assertNotEquals(java.util.Arrays.toString(u.weight("mean")), java.util.Arrays.toString(s.weight("mean")));
        assertEquals(boards[1].get(StandardSignals.OUTLIER_RATE, -1), boards[0].get(StandardSignals.OUTLIER_RATE, -1));

        assertTrue(scaled.scaleLearningRate(1.0));
        assertEquals(unscaled.learningRate(), scaled.learningRate());
    }

    @Test
    void aLearningRateScaleThatIsNotFiniteAndPositiveIsRefused() {
        Expert expert = expert(Map.of("explore", 0.0));
        for (double bad : new double[] {0.0, -0.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> expert.scaleLearningRate(bad), "" + bad);
            assertTrue(e.getMessage().contains("scale") && e.getMessage().contains(String.valueOf(bad)), e.getMessage());
        }
        assertEquals(0.02, expert.learningRate(), "a refused scale changes nothing");
    }

    @Test
    void regressionPredictsTheRunningTargetMeanWithoutShrinkage() {
        Expert expert = new StatisticalExpertFactory().create(PluginConfig.empty(), PluginContext.standalone(1, REGRESSION, "stat"));
        SignalBoard signals = new InMemorySignalBoard();
        Batch first = Batch.ofTargets(REGRESSION, "d", 0, new double[30], new double[] {4, 6, 5, 5, 5, 5, 5, 5, 5, 5});
        expert.learn(first, new BatchOutcome(null, new double[10], 1), signals);
        Prediction p = expert.predict(first, signals);
        assertEquals(5.0, p.value(0), 1e-12, "warm-up averages instead of shrinking towards zero");

        Random random = new Random(2);
        for (int b = 0; b < 200; b++) {
            double[] targets = new double[50];
            for (int i = 0; i < 50; i++) {
                targets[i] = 10 + random.nextGaussian();
            }
            expert.learn(Batch.ofTargets(REGRESSION, "d", 0, new double[150], targets), new BatchOutcome(null, new double[50], 1), signals);
        }
        assertEquals(10.0, expert.predict(first, signals).value(3), 0.3);
    }

    @Test
    void zeroWeightRowsAreIgnoredAndUnlabelledBatchesOnlyScoreOutliers() {
        Expert expert = expert(Map.of());
        SignalBoard signals = new InMemorySignalBoard();
        Batch batch = Batch.ofClasses(SCHEMA, "d", 0, new double[] {1, 1, 1, 9, 9, 9}, new int[] {0, 0})
                .withWeights(new double[] {1, 0});
        expert.learn(batch, new BatchOutcome(null, new double[2], 1), signals);
        assertEquals(1.0, expert.exportState().weight("mean")[0]);
        assertEquals(1, expert.exportState().samples());

        Batch unlabelled = Batch.ofClasses(SCHEMA, "d", 0, new double[] {5, 5, 5}, null);
        expert.learn(unlabelled, new BatchOutcome(null, new double[0], 1), signals);
        assertEquals(1, expert.exportState().samples());
        assertEquals(0.0, signals.get(StandardSignals.OUTLIER_RATE, -1), "published on every batch");
    }

    @Test
    void replayTrains() {
        Expert expert = expert(Map.of());
        expert.replay(Batch.ofClasses(SCHEMA, "d", 0, new double[] {2, 2, 2}, new int[] {1}));
        assertEquals(2.0, expert.exportState().weight("mean")[3]);
        assertEquals(0, expert.exportState().samples(), "replayed rows are not new samples");
    }

    @Test
    void rejectsBatchesOfAnotherShape() {
        Expert expert = expert(Map.of());
        DataSchema other = new DataSchema(List.of("a"), Task.CLASSIFICATION, List.of("x", "y"));
        Batch batch = Batch.ofClasses(other, "d", 0, new double[] {1}, new int[] {0});
        assertThrows(IllegalArgumentException.class, () -> expert.predict(batch, new InMemorySignalBoard()));
    }

    private static MetaParameters moments(double[] variance, long count) {
        double[] m2 = new double[variance.length];
        for (int j = 0; j < m2.length; j++) {
            m2[j] = variance[j] * (count - 1);
        }
        return new MetaParameters("d", 1, Map.of(), Map.of(), new io.scarcity.api.FeatureMoments(count, new double[variance.length], m2),
                Map.of());
    }

    @Test
    void thePriorsShareIsThatOfPseudoRowsForgottenLikeOldRows() {
        StatisticalExpert expert = (StatisticalExpert) expert(Map.of("priorRows", 2.0, "learningRate", 0.1));
        SignalBoard signals = new InMemorySignalBoard();
        assertEquals(1.0, expert.priorShare(1));
        for (int n = 1; n <= 8; n++) {
            expert.learn(Batch.ofClasses(SCHEMA, "d", 0, new double[] {1, 2, 3}, new int[] {1}), new BatchOutcome(null, new double[1], 1), signals);
            // a plain average over 2 pseudo-rows and n rows while 1 / (2 + n) > rate
            assertEquals(2.0 / (2 + n), expert.priorShare(1), 1e-12, "after " + n + " rows");
        }
        expert.learn(Batch.ofClasses(SCHEMA, "d", 0, new double[] {1, 2, 3}, new int[] {1}), new BatchOutcome(null, new double[1], 1), signals);
        assertEquals(0.2 * 0.9, expert.priorShare(1), 1e-12, "then forgotten at the learning rate");
        assertEquals(1.0, expert.priorShare(0), "a class never seen keeps the prior whole");
    }

    @Test
    void theVariancePriorFromPooledMomentsSteadiesAClassSeenOnce() {
        // Class 0 seen 20 times, class 1 once at its true centre: without a prior class 1's variance is
        // the floor, so a class-1 row a little off centre looks impossible under it.
        Random random = new Random(12);
        double[] x = new double[21 * 3];
        int[] y = new int[21];
        for (int r = 0; r < 20; r++) {
            for (int j = 0; j < 3; j++) {
                x[r * 3 + j] = -1.5 + random.nextGaussian();
            }
        }
        for (int j = 0; j < 3; j++) {
            x[20 * 3 + j] = 1.5;
        }
        y[20] = 1;
        Batch train = Batch.ofClasses(SCHEMA, "d", 0, x, y);
        Expert plain = expert(Map.of());
        Expert informed = expert(Map.of());
        SignalBoard signals = new InMemorySignalBoard();
        plain.learn(train, new BatchOutcome(null, new double[21], 1), signals);
        informed.learn(train, new BatchOutcome(null, new double[21], 1), signals);
        // The domain's variance per feature: within-class 1 plus the spread of the two centres (1.5^2).
        informed.adapt(moments(new double[] {3.25, 3.25, 3.25}, 1000), "stat");

        double plainCorrect = 0;
        double informedCorrect = 0;
        for (int b = 0; b < 20; b++) {
            Batch probe = gaussianBatch(random, 50, 1.5, false, 0);
            Prediction p = plain.predict(probe, signals);
            Prediction q = informed.predict(probe, signals);
            for (int r = 0; r < probe.rows(); r++) {
                plainCorrect += p.predictedClass(r) == probe.label(r) ? 1 : 0;
                informedCorrect += q.predictedClass(r) == probe.label(r) ? 1 : 0;
            }
        }
        assertTrue(informedCorrect / 1000 > plainCorrect / 1000 + 0.1,
                "with the prior " + informedCorrect / 1000 + ", without " + plainCorrect / 1000);
        assertTrue(informedCorrect / 1000 > 0.9, "with the prior " + informedCorrect / 1000);
    }

    @Test
    void thePriorFadesOnceAClientHasItsOwnData() {
        Expert plain = expert(Map.of());
        Expert informed = expert(Map.of());
        // a deliberately bad prior: a hundred times the true variance
        informed.adapt(moments(new double[] {100, 100, 100}, 1000), "stat");
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(13);
        for (int b = 0; b < 30; b++) {
            Batch batch = gaussianBatch(random, 50, 1.0, false, 0);
            plain.learn(batch, new BatchOutcome(null, new double[50], 1), signals);
            informed.learn(batch, new BatchOutcome(null, new double[50], 1), signals);
        }
        Batch probe = gaussianBatch(random, 500, 1.0, false, 0);
        Prediction p = plain.predict(probe, signals);
        Prediction q = informed.predict(probe, signals);
        for (int r = 0; r < probe.rows(); r++) {
            assertEquals(p.probability(r, 1), q.probability(r, 1), 1e-6, "row " + r);
        }
    }

    @Test
    void momentsOfAnotherDimensionOrNoneChangeNothing() {
        Random random = new Random(14);
        Expert plain = expert(Map.of());
        Expert other = expert(Map.of());
        Expert off = expert(Map.of("priorRows", 0.0));
        other.adapt(moments(new double[] {5, 5}, 1000), "stat");
        other.adapt(moments(new double[] {5, 5, 5}, 1), "stat");
        off.adapt(moments(new double[] {5, 5, 5}, 1000), "stat");
        SignalBoard signals = new InMemorySignalBoard();
        Batch batch = gaussianBatch(random, 6, 1.0, false, 0);
        for (Expert e : List.of(plain, other, off)) {
            e.learn(batch, new BatchOutcome(null, new double[6], 1), signals);
        }
        Batch probe = gaussianBatch(random, 50, 1.0, false, 0);
        for (Expert e : List.of(other, off)) {
            Prediction p = plain.predict(probe, signals);
            Prediction q = e.predict(probe, signals);
            for (int r = 0; r < probe.rows(); r++) {
                assertEquals(p.probability(r, 1), q.probability(r, 1), 0.0);
            }
        }
    }

    @Test
    void gossipMergesThePriorsShareLikeTheVariance() {
        SignalBoard signals = new InMemorySignalBoard();
        Expert seer = expert(Map.of());
        Expert blind = expert(Map.of());
        double[] x = new double[30];
        int[] y = new int[10];
        java.util.Arrays.fill(y, 1);
        seer.learn(Batch.ofClasses(SCHEMA, "d", 0, x, y), new BatchOutcome(null, new double[10], 1), signals);
        blind.learn(Batch.ofClasses(SCHEMA, "d", 0, x, new int[10]), new BatchOutcome(null, new double[10], 1), signals);
        StatisticalExpert merged = (StatisticalExpert) expert(Map.of());
        merged.mergeState(ExpertState.sampleWeightedMean(seer.exportState(), blind.exportState()));
        assertEquals(2.0 / 12, merged.priorShare(1), 1e-12, "class 1's share is the seer's: the blind peer adds nothing to it");
        assertEquals(2.0 / 12, merged.priorShare(0), 1e-12);
    }

    /** The kit's export/merge contract: finite stable exports, a self-merge changes no prediction, shapes are checked. */
    @Test
    void meetsTheGossipContract() {
        for (DataSchema schema : List.of(ExpertTestKit.schema(3, 3), ExpertTestKit.schema(3, 0))) {
            ExpertTestKit.assertGossipContract(PluginTestKit.maker(new StatisticalExpertFactory(), Map.of(),
                    PluginTestKit.context(5, schema, "stat")), schema, "stat", 1e-12);
        }
    }

    /**
     * On a stream without labels the expert learns its outlier statistics from every row and flags rows; pooled
     * feature moments from the coordinator calibrate a new expert's flags from its first batch, which without them
     * falls in the warm-up and flags nothing.
     */
    @Test
    void withoutLabelsPooledMomentsCalibrateTheFirstBatchsFlags() {
        DataSchema none = new DataSchema(List.of("a", "b", "c"), Task.UNLABELLED, null);
        java.util.function.Supplier<Expert> make = () -> new StatisticalExpertFactory().create(
                PluginConfig.of("experts[0].config", Map.of()), PluginContext.standalone(7, none, "stat"));
        Random random = new Random(4);
        double[] x = new double[40 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = 10 + 2 * random.nextGaussian();
        }
        x[5 * 3 + 1] = 60; // row 5: 25 sd off in b
        Batch first = Batch.ofTargets(none, "d", 0, x, null);
        assertTrue(make.get().capabilities().learnsWithoutLabels());

        Expert cold = make.get();
        cold.learn(first, new BatchOutcome(null, new double[0], 1), new InMemorySignalBoard());
        boolean[] coldFlags = cold.anomalies();
        assertEquals(40, coldFlags.length);
        for (boolean f : coldFlags) {
            assertFalse(f, "the warm-up flags nothing");
        }

        Expert primed = make.get();
        double[] mean = {10, 10, 10};
        double[] m2 = {4.0 * 999, 4.0 * 999, 4.0 * 999};
        primed.adapt(new MetaParameters("d", 1, Map.of(), Map.of(), new FeatureMoments(1000, mean, m2), Map.of()), "stat");
        primed.learn(first, new BatchOutcome(null, new double[0], 1), new InMemorySignalBoard());
        boolean[] flags = primed.anomalies();
        int flagged = 0;
        for (boolean f : flags) {
            flagged += f ? 1 : 0;
        }
        assertTrue(flags[5], "the pooled moments flag the outlier in the first batch");
        assertTrue(flagged <= 2, "and few ordinary rows: " + flagged);
    }
}
