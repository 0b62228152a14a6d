package io.scarcity.plugins.fedavg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.ExpertState;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FedAvgCheckpointTest {
    private static final List<String> DOMAINS = List.of("d0", "d1", "d2");

    /**
     * One round's uploads: six clients over two domains, experts s and t with random arrays and sample
     * counts; now and then a non-finite state (left out), an array of another length, a missing expert,
     * or a client uploading twice (its second upload replaces the first).
     */
    static void upload(MetaLearner m, Random random, int round) {
        for (int c = 0; c < 6; c++) {
            Map<String, ExpertState> states = new TreeMap<>();
            for (String expert : List.of("s", "t")) {
                if (random.nextInt(8) == 0) {
                    continue;
                }
                double[] mean = new double[random.nextInt(10) == 0 ? 2 : 3];
                for (int i = 0; i < mean.length; i++) {
                    mean[i] = random.nextGaussian();
                }
                if (random.nextInt(12) == 0) {
                    mean[0] = Double.NaN;
                }
                states.put(expert, new ExpertState("statistical",
                        Map.of("mean", mean, "count", new double[] {random.nextInt(50)}), 1 + random.nextInt(500)));
            }
            String client = "c" + c;
            String domain = DOMAINS.get(c % 2);
            m.receiveStates(round, client, domain, states);
            if (random.nextInt(10) == 0) {
                m.receiveStates(round, client, domain, Map.of("s", new ExpertState("statistical",
                        Map.of("mean", new double[] {random.nextDouble(), 0, 1}), 3)));
            }
        }
    }

    /** Learns the round with insights from every client and random consensus weights. */
    static Map<String, MetaParameters> learn(MetaLearner m, Random random, int round) {
        List<Insight> insights = new ArrayList<>();
        Map<String, Double> weights = new TreeMap<>();
        for (int c = 0; c < 6; c++) {
            insights.add(new Insight("c" + c, DOMAINS.get(c % 2), round, 100, 0.9, 0.1, Map.of(), Map.of(),
                    new FeatureMoments(10, new double[3], new double[3])));
            weights.put("c" + c, random.nextDouble());
        }
        return m.learn(round, insights, FedAvgMetaLearnerTest.EMPTY, weights);
    }

    static byte[] save(MetaLearner m) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        ((Checkpointable) m).saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    static void restore(MetaLearner m, byte[] state) throws IOException {
        ((Checkpointable) m).restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    static void assertSameStates(MetaLearner expected, MetaLearner actual) {
        for (String domain : DOMAINS) {
            Map<String, ExpertState> e = expected.statesFor(domain);
            Map<String, ExpertState> a = actual.statesFor(domain);
            assertEquals(e.keySet(), a.keySet(), domain);
            for (String expert : e.keySet()) {
                assertEquals(e.get(expert).expert(), a.get(expert).expert());
                assertEquals(e.get(expert).samples(), a.get(expert).samples(), domain + "/" + expert);
                assertEquals(e.get(expert).weights().keySet(), a.get(expert).weights().keySet());
                for (String array : e.get(expert).weights().keySet()) {
                    assertArrayEquals(e.get(expert).weight(array), a.get(expert).weight(array), domain + "/" + expert + "/" + array);
                }
            }
            assertSameParameters(expected.parametersFor(domain, 3), actual.parametersFor(domain, 3));
        }
    }

    static void assertSameParameters(MetaParameters e, MetaParameters a) {
        assertEquals(e.domain(), a.domain());
        assertEquals(e.round(), a.round(), "round of " + e.domain());
        assertEquals(e.learningRates(), a.learningRates());
        assertEquals(e.routerPriors(), a.routerPriors());
        assertEquals(e.values(), a.values());
    }

    private static void continuesExactly(Map<String, ?> config) throws IOException {
        MetaLearner a = FedAvgMetaLearnerTest.learner(config);
        Random random = new Random(31);
        for (int round = 1; round <= 6; round++) {
            upload(a, random, round);
            learn(a, random, round);
        }
        // Saved between the uploads of round 7 and their learning, so the pending uploads count too.
        upload(a, random, 7);
        byte[] state = save(a);

        MetaLearner b = FedAvgMetaLearnerTest.learner(config);
        restore(b, state);
        assertArrayEquals(state, save(b), "a restored meta-learner saves what it was restored from");
        assertSameStates(a, b);

        long seed = random.nextLong();
        Random ra = new Random(seed);
        Random rb = new Random(seed);
        double[] beforeSeven = a.statesFor("d0").get("s").weight("mean");
        Map<String, MetaParameters> learnedA = learn(a, ra, 7);
        // Round 7 learns from the uploads pending at the checkpoint, so B must have them too.
        assertNotEquals(java.util.Arrays.toString(beforeSeven), java.util.Arrays.toString(a.statesFor("d0").get("s").weight("mean")));
        Map<String, MetaParameters> learnedB = learn(b, rb, 7);
        assertEquals(learnedA.keySet(), learnedB.keySet());
        for (String domain : learnedA.keySet()) {
            assertSameParameters(learnedA.get(domain), learnedB.get(domain));
        }
        assertSameStates(a, b);
        for (int round = 8; round <= 12; round++) {
            upload(a, ra, round);
            upload(b, rb, round);
            learn(a, ra, round);
            learn(b, rb, round);
            assertSameStates(a, b);
        }
        assertArrayEquals(save(a), save(b));
    }

    @Test
    void aRestoredFedAvgAggregatesExactlyAsTheSavedOne() throws IOException {
        continuesExactly(Map.of());
    }

    @Test
    void aRestoredConsensusWeightedFedAvgAggregatesExactlyAsTheSavedOne() throws IOException {
        continuesExactly(Map.of("weighting", "consensus"));
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        byte[] state = save(FedAvgMetaLearnerTest.learner(Map.of()));
        state[3] = 5; // the version int, big-endian
        IOException e = assertThrows(IOException.class, () -> restore(FedAvgMetaLearnerTest.learner(Map.of()), state));
        assertTrue(e.getMessage().contains("version 5"), e.getMessage());
    }

    @Test
    void aCorruptCheckpointIsRefusedAndChangesNothing() throws IOException {
        MetaLearner a = FedAvgMetaLearnerTest.learner(Map.of());
        Random random = new Random(4);
        upload(a, random, 1);
        learn(a, random, 1);
        byte[] state = save(a);
        MetaLearner b = FedAvgMetaLearnerTest.learner(Map.of());
        assertThrows(IOException.class, () -> restore(b, java.util.Arrays.copyOf(state, state.length / 2)));
        assertEquals(Map.of(), b.statesFor("d0"), "a refused checkpoint changes nothing");
        assertEquals(0, b.parametersFor("d0", 3).round());
    }
}
