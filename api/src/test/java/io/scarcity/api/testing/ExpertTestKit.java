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
import io.scarcity.api.ExpertSupervisor;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.Prediction;
import io.scarcity.api.RowCodec;
import io.scarcity.api.RowFilter;
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
 * a driver that runs an expert test-then-train as the runtime does (row filters and codecs included), the
 * gossip (export/merge) contract, {@link #assertCheckpointContract} in one call, and for supervisors a
 * driver over a {@link FakeSupervisedClient}.
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
     * with outliers one in four; consecutive rows but for a gap of 100 rows before step 6) is offered to the
     * expert first if it is a {@link RowFilter} (as many flags as rows; only the admitted rows go on, and an
     * emptied batch stops the step there), predicted (predicting experts), learned with the mixture's outcome
     * (a predicting expert's own; for others, losses drawn at a rate that rises from 0.1 to 0.6 at step 10),
     * then 6 labelled rows are replayed; every third step the expert adapts to coordinator hints
     * ({@code instanceName}'s rate, moments); at step 4 its learning rate is scaled; at step 6 an expert
     * with an importance is penalised around its own state (strength 100). A {@link RowCodec} encodes the
     * batch and decodes the codes. A step's fingerprint: the admitted rows, the prediction, the whole
     * signal board, the learning rate, the codes and decoded rows, and the exported state and importance
     * when it has them.
     */
    public static PluginTestKit.Driver<Expert> driver(DataSchema schema, String instanceName) {
        return (expert, random, from, steps) -> {
            List<String> out = new ArrayList<>();
            SignalBoard board = new InMemorySignalBoard();
            for (int t = from; t < from + steps; t++) {
                for (String signal : expert.capabilities().reads()) {
                    board.publish(signal, random.nextInt(8) == 0 ? 1.0 : 0.0);
                }
                Batch batch = batch(schema, random, 20L * t + (t >= 6 ? 100 : 0), 20, t % 5 != 3, t % 4 == 1);
                StringBuilder s = new StringBuilder();
                if (expert instanceof RowFilter filter) {
                    boolean[] admitted = filter.admit(batch, board);
                    if (admitted != null) {
                        assertEquals(batch.rows(), admitted.length, "one flag per row");
                        batch = batch.select(admitted);
                    }
                    s.append("admitted ").append(admitted == null ? "all" : java.util.Arrays.toString(admitted)).append('\n');
                    if (batch.rows() == 0) {
                        out.add(s.append("signals ").append(PluginTestKit.fingerprint(board.snapshot())).toString());
                        continue;
                    }
                }
                Prediction p = expert.capabilities().predicts() ? expert.predict(batch, board) : null;
                double[] losses = p != null ? losses(batch, p) : mixtureLosses(batch, random, t < 10 ? 0.1 : 0.6);
                expert.learn(batch, new BatchOutcome(p, losses, 1 + t / 3), board);
                if (expert.capabilities().predicts()) {
                    expert.replay(batch(schema, random, 0, 6, true, false));
                }
                if (t % 3 == 2) {
                    expert.adapt(parameters(schema, instanceName, random, 1 + t / 3), instanceName);
                }
                if (t == 4) {
                    expert.scaleLearningRate(0.25 + 3 * random.nextDouble());
                }
                if (t == 6 && expert.capabilities().gossipable() && expert.importance().isPresent()) {
                    s.append("penalised ").append(expert.penalise(expert.exportState(), expert.importance().get(), 100)).append('\n');
                }
                s.append(fingerprint(p)).append("\nsignals ").append(PluginTestKit.fingerprint(board.snapshot()))
                        .append("\nrate ").append(expert.learningRate());
                if (expert instanceof RowCodec codec) {
                    double[] codes = codec.encode(batch);
                    assertEquals(batch.rows() * codec.codeSize(), codes.length, "codes of every row");
                    s.append("\ncodes ").append(PluginTestKit.fingerprint(codes))
                            .append("\ndecoded ").append(PluginTestKit.fingerprint(codec.decode(codes, batch.rows())));
                }
                if (expert.capabilities().gossipable()) {
                    s.append("\nstate ").append(MetaLearnerTestKit.fingerprint(expert.exportState()));
                }
                expert.importance().ifPresent(i -> s.append("\nimportance ").append(MetaLearnerTestKit.fingerprint(i)));
                out.add(s.toString());
            }
            return out;
        };
    }

    /** The mixture's row losses for an expert that does not predict: 0/1 at {@code rate}; none for an unlabelled batch. */
    private static double[] mixtureLosses(Batch batch, Random random, double rate) {
        double[] losses = new double[batch.hasLabels() ? batch.rows() : 0];
        for (int r = 0; r < losses.length; r++) {
            losses[r] = random.nextDouble() < rate ? 1 : 0;
        }
        return losses;
    }

    /**
     * The client a supervisor is tested with: experts {@code a} (takes scales, gossipable with an
     * importance, both functions of the batch index), {@code b} (takes scales, not gossipable) and
     * {@code c} (takes no scales and declines penalties, gossipable with an importance); its memory holds
     * 12 rows.
     */
    public static FakeSupervisedClient supervisedClient() {
        FakeSupervisedClient client = new FakeSupervisedClient().add("a", true).add("b", true).add("c", false);
        for (String name : List.of("a", "c")) {
            FakeSupervisedClient.Supervised e = client.get(name);
            e.weights = b -> new ExpertState(name, Map.of("w", new double[] {b, -0.5 * b}, "bias", new double[] {1.0 / (1 + b)}), 10 * b);
            e.importance = b -> new ExpertState(name, Map.of("w", new double[] {b % 7, 0.25}, "bias", new double[] {0.1 * (b % 3)}),
                    10 * b);
        }
        client.get("c").appliesPenalties = false;
        client.memoryRows = 12;
        return client;
    }

    /**
     * The driver of a supervisor with its client, as the runtime calls it after every batch: the losses of
     * the client's experts rise for 30 batches, stay, then fall (with noise; {@code b} active on 60% of the
     * batches), a drift is published one batch in twelve; the supervisor learns a batch of {@code schema}
     * ({@code null}: none) on the client's board with the mixture's losses, then supervises the client, whose
     * batch index advances. A step's fingerprint: everything the supervisor set and asked of the client in
     * that step, and the board.
     */
    public static PluginTestKit.Driver<FakeSupervisedClient.Supervision> supervisionDriver(DataSchema schema) {
        return (supervision, random, from, steps) -> {
            List<String> out = new ArrayList<>();
            FakeSupervisedClient client = supervision.client();
            for (int t = from; t < from + steps; t++) {
                double level = t < 30 ? 0.2 + 0.01 * t : t < 50 ? 0.5 : 0.5 * Math.pow(0.97, t - 50);
                for (FakeSupervisedClient.Supervised e : client.experts.values()) {
                    e.loss = level * (1 + 0.2 * random.nextGaussian());
                }
                client.get("b").active = random.nextDouble() < 0.6;
                client.drift(random.nextInt(12) == 0);
                if (schema != null) {
                    Batch batch = batch(schema, random, 20L * t, 20, t % 5 != 3, false);
                    supervision.supervisor().learn(batch, new BatchOutcome(null, mixtureLosses(batch, random, level), 1 + t / 3),
                            client.signals);
                }
                client.clearCalls();
                client.step(supervision.supervising());
                out.add(client.fingerprint());
            }
            return out;
        };
    }

    /**
     * The checkpoint contract for experts made by {@code maker} over {@code schema}: determinism per
     * seed, the round trip ({@link PluginTestKit#assertRoundTrip}) after 14 steps continuing bit for bit
     * for 15 more, an unknown format version refused naming {@code component}, a learning-rate scale (if
     * the expert applies one) kept in the checkpoint of a fresh expert; for an
     * {@link ExpertSupervisor}, also {@link #assertSupervisionContract}.
     */
    public static void assertCheckpointContract(Supplier<Expert> maker, DataSchema schema, String instanceName,
            String component) throws IOException {
        PluginTestKit.Driver<Expert> driver = driver(schema, instanceName);
        boolean supervisor = maker.get() instanceof ExpertSupervisor;
        PluginTestKit.assertDeterministic(maker, driver, 7, 8);
        // a supervisor's state shows in what it asks of its client, not in this driver's outputs
        PluginTestKit.assertRoundTrip(maker, driver, 31, 14, 15, !supervisor);
        PluginTestKit.assertUnknownVersionRefused(maker, component);
        Expert scaled = maker.get();
        double rate = scaled.learningRate();
        if (scaled.scaleLearningRate(0.5)) {
            Expert restored = maker.get();
            PluginTestKit.restore(restored, PluginTestKit.save(scaled));
            assertEquals(0.5 * rate, restored.learningRate(), 1e-15, "the learning-rate scale is in the checkpoint");
        }
        if (supervisor) {
            assertSupervisionContract(maker, schema);
        }
    }

    /**
     * The checkpoint contract of a supervisor made by {@code maker}, with the client of
     * {@link #supervisedClient()} (checkpointed together: {@link FakeSupervisedClient.Supervision}):
     * determinism per seed, and the round trip after 40 batches continuing bit for bit for 40 more, in what
     * the supervisor sets and asks of the client and publishes.
     */
    public static void assertSupervisionContract(Supplier<Expert> maker, DataSchema schema) throws IOException {
        Supplier<FakeSupervisedClient.Supervision> supervised = () -> new FakeSupervisedClient.Supervision(maker.get(),
                supervisedClient());
        PluginTestKit.Driver<FakeSupervisedClient.Supervision> driver = supervisionDriver(schema);
        PluginTestKit.assertDeterministic(supervised, driver, 7, 30);
        PluginTestKit.assertRoundTrip(supervised, driver, 31, 40, 40);
    }

    /** A state with the names and shapes of {@code like}, every value {@code value}. */
    private static ExpertState filled(ExpertState like, double value) {
        Map<String, double[]> w = new TreeMap<>();
        like.weights().forEach((name, values) -> {
            double[] v = new double[values.length];
            java.util.Arrays.fill(v, value);
            w.put(name, v);
        });
        return new ExpertState(like.expert(), w, like.samples());
    }

    /** {@code state} with the array {@code name} replaced ({@code null}: removed). */
    private static ExpertState with(ExpertState state, String name, double[] values) {
        Map<String, double[]> w = new TreeMap<>(state.weights());
        if (values == null) {
            w.remove(name);
        } else {
            w.put(name, values);
        }
        return new ExpertState(state.expert(), w, state.samples());
    }

    /**
     * The EWC penalty contract of an expert that applies penalties ({@link Expert#penalise} answers true),
     * trained by {@link #driver} beforehand: strength 0, from the start or replacing a penalty, learns bit for
     * bit as no penalty does (and keeps nothing of it: the checkpoints are the same bytes); a later call replaces an earlier one (the expert learns as one that had the
     * later call only); and each bad call is refused with an {@link IllegalArgumentException} that changes
     * nothing: a negative, NaN or infinite strength (the message says "strength"), an anchor without an
     * array of the importance, with an array of another length or with a non-finite value, an importance
     * without an array of the anchor, with an array more, with an array of another length or a negative
     * value (the message names the array, in quotes), a strength and importances whose product overflows.
     *
     * @return the refusals' messages by case ({@code strength-negative}, {@code strength-nan},
     *         {@code strength-infinite}, {@code anchor-missing}, {@code anchor-length}, {@code anchor-non-finite},
     *         {@code importance-missing}, {@code importance-extra}, {@code importance-length},
     *         {@code importance-negative}, {@code overflow}), for checks of their wording
     */
    public static Map<String, String> assertPenaltyContract(Supplier<Expert> maker, DataSchema schema, String instanceName)
            throws IOException {
        PluginTestKit.Driver<Expert> driver = driver(schema, instanceName);
        Expert twin = maker.get();
        Expert zero = maker.get();
        Expert removed = maker.get();
        Expert once = maker.get();
        Expert twice = maker.get();
        List<Expert> all = List.of(twin, zero, removed, once, twice);
        for (Expert e : all) {
            driver.drive(e, new Random(1), 10, 10);
        }
        ExpertState anchor = twin.exportState();
        ExpertState fisher = twin.importance().orElseThrow(() -> new AssertionError("an expert that is penalised has an importance"));
        ExpertState ones = filled(fisher, 1.0);
        assertTrue(zero.penalise(anchor, fisher, 0), "strength 0 is applied");
        assertTrue(removed.penalise(anchor, ones, 1000));
        assertTrue(removed.penalise(anchor, fisher, 0));
        assertTrue(twice.penalise(anchor, ones, 1000));
        assertTrue(twice.penalise(anchor, fisher, 50));
        assertTrue(once.penalise(anchor, fisher, 50));
        for (Expert e : all) {
            driver.drive(e, new Random(2), 20, 10);
        }
        byte[] plain = PluginTestKit.save(twin);
        org.junit.jupiter.api.Assertions.assertArrayEquals(plain, PluginTestKit.save(zero), "strength 0 from the start is no penalty");
        org.junit.jupiter.api.Assertions.assertArrayEquals(plain, PluginTestKit.save(removed), "a penalty replaced by strength 0 is none");
        org.junit.jupiter.api.Assertions.assertArrayEquals(PluginTestKit.save(once), PluginTestKit.save(twice),
                "a later call replaces the penalty");

        Expert e = maker.get();
        driver.drive(e, new Random(1), 10, 3);
        ExpertState a = e.exportState();
        ExpertState f = e.importance().orElseThrow();
        byte[] before = PluginTestKit.save(e);
        String first = f.weights().keySet().iterator().next();
        double[] firstValues = f.weight(first);
        Map<String, String> messages = new TreeMap<>();
        refused(messages, "strength-negative", "strength", () -> e.penalise(a, f, -1));
        refused(messages, "strength-nan", "strength", () -> e.penalise(a, f, Double.NaN));
        refused(messages, "strength-infinite", "strength", () -> e.penalise(a, f, Double.POSITIVE_INFINITY));
        refused(messages, "anchor-missing", "'" + first + "'", () -> e.penalise(with(a, first, null), f, 1));
        refused(messages, "anchor-length", "'" + first + "'",
                () -> e.penalise(with(a, first, new double[a.weight(first).length + 1]), f, 1));
        double[] infinite = a.weight(first).clone();
        infinite[0] = Double.POSITIVE_INFINITY;
        refused(messages, "anchor-non-finite", "'" + first + "'", () -> e.penalise(with(a, first, infinite), f, 1));
        refused(messages, "importance-missing", "'" + first + "'", () -> e.penalise(a, with(f, first, null), 1));
        refused(messages, "importance-extra", "'bogus'", () -> e.penalise(a, with(f, "bogus", new double[1]), 1));
        refused(messages, "importance-length", "'" + first + "'",
                () -> e.penalise(a, with(f, first, new double[firstValues.length + 1]), 1));
        double[] negative = firstValues.clone();
        negative[negative.length - 1] = -0.5;
        refused(messages, "importance-negative", "'" + first + "'", () -> e.penalise(a, with(f, first, negative), 1));
        refused(messages, "overflow", "", () -> e.penalise(a, filled(f, 1e200), 1e200));
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, PluginTestKit.save(e), "refused penalties change nothing");
        return messages;
    }

    private static void refused(Map<String, String> messages, String which, String named, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, which + " is refused");
        assertTrue(e.getMessage().contains(named), which + ": the message names " + named + ": " + e.getMessage());
        messages.put(which, e.getMessage());
    }

    /**
     * The gossip contract of a gossipable expert: after training, {@code exportState} is finite and
     * stable (two exports alike, unchanged by later learning); merging its own state leaves its
     * predictions unchanged within {@code tolerance} (0: exactly; {@link Double#POSITIVE_INFINITY}: any change
     * but to a non-finite value, for an expert whose merge refreshes its model); the sample-weighted merge with the
     * state of a peer of the same config trained on other data is accepted and leaves the state finite
     * with the same arrays and lengths; a state whose arrays are each one longer is refused with an
     * exception.
     */
    public static void assertGossipContract(Supplier<Expert> maker, DataSchema schema, String instanceName, double tolerance) {
        assertGossipContract(maker, schema, instanceName, tolerance, io.scarcity.api.MergeLaw.MEAN);
    }

    /**
     * {@link #assertGossipContract(Supplier, DataSchema, String, double)} for a plugin with its own merge law
     * ({@link io.scarcity.api.ExpertFactory#mergeLaw}): its own state is adopted as the law merges it with itself,
     * and a peer's as the law merges the two.
     */
    public static void assertGossipContract(Supplier<Expert> maker, DataSchema schema, String instanceName, double tolerance,
                                            io.scarcity.api.MergeLaw law) {
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
        a.mergeState(law.merge(exported, exported));
        double[] after = values(a, probe, board);
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i], after[i], tolerance, "merging its own state changed prediction value " + i);
            assertTrue(Double.isFinite(after[i]) || !Double.isFinite(before[i]), "merging its own state made value " + i + " non-finite");
        }
        driver.drive(a, new Random(13), 8, 2);
        assertEquals(first, MetaLearnerTestKit.fingerprint(exported), "an export is a snapshot");

        Expert peer = maker.get();
        driver.drive(peer, new Random(14), 0, 8);
        ExpertState mine = a.exportState();
        ExpertState merged = law.merge(mine, peer.exportState());
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
