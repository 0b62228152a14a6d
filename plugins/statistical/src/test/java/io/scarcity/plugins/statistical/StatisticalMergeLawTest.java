package io.scarcity.plugins.statistical;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.MergeLaw;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.MergeLawKit;
import io.scarcity.api.testing.PluginTestKit;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The merge law of the test kit ({@link MergeLawKit}): two learners on IID halves, merged, against one on the union. */
class StatisticalMergeLawTest {
    private static final DataSchema CLASSES = ExpertTestKit.schema(12, 3);

    private static Supplier<Expert> maker(DataSchema schema) {
        return PluginTestKit.maker(new StatisticalExpertFactory(), Map.of(), PluginTestKit.context(5, schema, "statistical"));
    }

    private static MergeLaw law() {
        return new StatisticalExpertFactory().mergeLaw().orElse(MergeLaw.MEAN);
    }

    /** Sufficient statistics pool exactly: one merge at the end reaches the union. */
    @Test
    void twoHalvesMergedLearnAsOneOnTheUnion() {
        System.out.println("statistical: " + MergeLawKit.assertMergeLaw(maker(CLASSES), law(), CLASSES, 4, 6, 0.01));
        System.out.println("statistical: " + MergeLawKit.assertMergeLaw(maker(CLASSES), law(), CLASSES, 15, 6, 0.01));
    }

    /**
     * Label skew: a client that has seen mostly class 0 merges with one that has seen mostly class 2. With
     * {@code mergedPriors: own} it adopts the pooled class-conditional statistics and keeps its own class
     * frequencies, and predicts its own stream better than with the pooled priors; {@code pooled} keeps the
     * merged priors exactly; the default is {@code own}.
     */
    @Test
    void ownPriorsKeepAClientsLabelDistributionThroughAMerge() {
        io.scarcity.api.testing.MergeLawKit.Stream stream = new io.scarcity.api.testing.MergeLawKit.Stream(CLASSES, 77);
        java.util.Random random = new java.util.Random(78);
        double[] scores = new double[3];
        double[][] priors = new double[3][];
        for (int mode = 0; mode < 3; mode++) {
            Supplier<Expert> make = PluginTestKit.maker(new StatisticalExpertFactory(),
                    mode == 2 ? Map.of() : Map.of("mergedPriors", mode == 0 ? "pooled" : "own"),
                    PluginTestKit.context(5, CLASSES, "statistical"));
            Expert a = make.get();
            Expert b = make.get();
            java.util.Random rows = new java.util.Random(79);
            for (int t = 0; t < 15; t++) {
                io.scarcity.api.Batch batch = stream.batch(rows, 20L * t, 60);
                learn(a, only(batch, 0, 0.9, rows));
                learn(b, only(batch, 2, 0.9, rows));
            }
            io.scarcity.api.ExpertState pooled = law().merge(a.exportState(), b.exportState());
            a.mergeState(pooled);
            double[] prior = a.exportState().weight("prior");
            priors[mode] = prior;
            if (mode == 0) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(pooled.weight("prior"), prior, 0, "pooled: the merged priors");
            } else {
                org.junit.jupiter.api.Assertions.assertTrue(prior[0] > 0.5, "own: still mostly class 0 " + java.util.Arrays.toString(prior));
            }
            scores[mode] = score(a, only(stream.batch(random, 1_000_000, 3000), 0, 0.9, new java.util.Random(80)));
            random = new java.util.Random(78);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(priors[1], priors[2], 0, "the default keeps its own priors");
        org.junit.jupiter.api.Assertions.assertTrue(scores[1] > scores[0] + 0.01,
                "own priors predict the client's own skewed stream better: " + java.util.Arrays.toString(scores));
    }

    /** The rows of {@code batch} kept so that about {@code share} of them are of class {@code c}. */
    private static io.scarcity.api.Batch only(io.scarcity.api.Batch batch, int c, double share, java.util.Random random) {
        boolean[] keep = new boolean[batch.rows()];
        for (int r = 0; r < batch.rows(); r++) {
            keep[r] = batch.label(r) == c || random.nextDouble() < (1 - share) / share * 0.5;
        }
        return batch.select(keep);
    }

    private static void learn(Expert e, io.scarcity.api.Batch batch) {
        io.scarcity.api.SignalBoard board = new io.scarcity.api.InMemorySignalBoard();
        io.scarcity.api.Prediction p = e.predict(batch, board);
        e.learn(batch, new io.scarcity.api.BatchOutcome(p, ExpertTestKit.losses(batch, p), 1), board);
    }

    private static double score(Expert e, io.scarcity.api.Batch test) {
        io.scarcity.api.Prediction p = e.predict(test, new io.scarcity.api.InMemorySignalBoard());
        double right = 0;
        for (int r = 0; r < test.rows(); r++) {
            right += p.predictedClass(r) == test.label(r) ? 1 : 0;
        }
        return right / test.rows();
    }
}
