package io.scarcity.plugins.forest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.ExpertState;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MergeLaw;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Trees travel whole; a client admits a peer's tree only if it beats its weakest tree on its own recent rows. */
class ForestGossipTest {
    private static final DataSchema SCHEMA = ExpertTestKit.schema(7, 3);

    private static ForestExpert forest(Map<String, ?> config, long seed) {
        return (ForestExpert) PluginTestKit.create(new ForestExpertFactory(), config,
                PluginTestKit.context(seed, Concepts.SCHEMA, "forest"));
    }

    private static void learn(ForestExpert e, Random random, int batches, int shift, InMemorySignalBoard board) {
        for (int t = 0; t < batches; t++) {
            Batch b = Concepts.batch(random, 50L * t, 50, shift);
            e.learn(b, new BatchOutcome(null, new double[b.rows()], t), board);
        }
    }

    @Test
    void meetsTheKitsGossipContract() {
        for (MergeLaw law : List.of(TreeGossip.LAW, MergeLaw.MEAN)) {
            ExpertTestKit.assertGossipContract(ForestCheckpointTest.maker(SCHEMA, Map.of()), SCHEMA, "forest", 0, law);
            ExpertTestKit.assertGossipContract(ForestCheckpointTest.maker(SCHEMA, ForestCheckpointTest.BUSY), SCHEMA, "forest", 0, law);
        }
        assertEquals(TreeGossip.LAW, new ForestExpertFactory().mergeLaw().orElseThrow(), "the factory declares the union");
    }

    @Test
    void theExportIsTheMostAccurateTreesInAFixedShape() {
        ForestExpert e = forest(Map.of("gossipTrees", 4, "gossipNodes", 63), 1);
        learn(e, new Random(2), 40, 0, new InMemorySignalBoard());
        ExpertState s = e.exportState();
        assertEquals(12, s.weights().size(), "3 arrays per tree: " + s.weights().keySet());
        double previous = Double.POSITIVE_INFINITY;
        for (int t = 0; t < 4; t++) {
            double[] meta = s.weight(TreeGossip.meta(t));
            assertTrue(meta[1] <= previous, "ordered by accuracy");
            previous = meta[1];
            assertTrue(meta[3] >= 1 && meta[3] <= 63, "nodes used " + meta[3]);
            assertEquals(3 * 63, s.weight(TreeGossip.nodes(t)).length);
            assertEquals(3 * 63, s.weight(TreeGossip.weights(t)).length);
        }
        assertEquals(2000, s.samples());
        assertTrue(s.sizeBytes() < 4 * 63 * 6 * 8 + 4 * 100, "bytes bounded by trees x nodes: " + s.sizeBytes());
    }

    @Test
    void theUnionHoldsEveryTreeOnceRenumbered() {
        ForestExpert a = forest(Map.of(), 1);
        ForestExpert b = forest(Map.of(), 2);
        learn(a, new Random(3), 5, 0, new InMemorySignalBoard());
        learn(b, new Random(4), 9, 0, new InMemorySignalBoard());
        ExpertState u = TreeGossip.union(a.exportState(), b.exportState());
        assertEquals(List.of(0, 1, 2, 3, 4, 5), TreeGossip.trees(u));
        assertEquals(b.exportState().samples(), u.samples(), "the larger sample count");
        assertEquals(a.exportState().weight(TreeGossip.nodes(1))[0], u.weight(TreeGossip.nodes(1))[0]);
        assertEquals(List.of(0, 1, 2), TreeGossip.trees(TreeGossip.union(a.exportState(), a.exportState())),
                "a tree already present is left out");
        assertEquals(6, TreeGossip.trees(TreeGossip.union(List.of(u, a.exportState(), b.exportState()))).size());
        assertThrows(IllegalArgumentException.class, () -> TreeGossip.union(List.of()));
    }

    @Test
    void aClientAdmitsABetterPeerTreeAndGainsAccuracy() {
        ForestExpert young = forest(Map.of("trees", 5, "gossipTrees", 3), 1);
        ForestExpert old = forest(Map.of("trees", 5, "gossipTrees", 3), 2);
        InMemorySignalBoard board = new InMemorySignalBoard();
        learn(young, new Random(3), 3, 0, board);
        learn(old, new Random(4), 80, 0, board);
        Batch probe = Concepts.batch(new Random(5), 0, 1000, 0);
        double before = Concepts.accuracy(young.predict(probe, board), probe);
        ExpertState merged = TreeGossip.union(young.exportState(), old.exportState());
        byte[] oldBefore = ForestExpertTest.save(old);
        old.mergeState(merged);
        young.mergeState(merged);
        double after = Concepts.accuracy(young.predict(probe, board), probe);
        assertTrue(after > before + 0.1, "accuracy " + before + " -> " + after);
        learn(young, new Random(6), 1, 0, board);
        assertEquals(3.0, board.get(ForestExpert.ADMITTED, -1), "three trees admitted, published with the next batch");
        assertTrue(java.util.Arrays.equals(oldBefore, ForestExpertTest.save(old)), "the better client admits nothing");
    }

    @Test
    void aPeerTreeOfAnotherConceptIsRefused() {
        ForestExpert mine = forest(Map.of("trees", 5), 1);
        ForestExpert other = forest(Map.of("trees", 5), 2);
        InMemorySignalBoard board = new InMemorySignalBoard();
        learn(mine, new Random(3), 20, 0, board);
        learn(other, new Random(4), 80, 1, board);
        byte[] before = ForestExpertTest.save(mine);
        mine.mergeState(TreeGossip.union(mine.exportState(), other.exportState()));
        assertTrue(java.util.Arrays.equals(before, ForestExpertTest.save(mine)), "nothing admitted, nothing changed");
    }

    @Test
    void anElementWiseAverageOfTreesIsNoTreeAndIsIgnored() {
        ForestExpert a = forest(Map.of(), 1);
        ForestExpert b = forest(Map.of(), 2);
        learn(a, new Random(3), 20, 0, new InMemorySignalBoard());
        learn(b, new Random(4), 20, 0, new InMemorySignalBoard());
        ExpertState mean = ExpertState.sampleWeightedMean(a.exportState(), b.exportState());
        assertNotEquals(a.exportState().weight(TreeGossip.meta(0))[0], mean.weight(TreeGossip.meta(0))[0]);
        byte[] before = ForestExpertTest.save(a);
        a.mergeState(mean);
        assertTrue(java.util.Arrays.equals(before, ForestExpertTest.save(a)), "averaged trees are not trees: ignored");
    }

    @Test
    void aStateWithoutTreesOrWithForeignArraysIsRefused() {
        ForestExpert a = forest(Map.of(), 1);
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> a.mergeState(new ExpertState("forest", Map.of(), 0)));
        assertTrue(none.getMessage().contains("no trees"), none.getMessage());
        Map<String, double[]> foreign = new java.util.TreeMap<>(a.exportState().weights());
        foreign.put("mean", new double[] {1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.mergeState(new ExpertState("forest", foreign, 0)));
        assertTrue(e.getMessage().contains("'mean'"), e.getMessage());
    }
}
