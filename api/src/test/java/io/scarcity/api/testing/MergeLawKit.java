package io.scarcity.api.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MergeLaw;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.Task;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The property every gossipable predicting expert's merge must have ({@link MergeLaw}): two learners on IID
 * halves of a stream, merged, reach the score of one learner on the whole stream (or beat it), and never less than the
 * better of the two alone.
 *
 * <p>The stream ({@link #stream}) is stationary and hard enough that a half is short of data: a few Gaussian
 * classes in a latent space of half the features' dimension, mixed into correlated features with
 * different offsets and scales (so that standardisation and frames matter), with unequal class shares
 * (the last class is rare). Regression targets are a linear function of the latent point plus noise.
 * Halves alternate batch by batch; the union learner sees both halves' batches interleaved, in order.
 * Each learner predicts a batch before learning it (test-then-train), as in a run. The score on held-out
 * rows is accuracy (classification) or {@code R^2} (regression), averaged over several independent tasks.
 */
public final class MergeLawKit {
    /** Rows per batch. */
    static final int BATCH = 20;

    private MergeLawKit() {
    }

    /**
     * Scores of one check, averaged over the tasks.
     *
     * @param a learner on half A alone
     * @param b learner on half B alone
     * @param merged learner A after adopting {@code law.merge(A's, B's)} (every {@code mergeEvery} batches and at the end)
     * @param union one learner on both halves
     */
    public record Scores(double a, double b, double merged, double union) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "half A %.4f, half B %.4f, merged %.4f, union %.4f", a, b, merged, union);
        }
    }

    /**
     * Checks the merge law: {@code merged >= union - tolerance} and {@code merged >= max(a, b) - tolerance}
     * (scores averaged over {@code tasks} tasks). Doing better than the union is allowed: an average of two
     * learners can have less variance than one.
     *
     * @param maker makes a fresh expert of one configuration for {@code schema}
     * @param law the plugin's merge law ({@link MergeLaw#MEAN} for a plugin that declares none)
     * @param batchesPerHalf batches of {@value #BATCH} rows each half learns
     * @param tolerance the stated tolerance, in accuracy (or {@code R^2}) points
     * @return the scores, for a test to report
     */
    public static Scores assertMergeLaw(Supplier<Expert> maker, MergeLaw law, DataSchema schema, int batchesPerHalf,
                                        int tasks, double tolerance) {
        return assertMergeLaw(maker, law, schema, batchesPerHalf, batchesPerHalf, tasks, tolerance);
    }

    /**
     * {@link #assertMergeLaw(Supplier, MergeLaw, DataSchema, int, int, double)} with the halves merging every
     * {@code mergeEvery} batches, both adopting the merged state, as gossiping peers do round after round: the
     * form of the law for learners that take gradient steps, whose merged halves have taken half the union's
     * steps each after one merge, but approach it when they merge often (local SGD).
     */
    public static Scores assertMergeLaw(Supplier<Expert> maker, MergeLaw law, DataSchema schema, int batchesPerHalf,
                                        int mergeEvery, int tasks, double tolerance) {
        return assertMergeLaw(maker, law, schema, batchesPerHalf, mergeEvery, tasks, tolerance, tolerance);
    }

    /**
     * The law with separate tolerances: {@code merged >= union - unionTolerance} and
     * {@code merged >= max(a, b) - halfTolerance}. A learner that takes one gradient step per batch (a neural
     * network) merged by averaging has taken the steps of one half, with averaged gradients, where the union
     * took twice as many: it gains the variance reduction, not the steps, and states a wider
     * {@code unionTolerance}; no merge may fall below the better half.
     */
    public static Scores assertMergeLaw(Supplier<Expert> maker, MergeLaw law, DataSchema schema, int batchesPerHalf,
                                        int mergeEvery, int tasks, double unionTolerance, double halfTolerance) {
        Scores s = scores(maker, law, schema, batchesPerHalf, mergeEvery, tasks);
        assertTrue(s.merged() >= s.union() - unionTolerance,
                "merged reaches one learner on the union, within " + unionTolerance + ": " + s);
        assertTrue(s.merged() >= Math.max(s.a(), s.b()) - halfTolerance,
                "merged no worse than the better half alone (tolerance " + halfTolerance + "): " + s);
        return s;
    }

    /** The scores of one merge at the end, without asserting anything (e.g. to show that a naive merge fails the law). */
    public static Scores scores(Supplier<Expert> maker, MergeLaw law, DataSchema schema, int batchesPerHalf, int tasks) {
        return scores(maker, law, schema, batchesPerHalf, batchesPerHalf, tasks);
    }

    /**
     * The scores without asserting anything, the halves merging every {@code mergeEvery} batches (and at the
     * end); the halves' own scores are those of learners that never merge.
     */
    public static Scores scores(Supplier<Expert> maker, MergeLaw law, DataSchema schema, int batchesPerHalf, int mergeEvery,
                                int tasks) {
        double[] sum = new double[4];
        for (int task = 0; task < tasks; task++) {
            Stream stream = new Stream(schema, 1000 + 17L * task);
            Random rows = new Random(2000 + 31L * task);
            Batch[] halfA = new Batch[batchesPerHalf];
            Batch[] halfB = new Batch[batchesPerHalf];
            for (int t = 0; t < batchesPerHalf; t++) {
                halfA[t] = stream.batch(rows, 2L * t * BATCH, BATCH);
                halfB[t] = stream.batch(rows, (2L * t + 1) * BATCH, BATCH);
            }
            Batch test = stream.batch(rows, 1_000_000, 2000);
            Expert a = maker.get();
            Expert b = maker.get();
            Expert union = maker.get();
            Expert gossipA = maker.get();
            Expert gossipB = maker.get();
            assertTrue(a.capabilities().predicts() && a.capabilities().gossipable(), "the merge law applies to gossipable predicting experts");
            for (int t = 0; t < batchesPerHalf; t++) {
                step(a, halfA[t], t);
                step(b, halfB[t], t);
                step(union, halfA[t], t);
                step(union, halfB[t], t);
                step(gossipA, halfA[t], t);
                step(gossipB, halfB[t], t);
                if ((t + 1) % mergeEvery == 0 || t == batchesPerHalf - 1) {
                    var merged = law.merge(gossipA.exportState(), gossipB.exportState());
                    gossipA.mergeState(merged);
                    gossipB.mergeState(merged);
                }
            }
            sum[0] += score(a, test);
            sum[1] += score(b, test);
            sum[2] += score(gossipA, test);
            sum[3] += score(union, test);
        }
        return new Scores(sum[0] / tasks, sum[1] / tasks, sum[2] / tasks, sum[3] / tasks);
    }

    private static void step(Expert e, Batch batch, int round) {
        SignalBoard board = new InMemorySignalBoard();
        Prediction p = e.predict(batch, board);
        e.learn(batch, new BatchOutcome(p, ExpertTestKit.losses(batch, p), 1 + round / 10), board);
    }

    /** Accuracy, or {@code R^2} for regression. */
    static double score(Expert e, Batch test) {
        Prediction p = e.predict(test, new InMemorySignalBoard());
        double[] losses = ExpertTestKit.losses(test, p);
        double loss = 0;
        for (double l : losses) {
            loss += l;
        }
        loss /= losses.length;
        if (p.isClassification()) {
            return 1 - loss;
        }
        double mean = 0;
        for (int r = 0; r < test.rows(); r++) {
            mean += test.target(r);
        }
        mean /= test.rows();
        double variance = 0;
        for (int r = 0; r < test.rows(); r++) {
            variance += (test.target(r) - mean) * (test.target(r) - mean);
        }
        return 1 - loss / (variance / test.rows());
    }

    /** The stationary task of one check: its class means, mixing, offsets and scales are drawn once. */
    public static final class Stream {
        private final DataSchema schema;
        private final int d;
        private final int latent;
        private final int classes;
        private final double[] share;
        private final double[][] classMean;
        private final double[] mixing;
        private final double[] offset;
        private final double[] scale;
        private final double[] coefficients;

        public Stream(DataSchema schema, long seed) {
            this.schema = schema;
            this.d = schema.numFeatures();
            this.latent = Math.max(2, d / 2);
            this.classes = Math.max(1, schema.numClasses());
            Random r = new Random(seed);
            this.share = new double[classes];
            double total = 0;
            for (int c = 0; c < classes; c++) {
                share[c] = Math.pow(0.55, c);
                total += share[c];
            }
            for (int c = 0; c < classes; c++) {
                share[c] /= total;
            }
            this.classMean = new double[classes][latent];
            for (int c = 0; c < classes; c++) {
                for (int j = 0; j < latent; j++) {
                    classMean[c][j] = 1.1 * r.nextGaussian();
                }
            }
            this.mixing = new double[d * latent];
            for (int i = 0; i < mixing.length; i++) {
                mixing[i] = r.nextGaussian() / Math.sqrt(latent);
            }
            this.offset = new double[d];
            this.scale = new double[d];
            for (int j = 0; j < d; j++) {
                offset[j] = 20 * r.nextGaussian();
                scale[j] = Math.exp(1.5 * r.nextGaussian());
            }
            this.coefficients = new double[latent];
            for (int j = 0; j < latent; j++) {
                coefficients[j] = r.nextGaussian();
            }
        }

        /** {@code rows} rows drawn with {@code random}. */
        public Batch batch(Random random, long firstRow, int rows) {
            double[] x = new double[rows * d];
            int[] y = new int[rows];
            double[] t = new double[rows];
            double[] z = new double[latent];
            for (int row = 0; row < rows; row++) {
                double u = random.nextDouble();
                int c = 0;
                while (c < classes - 1 && u > share[c]) {
                    u -= share[c];
                    c++;
                }
                y[row] = c;
                double target = 0;
                for (int j = 0; j < latent; j++) {
                    z[j] = (schema.task() == Task.CLASSIFICATION ? classMean[c][j] : 0) + random.nextGaussian();
                    target += coefficients[j] * z[j];
                }
                t[row] = target + 0.3 * random.nextGaussian();
                for (int i = 0; i < d; i++) {
                    double v = 0;
                    for (int j = 0; j < latent; j++) {
                        v += mixing[i * latent + j] * z[j];
                    }
                    x[row * d + i] = offset[i] + scale[i] * (v + 0.2 * random.nextGaussian());
                }
            }
            return schema.task() == Task.CLASSIFICATION
                    ? Batch.ofClasses(schema, "d", firstRow, x, y)
                    : Batch.ofTargets(schema, "d", firstRow, x, t);
        }
    }
}
