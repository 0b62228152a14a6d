package io.scarcity.plugins.temporal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertState;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TemporalExpertTest {
    private static final DataSchema TWO = new DataSchema(List.of("x", "noise"), Task.CLASSIFICATION, List.of("neg", "pos"));
    private static final DataSchema SENSOR = new DataSchema(List.of("humidity", "temperature"), Task.REGRESSION, null);
    private static final DataSchema CHANGES = new DataSchema(List.of("d-humidity", "d-temperature"), Task.REGRESSION, null);

    static Expert expert(DataSchema schema, Map<String, ?> config, long seed) {
        return new TemporalExpertFactory().create(PluginConfig.of("experts[0].config", config), PluginContext.standalone(seed, schema, "temporal"));
    }

    /** Test-then-train on one batch, as the runtime does for an active expert; returns the prediction. */
    static Prediction step(Expert expert, Batch batch, SignalBoard board) {
        Prediction p = expert.predict(batch, board);
        expert.learn(batch, new BatchOutcome(p, new double[batch.hasLabels() ? batch.rows() : 0], 1), board);
        return p;
    }

    // ------------------------------------------------------------ memory

    /**
     * Label = sign of the first feature three rows earlier (the second feature is noise): a task that only a
     * learner with memory of the previous rows can solve. Returns the accuracy over the last 5,000 of 20,000
     * rows, batches of 50.
     */
    private static double lagTaskAccuracy(int window) {
        Expert e = expert(TWO, Map.of("window", window), 3);
        SignalBoard board = new InMemorySignalBoard();
        Random random = new Random(11);
        int n = 20_000;
        int lag = 3;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = random.nextGaussian();
        }
        int correct = 0;
        int counted = 0;
        for (int from = 0; from < n; from += 50) {
            double[] x = new double[100];
            int[] y = new int[50];
            for (int i = 0; i < 50; i++) {
                int r = from + i;
                x[2 * i] = xs[r];
                x[2 * i + 1] = random.nextGaussian();
                y[i] = r >= lag && xs[r - lag] > 0 ? 1 : 0;
            }
            Prediction p = step(e, Batch.ofClasses(TWO, "d", from, x, y), board);
            if (from >= n - 5_000) {
                for (int i = 0; i < 50; i++) {
                    correct += p.predictedClass(i) == y[i] ? 1 : 0;
                }
                counted += 50;
            }
        }
        return (double) correct / counted;
    }

    /**
     * An expert that has learned nothing says so: it gives every class the same probability, and so cannot outvote
     * the other experts of a mixture on its first batch (on the sensor motes a
     * randomly initialised head, wrong on half the rows and leaning one way, decided the mixture's first batch
     * while every statistical expert, all-uniform, was right).
     */
    @Test
    void anUntrainedExpertGivesEveryClassTheSameProbabilityUntilItHasLearned() {
        Random random = new Random(5);
        double[] x = new double[100];
        for (int i = 0; i < x.length; i++) {
            x[i] = 3 * random.nextGaussian();
        }
        Expert e = expert(TWO, Map.of(), 9);
        Batch batch = Batch.ofClasses(TWO, "d", 0, x, new int[50]);
        SignalBoard board = new InMemorySignalBoard();
        Prediction p = step(e, batch, board);
        for (int r = 0; r < 50; r++) {
            assertEquals(0.5, p.probability(r, 0), 1e-12, "row " + r);
        }
        Prediction learned = e.predict(Batch.ofClasses(TWO, "d", 50, x, new int[50]), board);
        assertTrue(learned.probability(0, 0) > 0.5, "after one batch of class 0 it leans to it: " + learned.probability(0, 0));
    }

    @Test
    void learnsALaggedLabelThatAWindowOfOneCannotSee() {
        double lstm = lagTaskAccuracy(8);
        double memoryless = lagTaskAccuracy(1);
        // measured: 0.985 and 0.498 (chance is 0.5)
        assertTrue(lstm > 0.93, "window 8 accuracy " + lstm);
        assertTrue(memoryless < 0.56, "window 1 accuracy " + memoryless);
    }

    // ------------------------------------------------------------ real data: sensor network

    /**
     * Mote 1's readings before its labelled event (the first 2,300 of the extract), as a regression task:
     * row {@code q}'s features are the changes of humidity and temperature since the previous reading, its
     * target the change of temperature over the next {@code k} readings, {@code t[q + k] - t[q]}. The
     * last-value (persistence) forecast {@code t[q]} predicts a change of 0; on this smooth, quantised series
     * (0.01 degree steps) it is a strong baseline, which is why the task asks for the change 10 readings
     * ahead: at one step ahead nothing beats it by much (an online linear autoregression on the same window
     * does not either). Rows arrive in stream order, test-then-train in batches of 50; no row's inputs reach
     * past its own reading, and learning from a batch only ever happens after all of its rows were predicted.
     * A batch's labels are learned with the batch, so when rows {@code a ..} are predicted the weights have
     * learned changes up to reading {@code a - 1 + k}: none of the batch's targets, but readings newer than a
     * row's own inputs. Those alone do not beat persistence here: predicting the mean of the last 50 (200)
     * learned changes gives 1.35 (1.13) times persistence's squared error on the same rows (measured
     * offline), so the gain below comes from the window.
     *
     * @return {mean squared error of the expert, of persistence} over the rows after the first 1,000
     */
    private static double[] sensorChangeTask(long seed, int k) {
        Sensors.Series s = Sensors.mote(1);
        int n = 2_300;
        Expert e = expert(CHANGES, Map.of(), seed);
        SignalBoard board = new InMemorySignalBoard();
        int rows = n - 1 - k;
        double[] x = new double[rows * 2];
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            int q = i + 1;
            x[2 * i] = s.humidity()[q] - s.humidity()[q - 1];
            x[2 * i + 1] = s.temperature()[q] - s.temperature()[q - 1];
            y[i] = s.temperature()[q + k] - s.temperature()[q];
        }
        double expertError = 0;
        double persistenceError = 0;
        for (int from = 0; from < rows; from += 50) {
            int to = Math.min(rows, from + 50);
            Batch b = Batch.ofTargets(CHANGES, "mote-1", from, Arrays.copyOfRange(x, 2 * from, 2 * to), Arrays.copyOfRange(y, from, to));
            Prediction p = step(e, b, board);
            for (int i = from; i < to; i++) {
                if (i >= 1_000) {
                    double d = p.value(i - from) - y[i];
                    expertError += d * d;
                    persistenceError += y[i] * y[i];
                }
            }
        }
        return new double[] {expertError, persistenceError};
    }

    @Test
    void onRealSensorDataTheTemperatureChangeTenReadingsAheadBeatsPersistence() {
        double sum = 0;
        for (long seed = 1; seed <= 3; seed++) {
            double[] r = sensorChangeTask(seed, 10);
            double ratio = r[0] / r[1];
            // measured (defaults): 0.854, 0.964, 0.887 for seeds 1, 2, 3
            assertTrue(ratio < 0.99, "seed " + seed + ": squared error " + ratio + " x persistence's");
            sum += ratio;
        }
        assertTrue(sum / 3 < 0.95, "mean ratio to persistence " + sum / 3);
    }

    @Test
    void theForecastErrorSignalJumpsAtTheSensorsLabelledEvent() {
        Sensors.Series s = Sensors.mote(1);
        Expert e = expert(SENSOR, Map.of(), 3);
        SignalBoard board = new InMemorySignalBoard();
        List<Double> quiet = new ArrayList<>();
        double event = 0;
        for (int from = 0; from + 50 <= s.length(); from += 50) {
            double[] x = new double[100];
            int labelled = 0;
            for (int i = 0; i < 50; i++) {
                x[2 * i] = s.humidity()[from + i];
                x[2 * i + 1] = s.temperature()[from + i];
                labelled += s.label()[from + i];
            }
            step(e, Batch.ofTargets(SENSOR, "mote-1", from, x, null), board); // unlabelled: the forecast is all it learns
            double signal = board.get(TemporalExpert.FORECAST_ERROR, Double.NaN);
            assertTrue(signal >= 0, "signal " + signal + " at row " + from);
            if (labelled > 0) {
                event = Math.max(event, signal);
            } else if (from >= 500 && from < 2_300) {
                quiet.add(signal);
            }
        }
        quiet.sort(null);
        double p90 = quiet.get((int) (0.9 * quiet.size()));
        // measured: 1.57 at the event; 90th percentile of the quiet batches 0.094
        assertTrue(event > 5 * p90, "event " + event + " vs 90th percentile before " + p90);
    }

    // ------------------------------------------------------------ unlabelled streams

    @Test
    void onAnUnlabelledSeriesTheForecastLearnsToBeatTheLastValue() {
        DataSchema schema = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y"));
        Expert e = expert(schema, Map.of(), 5);
        SignalBoard board = new InMemorySignalBoard();
        Random random = new Random(2);
        double first = 0;
        double last = 0;
        int batches = 200;
        for (int b = 0; b < batches; b++) {
            double[] x = new double[100];
            for (int i = 0; i < 50; i++) {
                double t = (b * 50 + i) * 2 * Math.PI / 17;
                x[2 * i] = Math.sin(t) + 0.05 * random.nextGaussian();
                x[2 * i + 1] = Math.cos(t) + 0.05 * random.nextGaussian();
            }
            step(e, Batch.ofClasses(schema, "d", b * 50L, x, null), board);
            double signal = board.get(TemporalExpert.FORECAST_ERROR, Double.NaN);
            if (b >= 1 && b < 6) {
                first += signal / 5;
            } else if (b >= batches - 20) {
                last += signal / 20;
            }
        }
        // the last value misses by about 2 (1 - cos(2 pi / 17)) = 0.14 variances per step; measured: 0.11 -> 0.0096
        assertTrue(first > 0.08, "forecast error at the start " + first);
        assertTrue(last < first / 4, "forecast error fell from " + first + " to " + last);
    }

    // ------------------------------------------------------------ windows across batches

    private static Batch gaussianBatch(Random random, long firstRow, int rows) {
        double[] x = new double[rows * 2];
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            x[2 * i] = random.nextGaussian();
            x[2 * i + 1] = random.nextGaussian();
            y[i] = random.nextInt(2);
        }
        return Batch.ofClasses(TWO, "d", firstRow, x, y);
    }

    @Test
    void theWindowsOfABatchsFirstRowsReachIntoThePreviousBatch() {
        int window = 8;
        Random random = new Random(4);
        Batch first = gaussianBatch(random, 0, 30);
        Batch next = gaussianBatch(random, 30, 20);
        Batch sameRowsAfterAGap = Batch.ofClasses(TWO, "d", 1_000, next.featuresCopy(), null);
        Expert a = expert(TWO, Map.of("window", window), 1);
        Expert b = expert(TWO, Map.of("window", window), 1);
        SignalBoard board = new InMemorySignalBoard();
        step(a, first, board);
        step(b, first, board);
        Prediction continued = a.predict(next, board);
        Prediction restarted = b.predict(sameRowsAfterAGap, board);
        for (int r = 0; r < next.rows(); r++) {
            if (r < window - 1) {
                assertNotEquals(continued.probability(r, 1), restarted.probability(r, 1), "row " + r + " sees the previous batch");
            } else {
                assertEquals(continued.probability(r, 1), restarted.probability(r, 1), "row " + r + "'s window is inside the batch");
            }
        }
    }

    @Test
    void learningWithoutPredictingFirstGivesTheSameExpert() {
        // predict() leaves a forward pass that learn() reuses; without it learn() computes its own
        Expert a = expert(TWO, Map.of(), 6);
        Expert b = expert(TWO, Map.of(), 6);
        SignalBoard boardA = new InMemorySignalBoard();
        SignalBoard boardB = new InMemorySignalBoard();
        Random random = new Random(8);
        for (int i = 0; i < 20; i++) {
            Batch batch = gaussianBatch(random, i * 40L, 40);
            step(a, batch, boardA);
            b.learn(batch, new BatchOutcome(a.predict(batch, boardA), new double[40], 1), boardB);
            // (a's extra predict above runs after a learned, on a batch whose position is past: it must not disturb a)
        }
        Batch probe = gaussianBatch(random, 800, 40);
        Prediction pa = a.predict(probe, boardA);
        Prediction pb = b.predict(probe, boardB);
        for (int r = 0; r < 40; r++) {
            assertEquals(pa.probability(r, 1), pb.probability(r, 1));
        }
        assertEquals(boardA.get(TemporalExpert.FORECAST_ERROR, -1), boardB.get(TemporalExpert.FORECAST_ERROR, -2));
    }

    @Test
    void nd4jAndPlainJavaBackendsLearnTheSameNetwork() {
        Expert nd4j = expert(TWO, Map.of("layers", 2, "hidden", 32), 6);
        Expert java = expert(TWO, Map.of("layers", 2, "hidden", 32, "backend", "java"), 6);
        SignalBoard board = new InMemorySignalBoard();
        Random random = new Random(9);
        Prediction pn = null;
        Prediction pj = null;
        for (int i = 0; i < 10; i++) {
            Batch batch = gaussianBatch(random, i * 50L, 50);
            pn = step(nd4j, batch, board);
            pj = step(java, batch, board);
        }
        for (int r = 0; r < 50; r++) {
            assertEquals(pj.probability(r, 1), pn.probability(r, 1), 1e-9);
        }
    }

    @Test
    void aDeterministicRunGivesBitIdenticalPredictions() {
        double[][] runs = new double[2][];
        for (int run = 0; run < 2; run++) {
            Expert e = expert(SENSOR, Map.of("layers", 2), 12);
            SignalBoard board = new InMemorySignalBoard();
            Random random = new Random(13);
            List<Double> out = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                double[] x = new double[100];
                double[] y = new double[50];
                for (int r = 0; r < 50; r++) {
                    x[2 * r] = random.nextGaussian();
                    x[2 * r + 1] = 20 + random.nextGaussian();
                    y[r] = x[2 * r] * 3 + 7;
                }
                Prediction p = step(e, Batch.ofTargets(SENSOR, "d", i * 50L, x, y), board);
                for (int r = 0; r < 50; r++) {
                    out.add(p.value(r));
                }
                out.add(board.get(TemporalExpert.FORECAST_ERROR, Double.NaN));
            }
            runs[run] = out.stream().mapToDouble(Double::doubleValue).toArray();
        }
        assertArrayEquals(runs[0], runs[1]);
    }

    // ------------------------------------------------------------ regression, robustness

    @Test
    void regressionPredictsInTheTargetsUnitsFromTheFirstBatchOn() {
        Expert e = expert(SENSOR, Map.of(), 2);
        SignalBoard board = new InMemorySignalBoard();
        Random random = new Random(3);
        double lastError = 0;
        for (int i = 0; i < 60; i++) {
            double[] x = new double[100];
            double[] y = new double[50];
            for (int r = 0; r < 50; r++) {
                x[2 * r] = 45 + random.nextGaussian();
                x[2 * r + 1] = 27 + 0.5 * random.nextGaussian();
                y[r] = 1000 + 40 * (x[2 * r + 1] - 27); // far from 0, in its own units
            }
            Prediction p = step(e, Batch.ofTargets(SENSOR, "d", i * 50L, x, y), board);
            double se = 0;
            for (int r = 0; r < 50; r++) {
                assertTrue(Double.isFinite(p.value(r)));
                se += (p.value(r) - y[r]) * (p.value(r) - y[r]) / 50;
            }
            if (i == 1) {
                assertTrue(Math.sqrt(se) < 100, "after one batch the predictions are near the targets' scale, rmse " + Math.sqrt(se));
            }
            lastError = se;
        }
        assertTrue(Math.sqrt(lastError) < 5, "rmse " + Math.sqrt(lastError) + " for targets with standard deviation 20");
    }

    @Test
    void extremeValuesGiveFinitePredictionsAndLeaveTheExpertUsable() {
        Expert e = expert(TWO, Map.of(), 5);
        SignalBoard board = new InMemorySignalBoard();
        Random random = new Random(5);
        for (int i = 0; i < 5; i++) {
            step(e, gaussianBatch(random, i * 20L, 20), board);
        }
        double[] huge = {1e300, -1e300, 3e200, 1e-300, -1e250, 1e299};
        Batch wild = Batch.ofClasses(TWO, "d", 100, huge, new int[] {0, 1, 1});
        Prediction p = step(e, wild, board);
        for (int r = 0; r < 3; r++) {
            assertEquals(1.0, p.probability(r, 0) + p.probability(r, 1), 1e-9);
        }
        Prediction after = step(e, gaussianBatch(random, 103, 20), board);
        for (int r = 0; r < 20; r++) {
            assertTrue(Double.isFinite(after.probability(r, 1)));
        }
        assertTrue(Double.isFinite(board.get(TemporalExpert.FORECAST_ERROR, Double.NaN)));
    }

    @Test
    void rowsOfWeightZeroAreNotLearnedAndReplayIsIgnored() {
        Expert a = expert(TWO, Map.of(), 5);
        Expert b = expert(TWO, Map.of(), 5);
        SignalBoard board = new InMemorySignalBoard();
        Random random = new Random(5);
        Batch batch = gaussianBatch(random, 0, 30);
        step(a, batch, board);
        step(b, batch, board);
        ExpertState before = b.exportState();
        b.replay(gaussianBatch(random, 7, 10));
        Batch weightless = gaussianBatch(random, 30, 30).withWeights(new double[30]);
        b.learn(weightless, new BatchOutcome(b.predict(weightless, board), new double[30], 1), board);
        ExpertState after = b.exportState();
        assertArrayEquals(before.weight("lstm0.weights"), after.weight("lstm0.weights"));
        assertArrayEquals(before.weight("head.weights"), after.weight("head.weights"));
        assertEquals(60, after.samples(), "rows are still counted and remembered for windows");
    }

    @Test
    void rejectsABatchOfAnotherShape() {
        Expert e = expert(TWO, Map.of(), 5);
        DataSchema three = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("neg", "pos"));
        Batch wrong = Batch.ofClasses(three, "d", 0, new double[3], new int[] {0});
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> e.predict(wrong, new InMemorySignalBoard()));
        assertTrue(ex.getMessage().contains("3 features, expected 2"), ex.getMessage());
    }

    @Test
    void anEmptyBatchGivesAnEmptyPrediction() {
        Expert e = expert(SENSOR, Map.of(), 5);
        Batch empty = Batch.ofTargets(SENSOR, "d", 0, new double[0], new double[0]);
        SignalBoard board = new InMemorySignalBoard();
        assertEquals(0, step(e, empty, board).rows());
        assertEquals(Optional.empty(), e.importance(), "nothing learned yet");
    }

    @Test
    void importanceIsTheMeanSquaredGradientUnderTheStatesNames() {
        Expert e = expert(TWO, Map.of("layers", 2), 5);
        SignalBoard board = new InMemorySignalBoard();
        Random random = new Random(5);
        for (int i = 0; i < 5; i++) {
            step(e, gaussianBatch(random, i * 30L, 30), board);
        }
        ExpertState importance = e.importance().orElseThrow();
        ExpertState state = e.exportState();
        for (String name : List.of("lstm0.weights", "lstm0.bias", "lstm1.weights", "lstm1.bias", "head.weights", "head.bias",
                "forecast.weights", "forecast.bias")) {
            assertEquals(state.weight(name).length, importance.weight(name).length, name);
            assertTrue(Arrays.stream(importance.weight(name)).allMatch(v -> v >= 0 && Double.isFinite(v)), name);
            assertTrue(Arrays.stream(importance.weight(name)).anyMatch(v -> v > 0), name);
        }
        assertTrue(!importance.weights().containsKey("scaler.mean"), "standardisation is not learned by gradient");
    }

    // ------------------------------------------------------------ coordinator

    private static MetaParameters parameters(Map<String, Double> rates, FeatureMoments moments) {
        return new MetaParameters("d", 1, rates, Map.of(), moments, Map.of());
    }

    @Test
    void adoptsTheCoordinatorsRateHintWithJitterAndClamps() {
        Expert still = expert(TWO, Map.of("explore", 0.0), 1);
        still.adapt(parameters(Map.of("temporal", 0.003), new FeatureMoments(0, new double[2], new double[2])), "temporal");
        assertEquals(0.003, still.learningRate());
        still.adapt(parameters(Map.of("temporal", 50.0), new FeatureMoments(0, new double[2], new double[2])), "temporal");
        assertEquals(TemporalExpert.MAX_RATE, still.learningRate());
        still.adapt(parameters(Map.of("other", 0.1), new FeatureMoments(0, new double[2], new double[2])), "temporal");
        assertEquals(TemporalExpert.MAX_RATE, still.learningRate(), "a hint for another instance is not taken");

        Expert jittered = expert(TWO, Map.of(), 1);
        jittered.adapt(parameters(Map.of("temporal", 0.003), new FeatureMoments(0, new double[2], new double[2])), "temporal");
        assertNotEquals(0.003, jittered.learningRate());
        assertTrue(jittered.learningRate() > 0.003 * Math.exp(-0.6) && jittered.learningRate() < 0.003 * Math.exp(0.6));
    }

    @Test
    void aLearningRateScaleMultipliesTheConfiguredAndHintedRateUntilOneRestoresIt() {
        Expert e = expert(TWO, Map.of("learningRate", 0.008, "explore", 0.0), 1);
        assertTrue(e.scaleLearningRate(0.5));
        assertEquals(0.004, e.learningRate(), 1e-15, "learningRate() reports the effective rate");
        e.adapt(parameters(Map.of("temporal", 0.02), new FeatureMoments(0, new double[2], new double[2])), "temporal");
        assertEquals(0.01, e.learningRate(), 1e-15, "the scale stays on top of a hint");
        assertTrue(e.scaleLearningRate(1.0));
        assertEquals(0.02, e.learningRate(), 1e-15, "1 restores the hinted rate");
        assertTrue(e.scaleLearningRate(1000));
        assertEquals(TemporalExpert.MAX_RATE, e.learningRate(), "the effective rate is clamped");
    }

    @Test
    void aHalvedScaleStepsExactlyLikeAHalvedRateAndDifferentlyFromTheUnscaledTwin() {
        // 0.02 * 0.5 is exactly 0.01 in binary, so the scaled expert must match the one configured at 0.01 bit for bit
        Expert scaled = expert(TWO, Map.of("learningRate", 0.02), 3);
        Expert half = expert(TWO, Map.of("learningRate", 0.01), 3);
        Expert unscaled = expert(TWO, Map.of("learningRate", 0.02), 3);
        assertTrue(scaled.scaleLearningRate(0.5));
        Expert[] experts = {scaled, half, unscaled};
        SignalBoard[] boards = {new InMemorySignalBoard(), new InMemorySignalBoard(), new InMemorySignalBoard()};
        Random random = new Random(8);
        for (int b = 0; b < 5; b++) {
            Batch batch = gaussianBatch(random, b * 30L, 30);
            for (int i = 0; i < 3; i++) {
                step(experts[i], batch, boards[i]);
            }
        }
        ExpertState s = scaled.exportState();
        ExpertState h = half.exportState();
        for (String k : s.weights().keySet()) {
            assertArrayEquals(h.weight(k), s.weight(k), 0.0, k);
        }
        assertEquals(boards[1].snapshot(), boards[0].snapshot());
        ExpertState u = unscaled.exportState();
        boolean differs = false;
        for (String k : s.weights().keySet()) {
            differs |= !Arrays.equals(u.weight(k), s.weight(k));
        }
        assertTrue(differs, "the unscaled twin steps differently");
        assertTrue(scaled.scaleLearningRate(1.0));
        assertEquals(unscaled.learningRate(), scaled.learningRate());
    }

    @Test
    void aLearningRateScaleThatIsNotFiniteAndPositiveIsRefused() {
        Expert e = expert(TWO, Map.of("learningRate", 0.004), 1);
        for (double bad : new double[] {0.0, -0.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> e.scaleLearningRate(bad), "" + bad);
            assertTrue(x.getMessage().contains("scale") && x.getMessage().contains(String.valueOf(bad)), x.getMessage());
        }
        assertEquals(0.004, e.learningRate(), "a refused scale changes nothing");
    }

    @Test
    void thePooledMomentsStandardiseTheFirstBatch() {
        // one row only: on its own it cannot be standardised (no spread); the coordinator's moments can. (A regression
        // task: an untrained classifier gives every class 1/2 whatever its inputs, which would hide the standardising.)
        Batch single = Batch.ofTargets(SENSOR, "d", 0, new double[] {30, -4}, new double[] {1});
        Expert blind = expert(SENSOR, Map.of(), 1);
        Expert informed = expert(SENSOR, Map.of(), 1);
        informed.adapt(parameters(Map.of(), new FeatureMoments(1_000, new double[] {10, 0}, new double[] {999 * 100.0, 999 * 4.0})), "temporal");
        SignalBoard board = new InMemorySignalBoard();
        double pBlind = blind.predict(single, board).value(0);
        double pInformed = informed.predict(single, board).value(0);
        assertNotEquals(pBlind, pInformed);
        // a corrupt or empty prior changes nothing
        Expert corrupt = expert(SENSOR, Map.of(), 1);
        corrupt.adapt(parameters(Map.of(), new FeatureMoments(1_000, new double[] {Double.NaN, 0}, new double[] {1, 1})), "temporal");
        corrupt.adapt(parameters(Map.of(), new FeatureMoments(1, new double[] {5, 5}, new double[] {0, 0})), "temporal");
        assertEquals(pBlind, corrupt.predict(single, board).value(0));
    }

    // ------------------------------------------------------------ gossip

    @Test
    void everyClientOfARunStartsFromTheSameNetwork() {
        ExpertState a = expert(TWO, Map.of(), 42).exportState();
        PluginContext otherClient = new PluginContext() {
            @Override
            public long seed() {
                return 42;
            }

            @Override
            public java.util.Optional<DataSchema> schema() {
                return java.util.Optional.of(TWO);
            }

            @Override
            public String instanceName() {
                return "temporal";
            }

            @Override
            public Optional<String> clientId() {
                return Optional.of("client-7");
            }
        };
        ExpertState b = new TemporalExpertFactory().create(PluginConfig.empty(), otherClient).exportState();
        assertArrayEquals(a.weight("lstm0.weights"), b.weight("lstm0.weights"));
        ExpertState otherSeed = expert(TWO, Map.of(), 43).exportState();
        assertTrue(!Arrays.equals(a.weight("lstm0.weights"), otherSeed.weight("lstm0.weights")));
    }

    @Test
    void mergedStatesAreAdoptedAndBadOnesRefused() {
        Expert a = expert(SENSOR, Map.of("layers", 2), 1);
        Expert b = expert(SENSOR, Map.of("layers", 2), 1);
        SignalBoard board = new InMemorySignalBoard();
        Random random = new Random(1);
        for (int i = 0; i < 5; i++) {
            double[] x = new double[60];
            double[] y = new double[30];
            for (int r = 0; r < 30; r++) {
                x[2 * r] = random.nextGaussian();
                x[2 * r + 1] = random.nextGaussian();
                y[r] = x[2 * r] + 1;
            }
            step(a, Batch.ofTargets(SENSOR, "d", i * 30L, x, y), board);
        }
        ExpertState state = a.exportState();
        assertEquals(150, state.samples());
        assertTrue(state.weights().keySet().containsAll(List.of("lstm0.weights", "lstm0.bias", "lstm1.weights", "lstm1.bias",
                "head.weights", "head.bias", "forecast.weights", "forecast.bias", "scaler.rows", "scaler.mean", "scaler.variance",
                "target.rows", "target.mean", "target.variance")), state.weights().keySet().toString());
        assertEquals((2 + 16) * 64, state.weight("lstm0.weights").length);
        assertEquals((16 + 16) * 64, state.weight("lstm1.weights").length);
        b.mergeState(state);
        ExpertState copy = b.exportState();
        for (String k : state.weights().keySet()) {
            assertArrayEquals(state.weight(k), copy.weight(k), k);
        }
        Batch probe = Batch.ofTargets(SENSOR, "d", 10_000, new double[] {0.1, 0.2, 0.3, 0.4}, null);
        assertArrayEquals(new double[] {a.predict(probe, board).value(0), a.predict(probe, board).value(1)},
                new double[] {b.predict(probe, board).value(0), b.predict(probe, board).value(1)});

        java.util.TreeMap<String, double[]> broken = new java.util.TreeMap<>(state.weights());
        broken.put("lstm1.weights", new double[7]);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> b.mergeState(new ExpertState("temporal", broken, 1)));
        assertTrue(shape.getMessage().contains("lstm1.weights"), shape.getMessage());
        broken.remove("lstm1.weights");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> b.mergeState(new ExpertState("temporal", broken, 1)));
        assertTrue(missing.getMessage().contains("lacks 'lstm1.weights'"), missing.getMessage());
        java.util.TreeMap<String, double[]> nan = new java.util.TreeMap<>(state.weights());
        nan.put("head.bias", new double[] {Double.NaN});
        assertThrows(IllegalArgumentException.class, () -> b.mergeState(new ExpertState("temporal", nan, 1)));
        assertArrayEquals(state.weight("lstm1.weights"), b.exportState().weight("lstm1.weights"), "a refused merge changes nothing");
    }
}
