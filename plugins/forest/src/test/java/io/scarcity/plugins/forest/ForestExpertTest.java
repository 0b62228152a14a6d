package io.scarcity.plugins.forest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertState;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.Prediction;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ForestExpertTest {
    private static ForestExpert forest(Map<String, ?> config, long seed) {
        return (ForestExpert) PluginTestKit.create(new ForestExpertFactory(), config,
                PluginTestKit.context(seed, Concepts.SCHEMA, "forest"));
    }

    /** Test then train over {@code batches} batches of 50; returns the accuracy over the last {@code tail} batches. */
    private static double prequential(Expert e, Random random, int batches, int tail, int shift, InMemorySignalBoard board,
            double[] driftsAndWarnings) {
        int right = 0;
        int rows = 0;
        for (int t = 0; t < batches; t++) {
            Batch b = Concepts.batch(random, 50L * t, 50, shift);
            Prediction p = e.predict(b, board);
            if (t >= batches - tail) {
                right += Math.round(Concepts.accuracy(p, b) * b.rows());
                rows += b.rows();
            }
            e.learn(b, new BatchOutcome(p, ExpertTestKit.losses(b, p), t), board);
            driftsAndWarnings[0] += board.get(StandardSignals.FOREST_DRIFTS, 0);
            driftsAndWarnings[1] += board.get(StandardSignals.FOREST_WARNINGS, 0);
        }
        return (double) right / rows;
    }

    @Test
    void learnsAConceptNaiveBayesCannot() {
        ForestExpert e = forest(Map.of(), 1);
        InMemorySignalBoard board = new InMemorySignalBoard();
        double[] events = new double[2];
        double early = prequential(e, new Random(2), 4, 4, 0, board, events);
        double late = prequential(e, new Random(3), 80, 20, 0, board, events);
        assertTrue(late > 0.95, "accuracy after 4,000 rows " + late + " (first 200 rows " + early + ")");
        assertFalse(e.usesShared(), "the trees' own leaves vote better than the forest's naive Bayes on this concept");
        double disagreement = board.get(StandardSignals.FOREST_DISAGREEMENT, -1);
        assertTrue(disagreement >= 0 && disagreement < 0.2, "trees mostly agree once learned: " + disagreement);
    }

    /**
     * Two classes that each of 200 features tells apart only weakly (means 0.4 sd apart), as hashed words tell
     * spam from ham: naive Bayes over every feature is nearly always right, over a leaf's 21 features it is not.
     * The forest's naive Bayes lets the leaves use every feature; without it the forest stays far behind.
     */
    @Test
    void leavesUseEveryFeatureThroughTheForestsNaiveBayes() {
        io.scarcity.api.DataSchema wide = ExpertTestKit.schema(200, 2);
        ForestExpert forest = (ForestExpert) PluginTestKit.create(new ForestExpertFactory(), Map.of(),
                PluginTestKit.context(3, wide, "forest"));
        double with = weakFeatures(forest);
        assertTrue(forest.usesShared(), "the forest's naive Bayes votes better here");
        double without = weakFeatures(PluginTestKit.create(new ForestExpertFactory(), Map.of("sharedBayes", false),
                PluginTestKit.context(3, wide, "forest")));
        assertTrue(with > 0.97, "with the forest's naive Bayes: " + with);
        assertTrue(with - without > 0.05, "with " + with + ", without " + without);
    }

    /** Test then train on 2,000 rows of the weak-feature stream; the accuracy over the last 1,000. */
    private static double weakFeatures(Expert e) {
        io.scarcity.api.DataSchema schema = ExpertTestKit.schema(200, 2);
        Random random = new Random(4);
        InMemorySignalBoard board = new InMemorySignalBoard();
        int d = schema.numFeatures();
        int right = 0;
        for (int t = 0; t < 40; t++) {
            double[] x = new double[50 * d];
            int[] y = new int[50];
            for (int r = 0; r < 50; r++) {
                y[r] = random.nextInt(2);
                for (int f = 0; f < d; f++) {
                    x[r * d + f] = random.nextGaussian() + (y[r] == 1 ? 0.2 : -0.2);
                }
            }
            Batch b = Batch.ofClasses(schema, "d", 50L * t, x, y);
            Prediction p = e.predict(b, board);
            if (t >= 20) {
                right += Math.round(Concepts.accuracy(p, b) * b.rows());
            }
            e.learn(b, new BatchOutcome(p, ExpertTestKit.losses(b, p), t), board);
        }
        return right / 1000.0;
    }

    @Test
    void replacesItsTreesAfterAnAbruptDriftAndRecovers() {
        ForestExpert e = forest(Map.of(), 4);
        InMemorySignalBoard board = new InMemorySignalBoard();
        double[] before = new double[2];
        prequential(e, new Random(5), 60, 10, 0, board, before);
        double[] after = new double[2];
        double recovered = prequential(e, new Random(6), 60, 10, 1, board, after);
        assertTrue(after[0] >= 5, "most trees are replaced after the classes are renamed: " + after[0] + " drifts");
        assertTrue(after[1] >= after[0] / 2, "background trees start on warnings: " + after[1]);
        assertTrue(recovered > 0.9, "accuracy on the new concept " + recovered);
    }

    @Test
    void unlabelledRowsChangeNothingButTheSignals() {
        ForestExpert e = forest(Map.of("gossipTrees", 10), 7);
        InMemorySignalBoard board = new InMemorySignalBoard();
        prequential(e, new Random(8), 20, 1, 0, board, new double[2]);
        Batch probe = Concepts.batch(new Random(9), 0, 40, 0);
        byte[] state = save(e);
        Batch unlabelled = Batch.ofClasses(Concepts.SCHEMA, "d", 0, probe.featuresCopy(), null);
        e.learn(unlabelled, new BatchOutcome(null, new double[0], 1), board);
        assertEquals(0.0, board.get(StandardSignals.FOREST_DRIFTS, -1));
        assertTrue(board.get(StandardSignals.FOREST_DISAGREEMENT, -1) >= 0);
        assertTrue(java.util.Arrays.equals(state, save(e)), "an unlabelled batch changes no state");
        ExpertState trees = e.exportState();
        Batch weightless = probe.withWeights(new double[probe.rows()]);
        e.learn(weightless, new BatchOutcome(null, new double[probe.rows()], 2), board);
        assertEquals(byIdentity(trees), byIdentity(e.exportState()),
                "rows of weight 0 reach no leaf and grow no tree (they only count in the trees' accuracies)");
    }

    /** Every exported tree's structure and leaf weights, by its identity. */
    private static Map<Double, String> byIdentity(ExpertState s) {
        Map<Double, String> out = new java.util.TreeMap<>();
        for (int t : TreeGossip.trees(s)) {
            out.put(s.weight(TreeGossip.meta(t))[0], PluginTestKit.fingerprint(s.weight(TreeGossip.nodes(t))) + " "
                    + PluginTestKit.fingerprint(s.weight(TreeGossip.weights(t))));
        }
        return out;
    }

    @Test
    void replayedRowsTrainTheTrees() {
        ForestExpert e = forest(Map.of(), 10);
        Batch rows = Concepts.batch(new Random(11), 0, 2000, 0);
        e.replay(rows);
        Batch probe = Concepts.batch(new Random(12), 0, 500, 0);
        double accuracy = Concepts.accuracy(e.predict(probe, new InMemorySignalBoard()), probe);
        assertTrue(accuracy > 0.85, "after replaying 2,000 rows: " + accuracy);
    }

    static byte[] save(Expert e) {
        try {
            return PluginTestKit.save(e);
        } catch (java.io.IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
    }

    static void restore(Expert e, byte[] state) {
        try {
            PluginTestKit.restore(e, state);
        } catch (java.io.IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
    }
}
