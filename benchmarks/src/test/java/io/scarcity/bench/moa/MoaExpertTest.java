package io.scarcity.bench.moa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.yahoo.labs.samoa.instances.Attribute;
import com.yahoo.labs.samoa.instances.DenseInstance;
import com.yahoo.labs.samoa.instances.Instance;
import com.yahoo.labs.samoa.instances.Instances;
import com.yahoo.labs.samoa.instances.InstancesHeader;
import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.Task;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import moa.classifiers.trees.HoeffdingTree;
import org.junit.jupiter.api.Test;

class MoaExpertTest {
    private static final ExpertFactory HT = new HoeffdingTreeFactory();
    private static final ExpertFactory HAT = new HoeffdingAdaptiveTreeFactory();
    private static final ExpertFactory ARF = new AdaptiveRandomForestFactory();
    private static final SignalBoard SIGNALS = new InMemorySignalBoard();

    private static void report(String what, double accuracy) {
        System.out.printf(java.util.Locale.ROOT, "%s: %.4f%n", what, accuracy);
    }

    // ---- learning quality on SEA (10% label noise: 0.90 is the best possible) ----

    @Test
    void hoeffdingTreeLearnsSea() {
        byte[] correct = Sea.prequential(Sea.expert(HT, Map.of(), 7), Sea.batches(Sea.source(Map.of(), 1), 500, 100));
        double accuracy = Sea.accuracy(correct, 0, correct.length);
        report("moa-ht SEA 50,000 rows prequential accuracy", accuracy);
        assertTrue(accuracy > 0.85, "prequential accuracy " + accuracy);
    }

    @Test
    void hoeffdingAdaptiveTreeRecoversFromAnAbruptConceptChange() {
        Map<String, Object> drift = Map.of("drifts", List.of(Map.of("at", 25_000, "concept", 3)));
        List<Batch> batches = Sea.batches(Sea.source(drift, 2), 500, 100);
        byte[] correct = Sea.prequential(Sea.expert(HAT, Map.of(), 7), batches);
        double before = Sea.accuracy(correct, 15_000, 25_000);
        double justAfter = Sea.accuracy(correct, 25_000, 27_000);
        double recovered = Sea.accuracy(correct, 35_000, 50_000);
        report("moa-hat SEA rows 15,000-25,000 (before the change)", before);
        report("moa-hat SEA rows 25,000-27,000 (just after)", justAfter);
        report("moa-hat SEA rows 35,000-50,000 (recovered)", recovered);
        assertTrue(recovered > 0.85, "accuracy over rows 35,000-50,000 " + recovered);
        assertTrue(justAfter < before, "the change at row 25,000 should cost accuracy first: " + justAfter + " vs " + before);
    }

    @Test
    void adaptiveRandomForestLearnsSea() {
        byte[] correct = Sea.prequential(Sea.expert(ARF, Map.of(), 7), Sea.batches(Sea.source(Map.of(), 3), 200, 100));
        double accuracy = Sea.accuracy(correct, 0, correct.length);
        report("moa-arf (10 trees) SEA 20,000 rows prequential accuracy", accuracy);
        assertTrue(accuracy > 0.85, "prequential accuracy " + accuracy);
    }

    @Test
    void predictsExactlyWhatMoasOwnHoeffdingTreeVotesOnTheSameRows() {
        List<Batch> batches = Sea.batches(Sea.source(Map.of(), 10), 100, 100);
        Expert expert = Sea.expert(HT, Map.of(), 7);
        // MOA used directly: its own header and instances, one fresh instance per row
        List<Attribute> attributes = List.of(new Attribute("x1"), new Attribute("x2"), new Attribute("x3"),
                new Attribute("y", List.of("0", "1")));
        Instances data = new Instances("sea", attributes, 0);
        data.setClassIndex(3);
        InstancesHeader header = new InstancesHeader(data);
        HoeffdingTree moa = new HoeffdingTree();
        moa.prepareForUse();
        moa.setModelContext(header);
        int compared = 0;
        for (Batch b : batches) {
            Prediction p = expert.predict(b, SIGNALS);
            Instance[] rows = new Instance[b.rows()];
            for (int r = 0; r < b.rows(); r++) {
                rows[r] = new DenseInstance(1.0, new double[] {b.value(r, 0), b.value(r, 1), b.value(r, 2), b.label(r)});
                rows[r].setDataset(header);
                double[] votes = Arrays.copyOf(moa.getVotesForInstance(rows[r]), 2);
                double sum = votes[0] + votes[1];
                double p1 = sum > 0 ? votes[1] / sum : 0.5;
                assertEquals(p1, p.probability(r, 1), 1e-12, "row " + (b.firstRow() + r));
                compared++;
            }
            for (Instance row : rows) {
                moa.trainOnInstance(row);
            }
            expert.learn(b, new BatchOutcome(p, new double[b.rows()], 1), SIGNALS);
        }
        assertEquals(10_000, compared);
    }

    // ---- reproducibility ----

    /** Every probability predicted while learning {@code batches} prequentially. */
    private static double[] trace(Expert expert, List<Batch> batches) {
        double[] out = new double[batches.stream().mapToInt(Batch::rows).sum() * 2];
        int at = 0;
        for (Batch b : batches) {
            Prediction p = expert.predict(b, SIGNALS);
            for (int r = 0; r < b.rows(); r++) {
                out[at++] = p.probability(r, 0);
                out[at++] = p.probability(r, 1);
            }
            expert.learn(b, new BatchOutcome(p, new double[b.rows()], 1), SIGNALS);
        }
        return out;
    }

    @Test
    void sameSeedGivesIdenticalPredictions() {
        List<Batch> batches = Sea.batches(Sea.source(Map.of(), 4), 30, 100);
        for (ExpertFactory f : List.of(HT, HAT, ARF)) {
            assertArrayEquals(trace(Sea.expert(f, Map.of(), 11), batches), trace(Sea.expert(f, Map.of(), 11), batches),
                    f.name());
        }
        // the forest is randomised, and its seed comes from the context
        assertFalse(Arrays.equals(trace(Sea.expert(ARF, Map.of(), 11), batches), trace(Sea.expert(ARF, Map.of(), 12), batches)));
    }

    @Test
    void forestThreadsChangeNeitherPredictionsNorJvmExit() {
        List<Batch> batches = Sea.batches(Sea.source(Map.of(), 5), 20, 100);
        double[] single = trace(Sea.expert(ARF, Map.of(), 11), batches);
        double[] parallel = trace(Sea.expert(ARF, Map.of("threads", 2), 11), batches);
        assertArrayEquals(single, parallel);
        List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("moa-arf-")).toList();
        assertFalse(workers.isEmpty(), "the forest trained on its own threads");
        assertTrue(workers.stream().allMatch(Thread::isDaemon), "worker threads must not keep the JVM alive");
    }

    // ---- predictions ----

    @Test
    void probabilitiesAreWellFormedBeforeDuringAndAfterLearning() {
        List<Batch> batches = Sea.batches(Sea.source(Map.of(), 6), 40, 50);
        for (ExpertFactory f : List.of(HT, HAT, ARF)) {
            Expert expert = Sea.expert(f, Map.of(), 3);
            Prediction untrained = expert.predict(batches.get(0), SIGNALS);
            for (int r = 0; r < untrained.rows(); r++) {
                assertEquals(0.5, untrained.probability(r, 0), 1e-12, f.name() + " untrained is uniform");
            }
            for (Batch b : batches) {
                Prediction p = expert.predict(b, SIGNALS);
                assertEquals(b.rows(), p.rows());
                assertEquals(2, p.numClasses());
                for (int r = 0; r < p.rows(); r++) {
                    double a = p.probability(r, 0);
                    double c = p.probability(r, 1);
                    assertTrue(a >= 0 && c >= 0, f.name());
                    assertEquals(1.0, a + c, 1e-9, f.name());
                }
                expert.learn(b, new BatchOutcome(p, new double[b.rows()], 1), SIGNALS);
            }
        }
    }

    @Test
    void aClassNotSeenYetGetsProbabilityZeroNotAShortRow() {
        DataSchema three = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y", "z"));
        Expert expert = HT.create(PluginConfig.empty(), PluginContext.standalone(1, three, "moa-ht"));
        // only class 0 is ever seen: MOA's votes have length 1
        double[] x = new double[200];
        Arrays.setAll(x, i -> (i * 0.37) % 1);
        Batch onlyZeros = Batch.ofClasses(three, "d", 0, x, new int[100]);
        expert.learn(onlyZeros, new BatchOutcome(null, new double[100], 1), SIGNALS);
        Prediction p = expert.predict(onlyZeros, SIGNALS);
        assertEquals(3, p.numClasses());
        assertEquals(1.0, p.probability(0, 0), 1e-12);
        assertEquals(0.0, p.probability(0, 2), 1e-12);
    }

    @Test
    void votesBecomeProbabilities() {
        double[] out = new double[3];
        MoaExpert.toProbabilities(new double[] {1, 3, 0}, 3, out, 0);
        assertArrayEquals(new double[] {0.25, 0.75, 0}, out, 1e-12);
        MoaExpert.toProbabilities(new double[] {-2, Double.NaN, 4}, 3, out, 0);
        assertArrayEquals(new double[] {0, 0, 1}, out, 1e-12, "negative and NaN count 0");
        MoaExpert.toProbabilities(new double[] {0, 0, 0}, 3, out, 0);
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, out, 1e-12, "all zero: uniform");
        MoaExpert.toProbabilities(new double[0], 3, out, 0);
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, out, 1e-12, "empty: uniform");
        MoaExpert.toProbabilities(null, 3, out, 0);
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, out, 1e-12, "null: uniform");
        MoaExpert.toProbabilities(new double[] {1, 1}, 3, out, 0);
        assertArrayEquals(new double[] {0.5, 0.5, 0}, out, 1e-12, "short: padded with 0");
        MoaExpert.toProbabilities(new double[] {1, 1, 2, 50}, 3, out, 0);
        assertArrayEquals(new double[] {0.25, 0.25, 0.5}, out, 1e-12, "long: truncated");
        MoaExpert.toProbabilities(new double[] {1, Double.POSITIVE_INFINITY, 2}, 3, out, 0);
        assertArrayEquals(new double[] {0, 1, 0}, out, 1e-12, "+infinity wins");
        double[] wide = new double[6];
        MoaExpert.toProbabilities(new double[] {3, 1}, 2, wide, 4);
        assertArrayEquals(new double[] {0, 0, 0, 0, 0.75, 0.25}, wide, 1e-12, "written at the offset");
    }

    // ---- learning inputs ----

    @Test
    void rowWeightsReachMoa() {
        Batch batch = Sea.batches(Sea.source(Map.of(), 8), 1, 500).get(0);
        Expert weighted = Sea.expert(HT, Map.of(), 1);
        weighted.learn(batch.withWeights(filled(500, 2.5)), new BatchOutcome(null, new double[500], 1), SIGNALS);
        assertEquals(1250.0, ((MoaExpert) weighted).learner().trainingWeightSeenByModel(), 1e-9);
        Expert ignored = Sea.expert(HT, Map.of(), 1);
        ignored.learn(batch.withWeights(new double[500]), new BatchOutcome(null, new double[500], 1), SIGNALS);
        assertEquals(0.0, ((MoaExpert) ignored).learner().trainingWeightSeenByModel());
        assertEquals(0.5, ignored.predict(batch, SIGNALS).probability(0, 0), 1e-12, "weight 0 teaches nothing");
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void unlabelledBatchesAreIgnored() {
        Batch labelled = Sea.batches(Sea.source(Map.of(), 9), 1, 300).get(0);
        Batch unlabelled = Batch.ofClasses(Sea.SCHEMA, "sea", 0, labelled.featuresCopy(), null);
        for (ExpertFactory f : List.of(HT, HAT, ARF)) {
            Expert expert = Sea.expert(f, Map.of(), 1);
            expert.learn(unlabelled, new BatchOutcome(null, new double[0], 1), SIGNALS);
            assertEquals(0.0, ((MoaExpert) expert).learner().trainingWeightSeenByModel(), f.name());
            assertEquals(0.5, expert.predict(unlabelled, SIGNALS).probability(0, 0), 1e-12, f.name());
        }
    }

    @Test
    void aBatchOfAnotherShapeIsRefused() {
        DataSchema other = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y"));
        Expert expert = Sea.expert(HT, Map.of(), 1);
        Batch wrong = Batch.ofClasses(other, "d", 0, new double[] {1, 2}, new int[] {0});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> expert.predict(wrong, SIGNALS));
        assertTrue(e.getMessage().contains("3 features"), e.getMessage());
    }
}
