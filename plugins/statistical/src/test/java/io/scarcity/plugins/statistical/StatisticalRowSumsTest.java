package io.scarcity.plugins.statistical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.RowSums;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.MergeLawKit;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Private gossip's row sums ({@link RowSums}): what one row contributes, and what the peers' sums give a client. */
class StatisticalRowSumsTest {
    private static final DataSchema CLASSES = ExpertTestKit.schema(12, 3);

    private static Supplier<Expert> maker(Map<String, Object> options) {
        return PluginTestKit.maker(new StatisticalExpertFactory(), options, PluginTestKit.context(5, CLASSES, "statistical"));
    }

    /**
     * Two clients on IID halves ({@code peerSums: shared}): one adopting the other's exact sums predicts about as well as
     * one learner on both.
     */
    @Test
    void exactPeerSumsReachTheUnionLearner() {
        MergeLawKit.Stream stream = new MergeLawKit.Stream(CLASSES, 77);
        Random rows = new Random(79);
        Supplier<Expert> maker = maker(Map.of("peerSums", "shared"));
        Expert a = maker.get();
        Expert b = maker.get();
        Expert union = maker.get();
        MetaParameters frame = frame(stream);
        for (Expert e : List.of(a, b, union)) {
            ((RowSums) e).startRowSums(3);
            e.adapt(frame, "statistical");
        }
        for (int t = 0; t < 6; t++) {
            Batch first = stream.batch(rows, 40L * t, 20);
            Batch second = stream.batch(rows, 40L * t + 20, 20);
            learn(a, first);
            learn(b, second);
            ((RowSums) b).sumRows(second);
            learn(union, first);
            learn(union, second);
        }
        RowSums peer = (RowSums) b;
        Map<String, double[]> pooled = new TreeMap<>();
        for (RowSums.Chunk c : peer.drainRowSums()) {
            assertEquals(120, c.rows());
            add(pooled, peer.pooled(c, Map.of("count", 0.0, "sum", 0.0, "square", 0.0)));
        }
        Batch test = stream.batch(new Random(80), 1_000_000, 3000);
        double alone = score(a, test);
        ((RowSums) a).adoptPeerSums(pooled);
        double together = score(a, test);
        double one = score(union, test);
        System.out.println("alone " + alone + " with the peer's sums " + together + " union " + one);
        assertTrue(together > alone, "the peer's sums help: " + together + " against " + alone);
        assertTrue(together >= one - 0.02, "and reach the union learner: " + together + " against " + one);
    }

    /**
     * By default ({@code peerSums: unseen}) the peers' sums inform only the classes a client has not seen: a client that
     * never saw class 2 predicts it after adopting a peer's sums, and its own classes' estimates stay its own.
     */
    @Test
    void byDefaultPeerSumsBringTheClassesAClientHasNotSeen() {
        MergeLawKit.Stream stream = new MergeLawKit.Stream(CLASSES, 91);
        Random rows = new Random(92);
        Supplier<Expert> maker = maker(Map.of());
        Expert a = maker.get();
        Expert b = maker.get();
        MetaParameters frame = frame(stream);
        for (Expert e : List.of(a, b)) {
            ((RowSums) e).startRowSums(3);
            e.adapt(frame, "statistical");
        }
        for (int t = 0; t < 6; t++) {
            Batch batch = stream.batch(rows, 40L * t, 40);
            boolean[] notTwo = new boolean[batch.rows()];
            for (int r = 0; r < batch.rows(); r++) {
                notTwo[r] = batch.label(r) != 2;
            }
            learn(a, batch.select(notTwo));
            learn(b, batch);
            ((RowSums) b).sumRows(batch);
        }
        Map<String, double[]> pooled = new TreeMap<>();
        for (RowSums.Chunk c : ((RowSums) b).drainRowSums()) {
            add(pooled, ((RowSums) b).pooled(c, Map.of("count", 0.0, "sum", 0.0, "square", 0.0)));
        }
        Batch test = stream.batch(new Random(93), 1_000_000, 3000);
        boolean[] two = new boolean[test.rows()];
        for (int r = 0; r < test.rows(); r++) {
            two[r] = test.label(r) == 2;
        }
        Batch twos = test.select(two);
        double[] before = a.exportState().weight("mean");
        assertEquals(0.0, score(a, twos), "class 2 cannot be predicted before");
        ((RowSums) a).adoptPeerSums(pooled);
        assertTrue(score(a, twos) > 0.5, "the peer's sums bring class 2: " + score(a, twos));
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, a.exportState().weight("mean"), 0,
                "the client's own estimates are not changed by the peers' sums");
    }

    /** Each row's contribution to a chunk is clipped: one row far outside the frame adds at most the stated bounds. */
    @Test
    void oneRowAddsAtMostTheStatedBounds() {
        MergeLawKit.Stream stream = new MergeLawKit.Stream(CLASSES, 5);
        Expert e = maker(Map.of()).get();
        ((RowSums) e).startRowSums(2);
        e.adapt(frame(stream), "statistical");
        Batch one = stream.batch(new Random(6), 0, 1);
        double[] values = new double[CLASSES.numFeatures()];
        java.util.Arrays.fill(values, 1e9);
        Batch extreme = Batch.ofClasses(CLASSES, "d", 0, values, new int[] {one.label(0)});
        learn(e, extreme);
        assertTrue(((RowSums) e).drainRowSums().isEmpty(), "learning sums nothing: the runtime hands the rows over");
        ((RowSums) e).sumRows(extreme);
        List<RowSums.Chunk> chunks = ((RowSums) e).drainRowSums();
        assertEquals(1, chunks.size());
        RowSums.Chunk c = chunks.get(0);
        for (String block : List.of("count", "sum", "square")) {
            double norm = 0;
            for (double v : c.sums().get(block)) {
                norm += v * v;
            }
            assertTrue(Math.sqrt(norm) <= c.rowBounds().get(block) * (1 + 1e-12), block + ": " + Math.sqrt(norm) + " > "
                    + c.rowBounds().get(block));
        }
        assertEquals(2 * Math.sqrt(CLASSES.numFeatures()), c.rowBounds().get("sum"), 1e-12);
        assertTrue(((RowSums) e).drainRowSums().isEmpty(), "drained: each row is released once");
        e.replay(extreme);
        learn(e, extreme);
        assertTrue(((RowSums) e).drainRowSums().isEmpty(), "replaying or learning a row again sums nothing");
    }

    private static void add(Map<String, double[]> into, Map<String, double[]> more) {
        more.forEach((k, v) -> into.merge(k, v.clone(), (x, y) -> {
            for (int i = 0; i < x.length; i++) {
                x[i] += y[i];
            }
            return x;
        }));
    }

    private static MetaParameters frame(MergeLawKit.Stream stream) {
        Batch big = stream.batch(new Random(5), 5_000_000, 4000);
        int d = big.numFeatures();
        double[] mean = new double[d];
        double[] m2 = new double[d];
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int r = 0; r < big.rows(); r++) {
                s += big.value(r, j);
            }
            mean[j] = s / big.rows();
            for (int r = 0; r < big.rows(); r++) {
                m2[j] += (big.value(r, j) - mean[j]) * (big.value(r, j) - mean[j]);
            }
        }
        return new MetaParameters("d", 1, Map.of(), Map.of(), new FeatureMoments(big.rows(), mean, m2), Map.of());
    }

    private static void learn(Expert e, Batch batch) {
        StatisticalMergeLawTest.learn(e, batch);
    }

    private static double score(Expert e, Batch test) {
        return StatisticalMergeLawTest.score(e, test);
    }
}
