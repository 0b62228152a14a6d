package io.scarcity.plugins.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
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

class DriftCheckpointTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final PluginContext CONTEXT = PluginContext.standalone(3, SCHEMA, "drift");

    private static DriftExpert expert(Map<String, ?> config) {
        return (DriftExpert) new DriftExpertFactory().create(PluginConfig.of("experts[2].config", config), CONTEXT);
    }

    private static byte[] save(Checkpointable c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        c.saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void restore(Checkpointable c, byte[] state) throws IOException {
        c.restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    /** One batch of Bernoulli(p) losses; returns the three published signals. */
    private static double[] feed(Expert expert, SignalBoard signals, Random random, double p) {
        double[] losses = new double[40];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = random.nextDouble() < p ? 1 : 0;
        }
        expert.learn(Batch.ofClasses(SCHEMA, "d", 0, new double[40], new int[40]), new BatchOutcome(null, losses, 1), signals);
        return new double[] {signals.get(StandardSignals.DRIFT_DETECTED, -1), signals.get(StandardSignals.DRIFT_WARNING, -1),
                signals.get(StandardSignals.DRIFT_SCORE, -1)};
    }

    @Test
    void aRestoredDetectorContinuesBitForBit() throws IOException {
        DriftExpert a = expert(Map.of());
        SignalBoard boardA = new InMemorySignalBoard();
        Random random = new Random(9);
        // the coordinator's scale sets threshold and tolerance (0.9 * 50 = 45, 0.9 * 0.005), then a change is detected
        a.adapt(new MetaParameters("d", 1, Map.of(), Map.of(), new FeatureMoments(0, new double[1], new double[1]),
                Map.of("drift.loss-scale", 0.9)), "drift");
        int detected = 0;
        for (int b = 0; b < 150; b++) {
            detected += feed(a, boardA, random, b < 100 ? 0.1 : 0.6)[0] == 1.0 ? 1 : 0;
        }
        assertTrue(detected >= 1, "the change was detected");
        // stop in the middle of a rising statistic after the detection
        for (int b = 0; b < 3; b++) {
            feed(a, boardA, random, 0.9);
        }
        byte[] state = save(a);
        DriftExpert b = expert(Map.of());
        restore(b, state);
        assertEquals(a.lambda(), b.lambda());
        assertEquals(a.delta(), b.delta());
        assertEquals(a.detections(), b.detections());
        SignalBoard boardB = new InMemorySignalBoard();
        long seed = random.nextLong();
        Random ra = new Random(seed);
        Random rb = new Random(seed);
        int later = 0;
        for (int i = 0; i < 300; i++) {
            double p = i < 100 ? 0.9 : i < 200 ? 0.1 : 0.7;
            double[] sa = feed(a, boardA, ra, p);
            double[] sb = feed(b, boardB, rb, p);
            for (int k = 0; k < 3; k++) {
                assertEquals(Double.doubleToRawLongBits(sa[k]), Double.doubleToRawLongBits(sb[k]), "batch " + i + " signal " + k);
            }
            later += sa[0] == 1.0 ? 1 : 0;
        }
        assertTrue(later >= 1, "the restored pair went through a further detection");
        assertEquals(a.detections(), b.detections());
        assertEquals(a.lambda(), b.lambda());
        org.junit.jupiter.api.Assertions.assertArrayEquals(save(a), save(b), "and they save the same state");
    }

    @Test
    void aCheckpointOfAnotherVersionOrTruncatedIsRefused() throws IOException {
        DriftExpert a = expert(Map.of("lambda", 20.0));
        feed(a, new InMemorySignalBoard(), new Random(1), 0.2);
        byte[] state = save(a);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(99);
        IOException version = assertThrows(IOException.class, () -> restore(expert(Map.of()), bytes.toByteArray()));
        assertTrue(version.getMessage().contains("version 99"), version.getMessage());

        byte[] truncated = java.util.Arrays.copyOf(state, state.length - 3);
        assertThrows(IOException.class, () -> restore(expert(Map.of("lambda", 20.0)), truncated));
    }
}
