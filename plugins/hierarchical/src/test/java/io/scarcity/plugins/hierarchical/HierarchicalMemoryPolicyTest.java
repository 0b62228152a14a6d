package io.scarcity.plugins.hierarchical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import io.scarcity.api.testing.MemoryTestKit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Behaviour of each configurable policy on small, fully known streams. */
class HierarchicalMemoryPolicyTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("id", "b", "c"), Task.CLASSIFICATION, List.of("x", "y", "z"));

    private static HierarchicalMemory memory(Map<String, ?> config, long seed) {
        return (HierarchicalMemory) new HierarchicalMemoryFactory().create(PluginConfig.of("memory.config", config),
                PluginContext.standalone(seed, SCHEMA, "hierarchical"));
    }

    private static SignalBoard signals(boolean drift, double loss) {
        SignalBoard board = new InMemorySignalBoard();
        board.publish(StandardSignals.DRIFT_DETECTED, drift ? 1 : 0);
        board.publish(StandardSignals.MIXTURE_LOSS, loss);
        return board;
    }

    /** Rows whose feature 0 is their stream index and feature 1 is 10 x their class, all of class {@code cls} (or index mod 3 if -1). */
    private static Batch rows(long first, int n, int cls) {
        double[] x = new double[n * 3];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = cls >= 0 ? cls : (int) ((first + i) % 3);
            x[i * 3] = first + i;
            x[i * 3 + 1] = 10 * y[i];
        }
        return Batch.ofClasses(SCHEMA, "dom", first, x, y);
    }

    private static Set<Double> episodicIds(HierarchicalMemory m) {
        Set<Double> ids = new HashSet<>();
        for (int slot = 0; slot < m.stats().tierSizes().get("episodic"); slot++) {
            ids.add(m.episodicValue(slot, 0));
        }
        return ids;
    }

    @Test
    void aHighLossBatchIsPromotedWholeIntoTheEpisodicTier() {
        HierarchicalMemory m = memory(Map.of("workingSize", 16, "episodicSize", 40, "promotion", "importance"), 4);
        long first = 0;
        for (int b = 0; b < 40; b++, first += 20) {
            m.observe(rows(first, 20, -1), signals(false, 0.1));
        }
        assertEquals(0.1, m.lossMean(), 1e-12);
        Set<Double> before = episodicIds(m);
        m.observe(rows(first, 20, -1), signals(false, 0.16)); // 1.6 x the mean: important at the default factor 1.5
        Set<Double> after = episodicIds(m);
        for (long id = first; id < first + 20; id++) {
            assertTrue(after.contains((double) id), "row " + id + " of the important batch was promoted");
        }
        before.retainAll(after);
        assertEquals(20, before.size(), "the promoted rows replaced 20 distinct older rows");
        first += 20;
        m.observe(rows(first, 20, -1), signals(false, 0.14)); // 1.4 x: not important
        long kept = episodicIds(m).stream().filter(id -> id >= 820).count();
        assertTrue(kept < 5, "an ordinary batch is only sampled: " + kept + " of 20 rows kept");
    }

    @Test
    void importanceAloneIgnoresDriftAndDriftAloneIgnoresLoss() {
        HierarchicalMemory importance = memory(Map.of("workingSize", 10, "episodicSize", 20, "promotion", "importance"), 1);
        HierarchicalMemory drift = memory(Map.of("workingSize", 10, "episodicSize", 20), 1);
        for (long first = 0; first < 400; first += 20) {
            importance.observe(rows(first, 20, -1), signals(false, 0.2));
            drift.observe(rows(first, 20, -1), signals(false, 0.2));
        }
        importance.observe(rows(400, 2, -1), signals(true, 0.2));
        assertEquals(10, importance.stats().tierSizes().get("working"), "no drift promotion: the window stays");
        drift.observe(rows(400, 2, -1), signals(false, 5.0));
        assertEquals(10, drift.stats().tierSizes().get("working"));
        assertFalse(episodicIds(drift).contains(400.0) && episodicIds(drift).contains(401.0), "no importance promotion");
        drift.observe(rows(402, 2, -1), signals(true, 0.2));
        assertEquals(2, drift.stats().tierSizes().get("working"), "the drift emptied the window");
    }

    @Test
    void leastRecentlyUpdatedPrototypeIsEvictedWhenTheSemanticTierIsFull() {
        HierarchicalMemory m = memory(Map.of("semanticSize", 2), 1);
        m.observe(rows(0, 3, 0), signals(false, 0));
        m.observe(rows(3, 3, 1), signals(false, 0));
        m.observe(rows(6, 1, 0), signals(false, 0)); // class 0 updated last: class 1 is now the least recent
        m.observe(rows(7, 2, 2), signals(false, 0));
        assertEquals(2, m.stats().tierSizes().get("semantic"));
        assertArrayEquals(new double[3], m.prototype(1), "class 1's prototype was evicted");
        assertEquals(7.5, m.prototype(2)[0], 1e-12);
        assertEquals((0 + 1 + 2 + 6) / 4.0, m.prototype(0)[0], 1e-12);
        m.observe(rows(9, 1, 1), signals(false, 0)); // class 1 comes back: class 0 (updated at row 6) goes
        assertArrayEquals(new double[3], m.prototype(0));
        assertEquals(9, m.prototype(1)[0], 1e-12, "a returning class starts a new prototype");
    }

    @Test
    void codesAreKeptPerClassDecodedWithTheCurrentCodecAndTheOldestEvicted() {
        HierarchicalMemory m = memory(Map.of("workingSize", 0, "episodicSize", 0, "semantic", "codes", "semanticSize", 5,
                "codesPerClass", 2), 1);
        MemoryTestKit.TruncatingCodec codec = new MemoryTestKit.TruncatingCodec(2, 3);
        m.useCodec("vae", codec);
        assertTrue(m.holdsCodes());
        m.observe(rows(0, 4, 0), signals(false, 0)); // class 0 keeps rows 2, 3
        m.observe(rows(4, 1, 1), signals(false, 0));
        m.observe(rows(5, 1, 2), signals(false, 0));
        assertEquals(4, m.stats().tierSizes().get("semantic"));
        assertEquals(4 * (8 * 2 + 4 + 8), m.stats().bytes());
        m.observe(rows(6, 2, 1), signals(false, 0)); // class 1 at its 2 codes, tier at 5: row 6 fills, row 7 replaces row 4
        assertEquals(5, m.stats().tierSizes().get("semantic"));
        codec.scale = 2;
        Batch replay = m.replay(10).orElseThrow();
        assertEquals(5, replay.rows());
        Set<Double> ids = new HashSet<>();
        for (int r = 0; r < replay.rows(); r++) {
            ids.add(replay.value(r, 0) / 2);
            assertEquals(20.0 * replay.label(r), replay.value(r, 1), 1e-12, "decoded by the current codec, label kept");
            assertEquals(0, replay.value(r, 2), "the codec's decoding, not the stored row");
        }
        assertEquals(Set.of(2.0, 3.0, 5.0, 6.0, 7.0), ids);
        assertEquals(5, codec.decoded, "only the replayed codes are decoded");
        assertEquals(8, codec.encoded, "every stored row is encoded once");
        // A new class finds the tier full: the oldest code of all (row 2) goes.
        m.observe(rows(8, 1, 2), signals(false, 0));
        m.observe(rows(9, 1, 0), signals(false, 0));
        codec.scale = 1;
        ids.clear();
        Batch again = m.replay(10).orElseThrow();
        for (int r = 0; r < again.rows(); r++) {
            ids.add(again.value(r, 0));
        }
        assertEquals(Set.of(6.0, 7.0, 8.0, 9.0, 5.0), ids, "rows 2 then 3, the oldest codes of all, made room for the codes of rows 8 and 9");
    }

    @Test
    void codesWithoutACodecFallBackToPrototypes() {
        HierarchicalMemory m = memory(Map.of("semantic", "codes"), 1);
        assertFalse(m.holdsCodes());
        m.observe(rows(0, 30, -1), signals(false, 0));
        assertEquals(3, m.stats().tierSizes().get("semantic"));
        assertEquals(13.5, m.prototype(0)[0], 1e-12);
        HierarchicalMemory prototypes = memory(Map.of(), 1);
        prototypes.useCodec("vae", new MemoryTestKit.TruncatingCodec(1, 3));
        assertFalse(prototypes.holdsCodes(), "semantic: prototypes ignores a codec");
    }

    @Test
    void classBalancedReplayEvensOutASkewedTier() {
        int[] uniform = replayedPerClass("uniform");
        int[] balanced = replayedPerClass("class-balanced");
        // The tier holds about 90% class 0, 10% class 1; 30 rows per replay over 50 replays.
        assertTrue(uniform[0] > 1200 && uniform[1] < 300, java.util.Arrays.toString(uniform));
        assertEquals(750, balanced[0], "exactly half of every replay");
        assertEquals(750, balanced[1]);
    }

    private static int[] replayedPerClass(String policy) {
        HierarchicalMemory m = memory(Map.of("workingSize", 0, "episodicSize", 200, "replayPolicy", policy,
                "mix", Map.of("working", 0, "episodic", 1, "semantic", 0)), 3);
        for (long first = 0; first < 1000; first += 10) {
            m.observe(rows(first, 9, 0), signals(false, 0));
            m.observe(rows(first + 9, 1, 1), signals(false, 0));
        }
        int[] counts = new int[3];
        for (int i = 0; i < 50; i++) {
            Batch b = m.replay(30).orElseThrow();
            Set<Double> distinct = new HashSet<>();
            for (int r = 0; r < b.rows(); r++) {
                counts[b.label(r)]++;
                distinct.add(b.value(r, 0));
            }
            assertEquals(30, distinct.size(), "drawn without replacement");
        }
        return counts;
    }

    @Test
    void classBalancedReplayGivesASmallClassAllItHasAndTheRestToOthers() {
        HierarchicalMemory m = memory(Map.of("workingSize", 0, "episodicSize", 100, "replayPolicy", "class-balanced",
                "mix", Map.of("working", 0, "episodic", 1, "semantic", 0)), 3);
        m.observe(rows(0, 40, 0), signals(false, 0));
        m.observe(rows(40, 2, 1), signals(false, 0));
        m.observe(rows(42, 40, 2), signals(false, 0));
        int[] counts = new int[3];
        Batch b = m.replay(30).orElseThrow();
        for (int r = 0; r < b.rows(); r++) {
            counts[b.label(r)]++;
        }
        assertEquals(2, counts[1]);
        assertEquals(28, counts[0] + counts[2]);
        assertEquals(14, counts[0]);
    }

    @Test
    void classBalancedEpisodicTierKeepsARareClass() {
        HierarchicalMemory balanced = memory(Map.of("workingSize", 0, "episodicSize", 60, "episodicPolicy", "class-balanced"), 2);
        HierarchicalMemory reservoir = memory(Map.of("workingSize", 0, "episodicSize", 60), 2);
        for (long first = 0; first < 2000; first += 20) {
            balanced.observe(rows(first, 19, 0), signals(false, 0));
            balanced.observe(rows(first + 19, 1, 1), signals(false, 0));
            reservoir.observe(rows(first, 19, 0), signals(false, 0));
            reservoir.observe(rows(first + 19, 1, 1), signals(false, 0));
        }
        assertEquals(30, balanced.episodicRowsOf(1), "half of the tier for the 5% class");
        assertEquals(30, balanced.episodicRowsOf(0));
        assertTrue(reservoir.episodicRowsOf(1) < 10, "the uniform reservoir keeps about 3: " + reservoir.episodicRowsOf(1));
    }
}
