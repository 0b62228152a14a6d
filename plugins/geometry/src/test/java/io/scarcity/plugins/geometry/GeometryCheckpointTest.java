package io.scarcity.plugins.geometry;

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

class GeometryCheckpointTest {
    private static final List<String> FEATURES = List.of("a", "b", "c", "d", "e", "f", "g");
    private static final DataSchema SCHEMA = new DataSchema(FEATURES, Task.CLASSIFICATION, List.of("x", "y", "z"));
    private static final DataSchema REGRESSION = new DataSchema(FEATURES, Task.REGRESSION, null);
    private static final String[] SIGNALS = {GeometryExpert.RESIDUAL, GeometryExpert.NOVELTY_RATE, GeometryExpert.SUBSPACE_CHANGE};

    private static Expert expert(DataSchema schema, Map<String, ?> config) {
        return new GeometryExpertFactory().create(PluginConfig.of("experts[0].config", config),
                PluginContext.standalone(5, schema, "geo"));
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

    /** Three classes in a correlated 7-dimensional space; some batches weighted, some unlabelled. */
    private static Batch batch(DataSchema schema, Random random, int rows, boolean labelled) {
        double[] x = new double[rows * 7];
        int[] y = new int[rows];
        double[] t = new double[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = random.nextInt(3);
            double a = random.nextGaussian() * 3 + y[r];
            double b = random.nextGaussian() * 2;
            for (int j = 0; j < 7; j++) {
                x[r * 7 + j] = a * (j + 1) / 7.0 + b * (j % 2 == 0 ? 1 : -1) + 0.3 * random.nextGaussian() + 10 * j;
            }
            t[r] = a - 2 * b + random.nextGaussian();
        }
        Batch batch = schema.task() == Task.CLASSIFICATION
                ? Batch.ofClasses(schema, "d", 0, x, labelled ? y : null)
                : Batch.ofTargets(schema, "d", 0, x, labelled ? t : null);
        if (random.nextInt(4) == 0) {
            double[] w = new double[rows];
            for (int r = 0; r < rows; r++) {
                w[r] = random.nextInt(3) * 0.5;
            }
            batch = batch.withWeights(w);
        }
        return batch;
    }

    private static MetaParameters parameters(int round) {
        return new MetaParameters("d", round, Map.of("geo", 0.01 * (1 + round % 3)), Map.of(),
                new FeatureMoments(0, new double[7], new double[7]), Map.of());
    }

    /** Predict, learn, replay; returns the predictions and the three signals. */
    private static double[] step(Expert e, SignalBoard board, Batch batch, Batch replay) {
        Prediction p = e.predict(batch, board);
        int width = Math.max(1, p.numClasses());
        double[] out = new double[batch.rows() * width + SIGNALS.length];
        for (int r = 0; r < batch.rows(); r++) {
            for (int c = 0; c < width; c++) {
                out[r * width + c] = p.isClassification() ? p.probability(r, c) : p.value(r);
            }
        }
        e.learn(batch, new BatchOutcome(p, new double[batch.hasLabels() ? batch.rows() : 0], 1), board);
        e.replay(replay);
        for (int s = 0; s < SIGNALS.length; s++) {
            out[batch.rows() * width + s] = board.get(SIGNALS[s], Double.NaN);
        }
        return out;
    }

    private static void assertSameStates(ExpertState a, ExpertState b) {
        assertEquals(a.samples(), b.samples());
        assertEquals(a.weights().keySet(), b.weights().keySet());
        for (String k : a.weights().keySet()) {
            assertArrayEquals(a.weight(k), b.weight(k), k);
        }
    }

    private static void assertContinuesIdentically(DataSchema schema) throws IOException {
        assertContinuesIdentically(schema, 1.0);
    }

    /** With a {@code scale} other than 1, A learns under that learning-rate scale before it is saved. */
    private static void assertContinuesIdentically(DataSchema schema, double scale) throws IOException {
        Map<String, ?> config = Map.of("components", 3, "changeLag", 4);
        Expert a = expert(schema, config);
        SignalBoard boardA = new InMemorySignalBoard();
        Random random = new Random(31);
        for (int b = 0; b < 14; b++) {
            // past the history ring's first wrap, with unlabelled and weighted batches and hints between "rounds"
            step(a, boardA, batch(schema, random, 20, b % 5 != 3), batch(schema, random, 6, true));
            if (b % 3 == 2) {
                a.adapt(parameters(b), "geo");
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
            Batch batch = batch(schema, random, 20, i % 4 != 1);
            Batch replay = batch(schema, random, 6, true);
            double[] pa = step(a, boardA, batch, replay);
            double[] pb = step(b, boardB, batch, replay);
            for (int k = 0; k < pa.length; k++) {
                assertEquals(Double.doubleToRawLongBits(pa[k]), Double.doubleToRawLongBits(pb[k]), "batch " + i + " value " + k);
            }
            if (i % 4 == 0) {
                // the jitter of the next hint comes from the restored random generator
                a.adapt(parameters(20 + i), "geo");
                b.adapt(parameters(20 + i), "geo");
                assertEquals(Double.doubleToRawLongBits(a.learningRate()), Double.doubleToRawLongBits(b.learningRate()));
            }
        }
        assertSameStates(a.exportState(), b.exportState());
        assertSameStates(a.importance().orElseThrow(), b.importance().orElseThrow());
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
        assertContinuesIdentically(SCHEMA, 0.5);
        assertContinuesIdentically(REGRESSION, 3.0);

        Expert scaled = expert(SCHEMA, Map.of("learningRate", 0.02));
        scaled.scaleLearningRate(0.5);
        Expert restored = expert(SCHEMA, Map.of("learningRate", 0.02));
        restore(restored, save(scaled));
        assertEquals(0.01, restored.learningRate(), 1e-15, "the scale is in the checkpoint");
    }

    @Test
    void checkpointsOfEarlierFormatsAreRefusedSayingSo() throws IOException {
        assertEquals(3, GeometryExpert.STATE_VERSION);
        for (byte old = 1; old < GeometryExpert.STATE_VERSION; old++) {
            byte[] state = save(expert(SCHEMA, Map.of()));
            state[3] = old; // the version is the first int, big-endian
            IOException e = assertThrows(IOException.class, () -> restore(expert(SCHEMA, Map.of()), state));
            assertTrue(e.getMessage().contains("format version " + old) && e.getMessage().contains("start the run afresh"),
                    e.getMessage());
        }
    }

    @Test
    void aCheckpointOfOtherShapeOrVersionIsRefused() throws IOException {
        Expert a = expert(SCHEMA, Map.of("components", 2));
        step(a, new InMemorySignalBoard(), batch(SCHEMA, new Random(1), 10, true), batch(SCHEMA, new Random(2), 2, true));
        byte[] state = save(a);

        DataSchema sixFeatures = new DataSchema(FEATURES.subList(0, 6), Task.CLASSIFICATION, List.of("x", "y", "z"));
        IOException shape = assertThrows(IOException.class, () -> restore(expert(sixFeatures, Map.of("components", 2)), state));
        assertTrue(shape.getMessage().contains("7 features") && shape.getMessage().contains("6 features"), shape.getMessage());

        IOException task = assertThrows(IOException.class, () -> restore(expert(REGRESSION, Map.of("components", 2)), state));
        assertTrue(task.getMessage().contains("3 classes") && task.getMessage().contains("0 classes"), task.getMessage());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(42);
        IOException version = assertThrows(IOException.class, () -> restore(expert(SCHEMA, Map.of()), bytes.toByteArray()));
        assertTrue(version.getMessage().contains("version 42"), version.getMessage());
    }
}
