package io.scarcity.api.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertState;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.Task;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Experts under the shared contract of {@link PluginTestKit}: generated batches of a {@link DataSchema},
 * a driver that runs an expert test-then-train as the runtime does, the gossip (export/merge) contract,
 * and {@link #assertCheckpointContract} in one call.
 */
public final class ExpertTestKit {
    /** Seven features, three classes. */
    public static final DataSchema CLASSIFICATION = schema(7, 3);
    /** Seven features, regression. */
    public static final DataSchema REGRESSION = schema(7, 0);

    private ExpertTestKit() {
    }

    /** Features {@code f0 ..}, classes {@code c0 ..} ({@code classes == 0}: regression). */
    public static DataSchema schema(int features, int classes) {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            names.add("f" + j);
        }
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            labels.add("c" + c);
        }
        return new DataSchema(names, classes == 0 ? Task.REGRESSION : Task.CLASSIFICATION, classes == 0 ? null : labels);
    }

    /**
     * {@code rows} rows of correlated features whose level depends on the class (or drives the target),
     * feature {@code j} offset by {@code 10 j}; labelled unless {@code labelled} is false; with
     * {@code outliers}, every fifth row gets a wild second feature; one batch in four carries row weights
     * (some zero).
     */
    public static Batch batch(DataSchema schema, Random random, long firstRow, int rows, boolean labelled, boolean outliers) {
        int d = schema.numFeatures();
        int k = Math.max(1, schema.numClasses());
        double[] x = new double[rows * d];
        int[] y = new int[rows];
        double[] t = new double[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = random.nextInt(k);
            double a = random.nextGaussian() * 3 + 2 * y[r];
            double b = random.nextGaussian() * 2;
            for (int j = 0; j < d; j++) {
                x[r * d + j] = a * (j + 1) / d + b * (j % 2 == 0 ? 1 : -1) + 0.3 * random.nextGaussian() + 10 * j
                        + (outliers && r % 5 == 0 && j == Math.min(1, d - 1) ? 40 : 0);
            }
            t[r] = a - 2 * b + random.nextGaussian();
        }
        Batch batch = schema.task() == Task.CLASSIFICATION
                ? Batch.ofClasses(schema, "d", firstRow, x, labelled ? y : null)
                : Batch.ofTargets(schema, "d", firstRow, x, labelled ? t : null);
        if (random.nextInt(4) == 0) {
            double[] w = new double[rows];
            for (int r = 0; r < rows; r++) {
                w[r] = random.nextInt(3) * 0.5;
            }
            batch = batch.withWeights(w);
        }
        return batch;
    }

    /** The row losses of a prediction: 0/1 errors or squared errors; none for an unlabelled batch. */
    public static double[] losses(Batch batch, Prediction p) {
        if (!batch.hasLabels()) {
            return new double[0];
        }
        double[] losses = new double[batch.rows()];
        for (int r = 0; r < batch.rows(); r++) {
            if (p == null) {
                losses[r] = 1;
            } else if (p.isClassification()) {
                losses[r] = p.predictedClass(r) == batch.label(r) ? 0 : 1;
            } else {
                double e = p.value(r) - batch.target(r);
                losses[r] = e * e;
            }
        }
        return losses;
    }

    /** Coordinator hints for {@code instanceName}: a learning rate, and (odd rounds) random normalisation moments. */
    public static MetaParameters parameters(DataSchema schema, String instanceName, Random random, int round) {
        int d = schema.numFeatures();
        double[] mean = new double[d];
        double[] m2 = new double[d];
        if (round % 2 == 1) {
            for (int j = 0; j < d; j++) {
                mean[j] = 10 * j + random.nextGaussian();
                m2[j] = 300 * (1 + random.nextDouble());
            }
        }
        return new MetaParameters("d", round, Map.of(instanceName, 0.01 * (1 + round % 3)), Map.of(),
                new FeatureMoments(round % 2 == 1 ? 100 : 0, mean, m2), Map.of());
    }

    /** Every value of a prediction, exactly. */
    public static String fingerprint(Prediction p) {
        if (p == null) {
            return "-";
        }
        StringBuilder s = new StringBuilder();
        for (int r = 0; r < p.rows(); r++) {
            if (p.isClassification()) {
                for (int c = 0; c < p.numClasses(); c++) {
                    s.append(p.probability(r, c)).append(' ');
                }
            } else {
                s.append(p.value(r)).append(' ');
            }
        }
        return s.toString();
    }

    /**
     * The driver over batches of {@code schema}, step by step as the runtime calls an expert: the signals
     * it reads are published (a 1 one step in eight, else 0); a 20-row batch (unlabelled one step in five,
     * with outliers one in four) is predicted (predicting experts), learned with the mixture's outcome
     * being the expert's own, then 6 labelled rows are replayed; every third step the expert adapts to
     * coordinator hints ({@code instanceName}'s rate, moments); at step 4 its learning rate is scaled. A
     * step's fingerprint: the prediction, the whole signal board, the learning rate, and the exported
     * state and importance when it has them.
     */
    public static PluginTestKit.Driver<Expert> driver(DataSchema schema, String instanceName) {
        return (expert, random, from, steps) -> {
            List<String> out = new ArrayList<>();
            SignalBoard board = new InMemorySignalBoard();
            for (int t = from; t < from + steps; t++) {
                for (String signal : expert.capabilities().reads()) {
                    board.publish(signal, random.nextInt(8) == 0 ? 1.0 : 0.0);
                }
                Batch batch = batch(schema, random, 20L * t, 20, t % 5 != 3, t % 4 == 1);
                Prediction p = expert.capabilities().predicts() ? expert.predict(batch, board) : null;
                expert.learn(batch, new BatchOutcome(p, losses(batch, p), 1 + t / 3), board);
                if (expert.capabilities().predicts()) {
                    expert.replay(batch(schema, random, 0, 6, true, false));
                }
                if (t % 3 == 2) {
                    expert.adapt(parameters(schema, instanceName, random, 1 + t / 3), instanceName);
                }
                if (t == 4) {
                    expert.scaleLearningRate(0.25 + 3 * random.nextDouble());
                }
                StringBuilder s = new StringBuilder(fingerprint(p)).append("\nsignals ")
                        .append(PluginTestKit.fingerprint(board.snapshot())).append("\nrate ").append(expert.learningRate());
                if (expert.capabilities().gossipable()) {
                    s.append("\nstate ").append(MetaLearnerTestKit.fingerprint(expert.exportState()));
                }
                expert.importance().ifPresent(i -> s.append("\nimportance ").append(MetaLearnerTestKit.fingerprint(i)));
                out.add(s.toString());
            }
            return out;
        };
    }

    /**
     * The checkpoint contract for experts made by {@code maker} over {@code schema}: determinism per
     * seed, the round trip ({@link PluginTestKit#assertRoundTrip}) after 14 steps continuing bit for bit
     * for 15 more, and an unknown format version refused naming {@code component}.
     */
    public static void assertCheckpointContract(Supplier<Expert> maker, DataSchema schema, String instanceName,
            String component) throws IOException {
        PluginTestKit.Driver<Expert> driver = driver(schema, instanceName);
        PluginTestKit.assertDeterministic(maker, driver, 7, 8);
        PluginTestKit.assertRoundTrip(maker, driver, 31, 14, 15);
        PluginTestKit.assertUnknownVersionRefused(maker, component);
    }

    /**
     * The gossip contract of a gossipable expert: after training, {@code exportState} is finite and
     * stable (two exports alike, unchanged by later learning); merging its own state leaves its
     * predictions unchanged within {@code tolerance} (0: exactly); the sample-weighted merge with the
     * state of a peer of the same config trained on other data is accepted and leaves the state finite
     * with the same arrays and lengths; a state whose arrays are each one longer is refused with an
     * exception.
     */
    public static void assertGossipContract(Supplier<Expert> maker, DataSchema schema, String instanceName, double tolerance) {
        PluginTestKit.Driver<Expert> driver = driver(schema, instanceName);
        Expert a = maker.get();
        assertTrue(a.capabilities().gossipable(), "declares gossipable");
        driver.drive(a, new Random(11), 0, 8);
        ExpertState exported = a.exportState();
        assertTrue(exported.isFinite(), "exportState is finite");
        String first = MetaLearnerTestKit.fingerprint(exported);
        assertEquals(first, MetaLearnerTestKit.fingerprint(a.exportState()), "two exports are alike");

        Batch probe = batch(schema, new Random(12), 0, 30, true, false);
        SignalBoard board = new InMemorySignalBoard();
        double[] before = values(a, probe, board);
        a.mergeState(exported);
        double[] after = values(a, probe, board);
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i], after[i], tolerance, "merging its own state changed prediction value " + i);
        }
        driver.drive(a, new Random(13), 8, 2);
        assertEquals(first, MetaLearnerTestKit.fingerprint(exported), "an export is a snapshot");

        Expert peer = maker.get();
        driver.drive(peer, new Random(14), 0, 8);
        ExpertState mine = a.exportState();
        ExpertState merged = ExpertState.sampleWeightedMean(mine, peer.exportState());
        assertDoesNotThrow(() -> a.mergeState(merged), "merging a peer's state");
        ExpertState now = a.exportState();
        assertTrue(now.isFinite(), "finite after a merge");
        assertEquals(shapes(mine), shapes(now), "a merge keeps the arrays and their lengths");
        for (double v : values(a, probe, board)) {
            assertTrue(Double.isFinite(v), "finite predictions after a merge");
        }

        Map<String, double[]> longer = new TreeMap<>();
        mine.weights().forEach((name, values) -> longer.put(name, java.util.Arrays.copyOf(values, values.length + 1)));
        Expert b = maker.get();
        driver.drive(b, new Random(15), 0, 3);
        assertThrows(RuntimeException.class, () -> b.mergeState(new ExpertState(mine.expert(), longer, mine.samples())),
                "a state of the wrong shape is refused");
    }

    private static Map<String, Integer> shapes(ExpertState state) {
        Map<String, Integer> out = new TreeMap<>();
        state.weights().forEach((name, values) -> out.put(name, values.length));
        return out;
    }

    private static double[] values(Expert e, Batch batch, SignalBoard board) {
        Prediction p = e.predict(batch, board);
        int width = Math.max(1, p.numClasses());
        double[] out = new double[batch.rows() * width];
        for (int r = 0; r < batch.rows(); r++) {
            for (int c = 0; c < width; c++) {
                out[r * width + c] = p.isClassification() ? p.probability(r, c) : p.value(r);
            }
        }
        return out;
    }
}
