package io.scarcity.plugins.fedavg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertState;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.InsightStore;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.MetaLearnerTestKit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FedAvgMetaLearnerTest {
    /** The meta-learner reads nothing from the store: an empty one will do. */
    static final InsightStore EMPTY = MetaLearnerTestKit.EMPTY;

    static MetaLearner learner(Map<String, ?> config) {
        return new FedAvgMetaLearnerFactory().create(PluginConfig.of("metaLearner.config", config),
                PluginContext.standalone(1, null, "fedavg"));
    }

    static Insight insight(String client, String domain, int round, int features) {
        return new Insight(client, domain, round, 100, 0.9, 0.1, Map.of(), Map.of(),
                new FeatureMoments(10, new double[features], new double[features]));
    }

    static ExpertState state(long samples, Map<String, double[]> weights) {
        return new ExpertState("statistical", weights, samples);
    }

    /** Client a: 100 samples; client b: 300 samples. */
    static void twoClients(MetaLearner m, int round) {
        m.receiveStates(round, "a", "d", Map.of("stat", state(100, Map.of("mean", new double[] {1, 2}, "count", new double[] {10}))));
        m.receiveStates(round, "b", "d", Map.of("stat", state(300, Map.of("mean", new double[] {5, 6}, "count", new double[] {30}))));
    }

    @Test
    void twoClientsGiveTheExactSampleWeightedAverage() {
        MetaLearner m = learner(Map.of());
        twoClients(m, 1);
        m.receiveStates(1, "c", "e", Map.of("stat", state(7, Map.of("mean", new double[] {-1, -1}))));
        m.learn(1, List.of(insight("a", "d", 1, 2), insight("b", "d", 1, 2), insight("c", "e", 1, 2)), EMPTY, Map.of());
        ExpertState avg = m.statesFor("d").get("stat");
        // weights 100/400 = 0.25 and 300/400 = 0.75
        assertArrayEquals(new double[] {0.25 * 1 + 0.75 * 5, 0.25 * 2 + 0.75 * 6}, avg.weight("mean"));
        assertArrayEquals(new double[] {4.0, 5.0}, avg.weight("mean"));
        assertArrayEquals(new double[] {25.0}, avg.weight("count"));
        assertEquals(200, avg.samples(), "samples: the mean of the inputs' samples");
        assertEquals(Set.of("stat"), m.statesFor("d").keySet());
        // domains never mix
        assertArrayEquals(new double[] {-1, -1}, m.statesFor("e").get("stat").weight("mean"));
        assertEquals(7, m.statesFor("e").get("stat").samples());
    }

    @Test
    void consensusWeightingMultipliesSamplesByEachClientsWeight() {
        MetaLearner m = learner(Map.of("weighting", "consensus"));
        twoClients(m, 1);
        // a: 100 x 1.0 = 100, b: 300 x 0.2 = 60 -> 0.625 and 0.375
        m.learn(1, List.of(insight("a", "d", 1, 2), insight("b", "d", 1, 2)), EMPTY, Map.of("a", 1.0, "b", 0.2));
        ExpertState avg = m.statesFor("d").get("stat");
        assertArrayEquals(new double[] {2.5, 3.5}, avg.weight("mean"));
        assertArrayEquals(new double[] {0.625 * 10 + 0.375 * 30}, avg.weight("count"));
        assertEquals(200, avg.samples(), "samples stay the plain mean of the inputs' samples");

        // a client missing from the weights weighs 0
        twoClients(m, 2);
        m.learn(2, List.of(), EMPTY, Map.of("a", 0.5));
        assertArrayEquals(new double[] {1, 2}, m.statesFor("d").get("stat").weight("mean"));

        // nobody trusted: the sample weights rather than nothing
        twoClients(m, 3);
        m.learn(3, List.of(), EMPTY, Map.of("a", 0.0, "b", 0.0));
        assertArrayEquals(new double[] {4, 5}, m.statesFor("d").get("stat").weight("mean"));

        // the default weighting ignores the consensus weights
        MetaLearner bySamples = learner(Map.of());
        twoClients(bySamples, 1);
        bySamples.learn(1, List.of(), EMPTY, Map.of("a", 1.0, "b", 0.2));
        assertArrayEquals(new double[] {4, 5}, bySamples.statesFor("d").get("stat").weight("mean"));
    }

    @Test
    void mismatchedArraysAreTakenFromTheStateWithMostSamples() {
        MetaLearner m = learner(Map.of());
        m.receiveStates(1, "a", "d", Map.of("stat", new ExpertState("minor", Map.of("mean", new double[] {1, 2},
                "median", new double[] {9, 9, 9}, "onlyA", new double[] {7}), 100)));
        m.receiveStates(1, "b", "d", Map.of("stat", new ExpertState("major", Map.of("mean", new double[] {5, 6},
                "median", new double[] {1, 1}, "onlyB", new double[] {8}), 300)));
        m.learn(1, List.of(), EMPTY, Map.of());
        ExpertState avg = m.statesFor("d").get("stat");
        assertEquals("major", avg.expert());
        assertArrayEquals(new double[] {4, 5}, avg.weight("mean"), "same length everywhere: averaged");
        assertArrayEquals(new double[] {1, 1}, avg.weight("median"), "lengths differ: the major state's");
        assertArrayEquals(new double[] {8}, avg.weight("onlyB"));
        assertNull(avg.weight("onlyA"), "an array of a minor state alone is not kept");
        assertEquals(Set.of("mean", "median", "onlyB"), avg.weights().keySet());
    }

    @Test
    void zeroSamplesEverywhereGiveThePlainMean() {
        MetaLearner m = learner(Map.of());
        m.receiveStates(1, "a", "d", Map.of("stat", state(0, Map.of("mean", new double[] {1}))));
        m.receiveStates(1, "b", "d", Map.of("stat", state(0, Map.of("mean", new double[] {4}))));
        m.learn(1, List.of(), EMPTY, Map.of());
        assertArrayEquals(new double[] {2.5}, m.statesFor("d").get("stat").weight("mean"));
        assertEquals(0, m.statesFor("d").get("stat").samples());
    }

    @Test
    void aStateWithANonFiniteValueIsLeftOut() {
        MetaLearner m = learner(Map.of());
        twoClients(m, 1);
        m.receiveStates(1, "nan", "d", Map.of("stat", state(1000, Map.of("mean", new double[] {Double.NaN, 0}))));
        m.learn(1, List.of(), EMPTY, Map.of());
        assertArrayEquals(new double[] {4, 5}, m.statesFor("d").get("stat").weight("mean"));
    }

    @Test
    void nothingReceivedMeansNoStatesAndEachRoundAveragesOnlyItsOwnUploads() {
        MetaLearner m = learner(Map.of());
        assertTrue(m.statesFor("d").isEmpty());
        m.learn(1, List.of(insight("a", "d", 1, 2)), EMPTY, Map.of());
        assertTrue(m.statesFor("d").isEmpty(), "insights alone carry no weights");

        twoClients(m, 2);
        m.learn(2, List.of(), EMPTY, Map.of());
        // round 3: only c uploads; a's and b's round-2 states must not count again
        m.receiveStates(3, "c", "d", Map.of("stat", state(50, Map.of("mean", new double[] {-3, 3}))));
        m.learn(3, List.of(), EMPTY, Map.of());
        assertArrayEquals(new double[] {-3, 3}, m.statesFor("d").get("stat").weight("mean"));
        // round 4: nobody uploads; the latest average stays
        m.learn(4, List.of(insight("a", "d", 4, 2)), EMPTY, Map.of());
        assertArrayEquals(new double[] {-3, 3}, m.statesFor("d").get("stat").weight("mean"));
        assertTrue(m.statesFor("other").isEmpty());
    }

    @Test
    void uploadsOfARoundThatWasNeverLearnedAreDropped() {
        MetaLearner m = learner(Map.of());
        twoClients(m, 1);
        m.receiveStates(2, "c", "d", Map.of("stat", state(50, Map.of("mean", new double[] {-3, 3}))));
        m.learn(2, List.of(), EMPTY, Map.of());
        assertArrayEquals(new double[] {-3, 3}, m.statesFor("d").get("stat").weight("mean"));
        m.receiveStates(3, "c", "d", Map.of("stat", state(50, Map.of("mean", new double[] {1, 1}))));
        m.learn(4, List.of(), EMPTY, Map.of());
        assertArrayEquals(new double[] {-3, 3}, m.statesFor("d").get("stat").weight("mean"), "round 3's upload is not round 4's");
    }

    @Test
    void learnsNoMetaParametersButStampsTheRound() {
        MetaLearner m = learner(Map.of());
        assertEquals(MetaParameters.none("d", 3).round(), m.parametersFor("d", 3).round());
        assertEquals(0, m.parametersFor("d", 3).round());
        twoClients(m, 5);
        Map<String, MetaParameters> out = m.learn(5, List.of(insight("a", "d", 5, 2), insight("b", "d", 5, 2),
                insight("x", "e", 5, 4)), EMPTY, Map.of());
        assertEquals(Set.of("d", "e"), out.keySet());
        for (MetaParameters p : out.values()) {
            assertEquals(5, p.round());
            assertTrue(p.learningRates().isEmpty() && p.routerPriors().isEmpty() && p.values().isEmpty(), p.toString());
            assertEquals(0, p.normalisation().count());
        }
        assertEquals(2, out.get("d").normalisation().dimensions());
        assertEquals(4, out.get("e").normalisation().dimensions());
        MetaParameters later = m.parametersFor("d", 3);
        assertEquals(5, later.round());
        assertEquals(3, later.normalisation().dimensions());
        assertTrue(later.learningRates().isEmpty());
        assertEquals(0, m.parametersFor("unknown", 2).round());
    }
}
