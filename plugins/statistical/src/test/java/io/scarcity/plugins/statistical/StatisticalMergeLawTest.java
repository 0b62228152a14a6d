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

    /** Sufficient statistics pool exactly: one merge at the end reaches the union (the default law, and the mean law). */
    @Test
    void twoHalvesMergedLearnAsOneOnTheUnion() {
        System.out.println("statistical: " + MergeLawKit.assertMergeLaw(maker(CLASSES), law(), CLASSES, 4, 6, 0.01));
        System.out.println("statistical: " + MergeLawKit.assertMergeLaw(maker(CLASSES), law(), CLASSES, 15, 6, 0.01));
        Supplier<Expert> mean = PluginTestKit.maker(new StatisticalExpertFactory(), Map.of("mergeLaw", "mean"),
                PluginTestKit.context(5, CLASSES, "statistical"));
        System.out.println("statistical, mean: " + MergeLawKit.assertMergeLaw(mean, law(), CLASSES, 15, 6, 0.01));
    }

    /** The union law is the default: a state exports what it needs unless {@code mergeLaw: mean} is set. */
    @Test
    void theUnionLawIsTheDefault() {
        assertTrue(maker(CLASSES).get().exportState().weights().containsKey(UnionMerge.RETAINED));
        Expert mean = PluginTestKit.maker(new StatisticalExpertFactory(), Map.of("mergeLaw", "mean"),
                PluginTestKit.context(5, CLASSES, "statistical")).get();
        assertTrue(mean.exportState().weights().keySet().stream().noneMatch(k -> k.startsWith(UnionMerge.PREFIX)));
    }

    private static Supplier<Expert> union(double rate) {
        return PluginTestKit.maker(new StatisticalExpertFactory(), Map.of("mergeLaw", "union", "learningRate", rate),
                PluginTestKit.context(5, CLASSES, "statistical"));
    }

    /** The kit's law holds under the union law too, with one merge at the end and with a merge every batch. */
    @Test
    void theUnionLawMeetsTheKitsLaw() {
        System.out.println("statistical, union: " + MergeLawKit.assertMergeLaw(union(0.02), law(), CLASSES, 15, 6, 0.01));
        System.out.println("statistical, union, merging every batch: "
                + MergeLawKit.assertMergeLaw(union(0.02), law(), CLASSES, 15, 1, 6, 0.01));
    }

    /** A batch of {@code rows} rows of the three classes, class {@code c} centred at {@code shift * (c + 1)} on every feature. */
    private static Batch shifted(Random random, long first, int rows, double shift) {
        int features = CLASSES.numFeatures();
        double[] x = new double[rows * features];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = random.nextInt(3);
            for (int j = 0; j < features; j++) {
                x[r * features + j] = shift * (y[r] + 1) + random.nextGaussian();
            }
        }
        return Batch.ofClasses(CLASSES, "d", first, x, y);
    }

    /**
     * While the estimates are plain averages (fewer rows than the memory, {@code 1 / rate}), the union law is exact: two
     * clients that adopted one merged state and learned rows of their own since merge into the means and variances of
     * one learner that adopted the same state and then learned all of those rows. The mean law is not: it counts the
     * state they started from twice.
     */
    @Test
    void theUnionLawPoolsTheRowsSinceTheLastMergeExactly() {
        Supplier<Expert> make = union(0.0001);
        Random random = new Random(5);
        Expert a = make.get();
        Expert b = make.get();
        // told as many clients as merge, the law stands for them alone
        reached(a, 2);
        reached(b, 2);
        for (int t = 0; t < 4; t++) {
            learn(a, shifted(random, 100L * t, 40, 1.0));
            learn(b, shifted(random, 100L * t + 50, 40, 1.0));
        }
        ExpertState base = law().merge(a.exportState(), b.exportState());
        a.mergeState(base);
        b.mergeState(base);
        Expert one = make.get();
        one.mergeState(base);
        for (int t = 0; t < 3; t++) {
            Batch ba = shifted(random, 1000L + 100 * t, 30, 2.0);
            Batch bb = shifted(random, 1050L + 100 * t, 30, 2.0);
            learn(a, ba);
            learn(b, bb);
            learn(one, ba);
            learn(one, bb);
        }
        ExpertState merged = law().merge(a.exportState(), b.exportState());
        ExpertState truth = one.exportState();
        assertArrayEquals(truth.weight("mean"), merged.weight("mean"), 1e-9, "means of the union");
        assertArrayEquals(truth.weight("variance"), merged.weight("variance"), 1e-9, "variances of the union");
        assertArrayEquals(truth.weight("count"), merged.weight("count"), 1e-9, "rows of the union");
        double[] mean = ExpertState.sampleWeightedMean(a.exportState(), b.exportState()).weight("mean");
        double off = 0;
        for (int i = 0; i < mean.length; i++) {
            off = Math.max(off, Math.abs(mean[i] - truth.weight("mean")[i]));
        }
        assertTrue(off > 0.1, "the mean law counts the shared start twice: off by " + off);
    }

    /**
     * After a change, merging every batch by the union law forgets the old concept as fast as one learner on the union
     * of the rows, where the mean law keeps what every client still remembers of it: the merged class means stay far
     * closer to those of the union learner (here, well past the memory, the estimates are exponentially weighted).
     */
    @Test
    void afterAChangeTheUnionLawForgetsAtTheUnionsPace() {
        double[] distance = new double[2];
        for (int law = 0; law < 2; law++) {
            Supplier<Expert> make = law == 0 ? union(0.05) : PluginTestKit.maker(new StatisticalExpertFactory(),
                    Map.of("learningRate", 0.05, "mergeLaw", "mean"), PluginTestKit.context(5, CLASSES, "statistical"));
            Random random = new Random(9);
            Expert[] clients = {make.get(), make.get(), make.get(), make.get()};
            Expert one = make.get();
            for (int t = 0; t < 60; t++) {
                double shift = t < 40 ? 1.0 : -2.0;
                for (int k = 0; k < clients.length; k++) {
                    Batch batch = shifted(random, 1000L * t + 100 * k, 12, shift);
                    learn(clients[k], batch);
                    learn(one, batch);
                }
                ExpertState merged = shareWeights(clients);
                if (t == 42) {
                    distance[law] = meanDistance(merged.weight("mean"), one.exportState().weight("mean"));
                }
            }
        }
        assertTrue(distance[0] < 0.25 * distance[1], "three batches after the change, the merged means lie "
                + distance[0] + " from the union learner's under the union law, " + distance[1] + " under the mean law");
    }

    /** Tells {@code e} that the round reached {@code clients} clients of its domain, as the runtime does. */
    private static void reached(Expert e, int clients) {
        e.adapt(io.scarcity.api.MetaParameters.none("d", CLIENTS_FEATURES).with(io.scarcity.api.MetaParameters.CLIENTS, clients),
                "statistical");
    }

    private static final int CLIENTS_FEATURES = CLASSES.numFeatures();

    /**
     * Gossip merges pairs of a domain's clients. Told how many clients the round reached, a pair's merge after a detected
     * change stands for all of them: after a change that every client sees, four clients merging in pairs each batch
     * (partners rotating) stay close to weight sharing over all four by the same law, where pairs that stand for
     * themselves alone keep far more of the old concept. Told as many clients as merge, the law is unchanged.
     */
    @Test
    void aPairTakesTheDomainsClientsIntoAccount() {
        double[] distance = new double[2];
        for (int told = 0; told < 2; told++) {
            // no faster learning after the change (driftBoost 1), to see the law alone
            Supplier<Expert> make = PluginTestKit.maker(new StatisticalExpertFactory(), Map.of("learningRate", 0.05,
                    "driftBoost", 1), PluginTestKit.context(5, CLASSES, "statistical"));
            Random random = new Random(11);
            Expert[] pairs = {make.get(), make.get(), make.get(), make.get()};
            Expert[] all = {make.get(), make.get(), make.get(), make.get()};
            for (Expert e : pairs) {
                reached(e, told == 1 ? 4 : 0);
            }
            for (int t = 0; t < 50; t++) {
                double shift = t < 40 ? 1.0 : -2.0;
                for (int k = 0; k < 4; k++) {
                    Batch batch = shifted(random, 1000L * t + 100 * k, 12, shift);
                    // each client's drift detector sees the change on the batch where it happens
                    learn(pairs[k], batch, t == 40);
                    learn(all[k], batch, t == 40);
                }
                int partner = 1 + t % 3; // 0 with 1, 2 or 3, the other two together
                int[] other = java.util.stream.IntStream.range(1, 4).filter(k -> k != partner).toArray();
                for (int[] pair : new int[][] {{0, partner}, other}) {
                    ExpertState merged = law().merge(pairs[pair[0]].exportState(), pairs[pair[1]].exportState());
                    pairs[pair[0]].mergeState(merged);
                    pairs[pair[1]].mergeState(merged);
                }
                ExpertState shared = shareWeights(all);
                if (t == 42) {
                    distance[told] = meanDistance(pairs[0].exportState().weight("mean"), shared.weight("mean"));
                }
            }
        }
        assertTrue(distance[1] < 0.25 * distance[0], "three batches after the change, a pair's means lie " + distance[1]
                + " from weight sharing's when told of the four clients, " + distance[0] + " when not");
    }

    /**
     * Without a detected change since the last merge (nor a client still adapting to one), a pair stands for itself
     * alone, whatever the count of clients: the absent clients' rows are then better guessed by the adopted state than
     * by the pair's few rows (on label-skewed digits under DP insights, one exchange a round, standing for the domain
     * regardless cost 0.021 of accuracy).
     */
    @Test
    void withoutAChangeAPairStandsForItselfAlone() {
        Random random = new Random(13);
        Expert[] told = {union(0.05).get(), union(0.05).get()};
        Expert[] alone = {union(0.05).get(), union(0.05).get()};
        reached(told[0], 4);
        reached(told[1], 4);
        for (int t = 0; t < 30; t++) {
            for (int k = 0; k < 2; k++) {
                Batch batch = shifted(random, 1000L * t + 100 * k, 12, 1.0);
                learn(told[k], batch);
                learn(alone[k], batch);
            }
            ExpertState a = law().merge(told[0].exportState(), told[1].exportState());
            ExpertState b = law().merge(alone[0].exportState(), alone[1].exportState());
            assertArrayEquals(b.weight("mean"), a.weight("mean"), 0, "round " + t);
            for (int k = 0; k < 2; k++) {
                told[k].mergeState(a);
                alone[k].mergeState(b);
            }
        }
        // a change detected by one of them: from then on (until both adopt a merge) the pair stands for four
        learn(told[0], shifted(random, 99_000, 12, -2.0), true);
        learn(alone[0], shifted(random, 99_000, 12, -2.0), true);
        assertArrayEquals(new double[] {1}, told[0].exportState().weight(UnionMerge.CHANGED), 0);
        ExpertState a = law().merge(told[0].exportState(), told[1].exportState());
        ExpertState b = law().merge(alone[0].exportState(), alone[1].exportState());
        double off = 0;
        for (int i = 0; i < a.weight("mean").length; i++) {
            off = Math.max(off, Math.abs(a.weight("mean")[i] - b.weight("mean")[i]));
        }
        assertTrue(off > 0.01, "after a change the pair told of four clients merges differently: " + off);
        told[0].mergeState(a);
        assertArrayEquals(new double[] {1}, told[0].exportState().weight(UnionMerge.CHANGED), 0,
                "while the client still adapts (the drift boost's batches), it stands");
        for (int t = 0; t < 5; t++) {
            learn(told[0], shifted(random, 100_000L + 100 * t, 12, -2.0));
        }
        assertArrayEquals(new double[] {0}, told[0].exportState().weight(UnionMerge.CHANGED), 0,
                "the boost over and a state adopted since the change: it is cleared");
    }

    /** The clients a merge stands for travel in the state, and a merged state carries the largest of them. */
    @Test
    void theClientsAMergeStandsForTravelInTheState() {
        Expert a = union(0.02).get();
        Expert b = union(0.02).get();
        reached(a, 5);
        reached(b, 3);
        learn(a, shifted(new Random(1), 0, 30, 1.0));
        learn(b, shifted(new Random(2), 0, 30, 1.0));
        assertArrayEquals(new double[] {5}, a.exportState().weight(UnionMerge.CLIENTS), 0);
        assertArrayEquals(new double[] {5}, law().merge(a.exportState(), b.exportState()).weight(UnionMerge.CLIENTS), 0);
        // a peer's implausible count is capped: the merge stays finite
        java.util.Map<String, double[]> huge = new java.util.TreeMap<>(b.exportState().weights());
        huge.put(UnionMerge.CLIENTS, new double[] {Double.MAX_VALUE});
        ExpertState merged = law().merge(a.exportState(), new ExpertState(b.exportState().expert(), huge, 30));
        assertArrayEquals(new double[] {UnionMerge.MAX_CLIENTS}, merged.weight(UnionMerge.CLIENTS), 0);
        assertTrue(Arrays.stream(merged.weight("mean")).allMatch(Double::isFinite), "finite means");
        assertTrue(Arrays.stream(merged.weight("variance")).allMatch(Double::isFinite), "finite variances");
    }

    /** A state that carries only part of what the law needs is refused, naming the array, before anything is merged. */
    @Test
    void aStateMissingPartOfTheUnionArraysIsRefused() {
        Expert a = union(0.02).get();
        Expert b = union(0.02).get();
        learn(a, shifted(new Random(1), 0, 30, 1.0));
        learn(b, shifted(new Random(2), 0, 30, 1.0));
        ExpertState fresh = b.exportState();
        assertTrue(Double.isFinite(fresh.weight(UnionMerge.MEMORY)[0]));
        java.util.Map<String, double[]> partial = new java.util.TreeMap<>(fresh.weights());
        partial.remove(UnionMerge.BASE_MEAN);
        ExpertState broken = new ExpertState(fresh.expert(), partial, fresh.samples());
        var error = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> law().merge(a.exportState(), broken));
        assertTrue(error.getMessage().contains(UnionMerge.BASE_MEAN), error.getMessage());
        // a state never trained still exports finite arrays and merges
        ExpertState cold = union(0.02).get().exportState();
        assertTrue(Double.isFinite(cold.weight(UnionMerge.MEMORY)[0]));
        law().merge(a.exportState(), cold);
    }

    @Test
    void anUnknownMergeLawIsRefusedNamingTheChoices() {
        var error = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> PluginTestKit.maker(new StatisticalExpertFactory(), Map.of("mergeLaw", "sum"),
                        PluginTestKit.context(5, CLASSES, "statistical")).get());
        assertTrue(error.getMessage().contains("mergeLaw") && error.getMessage().contains("union"), error.getMessage());
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

    /** Weight sharing: every client's state merged with equal weights by the law, and adopted by every client. */
    private static ExpertState shareWeights(Expert[] clients) {
        java.util.List<ExpertState> states = new java.util.ArrayList<>();
        for (Expert c : clients) {
            states.add(c.exportState());
        }
        double[] weights = new double[clients.length];
        Arrays.fill(weights, 1);
        ExpertState merged = law().merge(states, weights);
        for (Expert c : clients) {
            c.mergeState(merged);
        }
        return merged;
    }

    /** The mean absolute difference of two arrays of one length. */
    private static double meanDistance(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / a.length;
    }

    static void learn(Expert e, Batch batch) {
        learn(e, batch, false);
    }

    /** Learns {@code batch}, with {@code drift.detected} on the board when {@code change}, as the drift expert writes it. */
    static void learn(Expert e, Batch batch, boolean change) {
        SignalBoard board = new InMemorySignalBoard();
        if (change) {
            board.publish(io.scarcity.api.StandardSignals.DRIFT_DETECTED, 1.0);
        }
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
