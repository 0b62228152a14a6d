package com.example.majority;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertState;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A plugin that implements {@link Checkpointable} should test that a restored instance continues
 * exactly as the saved one, and that a checkpoint that does not fit is refused with a clear message.
 */
class MajorityExpertCheckpointTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a"), Task.CLASSIFICATION, List.of("x", "y", "z"));
    private static final Map<String, Object> CONFIG = Map.of("decay", 0.97, "smoothing", 0.5);

    private static Expert expert(DataSchema schema) {
        return new MajorityExpertFactory().create(PluginConfig.of("experts[0].config", CONFIG),
                PluginContext.standalone(1, schema, "majority"));
    }

    /** Test-then-train on random batches (skewed labels, some weighted, some unlabelled); returns the predictions. */
    private static List<Prediction> drive(Expert expert, Random random, int batches) {
        List<Prediction> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            int rows = 1 + random.nextInt(20);
            int[] y = new int[rows];
            for (int r = 0; r < rows; r++) {
                y[r] = random.nextInt(4) == 0 ? random.nextInt(3) : b / 10 % 3;
            }
            Batch batch = Batch.ofClasses(SCHEMA, "d", b * 20L, new double[rows], random.nextInt(5) == 0 ? null : y);
            if (random.nextBoolean()) {
                double[] w = new double[rows];
                for (int r = 0; r < rows; r++) {
                    w[r] = random.nextDouble() * 2;
                }
                batch = batch.withWeights(w);
            }
            Prediction p = expert.predict(batch, new InMemorySignalBoard());
            out.add(p);
            expert.learn(batch, new BatchOutcome(p, new double[rows], b / 5), new InMemorySignalBoard());
        }
        return out;
    }

    private static byte[] save(Expert expert) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        ((Checkpointable) expert).saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void restore(Expert expert, byte[] state) throws IOException {
        ((Checkpointable) expert).restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    private static void assertSameState(ExpertState expected, ExpertState actual) {
        assertEquals(expected.expert(), actual.expert());
        assertEquals(expected.samples(), actual.samples());
        assertArrayEquals(expected.weight("counts"), actual.weight("counts"));
    }

    @Test
    void aRestoredExpertPredictsExactlyAsTheSavedOne() throws IOException {
        Expert a = expert(SCHEMA);
        Random random = new Random(12);
        drive(a, random, 40);
        byte[] state = save(a);
        Expert b = expert(SCHEMA);
        restore(b, state);
        assertSameState(a.exportState(), b.exportState());

        long seed = random.nextLong();
        List<Prediction> fromA = drive(a, new Random(seed), 60);
        List<Prediction> fromB = drive(b, new Random(seed), 60);
        for (int i = 0; i < fromA.size(); i++) {
            Prediction pa = fromA.get(i);
            Prediction pb = fromB.get(i);
            assertEquals(pa.rows(), pb.rows());
            for (int r = 0; r < pa.rows(); r++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(Double.doubleToRawLongBits(pa.probability(r, c)), Double.doubleToRawLongBits(pb.probability(r, c)),
                            "batch " + i + ", row " + r + ", class " + c);
                }
            }
        }
        assertSameState(a.exportState(), b.exportState());
        assertArrayEquals(save(a), save(b));

        // Gossip after the restore works on the restored state.
        ExpertState merged = ExpertState.sampleWeightedMean(a.exportState(), expert(SCHEMA).exportState());
        a.mergeState(merged);
        b.mergeState(merged);
        assertSameState(a.exportState(), b.exportState());

        // A fresh expert would predict otherwise: the test sees a lost state.
        assertNotEquals(a.exportState().samples(), expert(SCHEMA).exportState().samples());
    }

    @Test
    void aCheckpointOfAStreamWithOtherClassesIsRefused() throws IOException {
        DataSchema two = new DataSchema(List.of("a"), Task.CLASSIFICATION, List.of("x", "y"));
        byte[] state = save(expert(two));
        IOException e = assertThrows(IOException.class, () -> restore(expert(SCHEMA), state));
        assertTrue(e.getMessage().contains("class counts: expected 3 values, found 2"), e.getMessage());
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        byte[] state = save(expert(SCHEMA));
        state[3] = 2; // the version int, big-endian
        IOException e = assertThrows(IOException.class, () -> restore(expert(SCHEMA), state));
        assertTrue(e.getMessage().contains("unknown format version 2"), e.getMessage());
    }
}
