package io.scarcity.plugins.hierarchical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MemoryStats;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import io.scarcity.api.testing.MemoryTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Many random operation sequences (fixed seed) over random options: batches of random sizes with and
 * without labels and weights, drift and loss signals, replays of random sizes, a codec offered or not,
 * and a checkpoint restored into a fresh memory in the middle. After every operation no tier exceeds its
 * bound, the stats match the stored contents, and a replay never returns more rows than asked.
 */
class HierarchicalMemoryPropertyTest {
    private static final DataSchema CLASSES = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION,
            List.of("p", "q", "r", "s", "t"));
    private static final DataSchema REGRESSION = new DataSchema(List.of("a", "b", "c"), Task.REGRESSION, null);

    private static final String[] EPISODIC = {"reservoir", "class-balanced"};
    private static final String[] PROMOTION = {"drift", "importance", "both"};
    private static final String[] SEMANTIC = {"prototypes", "codes"};
    private static final String[] REPLAY = {"uniform", "class-balanced"};

    private static HierarchicalMemory create(Map<String, Object> config, DataSchema schema, long seed, MemoryTestKit.TruncatingCodec codec) {
        HierarchicalMemory m = (HierarchicalMemory) new HierarchicalMemoryFactory().create(PluginConfig.of("memory.config", config),
                PluginContext.standalone(seed, schema, "hierarchical"));
        if (codec != null) {
            m.useCodec("vae", codec);
        }
        return m;
    }

    @Test
    void boundsHoldAndStatsMatchContentsUnderRandomOperationSequences() throws IOException {
        Random random = new Random(77);
        int restores = 0;
        int codeRuns = 0;
        int balancedReplays = 0;
        for (int trial = 0; trial < 400; trial++) {
            boolean regression = random.nextInt(4) == 0;
            DataSchema schema = regression ? REGRESSION : CLASSES;
            int workingSize = random.nextInt(30);
            int episodicSize = random.nextInt(50);
            int semanticSize = random.nextInt(8);
            int codesPerClass = 1 + random.nextInt(4);
            Map<String, Object> config = new HashMap<>();
            config.put("workingSize", workingSize);
            config.put("episodicSize", episodicSize);
            config.put("semanticSize", semanticSize);
            config.put("codesPerClass", codesPerClass);
            config.put("episodicPolicy", EPISODIC[random.nextInt(2)]);
            config.put("promotion", PROMOTION[random.nextInt(3)]);
            config.put("semantic", SEMANTIC[random.nextInt(2)]);
            config.put("replayPolicy", REPLAY[random.nextInt(2)]);
            config.put("importanceFactor", 1 + random.nextDouble());
            config.put("mix", Map.of("working", random.nextInt(3), "episodic", random.nextInt(3), "semantic", 1));
            int codeSize = 1 + random.nextInt(3);
            boolean offerCodec = random.nextBoolean();
            HierarchicalMemory memory = create(config, schema, trial, offerCodec ? new MemoryTestKit.TruncatingCodec(codeSize, 3) : null);
            boolean codes = "codes".equals(config.get("semantic")) && offerCodec && semanticSize > 0;
            assertEquals(codes, memory.holdsCodes(), config.toString());
            codeRuns += codes ? 1 : 0;
            int restoreAt = random.nextInt(60);
            long next = 0;
            for (int op = 0; op < 60; op++) {
                if (op == restoreAt) {
                    byte[] state = PluginTestKit.save(memory);
                    HierarchicalMemory fresh = create(config, schema, trial + 1000, offerCodec ? new MemoryTestKit.TruncatingCodec(codeSize, 3) : null);
                    PluginTestKit.restore(fresh, state);
                    assertEquals(memory.stats(), fresh.stats());
                    assertArrayEquals(state, PluginTestKit.save(fresh), "a restored memory saves what it was restored from");
                    memory = fresh;
                    restores++;
                }
                if (random.nextInt(3) > 0) {
                    int rows = random.nextInt(random.nextBoolean() ? 6 : 120);
                    Batch batch = batch(schema, random, rows, next, random.nextInt(5) > 0);
                    next += rows;
                    SignalBoard signals = new InMemorySignalBoard();
                    signals.publish(StandardSignals.DRIFT_DETECTED, random.nextInt(6) == 0 ? 1 : 0);
                    if (random.nextInt(5) > 0) {
                        signals.publish(StandardSignals.MIXTURE_LOSS, random.nextInt(4) == 0 ? 1.0 : random.nextDouble() * 0.3);
                    }
                    memory.observe(batch, signals);
                } else {
                    int rows = 1 + random.nextInt(random.nextBoolean() ? 10 : 200);
                    MemoryStats before = memory.stats();
                    Optional<Batch> replay = memory.replay(rows);
                    Map<String, Integer> sizes = before.tierSizes();
                    int replayable = (((Number) ((Map<?, ?>) config.get("mix")).get("working")).intValue() > 0 ? sizes.get("working") : 0)
                            + (((Number) ((Map<?, ?>) config.get("mix")).get("episodic")).intValue() > 0 ? sizes.get("episodic") : 0)
                            + sizes.get("semantic");
                    assertEquals(Math.min(rows, replayable), replay.map(Batch::rows).orElse(0),
                            "a replay returns as many rows as asked and stored in tiers with a share");
                    assertEquals(before, memory.stats(), "a replay changes nothing stored");
                    if (replay.isPresent()) {
                        Batch b = replay.get();
                        assertTrue(b.rows() <= rows);
                        assertTrue(b.hasLabels());
                        assertSame(schema, b.schema());
                        for (int r = 0; r < b.rows(); r++) {
                            for (int j = 0; j < 3; j++) {
                                assertTrue(Double.isFinite(b.value(r, j)));
                            }
                        }
                        balancedReplays += "class-balanced".equals(config.get("replayPolicy")) ? 1 : 0;
                    }
                }
                checkBoundsAndStats(memory, schema, workingSize, episodicSize, semanticSize, codesPerClass, codes ? codeSize : 0);
            }
        }
        assertTrue(restores > 300 && codeRuns > 50 && balancedReplays > 500,
                "the sequences exercise restores " + restores + ", codes " + codeRuns + ", balanced replays " + balancedReplays);
    }

    private static void checkBoundsAndStats(HierarchicalMemory memory, DataSchema schema, int workingSize, int episodicSize,
                                            int semanticSize, int codesPerClass, int codeSize) {
        MemoryStats stats = memory.stats();
        int working = stats.tierSizes().get("working");
        int episodic = stats.tierSizes().get("episodic");
        int semantic = stats.tierSizes().get("semantic");
        boolean classification = schema.task() == Task.CLASSIFICATION;
        int groups = classification ? schema.numClasses() : 1;
        assertTrue(working >= 0 && working <= workingSize, "working " + working + " > " + workingSize);
        assertTrue(episodic >= 0 && episodic <= episodicSize, "episodic " + episodic + " > " + episodicSize);
        assertTrue(semantic >= 0 && semantic <= semanticSize, "semantic " + semantic + " > " + semanticSize);
        if (codeSize > 0) {
            assertTrue(semantic <= codesPerClass * groups, "semantic " + semantic);
            int[] perGroup = new int[groups];
            for (int slot = 0; slot < semantic; slot++) {
                perGroup[memory.codeClass(slot)]++;
            }
            for (int n : perGroup) {
                assertTrue(n <= codesPerClass, "codes of a class " + n + " > " + codesPerClass);
            }
        } else {
            assertTrue(semantic <= (classification ? schema.numClasses() : 0), "semantic " + semantic);
        }
        if (classification) {
            int[] perClass = new int[schema.numClasses()];
            for (int slot = 0; slot < episodic; slot++) {
                perClass[memory.episodicLabel(slot)]++;
            }
            for (int c = 0; c < perClass.length; c++) {
                assertEquals(perClass[c], memory.episodicRowsOf(c), "episodic rows of class " + c);
            }
        }
        long label = classification ? 4 : 8;
        long semanticBytes = codeSize > 0 ? semantic * (8L * codeSize + label + 8) : semantic * (8L * 3 + 16);
        assertEquals((working + episodic) * (8L * 3 + label) + semanticBytes, stats.bytes(), "bytes of " + stats);
        assertEquals(working + episodic + semantic, stats.totalEntries());
    }

    private static Batch batch(DataSchema schema, Random random, int rows, long first, boolean labelled) {
        double[] x = new double[rows * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        Batch batch;
        if (schema.task() == Task.REGRESSION) {
            double[] t = new double[rows];
            for (int i = 0; i < rows; i++) {
                t[i] = random.nextGaussian();
            }
            batch = Batch.ofTargets(schema, "dom", first, x, labelled ? t : null);
        } else {
            int[] y = new int[rows];
            for (int i = 0; i < rows; i++) {
                // Skewed classes, so that class-balanced policies have something to balance.
                y[i] = Math.min(4, (int) Math.floor(-Math.log(1 - random.nextDouble()) * 1.2));
            }
            batch = Batch.ofClasses(schema, "dom", first, x, labelled ? y : null);
        }
        if (rows > 0 && random.nextInt(4) == 0) {
            double[] w = new double[rows];
            for (int i = 0; i < rows; i++) {
                w[i] = random.nextInt(3) * 0.5;
            }
            batch = batch.withWeights(w);
        }
        return batch;
    }
}
