package io.scarcity.plugins.hierarchical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.Task;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checkpoints of the non-default policies: every new piece of state continues exactly, and the options are checked. */
class HierarchicalMemoryPolicyCheckpointTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y", "z", "w"));
    private static final DataSchema REGRESSION = new DataSchema(List.of("a", "b", "c"), Task.REGRESSION, null);

    private static Map<String, Object> config(String semantic) {
        Map<String, Object> c = new HashMap<>();
        c.put("workingSize", 20);
        c.put("episodicSize", 36);
        c.put("episodicPolicy", "class-balanced");
        c.put("promotion", "both");
        c.put("importanceFactor", 1.2);
        c.put("semantic", semantic);
        c.put("semanticSize", 6);
        c.put("codesPerClass", 2);
        c.put("replayPolicy", "class-balanced");
        return c;
    }

    private static HierarchicalMemory memory(DataSchema schema, Map<String, Object> config, boolean codec) {
        HierarchicalMemory m = (HierarchicalMemory) new HierarchicalMemoryFactory().create(PluginConfig.of("memory.config", config),
                PluginContext.standalone(21, schema, "hierarchical"));
        if (codec) {
            m.useCodec("vae", new HierarchicalMemoryPropertyTest.TruncatingCodec(2));
        }
        return m;
    }

    /** Random batches with skewed classes, drift and loss signals; the replays' features and labels as text. */
    private static List<String> drive(HierarchicalMemory m, DataSchema schema, Random random, int steps) {
        List<String> out = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            int rows = 1 + random.nextInt(25);
            double[] x = new double[rows * 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextGaussian();
            }
            Batch batch;
            if (schema.task() == Task.CLASSIFICATION) {
                int[] y = new int[rows];
                for (int i = 0; i < rows; i++) {
                    y[i] = random.nextInt(10) < 7 ? 0 : 1 + random.nextInt(3);
                }
                batch = Batch.ofClasses(schema, "d", 0, x, y);
            } else {
                double[] t = new double[rows];
                for (int i = 0; i < rows; i++) {
                    t[i] = random.nextGaussian();
                }
                batch = Batch.ofTargets(schema, "d", 0, x, t);
            }
            SignalBoard signals = new InMemorySignalBoard();
            signals.publish(StandardSignals.DRIFT_DETECTED, random.nextInt(8) == 0 ? 1 : 0);
            signals.publish(StandardSignals.MIXTURE_LOSS, random.nextDouble());
            m.observe(batch, signals);
            Batch replay = m.replay(1 + random.nextInt(40)).orElseThrow();
            StringBuilder s = new StringBuilder(java.util.Arrays.toString(replay.featuresCopy()));
            for (int r = 0; r < replay.rows(); r++) {
                s.append(schema.task() == Task.CLASSIFICATION ? replay.label(r) : replay.target(r)).append(',');
            }
            out.add(s.toString());
        }
        return out;
    }

    private static void restore(HierarchicalMemory m, byte[] state) throws IOException {
        m.restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"prototypes", "codes", "codes-regression"})
    void everyPolicyContinuesExactlyAfterARestore(String variant) throws IOException {
        boolean codes = variant.startsWith("codes");
        DataSchema schema = variant.endsWith("regression") ? REGRESSION : SCHEMA;
        Map<String, Object> config = config(codes ? "codes" : "prototypes");
        HierarchicalMemory a = memory(schema, config, codes);
        Random inputs = new Random(5);
        drive(a, schema, inputs, 50);
        assertTrue(a.lossMean() > 0, "the loss mean is part of the state");
        assertEquals(codes, a.holdsCodes());
        byte[] state = HierarchicalMemoryPropertyTest.save(a);

        HierarchicalMemory b = memory(schema, config, codes);
        restore(b, state);
        assertArrayEquals(state, HierarchicalMemoryPropertyTest.save(b));
        assertEquals(a.stats(), b.stats());
        assertEquals(a.lossMean(), b.lossMean());
        long seed = inputs.nextLong();
        List<String> fromA = drive(a, schema, new Random(seed), 80);
        List<String> fromB = drive(b, schema, new Random(seed), 80);
        assertEquals(fromA, fromB);
        assertArrayEquals(HierarchicalMemoryPropertyTest.save(a), HierarchicalMemoryPropertyTest.save(b));
        assertNotEquals(fromA, drive(memory(schema, config, codes), schema, new Random(seed), 80),
                "the scenario tells a restored memory from a fresh one");
    }

    @Test
    void codesNeedTheCodecOnBothSides() throws IOException {
        HierarchicalMemory withCodes = memory(SCHEMA, config("codes"), true);
        drive(withCodes, SCHEMA, new Random(2), 10);
        IOException noCodec = assertThrows(IOException.class,
                () -> restore(memory(SCHEMA, config("codes"), false), HierarchicalMemoryPropertyTest.save(withCodes)));
        assertTrue(noCodec.getMessage().contains("no expert offers one"), noCodec.getMessage());

        HierarchicalMemory withoutCodec = memory(SCHEMA, config("codes"), false);
        drive(withoutCodec, SCHEMA, new Random(2), 10);
        IOException codec = assertThrows(IOException.class,
                () -> restore(memory(SCHEMA, config("codes"), true), HierarchicalMemoryPropertyTest.save(withoutCodec)));
        assertTrue(codec.getMessage().contains("codec of vae"), codec.getMessage());

        HierarchicalMemory wider = memory(SCHEMA, config("codes"), false);
        wider.useCodec("vae", new HierarchicalMemoryPropertyTest.TruncatingCodec(3));
        IOException size = assertThrows(IOException.class, () -> restore(wider, HierarchicalMemoryPropertyTest.save(withCodes)));
        assertTrue(size.getMessage().contains("code size = 2, but this run has codec's code size = 3"), size.getMessage());
    }
}
