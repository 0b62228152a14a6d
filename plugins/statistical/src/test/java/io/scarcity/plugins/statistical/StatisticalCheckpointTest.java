package io.scarcity.plugins.statistical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
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
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StatisticalCheckpointTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y", "z"));
    private static final DataSchema REGRESSION = new DataSchema(List.of("a", "b", "c"), Task.REGRESSION, null);

    private static Expert expert(DataSchema schema, Map<String, ?> config) {
        return new StatisticalExpertFactory().create(PluginConfig.of("experts[0].config", config),
                PluginContext.standalone(5, schema, "stat"));
    }

    private static byte[] save(Expert e) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        ((Checkpointable) e).saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void restore(Expert e, byte[] state) throws IOException {
        ((Checkpointable) e).restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    /** Three Gaussian classes; with {@code outliers} a fifth of the rows get a wild feature. */
    private static Batch batch(DataSchema schema, Random random, int rows, boolean outliers) {
        double[] x = new double[rows * 3];
        int[] y = new int[rows];
        double[] t = new double[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = random.nextInt(3);
            for (int j = 0; j < 3; j++) {
                x[r * 3 + j] = 2.0 * y[r] - 2 + (1 + j) * random.nextGaussian() + (outliers && r % 5 == 0 && j == 1 ? 40 : 0);
            }
            t[r] = x[r * 3] + random.nextGaussian();
        }
        return schema.task() == Task.CLASSIFICATION ? Batch.ofClasses(schema, "d", 0, x, y) : Batch.ofTargets(schema, "d", 0, x, t);
    }

    private static MetaParameters parameters(Random random, int round) {
        double[] mean = new double[3];
        double[] m2 = new double[3];
        for (int j = 0; j < 3; j++) {
            mean[j] = random.nextGaussian();
            m2[j] = 300 * (1 + random.nextDouble());
        }
        return new MetaParameters("d", round, Map.of("stat", 0.03), Map.of(), new FeatureMoments(100, mean, m2), Map.of());
    }

    /** Predict, learn (with the given drift signal), replay; returns the probabilities and the outlier rate. */
    private static double[] step(Expert e, SignalBoard board, Batch batch, Batch replay, double drift) {
        board.publish(StandardSignals.DRIFT_DETECTED, drift);
        Prediction p = e.predict(batch, board);
        double[] out = new double[batch.rows() * Math.max(1, p.numClasses()) + 1];
        double[] losses = new double[batch.rows()];
        for (int r = 0; r < batch.rows(); r++) {
            if (p.isClassification()) {
                for (int c = 0; c < p.numClasses(); c++) {
                    out[r * p.numClasses() + c] = p.probability(r, c);
                }
                losses[r] = p.predictedClass(r) == batch.label(r) ? 0 : 1;
            } else {
                out[r] = p.value(r);
            }
        }
        e.learn(batch, new BatchOutcome(p, losses, 1), board);
        e.replay(replay);
        double[] withSignals = java.util.Arrays.copyOf(out, out.length + 1);
        withSignals[out.length - 1] = board.get(StandardSignals.OUTLIER_RATE, Double.NaN);
        withSignals[out.length] = board.get(StatisticalExpert.MAHALANOBIS_SIGNAL, -1.0);
        return withSignals;
    }

    private static void assertContinuesIdentically(DataSchema schema) throws IOException {
        assertContinuesIdentically(schema, Map.of());
    }

    private static void assertContinuesIdentically(DataSchema schema, Map<String, ?> config) throws IOException {
        assertContinuesIdentically(schema, config, 1.0);
    }

    /** With a {@code scale} other than 1, A learns under that learning-rate scale before it is saved. */
    private static void assertContinuesIdentically(DataSchema schema, Map<String, ?> config, double scale) throws IOException {
        Expert a = expert(schema, config);
        SignalBoard boardA = new InMemorySignalBoard();
        Random random = new Random(31);
        for (int b = 0; b < 12; b++) {
            // past the robust statistics' warm-up, with outliers, a drift boost and hints between "rounds"
            step(a, boardA, batch(schema, random, 20, b % 4 == 3), batch(schema, random, 5, false), b == 8 ? 1 : 0);
            if (b % 3 == 2) {
                a.adapt(parameters(random, b), "stat");
            }
            if (b == 4 && scale != 1.0) {
                a.scaleLearningRate(scale);
            }
        }
        byte[] state = save(a);
        Expert b = expert(schema, config);
        restore(b, state);
        assertArrayEquals(state, save(b), "the restored expert saves the same state");
        assertEquals(Double.doubleToRawLongBits(a.learningRate()), Double.doubleToRawLongBits(b.learningRate()),
                "the restored expert has the saved effective rate, scale included");
        SignalBoard boardB = new InMemorySignalBoard();
        for (int i = 0; i < 15; i++) {
            Batch batch = batch(schema, random, 20, i % 5 == 1);
            Batch replay = batch(schema, random, 5, false);
            double drift = i == 4 ? 1 : 0;
            double[] pa = step(a, boardA, batch, replay, drift);
            double[] pb = step(b, boardB, batch, replay, drift);
            for (int k = 0; k < pa.length; k++) {
                assertEquals(Double.doubleToRawLongBits(pa[k]), Double.doubleToRawLongBits(pb[k]), "batch " + i + " value " + k);
            }
            if (i % 4 == 0) {
                // the jitter of the next hint comes from the restored random generator
                MetaParameters p = parameters(random, 20 + i);
                a.adapt(p, "stat");
                b.adapt(p, "stat");
                assertEquals(Double.doubleToRawLongBits(a.learningRate()), Double.doubleToRawLongBits(b.learningRate()));
            }
        }
        ExpertState sa = a.exportState();
        ExpertState sb = b.exportState();
        assertEquals(sa.samples(), sb.samples());
        assertEquals(sa.weights().keySet(), sb.weights().keySet());
        for (String k : sa.weights().keySet()) {
            assertArrayEquals(sa.weight(k), sb.weight(k), k);
        }
        assertArrayEquals(save(a), save(b));
    }

    @Test
    void aRestoredClassifierContinuesBitForBit() throws IOException {
        assertContinuesIdentically(SCHEMA);
    }

    @Test
    void aRestoredRegressorContinuesBitForBit() throws IOException {
        assertContinuesIdentically(REGRESSION);
    }

    @Test
    void aRestoredExpertKeepsItsLearningRateScaleAndContinuesBitForBit() throws IOException {
        assertContinuesIdentically(SCHEMA, Map.of(), 0.5);
        assertContinuesIdentically(REGRESSION, Map.of(), 0.25);
        assertContinuesIdentically(SCHEMA, Map.of("outlierWeighting", "huber"), 3.0);

        Expert scaled = expert(SCHEMA, Map.of("explore", 0.0));
        scaled.scaleLearningRate(0.5);
        Expert restored = expert(SCHEMA, Map.of("explore", 0.0));
        restore(restored, save(scaled));
        assertEquals(0.01, restored.learningRate(), 1e-15, "the scale is in the checkpoint");
    }

    @Test
    void checkpointsOfEarlierFormatsAreRefusedSayingSo() throws IOException {
        assertEquals(4, StatisticalExpert.STATE_VERSION);
        for (byte old = 1; old < StatisticalExpert.STATE_VERSION; old++) {
            byte[] state = save(expert(SCHEMA, Map.of()));
            state[3] = old; // the version is the first int, big-endian
            IOException e = assertThrows(IOException.class, () -> restore(expert(SCHEMA, Map.of()), state));
            assertTrue(e.getMessage().contains("format version " + old) && e.getMessage().contains("start the run afresh"),
                    e.getMessage());
        }
    }

    @Test
    void theOutlierMachineryContinuesBitForBitInEveryConfiguration() throws IOException {
        // the default (full covariance, no down-weighting) is covered above; Huber, a diagonal covariance,
        // rejection, a window
        assertContinuesIdentically(SCHEMA, Map.of("outlierWeighting", "huber"));
        assertContinuesIdentically(SCHEMA, Map.of("maxMahalanobisFeatures", 0, "outlierWeighting", "reject", "outlierWindow", 37));
        assertContinuesIdentically(SCHEMA, Map.of("mahalanobis", false, "outlierWindow", 1000));
        assertContinuesIdentically(REGRESSION, Map.of("outlierWindow", 45, "covarianceShrinkage", 0.3, "outlierWeighting", "huber"));
    }

    @Test
    void aCheckpointOfOtherShapeOrVersionIsRefused() throws IOException {
        Expert a = expert(SCHEMA, Map.of("learningRate", 0.1));
        step(a, new InMemorySignalBoard(), batch(SCHEMA, new Random(1), 10, false), batch(SCHEMA, new Random(2), 2, false), 0);
        byte[] state = save(a);

        DataSchema twoFeatures = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y", "z"));
        IOException shape = assertThrows(IOException.class, () -> restore(expert(twoFeatures, Map.of("learningRate", 0.1)), state));
        assertTrue(shape.getMessage().contains("3 features") && shape.getMessage().contains("2 features"), shape.getMessage());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(42);
        IOException version = assertThrows(IOException.class, () -> restore(expert(SCHEMA, Map.of()), bytes.toByteArray()));
        assertTrue(version.getMessage().contains("version 42"), version.getMessage());
    }
}
