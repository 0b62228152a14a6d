package io.scarcity.plugins.hierarchical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HierarchicalMemoryCheckpointTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y", "z"));
    private static final DataSchema REGRESSION = new DataSchema(List.of("a", "b", "c"), Task.REGRESSION, null);
    private static final Map<String, Object> CONFIG = Map.of("workingSize", 24, "episodicSize", 40,
            "mix", Map.of("working", 0.3, "episodic", 0.5, "semantic", 0.2));

    private static HierarchicalMemory memory(DataSchema schema, Map<String, ?> config) {
        return (HierarchicalMemory) new HierarchicalMemoryFactory().create(PluginConfig.of("memory.config", config),
                PluginContext.standalone(11, schema, "hierarchical"));
    }

    private static SignalBoard signals(boolean drift) {
        SignalBoard board = new InMemorySignalBoard();
        board.publish(StandardSignals.DRIFT_DETECTED, drift ? 1 : 0);
        return board;
    }

    /**
     * Observes {@code steps} random batches (some unlabelled, some with zero weights, drift now and then,
     * enough rows to wrap the working ring and make the reservoir evict) and replays after each; returns
     * the replayed batches.
     */
    private static List<Optional<Batch>> drive(HierarchicalMemory memory, DataSchema schema, Random random, int steps) {
        List<Optional<Batch>> replays = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            int rows = 1 + random.nextInt(30);
            double[] x = new double[rows * 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextGaussian();
            }
            boolean labelled = random.nextInt(6) > 0;
            Batch batch;
            if (schema.task() == Task.CLASSIFICATION) {
                int[] y = new int[rows];
                for (int i = 0; i < rows; i++) {
                    y[i] = random.nextInt(3);
                }
                batch = Batch.ofClasses(schema, "dom" + step % 2, step * 100L, x, labelled ? y : null);
            } else {
                double[] t = new double[rows];
                for (int i = 0; i < rows; i++) {
                    t[i] = random.nextGaussian();
                }
                batch = Batch.ofTargets(schema, "dom" + step % 2, step * 100L, x, labelled ? t : null);
            }
            if (random.nextInt(4) == 0) {
                double[] w = new double[rows];
                for (int i = 0; i < rows; i++) {
                    w[i] = random.nextInt(2);
                }
                batch = batch.withWeights(w);
            }
            memory.observe(batch, signals(random.nextInt(7) == 0));
            replays.add(memory.replay(1 + random.nextInt(50)));
        }
        return replays;
    }

    private static byte[] save(HierarchicalMemory memory) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        memory.saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void restore(HierarchicalMemory memory, byte[] state) throws IOException {
        memory.restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    private static void assertSameReplays(List<Optional<Batch>> expected, List<Optional<Batch>> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).isPresent(), actual.get(i).isPresent(), "replay " + i);
            if (expected.get(i).isEmpty()) {
                continue;
            }
            Batch e = expected.get(i).get();
            Batch a = actual.get(i).get();
            assertEquals(e.rows(), a.rows(), "rows of replay " + i);
            assertSame(e.schema(), a.schema(), "schema of replay " + i);
            assertEquals(e.domain(), a.domain(), "domain of replay " + i);
            assertEquals(e.firstRow(), a.firstRow());
            assertArrayEquals(e.featuresCopy(), a.featuresCopy(), "features of replay " + i);
            for (int r = 0; r < e.rows(); r++) {
                if (e.schema().task() == Task.CLASSIFICATION) {
                    assertEquals(e.label(r), a.label(r), "label of row " + r + " of replay " + i);
                } else {
                    assertEquals(Double.doubleToRawLongBits(e.target(r)), Double.doubleToRawLongBits(a.target(r)),
                            "target of row " + r + " of replay " + i);
                }
            }
        }
    }

    private static void checkContinuesExactly(DataSchema schema) throws IOException {
        HierarchicalMemory a = memory(schema, CONFIG);
        Random inputs = new Random(99);
        drive(a, schema, inputs, 60);
        assertTrue(a.reservoirSeen() > 40 * 3, "the reservoir has evicted: " + a.reservoirSeen());
        byte[] state = save(a);

        HierarchicalMemory b = memory(schema, CONFIG);
        restore(b, state);
        assertArrayEquals(state, save(b), "a restored memory saves what it was restored from");
        assertEquals(a.stats(), b.stats());
        assertEquals(a.reservoirSeen(), b.reservoirSeen());

        long seed = inputs.nextLong();
        List<Optional<Batch>> fromA = drive(a, schema, new Random(seed), 80);
        List<Optional<Batch>> fromB = drive(b, schema, new Random(seed), 80);
        assertSameReplays(fromA, fromB);
        assertEquals(a.stats(), b.stats());
        assertEquals(a.reservoirSeen(), b.reservoirSeen());
        for (int slot = 0; slot < 40; slot++) {
            assertEquals(Double.doubleToRawLongBits(a.episodicValue(slot, 2)), Double.doubleToRawLongBits(b.episodicValue(slot, 2)));
        }
        for (int c = 0; c < schema.numClasses(); c++) {
            assertArrayEquals(a.prototype(c), b.prototype(c), "prototype of class " + c);
        }
        assertArrayEquals(save(a), save(b));

        // The scenario tells a restored memory from a fresh one.
        List<Optional<Batch>> fresh = drive(memory(schema, CONFIG), schema, new Random(seed), 80);
        assertNotEquals(java.util.Arrays.toString(fromA.get(0).orElseThrow().featuresCopy()),
                fresh.get(0).map(r -> java.util.Arrays.toString(r.featuresCopy())).orElse(""));
    }

    @Test
    void aRestoredClassificationMemoryReplaysExactlyAsTheSavedOne() throws IOException {
        checkContinuesExactly(SCHEMA);
    }

    @Test
    void aRestoredRegressionMemoryReplaysExactlyAsTheSavedOne() throws IOException {
        checkContinuesExactly(REGRESSION);
    }

    @Test
    void anEmptyMemoryRoundTrips() throws IOException {
        HierarchicalMemory b = memory(SCHEMA, CONFIG);
        restore(b, save(memory(SCHEMA, CONFIG)));
        assertTrue(b.replay(5).isEmpty());
        assertEquals(0, b.stats().totalEntries());
    }

    /** A drift before the reservoir is full promotes rows it already holds: more rows than it was offered. */
    @Test
    void aMemoryPromotedBeforeTheReservoirFilledRoundTrips() throws IOException {
        HierarchicalMemory a = memory(SCHEMA, CONFIG);
        Batch ten = Batch.ofClasses(SCHEMA, "dom", 0, new double[30], new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
        a.observe(ten, signals(false));
        a.observe(ten.slice(0, 2), signals(true));
        assertTrue(a.stats().tierSizes().get("episodic") > a.reservoirSeen(), a.stats() + " after " + a.reservoirSeen());
        HierarchicalMemory b = memory(SCHEMA, CONFIG);
        restore(b, save(a));
        assertEquals(a.stats(), b.stats());
        assertSameReplays(List.of(a.replay(30)), List.of(b.replay(30)));
    }

    @Test
    void aCheckpointOfAnotherStreamIsRefusedNamingItsShape() throws IOException {
        HierarchicalMemory a = memory(SCHEMA, CONFIG);
        drive(a, SCHEMA, new Random(2), 10);
        byte[] state = save(a);
        DataSchema twoClasses = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y"));
        HierarchicalMemory other = memory(twoClasses, CONFIG);
        IOException e = assertThrows(IOException.class, () -> restore(other, state));
        assertTrue(e.getMessage().contains("3 classes") && e.getMessage().contains("2 classes"), e.getMessage());
        assertEquals(0, other.stats().totalEntries(), "a refused checkpoint changes nothing");

        IOException regression = assertThrows(IOException.class, () -> restore(memory(REGRESSION, CONFIG), state));
        assertTrue(regression.getMessage().contains("REGRESSION"), regression.getMessage());
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        byte[] state = save(memory(SCHEMA, CONFIG));
        state[3] = 9; // the version int, big-endian
        IOException e = assertThrows(IOException.class, () -> restore(memory(SCHEMA, CONFIG), state));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }
}
