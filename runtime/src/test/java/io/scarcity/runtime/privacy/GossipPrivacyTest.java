package io.scarcity.runtime.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertState;
import io.scarcity.api.RowSums;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.runtime.config.DpConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Private gossip: noise calibrated per row, tables that merge as a union, the own total kept, checkpoints. */
class GossipPrivacyTest {
    private static DpConfig config(double epsilon) {
        return new DpConfig(epsilon, 1e-5, "gossip", null, null, null, "seeded", 2.0);
    }

    /** Row sums of a fixed chunk; pooled = the noised sums themselves plus their noise variances. */
    private static final class FixedSums implements RowSums {
        final List<Chunk> pending = new ArrayList<>();
        Map<String, double[]> adopted;

        void add(double[] values, long rows) {
            pending.add(new Chunk(Map.of("sum", values.clone()), Map.of("sum", 2.0), new double[] {0, 1}, rows));
        }

        @Override
        public void startRowSums(double bound) {
        }

        @Override
        public void sumRows(io.scarcity.api.Batch batch) {
        }

        @Override
        public List<Chunk> drainRowSums() {
            List<Chunk> out = List.copyOf(pending);
            pending.clear();
            return out;
        }

        @Override
        public Map<String, double[]> pooled(Chunk noised, Map<String, Double> noiseSd) {
            double[] v = noised.sums().get("sum");
            double[] var = new double[v.length];
            java.util.Arrays.fill(var, noiseSd.get("sum") * noiseSd.get("sum"));
            return Map.of("sum", v, "sum.noise", var);
        }

        @Override
        public double forgettingPerRow() {
            return 1.0;
        }

        @Override
        public void adoptPeerSums(Map<String, double[]> sums) {
            adopted = sums;
        }
    }

    /** The noise's spread is z times twice the row bound (one block), z calibrated so that one release spends epsilon. */
    @Test
    void eachValueGetsTheCalibratedNoiseAndEachRowCostsOneRelease() {
        GossipPrivacy p = new GossipPrivacy(config(4), 1, "c-1");
        FixedSums sums = new FixedSums();
        sums.add(new double[20_000], 100);
        assertEquals(0.0, p.rowEpsilon(null), "nothing released yet");
        p.roundPlayed(List.of("stat"), 100, true);
        ExpertState table = p.export("stat", sums);
        double[] noised = table.weight("o/" + p.origin() + "/sum");
        double sq = 0;
        for (double v : noised) {
            sq += v * v;
        }
        double sd = Math.sqrt(sq / noised.length);
        double expected = p.noiseMultiplier() * 2 * 2.0;
        assertEquals(expected, sd, expected * 0.03, "noise sd");
        assertEquals(expected * expected, table.weight("o/" + p.origin() + "/sum.noise")[0], expected * expected * 0.01);
        double spent = p.rowEpsilon(null);
        assertTrue(spent <= 4 * (1 + 1e-9) && spent > 3.9, "one release per row spends the budget: " + spent);
        // a second round with no new rows adds nothing to any row's loss
        p.roundPlayed(List.of("stat"), 100, false);
        p.export("stat", sums);
        assertEquals(spent, p.rowEpsilon(null), 1e-12);
        // composed with a client-level insight accountant, a row has spent more
        RdpAccountant insights = new RdpAccountant();
        insights.compose(RdpAccountant.noiseMultiplierFor(4, 1e-5, 1, 10), 1, 10);
        assertTrue(p.rowEpsilon(insights.rdp()) > spent);
    }

    /** Exports between rounds send the table as it is: a client releases at most once per round it played. */
    @Test
    void aClientReleasesOnlyAfterARoundItPlayed() {
        GossipPrivacy p = new GossipPrivacy(config(4), 1, "c-1");
        FixedSums sums = new FixedSums();
        sums.add(new double[] {5, 5}, 3);
        assertTrue(p.export("stat", sums).weights().isEmpty(), "no round played: nothing released");
        p.roundPlayed(List.of("stat"), 3, true);
        ExpertState first = p.export("stat", sums);
        assertEquals(1.0, first.weight("o/" + p.origin() + "/seq")[0]);
        ExpertState again = p.export("stat", sums);
        assertEquals(first.weights().keySet(), again.weights().keySet());
        assertArrayEquals(first.weight("o/" + p.origin() + "/sum"), again.weight("o/" + p.origin() + "/sum"), 0);
    }

    /** Tables merge per origin by the higher sequence number: commutative, idempotent, and one's own total never lost. */
    @Test
    void tablesMergeAsAUnionAndPeersAdoptOnlyTheOthers() {
        GossipPrivacy a = new GossipPrivacy(config(16), 1, "a");
        GossipPrivacy b = new GossipPrivacy(config(16), 1, "b");
        FixedSums sa = new FixedSums();
        FixedSums sb = new FixedSums();
        sa.add(new double[] {100, 100}, 10);
        sb.add(new double[] {-100, -100}, 10);
        a.roundPlayed(List.of("stat"), 10, true);
        b.roundPlayed(List.of("stat"), 10, true);
        ExpertState ta = a.export("stat", sa);
        ExpertState tb = b.export("stat", sb);
        ExpertState ab = GossipPrivacy.LAW.merge(ta, tb);
        ExpertState ba = GossipPrivacy.LAW.merge(tb, ta);
        assertEquals(ab.weights().keySet(), ba.weights().keySet());
        ExpertState twice = GossipPrivacy.LAW.merge(ab, ab);
        assertArrayEquals(ab.weight("o/" + a.origin() + "/sum"), twice.weight("o/" + a.origin() + "/sum"), 0);
        a.adopt("stat", ab, sa);
        b.adopt("stat", ab, sb);
        assertArrayEquals(tb.weight("o/" + b.origin() + "/sum"), sa.adopted.get("sum"), 0, "a adopts b's total only");
        assertArrayEquals(ta.weight("o/" + a.origin() + "/sum"), sb.adopted.get("sum"), 0, "b adopts a's total only");
        // a's next release; an old table from b does not take a's newer total back
        sa.add(new double[] {1, 1}, 1);
        a.roundPlayed(List.of("stat"), 1, true);
        ExpertState newer = a.export("stat", sa);
        assertEquals(2.0, newer.weight("o/" + a.origin() + "/seq")[0]);
        a.adopt("stat", ab, sa);
        assertArrayEquals(newer.weight("o/" + a.origin() + "/sum"), a.export("stat", sa).weight("o/" + a.origin() + "/sum"), 0);
        assertEquals(ab.weights().keySet().size(), GossipPrivacy.LAW.merge(newer, ab).weights().size());
        // a peer's forged copy of a's own total, with a higher number, is ignored by a
        Map<String, double[]> forged = new TreeMap<>(newer.weights());
        forged.put("o/" + a.origin() + "/seq", new double[] {99});
        forged.put("o/" + a.origin() + "/sum", new double[] {0, 0});
        a.adopt("stat", new ExpertState(GossipPrivacy.TABLE, forged, 0), sa);
        assertArrayEquals(newer.weight("o/" + a.origin() + "/sum"), a.export("stat", sa).weight("o/" + a.origin() + "/sum"), 0);
    }

    /** Two chunks of equal content in two releases get independent noise: a peer cannot tell they were equal. */
    @Test
    void equalChunksInTwoReleasesAreNoisedIndependently() {
        GossipPrivacy p = new GossipPrivacy(config(4), 1, "c");
        FixedSums sums = new FixedSums();
        sums.add(new double[] {1, 2, 3}, 3);
        p.roundPlayed(List.of("stat"), 3, true);
        double[] first = p.export("stat", sums).weight("o/" + p.origin() + "/sum");
        sums.add(new double[] {1, 2, 3}, 3);
        p.roundPlayed(List.of("stat"), 3, true);
        double[] total = p.export("stat", sums).weight("o/" + p.origin() + "/sum");
        double[] second = new double[3];
        for (int i = 0; i < 3; i++) {
            second[i] = total[i] - first[i];
        }
        assertTrue(!java.util.Arrays.equals(first, second), "the same content, other noise");
    }

    /** A checkpoint restores the secret, the tables and what is pending: the next release is the same. */
    @Test
    void aRestoredClientReleasesExactlyAsItWouldHave() throws IOException {
        GossipPrivacy p = new GossipPrivacy(new DpConfig(4.0, 1e-5, "gossip", null, null, null, null, 2.0), 1, "c");
        FixedSums sums = new FixedSums();
        sums.add(new double[] {1, 2, 3}, 3);
        p.roundPlayed(List.of("stat"), 3, true);
        p.export("stat", sums);
        p.roundPlayed(List.of("stat"), 4, true);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        p.saveState(new StateWriter(bytes));
        GossipPrivacy q = new GossipPrivacy(new DpConfig(4.0, 1e-5, "gossip", null, null, null, null, 2.0), 1, "c");
        q.restoreState(new StateReader(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(p.origin(), q.origin());
        FixedSums again = new FixedSums();
        sums.add(new double[] {4, 5, 6}, 3);
        again.add(new double[] {4, 5, 6}, 3);
        Map<String, double[]> mine = new TreeMap<>(p.export("stat", sums).weights());
        Map<String, double[]> restored = new TreeMap<>(q.export("stat", again).weights());
        assertEquals(mine.keySet(), restored.keySet());
        mine.forEach((k, v) -> assertArrayEquals(v, restored.get(k), 0, k));
    }
}
