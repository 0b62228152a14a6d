package io.scarcity.plugins.reptile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.scarcity.plugins.fedavg.FedAvgMetaLearnerFactory;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReptileMetaLearnerTest {
    static final InsightStore EMPTY = MetaLearnerTestKit.EMPTY;

    static MetaLearner reptile(double epsilon) {
        return new ReptileMetaLearnerFactory().create(PluginConfig.of("metaLearner.config", Map.of("epsilon", epsilon)),
                PluginContext.standalone(1, null, "reptile"));
    }

    static Insight insight(String client, String domain, int round, int features) {
        return new Insight(client, domain, round, 100, 0.9, 0.1, Map.of(), Map.of(),
                new FeatureMoments(10, new double[features], new double[features]));
    }

    static ExpertState state(long samples, double... mean) {
        return new ExpertState("statistical", Map.of("mean", mean), samples);
    }

    static double[] phi(MetaLearner m, String domain, String expert) {
        return m.statesFor(domain).get(expert).weight("mean");
    }

    @Test
    void theFirstRoundSetsPhiToTheSampleWeightedMean() {
        MetaLearner m = reptile(0.5);
        m.receiveStates(1, "a", "d", Map.of("stat", state(100, 1, 2)));
        m.receiveStates(1, "b", "d", Map.of("stat", state(300, 5, 6)));
        m.learn(1, List.of(insight("a", "d", 1, 2)), EMPTY, Map.of("a", 1.0, "b", 0.0));
        assertArrayEquals(new double[] {4, 5}, phi(m, "d", "stat"), "consensus weights play no part in Reptile");
        assertEquals(200, m.statesFor("d").get("stat").samples());
    }

    @Test
    void laterRoundsStepPhiTowardTheMeanByEpsilon() {
        for (double epsilon : new double[] {0.5, 0.25}) {
            MetaLearner m = reptile(epsilon);
            m.receiveStates(1, "a", "d", Map.of("stat", state(100, 2, 4)));
            m.learn(1, List.of(), EMPTY, Map.of());
            assertArrayEquals(new double[] {2, 4}, phi(m, "d", "stat"));
            // round 2: mean = 0.25 * [1, 2] + 0.75 * [5, 6] = [4, 5]
            m.receiveStates(2, "a", "d", Map.of("stat", state(100, 1, 2)));
            m.receiveStates(2, "b", "d", Map.of("stat", state(300, 5, 6)));
            m.learn(2, List.of(), EMPTY, Map.of());
            double[] expected = epsilon == 0.5 ? new double[] {3, 4.5} : new double[] {2.5, 4.25};
            assertArrayEquals(expected, phi(m, "d", "stat"), "epsilon " + epsilon);
            assertEquals(200, m.statesFor("d").get("stat").samples(), "phi's samples: the mean sample count");
            // round 3: nobody of the domain uploads; phi stays
            m.learn(3, List.of(insight("a", "d", 3, 2)), EMPTY, Map.of());
            assertArrayEquals(expected, phi(m, "d", "stat"));
        }
    }

    @Test
    void epsilonOneEqualsFedAvgValueForValue() {
        MetaLearner reptile = reptile(1.0);
        MetaLearner half = reptile(0.5);
        MetaLearner fedavg = new FedAvgMetaLearnerFactory().create(PluginConfig.empty(), PluginContext.standalone(1, null, "fedavg"));
        Random random = new Random(11);
        boolean halfDiffers = false;
        for (int round = 1; round <= 6; round++) {
            for (int c = 0; c < 5; c++) {
                String domain = c < 3 ? "d" : "e";
                Map<String, ExpertState> states = new TreeMap<>();
                for (String expert : List.of("fast", "slow")) {
                    double[] w = new double[4];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = random.nextGaussian() * Math.pow(10, random.nextInt(6) - 3);
                    }
                    states.put(expert, new ExpertState("statistical",
                            Map.of("mean", w, "prior", new double[] {random.nextDouble()}), 1 + random.nextInt(500)));
                }
                for (MetaLearner m : List.of(reptile, half, fedavg)) {
                    m.receiveStates(round, "c" + c, domain, states);
                }
            }
            List<Insight> insights = List.of(insight("c0", "d", round, 2), insight("c3", "e", round, 2));
            Map<String, MetaParameters> r = reptile.learn(round, insights, EMPTY, Map.of());
            half.learn(round, insights, EMPTY, Map.of());
            Map<String, MetaParameters> f = fedavg.learn(round, insights, EMPTY, Map.of());
            assertEquals(f.keySet(), r.keySet());
            for (String domain : f.keySet()) {
                assertEquals(f.get(domain).round(), r.get(domain).round());
                assertEquals(f.get(domain).normalisation().dimensions(), r.get(domain).normalisation().dimensions());
            }
            for (String domain : List.of("d", "e")) {
                assertEquals(fedavg.statesFor(domain).keySet(), reptile.statesFor(domain).keySet());
                for (String expert : List.of("fast", "slow")) {
                    ExpertState a = fedavg.statesFor(domain).get(expert);
                    ExpertState b = reptile.statesFor(domain).get(expert);
                    assertEquals(a.samples(), b.samples());
                    assertEquals(a.weights().keySet(), b.weights().keySet());
                    for (String array : a.weights().keySet()) {
                        // exact: no tolerance
                        assertArrayEquals(a.weight(array), b.weight(array), domain + "/" + expert + "/" + array + " round " + round);
                        halfDiffers |= !java.util.Arrays.equals(a.weight(array), half.statesFor(domain).get(expert).weight(array));
                    }
                }
            }
        }
        assertTrue(halfDiffers, "epsilon 0.5 must not equal FedAvg (else this test proves nothing)");
    }

    @Test
    void mismatchedLengthsKeepTheMajorStatesArrayAndANewShapeReplacesPhi() {
        MetaLearner m = reptile(0.5);
        m.receiveStates(1, "a", "d", Map.of("stat", new ExpertState("statistical",
                Map.of("mean", new double[] {0, 0}, "median", new double[] {9, 9, 9}), 100)));
        m.receiveStates(1, "b", "d", Map.of("stat", new ExpertState("statistical",
                Map.of("mean", new double[] {4, 8}, "median", new double[] {1, 1}), 300)));
        m.learn(1, List.of(), EMPTY, Map.of());
        ExpertState first = m.statesFor("d").get("stat");
        assertArrayEquals(new double[] {3, 6}, first.weight("mean"));
        assertArrayEquals(new double[] {1, 1}, first.weight("median"), "lengths differ across clients: the major state's");

        m.receiveStates(2, "a", "d", Map.of("stat", new ExpertState("statistical",
                Map.of("mean", new double[] {5, 8}, "median", new double[] {2, 2, 2}), 100)));
        m.learn(2, List.of(), EMPTY, Map.of());
        ExpertState second = m.statesFor("d").get("stat");
        assertArrayEquals(new double[] {4, 7}, second.weight("mean"), "phi + 0.5 (mean - phi)");
        assertArrayEquals(new double[] {2, 2, 2}, second.weight("median"), "phi has another length: the mean's array");
    }

    @Test
    void nothingReceivedMeansNoStatesAndNoParameters() {
        MetaLearner m = reptile(0.5);
        assertTrue(m.statesFor("d").isEmpty());
        Map<String, MetaParameters> out = m.learn(1, List.of(insight("a", "d", 1, 3)), EMPTY, Map.of());
        assertTrue(m.statesFor("d").isEmpty());
        MetaParameters p = out.get("d");
        assertEquals(1, p.round());
        assertTrue(p.learningRates().isEmpty() && p.routerPriors().isEmpty() && p.values().isEmpty());
        assertEquals(3, p.normalisation().dimensions());
        assertEquals(0, p.normalisation().count());
        assertEquals(1, m.parametersFor("d", 5).round());
        assertEquals(5, m.parametersFor("d", 5).normalisation().dimensions());
        assertEquals(0, m.parametersFor("new", 2).round());
    }

    @Test
    void aNewClientOfTheDomainStartsFromPhiAndAnotherDomainFromNothing() {
        MetaLearner m = reptile(0.5);
        m.receiveStates(1, "a", "d", Map.of("stat", state(10, 1, 1), "slow", state(10, 2, 2)));
        m.receiveStates(1, "b", "d", Map.of("stat", state(30, 5, 5), "slow", state(30, 2, 2)));
        m.learn(1, List.of(), EMPTY, Map.of());
        Map<String, ExpertState> start = m.statesFor("d");
        assertEquals(Set.of("slow", "stat"), start.keySet());
        assertArrayEquals(new double[] {4, 4}, start.get("stat").weight("mean"));
        assertArrayEquals(new double[] {2, 2}, start.get("slow").weight("mean"));
        assertFalse(m.statesFor("e").containsKey("stat"));
    }

    @Test
    void aStateWithANonFiniteValueIsLeftOut() {
        MetaLearner m = reptile(0.5);
        m.receiveStates(1, "a", "d", Map.of("stat", state(10, 1, 1)));
        m.receiveStates(1, "inf", "d", Map.of("stat", state(1000, Double.POSITIVE_INFINITY, 0)));
        m.learn(1, List.of(), EMPTY, Map.of());
        assertArrayEquals(new double[] {1, 1}, phi(m, "d", "stat"));
        m.receiveStates(2, "nan", "d", Map.of("stat", state(1000, Double.NaN, 0)));
        m.learn(2, List.of(), EMPTY, Map.of());
        assertArrayEquals(new double[] {1, 1}, phi(m, "d", "stat"), "all states unusable: phi stays");
    }
}
