package io.scarcity.plugins.peerselection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Task;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeerSelectionExpertTest {
    static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c", "d"), Task.CLASSIFICATION,
            List.of("x", "y", "z"));

    static PeerSelectionExpert expert(Map<String, ?> config, long seed, String client) {
        // The client id changes the component's generator (the noise), not the projection.
        PluginContext context = new PluginContext() {
            @Override
            public long seed() {
                return seed;
            }

            @Override
            public Random random() {
                return new Random(seed * 31 + client.hashCode());
            }

            @Override
            public java.util.Optional<DataSchema> schema() {
                return java.util.Optional.of(SCHEMA);
            }

            @Override
            public String instanceName() {
                return "peer-selection";
            }
        };
        return (PeerSelectionExpert) new PeerSelectionExpertFactory().create(PluginConfig.of("e", config), context);
    }

    /** Rows with feature means {@code shift} and labels drawn from {@code classWeights}. */
    static Batch batch(Random random, int rows, double shift, double[] classWeights) {
        double[] x = new double[rows * SCHEMA.numFeatures()];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < SCHEMA.numFeatures(); f++) {
                x[r * SCHEMA.numFeatures() + f] = shift * (f + 1) + random.nextGaussian();
            }
            double u = random.nextDouble();
            int c = 0;
            while (c < classWeights.length - 1 && u > classWeights[c]) {
                u -= classWeights[c];
                c++;
            }
            y[r] = c;
        }
        return Batch.ofClasses(SCHEMA, "d", 0, x, y);
    }

    static BatchOutcome outcome(Batch b) {
        return new BatchOutcome(null, new double[b.rows()], 1);
    }

    @Test
    void theSignatureIsTheMeanProjectionAndTheLabelProportions() {
        PeerSelectionExpert expert = expert(Map.of("dimensions", 3, "noise", 0.0, "learningRate", 1e-6), 5, "c0");
        Random random = new Random(1);
        double[] sums = new double[SCHEMA.numFeatures()];
        int[] labels = new int[3];
        int total = 0;
        InMemorySignalBoard board = new InMemorySignalBoard();
        for (int i = 0; i < 20; i++) {
            Batch b = batch(random, 10, 2.0, new double[] {0.6, 0.3, 0.1});
            for (int r = 0; r < b.rows(); r++) {
                for (int f = 0; f < sums.length; f++) {
                    sums[f] += b.value(r, f);
                }
                labels[b.label(r)]++;
            }
            total += b.rows();
            expert.learn(b, outcome(b), board);
        }
        // The projection is linear, so the mean projection is the projection of the mean: check it against a
        // projection of the mean recovered through unit vectors.
        PeerSelectionExpert probe = expert(Map.of("dimensions", 3, "noise", 0.0, "learningRate", 1.0), 5, "c1");
        double[] mean = new double[sums.length];
        for (int f = 0; f < sums.length; f++) {
            mean[f] = sums[f] / total;
        }
        probe.learn(Batch.ofClasses(SCHEMA, "d", 0, mean, null), new BatchOutcome(null, new double[0], 1),
                new InMemorySignalBoard());
        double[] sig = expert.signature();
        double[] expected = probe.signature();
        for (int j = 0; j < 3; j++) {
            assertEquals(expected[j], sig[j], 1e-9, "projection " + j);
            assertEquals(sig[j], board.get("peer.sig." + j, Double.NaN), 1e-12, "noise 0 publishes the signature");
        }
        for (int c = 0; c < 3; c++) {
            assertEquals((double) labels[c] / total, sig[3 + c], 1e-9, "class " + c);
        }
        assertEquals(6.0, board.get("peer.dims", 0));
        assertEquals(200.0, board.get("peer.rows", 0));
    }

    @Test
    void everyClientProjectsOntoTheSameDirectionsButAddsItsOwnNoise() {
        Batch b = batch(new Random(3), 50, 1.0, new double[] {0.5, 0.5, 0.0});
        PeerSelectionExpert a = expert(Map.of("noise", 0.5), 9, "client-a");
        PeerSelectionExpert c = expert(Map.of("noise", 0.5), 9, "client-b");
        InMemorySignalBoard boardA = new InMemorySignalBoard();
        InMemorySignalBoard boardC = new InMemorySignalBoard();
        a.learn(b, outcome(b), boardA);
        c.learn(b, outcome(b), boardC);
        assertArrayEquals(a.signature(), c.signature(), "same data, same seed: the same signature on every client");
        assertNotEquals(boardA.get("peer.sig.0", 0), boardC.get("peer.sig.0", 0), "the noise is the client's own");
        double sq = 0;
        for (int i = 0; i < a.length(); i++) {
            double e = boardA.get("peer.sig." + i, 0) - a.signature()[i];
            sq += e * e;
        }
        double sd = Math.sqrt(sq / a.length());
        assertTrue(sd > 0.3 && sd < 0.75, "published noise has about the configured sd 0.5, got " + sd);
        assertNotEquals(a.signature()[0], expert(Map.of(), 10, "client-a").signatureAfter(b)[0],
                "another run seed draws another projection");
    }

    @Test
    void theWeightedMeanForgetsOldData() {
        PeerSelectionExpert expert = expert(Map.of("noise", 0.0, "learningRate", 0.05, "labels", false), 2, "c");
        Random random = new Random(4);
        InMemorySignalBoard board = new InMemorySignalBoard();
        for (int i = 0; i < 20; i++) {
            Batch b = batch(random, 10, 0.0, new double[] {1, 0, 0});
            expert.learn(b, outcome(b), board);
        }
        double before = expert.signature()[0];
        PeerSelectionExpert target = expert(Map.of("noise", 0.0, "learningRate", 1.0, "labels", false), 2, "c");
        double[] shifted = target.signatureAfter(batch(new Random(5), 400, 3.0, new double[] {1, 0, 0}));
        for (int i = 0; i < 20; i++) {
            Batch b = batch(random, 10, 3.0, new double[] {1, 0, 0});
            expert.learn(b, outcome(b), board);
        }
        // 200 rows at 0.05 per row leave (0.95)^200 = 3.5e-5 of the old mean.
        assertEquals(shifted[0], expert.signature()[0], 0.5);
        assertTrue(Math.abs(before - shifted[0]) > 2.0, "the shift moves the signature: " + before + " vs " + shifted[0]);
    }

    /** {@code R x} for one row, from an expert of the same run seed and instance (so the same projection). */
    private static double[] project(double[] x) {
        PeerSelectionExpert probe = expert(Map.of("dimensions", 2, "noise", 0.0, "learningRate", 1.0, "labels", false),
                5, "probe");
        return java.util.Arrays.copyOf(probe.signatureAfter(Batch.ofClasses(SCHEMA, "d", 0, x, null)), 2);
    }

    private static double[] mean(double[]... rows) {
        double[] m = new double[rows[0].length];
        for (double[] r : rows) {
            for (int f = 0; f < m.length; f++) {
                m[f] += r[f] / rows.length;
            }
        }
        return m;
    }

    private static double[] concat(double[]... rows) {
        double[] out = new double[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, out, r * rows[r].length, rows[r].length);
        }
        return out;
    }

    @Test
    void perClassMeansAreExactOnAHandcraftedStream() {
        // dimensions 2, three classes: 2 projections + 3 proportions + 3 x 2 class means = 11 coordinates.
        PeerSelectionExpert expert = expert(Map.of("dimensions", 2, "noise", 0.0, "learningRate", 0.5,
                "classMeans", true), 5, "c0");
        assertEquals(11, expert.length());
        assertEquals(2 + 3 + 6 + 2, expert.capabilities().writes().size());
        double[] a = {1, 0, 0, 0};
        double[] b = {0, 2, 0, 0};
        double[] c = {3, 0, 0, 1};
        double[] d = {0, 0, -4, 2};
        double[] e = {5, 5, 5, 5};
        double[] g = {-1, 1, 2, -3};
        InMemorySignalBoard board = new InMemorySignalBoard();
        // Batch 1: classes 0, 1, 0; class 2 absent.
        Batch first = Batch.ofClasses(SCHEMA, "d", 0, concat(a, b, c), new int[] {0, 1, 0});
        expert.learn(first, outcome(first), board);
        double[] sig = expert.signature();
        double[] class0 = project(mean(a, c));
        double[] class1 = project(b);
        for (int j = 0; j < 2; j++) {
            assertEquals(project(mean(a, b, c))[j], sig[j], 1e-12, "overall mean " + j);
            assertEquals(class0[j], sig[5 + j], 1e-12, "class 0 after its first batch is its batch mean");
            assertEquals(class1[j], sig[7 + j], 1e-12, "class 1");
            assertEquals(sig[j], sig[9 + j], 0.0, "class 2, unseen, is the overall mean");
            assertEquals(sig[5 + j], board.get("peer.sig." + (5 + j), Double.NaN), 0.0, "noise 0 publishes it");
        }
        assertEquals(2.0 / 3, sig[2], 1e-12, "the label proportions keep their place");
        // Batch 2, unlabelled: the class means stay, the unseen class follows the overall mean.
        Batch second = Batch.ofClasses(SCHEMA, "d", 0, concat(d, e), null);
        expert.learn(second, outcome(second), board);
        double[] after = expert.signature();
        assertTrue(Math.abs(after[0] - sig[0]) > 1e-6, "the overall mean moved");
        for (int j = 0; j < 2; j++) {
            assertEquals(class0[j], after[5 + j], 1e-12);
            assertEquals(class1[j], after[7 + j], 1e-12);
            assertEquals(after[j], after[9 + j], 0.0, "class 2 still follows the overall mean");
        }
        // Batch 3: class 2's first row replaces the overall mean; class 0's third row weighs
        // max(1 - 0.5^1, 1/3) = 0.5 against its old mean.
        Batch third = Batch.ofClasses(SCHEMA, "d", 0, concat(g, d), new int[] {2, 0});
        expert.learn(third, outcome(third), board);
        double[] last = expert.signature();
        for (int j = 0; j < 2; j++) {
            assertEquals(0.5 * class0[j] + 0.5 * project(d)[j], last[5 + j], 1e-12, "exponentially weighted class 0");
            assertEquals(class1[j], last[7 + j], 1e-12, "class 1 had no row");
            assertEquals(project(g)[j], last[9 + j], 1e-12, "class 2 is its first row");
            assertEquals(last[9 + j], board.get("peer.sig." + (9 + j), Double.NaN), 0.0);
        }
        assertEquals(11.0, board.get("peer.dims", 0));
    }

    @Test
    void classMeansOnlyAppendToTheSignature() {
        Batch b = batch(new Random(8), 40, 1.0, new double[] {0.2, 0.5, 0.3});
        double[] without = expert(Map.of("noise", 0.0), 9, "c").signatureAfter(b);
        double[] with = expert(Map.of("noise", 0.0, "classMeans", true), 9, "c").signatureAfter(b);
        assertEquals(16 + 3, without.length);
        assertEquals(16 + 3 + 3 * 16, with.length);
        assertArrayEquals(without, java.util.Arrays.copyOf(with, without.length), 0.0);
        double[] noLabels = expert(Map.of("noise", 0.0, "classMeans", true, "labels", false), 9, "c").signatureAfter(b);
        assertEquals(16 + 3 * 16, noLabels.length, "class means without the proportions");
        assertArrayEquals(java.util.Arrays.copyOfRange(with, 19, with.length),
                java.util.Arrays.copyOfRange(noLabels, 16, noLabels.length), 0.0);
    }
}
