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
            ExpertTestKit.assertGossipContract(ForestCheckpointTest.maker(SCHEMA, Map.of("mergeBayes", true)), SCHEMA, "forest", 0, law);
        }
        assertEquals(TreeGossip.LAW, new ForestExpertFactory().mergeLaw().orElseThrow(), "the factory declares the union");
    }

    @Test
    void theExportIsTheMostAccurateTreesInAFixedShape() {
        ForestExpert e = forest(Map.of("gossipTrees", 4, "gossipNodes", 63, "mergeBayes", false), 1);
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
        // without mergeBayes, so that the merge moves nothing but trees
        ForestExpert young = forest(Map.of("trees", 5, "gossipTrees", 3, "mergeBayes", false), 1);
        ForestExpert old = forest(Map.of("trees", 5, "gossipTrees", 3, "mergeBayes", false), 2);
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
    void theLawPoolsTheNaiveBayesExactlyAtTheSidesMeanMass() {
        ExpertState a = new ExpertState("forest", Map.of(TreeGossip.BAYES_WEIGHT, new double[] {2, 0},
                TreeGossip.BAYES_MEAN, new double[] {1, 0}, TreeGossip.BAYES_M2, new double[] {0.5, 0}), 2);
        ExpertState b = new ExpertState("forest", Map.of(TreeGossip.BAYES_WEIGHT, new double[] {6, 1},
                TreeGossip.BAYES_MEAN, new double[] {3, 7}, TreeGossip.BAYES_M2, new double[] {1.5, 0}), 7);
        ExpertState u = TreeGossip.union(a, b);
        // one learner on both sides' rows: weight 8, mean (2 + 18) / 8, M2 0.5 + 1.5 + 2 (1 - 2.5)^2 + 6 (3 - 2.5)^2
        assertEquals(List.of(4.0, 0.5), java.util.Arrays.stream(u.weight(TreeGossip.BAYES_WEIGHT)).boxed().toList());
        assertEquals(2.5, u.weight(TreeGossip.BAYES_MEAN)[0], 1e-12);
        assertEquals(7.0, u.weight(TreeGossip.BAYES_MEAN)[1], 1e-12, "a class one side never saw keeps the other's");
        assertEquals(4.0, u.weight(TreeGossip.BAYES_M2)[0], 1e-12, "8 / 2 sides: the variance is the pooled 8 / 8");
        assertEquals(0.0, u.weight(TreeGossip.BAYES_M2)[1], 1e-12);
        ExpertState odd = new ExpertState("forest", Map.of(TreeGossip.BAYES_WEIGHT, new double[] {1, 1, 1},
                TreeGossip.BAYES_MEAN, new double[] {0, 0, 0}, TreeGossip.BAYES_M2, new double[] {0, 0, 0}), 1);
        assertThrows(IllegalArgumentException.class, () -> TreeGossip.union(a, odd), "another shape is refused");
        ExpertState twice = TreeGossip.union(a, a);
        assertEquals(2.0, twice.weight(TreeGossip.BAYES_WEIGHT)[0], "the same naive Bayes twice is the same rows, once");
        assertEquals(0.5, twice.weight(TreeGossip.BAYES_M2)[0]);
    }

    /**
     * Three classes, each told apart only weakly by each of 200 features (see {@link ForestExpertTest}); a client
     * that has seen two of them learns the third from a peer's naive Bayes, pooled by the merge, and only with
     * {@code mergeBayes}.
     */
    @Test
    void aPooledNaiveBayesTeachesAClientAClassItNeverSaw() {
        DataSchema wide = ExpertTestKit.schema(200, 3);
        for (boolean merge : new boolean[] {true, false}) {
            Map<String, Object> config = Map.of("mergeBayes", merge);
            ForestExpert mine = (ForestExpert) PluginTestKit.create(new ForestExpertFactory(), config, PluginTestKit.context(1, wide, "forest"));
            ForestExpert peer = (ForestExpert) PluginTestKit.create(new ForestExpertFactory(), config, PluginTestKit.context(2, wide, "forest"));
            Random random = new Random(3);
            InMemorySignalBoard board = new InMemorySignalBoard();
            for (int t = 0; t < 30; t++) {
                mine.learn(threeClasses(wide, random, t, 2), new BatchOutcome(null, new double[50], t), board);
                peer.learn(threeClasses(wide, random, t, 3), new BatchOutcome(null, new double[50], t), board);
            }
            assertTrue(mine.usesShared(), "the forest's naive Bayes votes better on these features");
            Batch third = threeClasses(wide, random, 0, 3);
            int[] onlyThird = java.util.stream.IntStream.range(0, third.rows()).filter(r -> third.label(r) == 2).toArray();
            double before = accuracyOn(mine, third, onlyThird);
            mine.mergeState(TreeGossip.union(mine.exportState(), peer.exportState()));
            double after = accuracyOn(mine, third, onlyThird);
            assertEquals(0.0, before, "a class never seen is never predicted");
            if (merge) {
                assertTrue(after > 0.5, "after the pooled naive Bayes: " + after);
            } else {
                assertEquals(0.0, after, "without mergeBayes no naive Bayes travels: " + after);
            }
        }
    }

    /** 50 rows of the first {@code classes} classes: feature f's mean is 0.3 for the class f mod 3, else -0.15. */
    private static Batch threeClasses(DataSchema schema, Random random, int t, int classes) {
        int d = schema.numFeatures();
        double[] x = new double[50 * d];
        int[] y = new int[50];
        for (int r = 0; r < 50; r++) {
            y[r] = random.nextInt(classes);
            for (int f = 0; f < d; f++) {
                x[r * d + f] = random.nextGaussian() + (f % 3 == y[r] ? 0.3 : -0.15);
            }
        }
        return Batch.ofClasses(schema, "d", 50L * t, x, y);
    }

    private static double accuracyOn(ForestExpert e, Batch b, int[] rows) {
        io.scarcity.api.Prediction p = e.predict(b, new InMemorySignalBoard());
        int right = 0;
        for (int r : rows) {
            right += p.predictedClass(r) == b.label(r) ? 1 : 0;
        }
        return (double) right / rows.length;
    }

    @Test
    void aPeerTreeOfAnotherConceptIsRefused() {
        ForestExpert mine = forest(Map.of("trees", 5, "mergeBayes", false), 1);
        ForestExpert other = forest(Map.of("trees", 5, "mergeBayes", false), 2);
        InMemorySignalBoard board = new InMemorySignalBoard();
        learn(mine, new Random(3), 20, 0, board);
        learn(other, new Random(4), 80, 1, board);
        byte[] before = ForestExpertTest.save(mine);
        mine.mergeState(TreeGossip.union(mine.exportState(), other.exportState()));
        assertTrue(java.util.Arrays.equals(before, ForestExpertTest.save(mine)), "nothing admitted, nothing changed");
    }

    @Test
    void anElementWiseAverageOfTreesIsNoTreeAndIsIgnored() {
        ForestExpert a = forest(Map.of("mergeBayes", false), 1);
        ForestExpert b = forest(Map.of("mergeBayes", false), 2);
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
