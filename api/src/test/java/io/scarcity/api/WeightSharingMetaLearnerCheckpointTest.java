package io.scarcity.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WeightSharingMetaLearnerCheckpointTest {
    private static final InsightStore EMPTY = new InsightStore() {
        @Override
        public Set<String> domains() {
            return Set.of();
        }

        @Override
        public List<Insight> recent(String domain, int max) {
            return List.of();
        }

        @Override
        public int size(String domain) {
            return 0;
        }
    };

    /**
     * A subclass with state of its own: it counts its aggregations and adds the count to every state it
     * returns, so that a lost count shows in the output.
     */
    private static final class Counting extends WeightSharingMetaLearner {
        private long aggregations;

        @Override
        protected ExpertState aggregate(List<StateUploads.Upload> uploads, ExpertState previous, Map<String, Double> clientWeights) {
            aggregations++;
            ExpertState mean = ExpertState.weightedMean(states(uploads), samples(uploads));
            Map<String, double[]> weights = new java.util.TreeMap<>(mean.weights());
            weights.put("aggregations", new double[] {aggregations});
            return new ExpertState(mean.expert(), weights, mean.samples());
        }

        @Override
        protected void saveSubclassState(StateWriter out) throws IOException {
            out.writeInt(7);
            out.writeLong(aggregations);
        }

        @Override
        protected void restoreSubclassState(StateReader in) throws IOException {
            int version = in.readInt();
            if (version != 7) {
                throw new IOException("counting: unknown version " + version);
            }
            aggregations = in.readLong();
        }
    }

    private static ExpertState state(long samples, double... mean) {
        return new ExpertState("e", Map.of("mean", mean), samples);
    }

    private static Insight insight(String client, String domain, int round) {
        return new Insight(client, domain, round, 10, 0.5, 0.5, Map.of(), Map.of(),
                new FeatureMoments(1, new double[2], new double[2]));
    }

    private static void round(MetaLearner m, int round, double shift) {
        m.receiveStates(round, "a", "d", Map.of("x", state(10, 1 + shift, 2), "y", state(4, shift, shift)));
        m.receiveStates(round, "b", "d", Map.of("x", state(30, 5, 6 - shift)));
        m.receiveStates(round, "c", "e", Map.of("x", state(1, -shift, 0)));
        // a uploads again: replaces its first upload but keeps its place before b
        m.receiveStates(round, "a", "d", Map.of("x", state(20, 2 * shift, 1)));
    }

    private static byte[] save(Checkpointable c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        c.saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void restore(Checkpointable c, byte[] state) throws IOException {
        c.restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    private static void assertSame(MetaLearner a, MetaLearner b) {
        for (String domain : List.of("d", "e", "f")) {
            Map<String, ExpertState> sa = a.statesFor(domain);
            Map<String, ExpertState> sb = b.statesFor(domain);
            assertEquals(sa.keySet(), sb.keySet());
            for (String expert : sa.keySet()) {
                assertEquals(sa.get(expert).samples(), sb.get(expert).samples());
                assertEquals(sa.get(expert).weights().keySet(), sb.get(expert).weights().keySet());
                sa.get(expert).weights().forEach((name, values) ->
                        assertArrayEquals(values, sb.get(expert).weight(name), domain + "/" + expert + "/" + name));
            }
            assertEquals(a.parametersFor(domain, 2).round(), b.parametersFor(domain, 2).round());
        }
    }

    @Test
    void sharedStatesRoundsPendingUploadsAndTheSubclassStateAreRestored() throws IOException {
        Counting a = new Counting();
        for (int r = 1; r <= 3; r++) {
            round(a, r, r * 0.1);
            a.learn(r, List.of(insight("a", "d", r), insight("c", "e", r)), EMPTY, Map.of());
        }
        round(a, 4, 0.4); // received, not yet learned
        byte[] state = save(a);

        Counting b = new Counting();
        restore(b, state);
        assertEquals(a.aggregations, b.aggregations);
        assertArrayEquals(state, save(b));
        assertSame(a, b);

        for (Counting m : List.of(a, b)) {
            m.learn(4, List.of(insight("a", "d", 4)), EMPTY, Map.of());
        }
        assertSame(a, b);
        // Round 4 learned the uploads pending at the checkpoint: a's second upload (20 samples) and b's (30).
        assertEquals(25, b.statesFor("d").get("x").samples());
        assertEquals(4, b.parametersFor("d", 2).round());
        for (Counting m : List.of(a, b)) {
            round(m, 5, 0.5);
            m.learn(5, List.of(insight("b", "d", 5), insight("c", "e", 5)), EMPTY);
        }
        assertSame(a, b);
        assertEquals(a.aggregations, b.aggregations);
        assertArrayEquals(save(a), save(b));
    }

    @Test
    void theSubclassCanRefuseAndTheBaseIsThenUnchanged() throws IOException {
        Counting a = new Counting();
        round(a, 1, 0.1);
        a.learn(1, List.of(insight("a", "d", 1)), EMPTY);
        byte[] state = save(a);
        state[state.length - 9] = 8; // the subclass's version int, before its long
        Counting b = new Counting();
        IOException e = assertThrows(IOException.class, () -> restore(b, state));
        assertEquals("counting: unknown version 8", e.getMessage());
        assertEquals(Map.of(), b.statesFor("d"), "the base state was not applied");
        assertEquals(0, b.parametersFor("d", 2).round());
    }

    @Test
    void anUnknownBaseVersionIsRefusedNamingTheClass() throws IOException {
        byte[] state = save(new Counting());
        state[3] = 42;
        IOException e = assertThrows(IOException.class, () -> restore(new Counting(), state));
        assertTrue(e.getMessage().contains("Counting checkpoint: unknown format version 42"), e.getMessage());
    }

    @Test
    void anExpertStateWithNegativeSamplesIsRefused() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        out.writeInt(WeightSharingMetaLearner.STATE_VERSION);
        out.writeInt(1); // one domain
        out.writeString("d");
        out.writeInt(1); // one expert
        out.writeString("x");
        out.writeString("e");
        out.writeLong(-3); // samples
        out.writeInt(0);
        out.flush();
        IOException e = assertThrows(IOException.class, () -> restore(new Counting(), bytes.toByteArray()));
        assertTrue(e.getMessage().contains("invalid expert state"), e.getMessage());
    }
}
