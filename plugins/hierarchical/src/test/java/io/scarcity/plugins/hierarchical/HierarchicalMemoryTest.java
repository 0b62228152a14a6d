package io.scarcity.plugins.hierarchical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.Memory;
import io.scarcity.api.MemoryStats;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import io.scarcity.api.testing.MemoryTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HierarchicalMemoryTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y", "z"));
    private static final DataSchema REGRESSION = new DataSchema(List.of("a", "b"), Task.REGRESSION, null);

    private static HierarchicalMemory memory(DataSchema schema, Map<String, ?> config, long seed) {
        return (HierarchicalMemory) new HierarchicalMemoryFactory().create(PluginConfig.of("memory.config", config),
                PluginContext.standalone(seed, schema, "hierarchical"));
    }

    private static SignalBoard signals(boolean drift) {
        SignalBoard board = new InMemorySignalBoard();
        board.publish(StandardSignals.DRIFT_DETECTED, drift ? 1 : 0);
        return board;
    }

    /** Rows whose first feature is their stream index {@code first + i} and whose class is index mod 3. */
    private static Batch indexed(long first, int rows) {
        double[] x = new double[rows * 2];
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            x[i * 2] = first + i;
            x[i * 2 + 1] = -(first + i);
            y[i] = (int) ((first + i) % 3);
        }
        return Batch.ofClasses(SCHEMA, "dom", first, x, y);
    }

    @Test
    void tierSizesNeverExceedTheirBoundsUnderRandomCalls() {
        Random random = new Random(2024);
        for (int trial = 0; trial < 300; trial++) {
            int workingSize = random.nextInt(40);
            int episodicSize = random.nextInt(60);
            boolean regression = random.nextInt(4) == 0;
            DataSchema schema = regression ? REGRESSION : SCHEMA;
            Map<String, Object> mix = Map.of("working", random.nextInt(3), "episodic", random.nextInt(3), "semantic", 1);
            Memory memory = memory(schema, Map.of("workingSize", workingSize, "episodicSize", episodicSize, "mix", mix), trial);
            long next = 0;
            for (int op = 0; op < 60; op++) {
                if (random.nextInt(3) > 0) {
                    int rows = random.nextInt(random.nextBoolean() ? 5 : 150);
                    double[] x = new double[rows * 2];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = random.nextGaussian();
                    }
                    boolean labelled = random.nextInt(5) > 0;
                    Batch batch;
                    if (regression) {
                        double[] t = new double[rows];
                        for (int i = 0; i < rows; i++) {
                            t[i] = random.nextGaussian();
                        }
                        batch = Batch.ofTargets(schema, "dom", next, x, labelled ? t : null);
                    } else {
                        int[] y = new int[rows];
                        for (int i = 0; i < rows; i++) {
                            y[i] = random.nextInt(3);
                        }
                        batch = Batch.ofClasses(schema, "dom", next, x, labelled ? y : null);
                    }
                    if (random.nextInt(4) == 0) {
                        double[] w = new double[rows];
                        for (int i = 0; i < rows; i++) {
                            w[i] = random.nextInt(3) * 0.5;
                        }
                        batch = batch.withWeights(w);
                    }
                    next += rows;
                    memory.observe(batch, signals(random.nextInt(6) == 0));
                } else {
                    int rows = 1 + random.nextInt(random.nextBoolean() ? 10 : 300);
                    Optional<Batch> replay = memory.replay(rows);
                    if (replay.isPresent()) {
                        Batch b = replay.get();
                        assertTrue(b.rows() >= 1 && b.rows() <= rows);
                        assertTrue(b.rows() <= memory.stats().totalEntries());
                        assertTrue(b.hasLabels());
                        assertSame(schema, b.schema());
                        assertEquals("dom", b.domain());
                    }
                }
                MemoryStats stats = memory.stats();
                int working = stats.tierSizes().get("working");
                int episodic = stats.tierSizes().get("episodic");
                int semantic = stats.tierSizes().get("semantic");
                assertTrue(working >= 0 && working <= workingSize, "working " + working + " > " + workingSize);
                assertTrue(episodic >= 0 && episodic <= episodicSize, "episodic " + episodic + " > " + episodicSize);
                assertTrue(semantic >= 0 && semantic <= (regression ? 0 : 3), "semantic " + semantic);
                // Rows: 2 features of 8 bytes and a 4-byte class or an 8-byte target; prototypes: 2 features,
                // a count and a stamp.
                assertEquals((long) (working + episodic) * (8 * 2 + (regression ? 8 : 4)) + (long) semantic * (8 * 2 + 16),
                        stats.bytes());
            }
        }
    }

    @Test
    void reservoirKeepsAUniformSampleOfTheStream() {
        int[] total = new int[10];
        for (long seed = 1; seed <= 5; seed++) {
            HierarchicalMemory memory = memory(SCHEMA, Map.of("workingSize", 0, "episodicSize", 500), seed);
            for (long first = 0; first < 10_000; first += 100) {
                memory.observe(indexed(first, 100), signals(false));
            }
            assertEquals(10_000, memory.reservoirSeen());
            assertEquals(500, memory.stats().tierSizes().get("episodic"));
            int[] perTenth = new int[10];
            Set<Double> distinct = new HashSet<>();
            for (int slot = 0; slot < 500; slot++) {
                double index = memory.episodicValue(slot, 0);
                distinct.add(index);
                perTenth[(int) (index / 1000)]++;
                assertEquals((int) index % 3, memory.episodicLabel(slot), "features and label stay together");
            }
            assertEquals(500, distinct.size(), "no row is kept twice");
            double chiSquare = 0;
            for (int tenth = 0; tenth < 10; tenth++) {
                chiSquare += (perTenth[tenth] - 50.0) * (perTenth[tenth] - 50.0) / 50.0;
                total[tenth] += perTenth[tenth];
            }
            // 99.9% quantile of chi-square with 9 degrees of freedom.
            assertTrue(chiSquare < 27.88, "seed " + seed + ": chi-square " + chiSquare + " for " + java.util.Arrays.toString(perTenth));
        }
        // Over the five runs each tenth holds 250 rows give or take 30% (about five standard deviations).
        for (int count : total) {
            assertTrue(count >= 175 && count <= 325, java.util.Arrays.toString(total));
        }
    }

    @Test
    void driftPromotesTheWorkingWindowIntoTheEpisodicTier() {
        HierarchicalMemory memory = memory(SCHEMA, Map.of("workingSize", 10, "episodicSize", 20), 3);
        for (long first = 0; first < 1000; first += 50) {
            memory.observe(indexed(first, 50), signals(false));
        }
        assertEquals(10, memory.stats().tierSizes().get("working"));
        memory.observe(indexed(1000, 4), signals(true));
        Set<Double> episodic = new HashSet<>();
        for (int slot = 0; slot < 20; slot++) {
            episodic.add(memory.episodicValue(slot, 0));
        }
        for (int i = 990; i < 1000; i++) {
            assertTrue(episodic.contains((double) i), "row " + i + " of the old concept was kept: " + episodic);
        }
        assertEquals(4, memory.stats().tierSizes().get("working"), "the window now holds only the new rows");
        assertEquals(20, memory.stats().tierSizes().get("episodic"));
    }

    @Test
    void replayReturnsLabelledRowsWithTheSchemaAndMixesTiers() {
        HierarchicalMemory memory = memory(SCHEMA, Map.of("workingSize", 100, "episodicSize", 100), 5);
        for (long first = 0; first < 3000; first += 100) {
            memory.observe(indexed(first, 100), signals(false));
        }
        Batch replay = memory.replay(40).orElseThrow();
        assertEquals(40, replay.rows());
        assertSame(SCHEMA, replay.schema());
        assertEquals("dom", replay.domain());
        int recent = 0;
        int prototypes = 0;
        for (int r = 0; r < replay.rows(); r++) {
            double index = replay.value(r, 0);
            assertEquals(-index, replay.value(r, 1), 1e-9);
            if (index == Math.rint(index)) {
                assertEquals((int) index % 3, replay.label(r));
                if (index >= 2900) {
                    recent++;
                }
            } else {
                prototypes++;
            }
        }
        // 10 working rows, 3 prototypes (the mean of a class is never a whole index), 27 episodic rows
        // of which about 1 in 30 is recent too.
        assertEquals(3, prototypes);
        assertTrue(recent >= 10 && recent <= 16, "recent rows " + recent);

        double[] mean = memory.prototype(1);
        assertEquals(1499.5, mean[0], 1e-6, "class 1 holds indices 1, 4, ..., 2998");
    }

    @Test
    void unlabelledAndZeroWeightRowsAreNotStored() {
        Memory memory = memory(SCHEMA, Map.of(), 1);
        assertTrue(memory.replay(5).isEmpty());
        memory.observe(Batch.ofClasses(SCHEMA, "dom", 0, new double[20], null), signals(false));
        assertEquals(0, memory.stats().totalEntries());
        memory.observe(indexed(0, 4).withWeights(new double[] {1, 0, 0, 1}), signals(false));
        assertEquals(2, memory.stats().tierSizes().get("working"));
        assertTrue(memory.replay(100).isPresent());
        assertEquals(2 + 2 + 1, memory.replay(100).orElseThrow().rows(), "2 working, 2 episodic, 1 prototype");
    }

    @Test
    void regressionUsesWorkingAndEpisodicOnly() {
        Memory memory = memory(REGRESSION, Map.of("workingSize", 8, "episodicSize", 16), 1);
        double[] x = new double[40];
        double[] t = new double[20];
        for (int i = 0; i < 20; i++) {
            x[2 * i] = i;
            t[i] = 10 * i;
        }
        memory.observe(Batch.ofTargets(REGRESSION, "r", 0, x, t), signals(false));
        assertEquals(Map.of("working", 8, "episodic", 16, "semantic", 0), memory.stats().tierSizes());
        Batch replay = memory.replay(12).orElseThrow();
        assertEquals(12, replay.rows());
        for (int r = 0; r < replay.rows(); r++) {
            assertEquals(10 * replay.value(r, 0), replay.target(r), 1e-12);
        }
        assertEquals("r", replay.domain());
    }

    @Test
    void sameSeedSameReplay() {
        PluginTestKit.assertDeterministic(HierarchicalMemoryCheckpointTest.maker(MemoryTestKit.CLASSIFICATION, Map.of()),
                MemoryTestKit.driver(MemoryTestKit.CLASSIFICATION), 9, 40);
    }

    @Test
    void rejectsBadArguments() {
        Memory memory = memory(SCHEMA, Map.of(), 1);
        assertThrows(IllegalArgumentException.class, () -> memory.replay(0));
        DataSchema other = new DataSchema(List.of("a"), Task.CLASSIFICATION, List.of("x", "y", "z"));
        assertThrows(IllegalArgumentException.class,
                () -> memory.observe(Batch.ofClasses(other, "dom", 0, new double[1], new int[1]), signals(false)));
        assertNotNull(memory.stats());
        assertFalse(memory.stats().tierSizes().isEmpty());
    }
}
