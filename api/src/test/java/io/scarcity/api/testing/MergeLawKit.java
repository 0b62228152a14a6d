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
     * @param merged learner A after adopting {@code law.merge(A's, B's)}
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
        Scores s = scores(maker, law, schema, batchesPerHalf, tasks);
        assertTrue(s.merged() >= s.union() - tolerance,
                "merged reaches one learner on the union, within " + tolerance + ": " + s);
        assertTrue(s.merged() >= Math.max(s.a(), s.b()) - tolerance,
                "merged no worse than the better half alone (tolerance " + tolerance + "): " + s);
        return s;
    }

    /** The scores without asserting anything (e.g. to show that a naive merge fails the law). */
    public static Scores scores(Supplier<Expert> maker, MergeLaw law, DataSchema schema, int batchesPerHalf, int tasks) {
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
            assertTrue(a.capabilities().predicts() && a.capabilities().gossipable(), "the merge law applies to gossipable predicting experts");
            for (int t = 0; t < batchesPerHalf; t++) {
                step(a, halfA[t], t);
                step(b, halfB[t], t);
                step(union, halfA[t], t);
                step(union, halfB[t], t);
            }
            double scoreA = score(a, test);
            double scoreB = score(b, test);
            double scoreUnion = score(union, test);
            a.mergeState(law.merge(a.exportState(), b.exportState()));
            sum[0] += scoreA;
            sum[1] += scoreB;
            sum[2] += score(a, test);
            sum[3] += scoreUnion;
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
