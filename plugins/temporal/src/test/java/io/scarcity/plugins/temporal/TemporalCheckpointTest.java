package io.scarcity.plugins.temporal;

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

class TemporalCheckpointTest {
    private static final DataSchema CLASSES = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y", "z"));
    private static final DataSchema REGRESSION = new DataSchema(List.of("a", "b", "c"), Task.REGRESSION, null);

    private static Expert expert(DataSchema schema, Map<String, ?> config) {
        return new TemporalExpertFactory().create(PluginConfig.of("experts[0].config", config),
                PluginContext.standalone(5, schema, "temporal"));
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

    /** Consecutive rows from {@code firstRow}: a noisy oscillation, labels from its lagged sign. */
    private static Batch batch(DataSchema schema, Random random, long firstRow, int rows, boolean labelled) {
        double[] x = new double[rows * 3];
        int[] y = new int[rows];
        double[] t = new double[rows];
        for (int r = 0; r < rows; r++) {
            double phase = (firstRow + r) * 0.4;
            for (int j = 0; j < 3; j++) {
                x[r * 3 + j] = Math.sin(phase + j) + 0.3 * random.nextGaussian() + 10 * j;
            }
            y[r] = Math.sin(phase - 1.2) > 0.3 ? 2 : Math.sin(phase - 1.2) > -0.3 ? 1 : 0;
            t[r] = 5 * Math.sin(phase - 0.8) + random.nextGaussian();
        }
        if (schema.task() == Task.CLASSIFICATION) {
            return Batch.ofClasses(schema, "d", firstRow, x, labelled ? y : null);
        }
        return Batch.ofTargets(schema, "d", firstRow, x, labelled ? t : null);
    }

    private static MetaParameters parameters(Random random, int round) {
        double[] mean = new double[3];
        double[] m2 = new double[3];
        for (int j = 0; j < 3; j++) {
            mean[j] = 10 * j + random.nextGaussian();
            m2[j] = 100 * (1 + random.nextDouble());
        }
        return new MetaParameters("d", round, Map.of("temporal", 0.02), Map.of(), new FeatureMoments(200, mean, m2), Map.of());
    }

    /** Predict and learn; returns the prediction's values and the forecast-error signal. */
    private static double[] step(Expert e, SignalBoard board, Batch batch) {
        Prediction p = e.predict(batch, board);
        int k = Math.max(1, p.numClasses());
        double[] out = new double[batch.rows() * k + 1];
        for (int r = 0; r < batch.rows(); r++) {
            for (int c = 0; c < k; c++) {
                out[r * k + c] = p.isClassification() ? p.probability(r, c) : p.value(r);
            }
        }
        e.learn(batch, new BatchOutcome(p, new double[batch.hasLabels() ? batch.rows() : 0], 1), board);
        out[out.length - 1] = board.get(TemporalExpert.FORECAST_ERROR, Double.NaN);
        return out;
    }

    private static void assertContinuesIdentically(DataSchema schema, Map<String, ?> config) throws IOException {
        assertContinuesIdentically(schema, config, 1.0);
    }

    /** With a {@code scale} other than 1, A learns under that learning-rate scale before it is saved. */
    private static void assertContinuesIdentically(DataSchema schema, Map<String, ?> config, double scale) throws IOException {
        assertContinuesIdentically(schema, config, scale, 0.0);
    }

    /**
     * With a {@code strength} above 0, A learns under an EWC penalty (its own state and Fisher estimate after
     * batch 6) before it is saved.
     */
    private static void assertContinuesIdentically(DataSchema schema, Map<String, ?> config, double scale, double strength)
            throws IOException {
        Expert a = expert(schema, config);
        SignalBoard boardA = new InMemorySignalBoard();
        Random random = new Random(31);
        long row = 0;
        for (int b = 0; b < 12; b++) {
            // a gap after batch 5, an unlabelled batch, hints and pooled moments between "rounds"
            row += b == 6 ? 100 : 0;
            step(a, boardA, batch(schema, random, row, 25, b != 4));
            row += 25;
            if (b % 3 == 2) {
                a.adapt(parameters(random, b), "temporal");
            }
            if (b == 4 && scale != 1.0) {
                a.scaleLearningRate(scale);
            }
            if (b == 6 && strength != 0.0) {
                assertTrue(a.penalise(a.exportState(), a.importance().orElseThrow(), strength));
            }
        }
        byte[] state = save(a);
        Expert b = expert(schema, config);
        restore(b, state);
        assertArrayEquals(state, save(b), "the restored expert saves the same state");
        assertEquals(Double.doubleToRawLongBits(a.learningRate()), Double.doubleToRawLongBits(b.learningRate()),
                "the restored expert has the saved effective rate, scale included");
        assertEquals(strength, ((TemporalExpert) b).penaltyStrength(), "the restored expert has the saved penalty");
        SignalBoard boardB = new InMemorySignalBoard();
        for (int i = 0; i < 12; i++) {
            // the first batch continues the stream: its windows need the restored history
            Batch batch = batch(schema, random, row, 25, i != 3);
            row += 25;
            double[] pa = step(a, boardA, batch);
            double[] pb = step(b, boardB, batch);
            for (int k = 0; k < pa.length; k++) {
                assertEquals(Double.doubleToRawLongBits(pa[k]), Double.doubleToRawLongBits(pb[k]), "batch " + i + " value " + k);
            }
            if (i % 4 == 0) {
                // the jitter of the next hint comes from the restored random generator
                MetaParameters p = parameters(random, 20 + i);
                a.adapt(p, "temporal");
                b.adapt(p, "temporal");
                assertEquals(Double.doubleToRawLongBits(a.learningRate()), Double.doubleToRawLongBits(b.learningRate()));
            }
        }
        ExpertState sa = a.exportState();
        ExpertState sb = b.exportState();
        assertEquals(sa.samples(), sb.samples());
        for (String k : sa.weights().keySet()) {
            assertArrayEquals(sa.weight(k), sb.weight(k), k);
        }
        ExpertState ia = a.importance().orElseThrow();
        ExpertState ib = b.importance().orElseThrow();
        for (String k : ia.weights().keySet()) {
            assertArrayEquals(ia.weight(k), ib.weight(k), "importance of " + k);
        }
        assertArrayEquals(save(a), save(b));
    }

    @Test
    void aRestoredClassifierContinuesBitForBit() throws IOException {
        assertContinuesIdentically(CLASSES, Map.of());
    }

    @Test
    void aRestoredTwoLayerRegressorContinuesBitForBit() throws IOException {
        assertContinuesIdentically(REGRESSION, Map.of("layers", 2, "window", 5));
    }

    @Test
    void aRestoredExpertKeepsItsLearningRateScaleAndContinuesBitForBit() throws IOException {
        assertContinuesIdentically(CLASSES, Map.of(), 0.5);
        assertContinuesIdentically(REGRESSION, Map.of("layers", 2, "window", 5), 3.0);

        Expert scaled = expert(CLASSES, Map.of("learningRate", 0.02));
        scaled.scaleLearningRate(0.5);
        Expert restored = expert(CLASSES, Map.of("learningRate", 0.02));
        restore(restored, save(scaled));
        assertEquals(0.01, restored.learningRate(), 1e-15, "the scale is in the checkpoint");
    }

    @Test
    void aRestoredExpertKeepsItsEwcPenaltyAndContinuesBitForBit() throws IOException {
        assertContinuesIdentically(CLASSES, Map.of(), 1.0, 300.0);
        assertContinuesIdentically(REGRESSION, Map.of("layers", 2, "window", 5, "backend", "java"), 1.0, 300.0);
    }

    @Test
    void checkpointsOfEarlierFormatsAreRefusedSayingSo() throws IOException {
        assertEquals(4, TemporalExpert.STATE_VERSION);
        for (byte old = 1; old < TemporalExpert.STATE_VERSION; old++) {
            byte[] state = save(expert(CLASSES, Map.of()));
            state[3] = old; // the version is the first int, big-endian
            IOException e = assertThrows(IOException.class, () -> restore(expert(CLASSES, Map.of()), state));
            assertTrue(e.getMessage().contains("format version " + old) && e.getMessage().contains("start the run afresh"),
                    e.getMessage());
        }
    }

    @Test
    void aCheckpointOfOtherShapeOrVersionIsRefused() throws IOException {
        Expert a = expert(CLASSES, Map.of("window", 6));
        step(a, new InMemorySignalBoard(), batch(CLASSES, new Random(1), 0, 10, true));
        byte[] state = save(a);

        DataSchema twoClasses = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y"));
        IOException shape = assertThrows(IOException.class, () -> restore(expert(twoClasses, Map.of("window", 6)), state));
        assertTrue(shape.getMessage().contains("3 outputs") && shape.getMessage().contains("2 outputs"), shape.getMessage());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(42);
        IOException version = assertThrows(IOException.class, () -> restore(expert(CLASSES, Map.of()), bytes.toByteArray()));
        assertTrue(version.getMessage().contains("version 42"), version.getMessage());
    }
}
