package io.scarcity.plugins.statistical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertState;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MergeLaw;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.MergeLawKit;
import io.scarcity.api.testing.PluginTestKit;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
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
        MergeLawKit.Stream stream = new MergeLawKit.Stream(CLASSES, 77);
        Random random = new Random(78);
        double[] scores = new double[3];
        double[][] priors = new double[3][];
        for (int mode = 0; mode < 3; mode++) {
            Supplier<Expert> make = PluginTestKit.maker(new StatisticalExpertFactory(),
                    mode == 2 ? Map.of() : Map.of("mergedPriors", mode == 0 ? "pooled" : "own"),
                    PluginTestKit.context(5, CLASSES, "statistical"));
            Expert a = make.get();
            Expert b = make.get();
            Random rows = new Random(79);
            for (int t = 0; t < 15; t++) {
                Batch batch = stream.batch(rows, 20L * t, 60);
                learn(a, only(batch, 0, 0.9, rows));
                learn(b, only(batch, 2, 0.9, rows));
            }
            ExpertState pooled = law().merge(a.exportState(), b.exportState());
            a.mergeState(pooled);
            double[] prior = a.exportState().weight("prior");
            priors[mode] = prior;
            if (mode == 0) {
                assertArrayEquals(pooled.weight("prior"), prior, 0, "pooled: the merged priors");
            } else {
                assertTrue(prior[0] > 0.5, "own: still mostly class 0 " + Arrays.toString(prior));
            }
            scores[mode] = score(a, only(stream.batch(random, 1_000_000, 3000), 0, 0.9, new Random(80)));
            random = new Random(78);
        }
        assertArrayEquals(priors[1], priors[2], 0, "the default keeps its own priors");
        assertTrue(scores[1] > scores[0] + 0.01,
                "own priors predict the client's own skewed stream better: " + Arrays.toString(scores));
    }

    /** The rows of {@code batch} kept so that about {@code share} of them are of class {@code c}. */
    private static Batch only(Batch batch, int c, double share, Random random) {
        boolean[] keep = new boolean[batch.rows()];
        for (int r = 0; r < batch.rows(); r++) {
            keep[r] = batch.label(r) == c || random.nextDouble() < (1 - share) / share * 0.5;
        }
        return batch.select(keep);
    }

    static void learn(Expert e, Batch batch) {
        SignalBoard board = new InMemorySignalBoard();
        Prediction p = e.predict(batch, board);
        e.learn(batch, new BatchOutcome(p, ExpertTestKit.losses(batch, p), 1), board);
    }

    static double score(Expert e, Batch test) {
        Prediction p = e.predict(test, new InMemorySignalBoard());
        double right = 0;
        for (int r = 0; r < test.rows(); r++) {
            right += p.predictedClass(r) == test.label(r) ? 1 : 0;
        }
        return right / test.rows();
    }
}
