package io.scarcity.plugins.reconstruction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.ExpertState;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Save, restore into a fresh instance, drive both the same way: everything must agree bit for bit. */
class ReconstructionCheckpointTest {
    private static final Digits DIGITS = Digits.load();
    private static final DataSchema REGRESSION = new DataSchema(List.of("a", "b", "c", "d"), Task.REGRESSION, null);

    static ReconstructionExpert expert(DataSchema schema, Map<String, ?> config) {
        return (ReconstructionExpert) new ReconstructionExpertFactory().create(PluginConfig.of("experts[0].config", config),
                PluginContext.standalone(5, schema, "vae"));
    }

    static byte[] save(ReconstructionExpert e) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        ((Checkpointable) e).saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    static void restore(ReconstructionExpert e, byte[] state) throws IOException {
        e.restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    /** A batch of the given stream: digits rows (classification) or a synthetic regression. */
    private static Batch batch(DataSchema schema, int i, Random random, boolean labelled) {
        if (schema.task() == Task.CLASSIFICATION) {
            int from = (i * 50) % 1750;
            return labelled ? DIGITS.batch(from, from + 50) : DIGITS.unlabelled(from, from + 50);
        }
        int rows = 20 + i % 7; // several batch sizes
        double[] x = new double[rows * 4];
        double[] t = new double[rows];
        for (int r = 0; r < rows; r++) {
            double f = random.nextGaussian();
            for (int j = 0; j < 4; j++) {
                x[r * 4 + j] = (j + 1) * f + 0.3 * random.nextGaussian() + 10 * j;
            }
            t[r] = 5 * f + 100 + random.nextGaussian() * 0.1;
        }
        return Batch.ofTargets(schema, "d", 0, x, labelled ? t : null);
    }

    private static MetaParameters parameters(Random random, int features, int round) {
        double[] mean = new double[features];
        double[] m2 = new double[features];
        for (int j = 0; j < features; j++) {
            mean[j] = random.nextGaussian();
            m2[j] = 300 * (1 + random.nextDouble());
        }
        return new MetaParameters("d", round, Map.of("vae", 0.003), Map.of(), new FeatureMoments(100, mean, m2), Map.of());
    }

    /** Drives an expert through every kind of call; returns everything it produced, in order. */
    private static List<Object> drive(ReconstructionExpert e, InMemorySignalBoard board, DataSchema schema, long seed, int from,
                                      int batches) {
        Random data = new Random(seed);
        List<Object> out = new ArrayList<>();
        for (int i = from; i < from + batches; i++) {
            boolean labelled = i % 4 != 3;
            Batch b = batch(schema, i, data, labelled);
            Prediction p = e.predict(b, board);
            out.add(values(p));
            e.learn(b, new BatchOutcome(p, new double[labelled ? b.rows() : 0], i / 3), board);
            out.add(board.snapshot());
            if (i % 3 == 1) {
                e.replay(batch(schema, i + 100, data, true).slice(0, 10));
            }
            if (i % 5 == 2) {
                e.adapt(parameters(data, schema.numFeatures(), i), "vae");
            }
            double[] codes = e.encode(b);
            out.add(codes);
            out.add(e.decode(codes, b.rows()));
            out.add(e.learningRate());
        }
        out.add(e.exportState().weights());
        out.add(e.importance().orElseThrow().weights());
        return out;
    }

    private static double[] values(Prediction p) {
        int k = Math.max(1, p.numClasses());
        double[] v = new double[p.rows() * k];
        for (int r = 0; r < p.rows(); r++) {
            for (int c = 0; c < k; c++) {
                v[r * k + c] = p.isClassification() ? p.probability(r, c) : p.value(r);
            }
        }
        return v;
    }

    private static void assertSame(List<Object> expected, List<Object> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Object a = expected.get(i);
            Object b = actual.get(i);
            if (a instanceof double[] x) {
                assertArrayEquals(x, (double[]) b, 0.0, "item " + i);
            } else if (a instanceof Map<?, ?> m && !m.isEmpty() && m.values().iterator().next() instanceof double[]) {
                assertEquals(m.keySet(), ((Map<?, ?>) b).keySet());
                for (Object key : m.keySet()) {
                    assertArrayEquals((double[]) m.get(key), (double[]) ((Map<?, ?>) b).get(key), 0.0, "item " + i + " " + key);
                }
            } else {
                assertEquals(a, b, "item " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"classification", "regression"})
    void restoredExpertContinuesExactly(String task) throws IOException {
        assertContinuesExactly(task.equals("classification") ? Digits.SCHEMA : REGRESSION, 1.0);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"classification", "regression"})
    void restoredExpertKeepsItsLearningRateScaleAndContinuesExactly(String task) throws IOException {
        assertContinuesExactly(task.equals("classification") ? Digits.SCHEMA : REGRESSION, 0.5);

        ReconstructionExpert scaled = expert(REGRESSION, Map.of("learningRate", 0.008));
        scaled.scaleLearningRate(0.25);
        ReconstructionExpert restored = expert(REGRESSION, Map.of("learningRate", 0.008));
        restore(restored, save(scaled));
        assertEquals(0.002, restored.learningRate(), 1e-15, "the scale is in the checkpoint");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"classification", "regression"})
    void restoredExpertKeepsItsEwcPenaltyAndContinuesExactly(String task) throws IOException {
        assertContinuesExactly(task.equals("classification") ? Digits.SCHEMA : REGRESSION, 1.0, 200.0);
    }

    @Test
    void rmsPropWithAPenaltyRestoresToo() throws IOException {
        Map<String, Object> config = Map.of("optimizer", "rmsprop");
        ReconstructionExpert a = expert(REGRESSION, config);
        drive(a, new InMemorySignalBoard(), REGRESSION, 1, 0, 5);
        assertTrue(a.penalise(a.exportState(), a.importance().orElseThrow(), 30));
        drive(a, new InMemorySignalBoard(), REGRESSION, 2, 5, 3);
        ReconstructionExpert b = expert(REGRESSION, config);
        restore(b, save(a));
        assertEquals(30, b.penaltyStrength());
        assertSame(drive(a, new InMemorySignalBoard(), REGRESSION, 3, 8, 5),
                drive(b, new InMemorySignalBoard(), REGRESSION, 3, 8, 5));
        assertArrayEquals(save(a), save(b));
    }

    private static void assertContinuesExactly(DataSchema schema, double scale) throws IOException {
        assertContinuesExactly(schema, scale, 0.0);
    }

    /**
     * With a {@code scale} other than 1, A learns under that learning-rate scale (set mid-way) before it is
     * saved; with a {@code strength} above 0, under an EWC penalty (set mid-way, anchored there).
     */
    private static void assertContinuesExactly(DataSchema schema, double scale, double strength) throws IOException {
        Map<String, Object> config = Map.of("hidden", 16, "latent", 4);
        ReconstructionExpert a = expert(schema, config);
        InMemorySignalBoard boardA = new InMemorySignalBoard();
        if (scale == 1.0 && strength == 0.0) {
            drive(a, boardA, schema, 1, 0, 12);
        } else {
            drive(a, boardA, schema, 1, 0, 6);
            if (scale != 1.0) {
                assertTrue(a.scaleLearningRate(scale));
            }
            if (strength != 0.0) {
                assertTrue(a.penalise(a.exportState(), a.importance().orElseThrow(), strength));
            }
            drive(a, boardA, schema, 3, 6, 6);
        }
        byte[] state = save(a);
        ReconstructionExpert b = expert(schema, config);
        restore(b, state);
        assertEquals(a.learningRate(), b.learningRate(), "the restored expert has the saved effective rate, scale included");
        assertEquals(strength, b.penaltyStrength(), "the restored expert has the saved penalty");
        InMemorySignalBoard boardB = new InMemorySignalBoard();
        for (Map.Entry<String, Double> s : boardA.snapshot().entrySet()) {
            boardB.publish(s.getKey(), s.getValue());
        }
        List<Object> fromA = drive(a, boardA, schema, 2, 12, 12);
        List<Object> fromB = drive(b, boardB, schema, 2, 12, 12);
        assertSame(fromA, fromB);
        assertArrayEquals(save(a), save(b));
    }

    @Test
    void rmsPropRestoresToo() throws IOException {
        Map<String, Object> config = Map.of("optimizer", "rmsprop", "headWeight", 0.0);
        ReconstructionExpert a = expert(Digits.SCHEMA, config);
        drive(a, new InMemorySignalBoard(), Digits.SCHEMA, 1, 0, 5);
        ReconstructionExpert b = expert(Digits.SCHEMA, config);
        restore(b, save(a));
        assertSame(drive(a, new InMemorySignalBoard(), Digits.SCHEMA, 3, 5, 5),
                drive(b, new InMemorySignalBoard(), Digits.SCHEMA, 3, 5, 5));
    }

    @Test
    void checkpointOfOtherDataIsRefused() throws IOException {
        byte[] state = save(expert(REGRESSION, Map.of()));
        IOException e = assertThrows(IOException.class, () -> restore(expert(Digits.SCHEMA, Map.of()), state));
        assertTrue(e.getMessage().contains("4 features") && e.getMessage().contains("64 features"), e.getMessage());
    }

    @Test
    void checkpointsOfEarlierFormatsAreRefusedSayingSo() throws IOException {
        assertEquals(4, ReconstructionExpert.STATE_VERSION);
        for (byte old = 1; old < ReconstructionExpert.STATE_VERSION; old++) {
            byte[] state = save(expert(REGRESSION, Map.of()));
            state[3] = old; // the version is the first int, big-endian
            IOException e = assertThrows(IOException.class, () -> restore(expert(REGRESSION, Map.of()), state));
            assertTrue(e.getMessage().contains("format version " + old) && e.getMessage().contains("start the run afresh"),
                    e.getMessage());
        }
    }

    @Test
    void unknownVersionIsRefused() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(99);
        IOException e = assertThrows(IOException.class, () -> restore(expert(Digits.SCHEMA, Map.of()), bytes.toByteArray()));
        assertTrue(e.getMessage().contains("version 99"), e.getMessage());
    }

    @Test
    void gossipStateCarriesTheModel() {
        // No pooled moments here: they come from the coordinator, not from gossip, so a peer without them
        // would standardise differently.
        ReconstructionExpert a = expert(Digits.SCHEMA, Map.of());
        InMemorySignalBoard signals = new InMemorySignalBoard();
        for (int i = 0; i < 8; i++) {
            Batch b = i % 4 == 3 ? DIGITS.unlabelled(i * 50, i * 50 + 50) : DIGITS.batch(i * 50, i * 50 + 50);
            a.learn(b, new BatchOutcome(null, new double[0], 0), signals);
            a.replay(DIGITS.batch(1000 + i * 10, 1010 + i * 10));
        }
        ExpertState state = a.exportState();
        assertEquals("reconstruction", state.expert());
        assertEquals(400, state.samples(), "8 batches of 50 rows (two unlabelled) are learned, replayed rows do not count");
        assertTrue(state.weights().keySet().containsAll(List.of("encoder.w1", "encoder.b1", "encoder.w2", "encoder.b2",
                "decoder.w3", "decoder.b3", "decoder.w4", "decoder.b4", "head.w", "head.b", "norm.mean", "norm.variance",
                "norm.count")));
        ReconstructionExpert b = (ReconstructionExpert) new ReconstructionExpertFactory().create(PluginConfig.empty(),
                PluginContext.standalone(77, Digits.SCHEMA, "other"));
        b.mergeState(state);
        Batch held = DIGITS.batch(1750, 1797);
        InMemorySignalBoard board = new InMemorySignalBoard();
        assertArrayEquals(values(a.predict(held, board)), values(b.predict(held, board)), 0.0);
        assertArrayEquals(a.encode(held), b.encode(held), 0.0);
        assertEquals(state.samples(), b.exportState().samples());
    }

    @Test
    void badMergedStateIsRejectedBeforeAnythingChanges() {
        ReconstructionExpert a = expert(Digits.SCHEMA, Map.of());
        drive(a, new InMemorySignalBoard(), Digits.SCHEMA, 1, 0, 3);
        Batch held = DIGITS.batch(1750, 1797);
        double[] before = values(a.predict(held, new InMemorySignalBoard()));
        Map<String, double[]> good = a.exportState().weights();
        Map<String, double[]> shortArray = new java.util.TreeMap<>(good);
        shortArray.put("decoder.w4", new double[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.mergeState(new ExpertState("reconstruction", shortArray, 5)));
        assertTrue(e.getMessage().contains("decoder.w4"), e.getMessage());
        Map<String, double[]> nonFinite = new java.util.TreeMap<>(good);
        double[] w = good.get("norm.mean").clone();
        w[3] = Double.NaN;
        nonFinite.put("norm.mean", w);
        assertThrows(IllegalArgumentException.class, () -> a.mergeState(new ExpertState("reconstruction", nonFinite, 5)));
        Map<String, double[]> missing = new java.util.TreeMap<>(good);
        missing.remove("head.b");
        assertThrows(IllegalArgumentException.class, () -> a.mergeState(new ExpertState("reconstruction", missing, 5)));
        assertArrayEquals(before, values(a.predict(held, new InMemorySignalBoard())), 0.0);
    }
}
