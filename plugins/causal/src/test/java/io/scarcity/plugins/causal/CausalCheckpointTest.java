package io.scarcity.plugins.causal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.InMemorySignalBoard;
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

class CausalCheckpointTest {
    private static final List<String> FEATURES = List.of("a", "b", "c", "d", "e");
    private static final DataSchema CLASSES = new DataSchema(FEATURES, Task.CLASSIFICATION, List.of("x", "y", "z"));
    private static final DataSchema REGRESSION = new DataSchema(FEATURES, Task.REGRESSION, null);
    private static final String[] SIGNALS = {CausalExpert.EDGES, CausalExpert.STRUCTURAL_CHANGE, CausalExpert.BLANKET_SIZE};

    private static Expert expert(DataSchema schema, Map<String, ?> config) {
        return new CausalExpertFactory().create(PluginConfig.of("experts[0].config", config),
                PluginContext.standalone(5, schema, "causal"));
    }

    static byte[] save(Expert e) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        ((Checkpointable) e).saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    static void restore(Expert e, byte[] state) throws IOException {
        ((Checkpointable) e).restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    /** A chain a -> b -> target -> c with d, e noise; some batches weighted, some unlabelled. */
    static Batch batch(DataSchema schema, Random random, int rows, boolean labelled) {
        double[] x = new double[rows * 5];
        int[] y = new int[rows];
        double[] t = new double[rows];
        for (int r = 0; r < rows; r++) {
            double a = random.nextGaussian();
            double b = 0.8 * a + random.nextGaussian();
            y[r] = b + 0.5 * random.nextGaussian() > 0.5 ? 2 : b > -0.5 ? 1 : 0;
            t[r] = 0.9 * b + random.nextGaussian();
            double target = schema.task() == Task.REGRESSION ? t[r] : y[r];
            x[r * 5] = a;
            x[r * 5 + 1] = b;
            x[r * 5 + 2] = 0.7 * target + random.nextGaussian();
            x[r * 5 + 3] = random.nextGaussian();
            x[r * 5 + 4] = 3 + 0.1 * random.nextGaussian();
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

    /** Predict, learn, replay; the predictions and the signals, as raw values. */
    private static double[] step(Expert e, SignalBoard board, Batch batch, boolean drift) {
        board.publish(StandardSignals.DRIFT_DETECTED, drift ? 1 : 0);
        Prediction p = Drive.step(e, batch, board);
        e.replay(batch);
        int width = Math.max(1, p.numClasses());
        double[] out = new double[batch.rows() * width + SIGNALS.length];
        for (int r = 0; r < batch.rows(); r++) {
            for (int c = 0; c < width; c++) {
                out[r * width + c] = p.isClassification() ? p.probability(r, c) : p.value(r);
            }
        }
        for (int s = 0; s < SIGNALS.length; s++) {
            out[batch.rows() * width + s] = board.get(SIGNALS[s], Double.NaN);
        }
        return out;
    }

    private static void assertContinuesIdentically(DataSchema schema) throws IOException {
        Map<String, ?> config = Map.of("every", 3, "warmStart", true, "minSamples", 20);
        Expert a = expert(schema, config);
        SignalBoard boardA = new InMemorySignalBoard();
        Random random = new Random(31);
        for (int b = 0; b < 14; b++) {
            step(a, boardA, batch(schema, random, 20, b % 5 != 3), b == 9);
        }
        byte[] state = save(a);
        Expert b = expert(schema, config);
        restore(b, state);
        assertArrayEquals(state, save(b), "the restored expert saves the same state");
        SignalBoard boardB = new InMemorySignalBoard();
        for (int i = 0; i < 20; i++) {
            Batch batch = batch(schema, random, 20, i % 4 != 1);
            boolean drift = i == 7;
            double[] pa = step(a, boardA, batch, drift);
            double[] pb = step(b, boardB, batch, drift);
            for (int k = 0; k < pa.length; k++) {
                assertEquals(Double.doubleToRawLongBits(pa[k]), Double.doubleToRawLongBits(pb[k]), "batch " + i + " value " + k);
            }
        }
        assertEquals(((CausalExpert) a).graph(), ((CausalExpert) b).graph());
        assertTrue(((CausalExpert) a).graph().edges() > 0, "something was found");
        assertArrayEquals(save(a), save(b));
    }

    @Test
    void aRestoredClassifierContinuesBitForBit() throws IOException {
        assertContinuesIdentically(CLASSES);
    }

    @Test
    void aRestoredRegressorContinuesBitForBit() throws IOException {
        assertContinuesIdentically(REGRESSION);
    }

    @Test
    void aCheckpointOfOtherShapeOrVersionIsRefused() throws IOException {
        Expert a = expert(CLASSES, Map.of("alpha", 0.05));
        step(a, new InMemorySignalBoard(), batch(CLASSES, new Random(1), 10, true), false);
        byte[] state = save(a);

        DataSchema four = new DataSchema(FEATURES.subList(0, 4), Task.CLASSIFICATION, List.of("x", "y", "z"));
        IOException shape = assertThrows(IOException.class, () -> restore(expert(four, Map.of("alpha", 0.05)), state));
        assertTrue(shape.getMessage().contains("5 features") && shape.getMessage().contains("4 features"), shape.getMessage());

        IOException task = assertThrows(IOException.class, () -> restore(expert(REGRESSION, Map.of("alpha", 0.05)), state));
        assertTrue(task.getMessage().contains("3 classes") && task.getMessage().contains("0 classes"), task.getMessage());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(42);
        IOException version = assertThrows(IOException.class, () -> restore(expert(CLASSES, Map.of()), bytes.toByteArray()));
        assertTrue(version.getMessage().contains("version 42"), version.getMessage());
    }
}
