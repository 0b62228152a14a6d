package io.scarcity.plugins.insight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.InsightStore;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class InsightMetaLearnerTest {
    /** The smallest store that does the job: every insight kept, per domain, oldest first. */
    private static final class ListStore implements InsightStore {
        private final Map<String, List<Insight>> byDomain = new HashMap<>();

        void add(List<Insight> insights) {
            for (Insight i : insights) {
                byDomain.computeIfAbsent(i.domain(), d -> new ArrayList<>()).add(i);
            }
        }

        @Override
        public Set<String> domains() {
            return new TreeSet<>(byDomain.keySet());
        }

        @Override
        public List<Insight> recent(String domain, int max) {
            List<Insight> all = byDomain.getOrDefault(domain, List.of());
            return List.copyOf(all.subList(Math.max(0, all.size() - max), all.size()));
        }

        @Override
        public int size(String domain) {
            return byDomain.getOrDefault(domain, List.of()).size();
        }
    }

    private static MetaLearner learner(Map<String, ?> config) {
        return new InsightMetaLearnerFactory().create(PluginConfig.of("metaLearner", config),
                PluginContext.standalone(1, null, "insight"));
    }

    private static ExpertReport report(String name, double loss, double learningRate) {
        return new ExpertReport(name, "statistical", loss, 100, 10, learningRate, Map.of());
    }

    private static FeatureMoments moments(Random random, int dims, int count) {
        double[] mean = new double[dims];
        double[] m2 = new double[dims];
        for (int j = 0; j < dims; j++) {
            mean[j] = random.nextGaussian();
            m2[j] = count * (1 + random.nextDouble());
        }
        return new FeatureMoments(count, mean, m2);
    }

    private static Insight insight(String client, String domain, int round, Map<String, ExpertReport> experts,
                                   Map<String, Double> signals, FeatureMoments moments) {
        return new Insight(client, domain, round, 100, Double.NaN, Double.NaN, experts, signals, moments);
    }

    @Test
    void learningRateHintFollowsTheClientsWithLowerLoss() {
        Random random = new Random(1);
        List<Insight> round = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            boolean fast = c % 2 == 0;
            round.add(insight("c" + c, "d", 1,
                    Map.of("stat", report("stat", fast ? 0.2 : 0.3, fast ? 0.1 : 0.01)), Map.of(), moments(random, 2, 50)));
        }
        ListStore store = new ListStore();
        store.add(round);
        MetaParameters p = learner(Map.of()).learn(1, round, store).get("d");
        double hint = p.learningRates().get("stat");
        assertTrue(Math.abs(Math.log(hint / 0.1)) < Math.abs(Math.log(hint / 0.01)), "hint " + hint);
        // Softmin weights 1 and exp(-0.1 / 0.05) per client: the exact geometric mean.
        double w = Math.exp(-2);
        assertEquals(Math.exp((5 * Math.log(0.1) + 5 * w * Math.log(0.01)) / (5 + 5 * w)), hint, 1e-12);

        MetaParameters sharp = learner(Map.of("temperature", 0.001)).learn(1, round, store).get("d");
        assertEquals(0.1, sharp.learningRates().get("stat"), 1e-9, "a low temperature keeps only the best rate");
    }

    @Test
    void consensusWeightsDecideWhoseRatesAndLossesCount() {
        Random random = new Random(3);
        List<Insight> round = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            boolean fast = c < 2;
            // the fast clients report the lower loss, so unweighted they win the hint
            round.add(insight("c" + c, "d", 1, Map.of("stat", report("stat", fast ? 0.2 : 0.3, fast ? 0.1 : 0.01)),
                    Map.of(), moments(random, 2, 20)));
        }
        ListStore store = new ListStore();
        store.add(round);
        double unweighted = learner(Map.of()).learn(1, round, store).get("d").learningRates().get("stat");
        // ...but if the coordinator does not trust them (silent, outliers), the slow clients' rate wins
        MetaParameters p = learner(Map.of()).learn(1, round, store,
                Map.of("c0", 0.0, "c1", 0.0, "c2", 1.0, "c3", 0.5)).get("d");
        assertTrue(unweighted > 0.05, "unweighted hint " + unweighted);
        assertEquals(0.01, p.learningRates().get("stat"), 1e-12);
        assertEquals(1 - 0.3, p.routerPriors().get("stat"), 1e-12, "prior from the trusted clients only");
        // nobody trusted: the unweighted estimate rather than nothing
        MetaParameters none = learner(Map.of()).learn(1, round, store,
                Map.of("c0", 0.0, "c1", 0.0, "c2", 0.0, "c3", 0.0)).get("d");
        assertEquals(unweighted, none.learningRates().get("stat"), 1e-12);
    }

    @Test
    void reportsWithoutRateOrLossGiveNoHint() {
        List<Insight> round = List.of(
                insight("a", "d", 1, Map.of("drift", report("drift", Double.NaN, Double.NaN),
                        "stat", report("stat", Double.NaN, 0.05)), Map.of(), new FeatureMoments(0, new double[1], new double[1])));
        ListStore store = new ListStore();
        store.add(round);
        MetaParameters p = learner(Map.of()).learn(1, round, store).get("d");
        assertTrue(p.learningRates().isEmpty());
        assertTrue(p.routerPriors().isEmpty());
    }

    @Test
    void priorsReflectEachExpertsLoss() {
        Random random = new Random(2);
        List<Insight> round = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            round.add(insight("c" + c, "d", 1, Map.of("good", report("good", 0.1 + 0.02 * c, 0.05),
                    "bad", report("bad", 0.5, Double.NaN)), Map.of(), moments(random, 2, 10)));
        }
        ListStore store = new ListStore();
        store.add(round);
        MetaParameters p = learner(Map.of()).learn(1, round, store).get("d");
        assertEquals(1 - 0.13, p.routerPriors().get("good"), 1e-12);
        assertEquals(0.5, p.routerPriors().get("bad"), 1e-12);
        assertFalse(p.learningRates().containsKey("bad"));

        // Squared errors outside [0, 1]: reward 1 / (1 + loss).
        List<Insight> regression = List.of(
                insight("r1", "r", 1, Map.of("a", report("a", 3.0, 0.1), "b", report("b", 0.5, 0.1)), Map.of(), moments(random, 1, 5)),
                insight("r2", "r", 1, Map.of("a", report("a", 1.0, 0.1)), Map.of(), moments(random, 1, 5)));
        store.add(regression);
        MetaParameters r = learner(Map.of()).learn(1, regression, store).get("r");
        assertEquals((0.25 + 0.5) / 2, r.routerPriors().get("a"), 1e-12);
        assertEquals(1 / 1.5, r.routerPriors().get("b"), 1e-12);
    }

    @Test
    void normalisationEqualsMomentsPooledDirectly() {
        Random random = new Random(3);
        List<Insight> round = new ArrayList<>();
        FeatureMoments expected = new FeatureMoments(0, new double[3], new double[3]);
        for (int c = 0; c < 6; c++) {
            FeatureMoments m = moments(random, 3, 20 + c);
            expected = expected.combine(m);
            round.add(insight("c" + c, "d", 1, Map.of(), Map.of(), m));
        }
        round.add(insight("odd", "d", 1, Map.of(), Map.of(), moments(random, 2, 1000)));
        ListStore store = new ListStore();
        store.add(round);
        MetaLearner learner = learner(Map.of());
        FeatureMoments pooled = learner.learn(1, round, store).get("d").normalisation();
        assertEquals(expected.count(), pooled.count());
        assertArrayEquals(expected.mean(), pooled.mean(), 1e-12);
        assertArrayEquals(expected.m2(), pooled.m2(), 1e-9);

        FeatureMoments wrongSize = learner.parametersFor("d", 5).normalisation();
        assertEquals(0, wrongSize.count());
        assertEquals(5, wrongSize.dimensions());
    }

    @Test
    void valuesCountClientsInsightsAndDrift() {
        Random random = new Random(4);
        ListStore store = new ListStore();
        MetaLearner learner = learner(Map.of("window", 5));
        MetaParameters last = null;
        for (int round = 1; round <= 4; round++) {
            List<Insight> insights = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                Map<String, Double> signals = c == 0 ? Map.of("drift.detected", round == 4 ? 1.0 : 0.0) : Map.of();
                insights.add(insight("c" + c, "d", round, Map.of(), signals, moments(random, 1, 10)));
            }
            store.add(insights);
            last = learner.learn(round, insights, store).get("d");
            assertEquals(round, last.round());
        }
        // The window holds the last 5 insights: c1 of round 2, both of rounds 3 and 4.
        assertEquals(5.0, last.values().get("insights"));
        assertEquals(2.0, last.values().get("clients"));
        assertEquals(0.5, last.values().get("drift.rate"), 1e-12, "c0 of rounds 3 and 4 report drift.detected 0 and 1");
        assertEquals(50, last.normalisation().count());
        assertEquals(last, learner.parametersFor("d", 1));
    }

    @Test
    void anUnknownDomainGetsAPooledColdStart() {
        Random random = new Random(5);
        List<Insight> round = new ArrayList<>();
        FeatureMoments expected = new FeatureMoments(0, new double[2], new double[2]);
        for (String domain : List.of("east", "west")) {
            for (int c = 0; c < 3; c++) {
                boolean fast = domain.equals("east");
                FeatureMoments m = moments(random, 2, 30);
                expected = expected.combine(m);
                round.add(insight(domain + c, domain, 1, Map.of("stat", report("stat", fast ? 0.1 : 0.4, fast ? 0.2 : 0.02)),
                        Map.of(), m));
            }
        }
        ListStore store = new ListStore();
        store.add(round);
        MetaLearner learner = learner(Map.of());
        Map<String, MetaParameters> learned = learner.learn(1, round, store);
        assertEquals(Set.of("east", "west"), learned.keySet());

        MetaParameters cold = learner.parametersFor("north", 2);
        assertEquals("north", cold.domain());
        assertEquals(1, cold.round());
        assertEquals(6.0, cold.values().get("clients"));
        double w = Math.exp(-0.3 / 0.05);
        assertEquals(Math.exp((3 * Math.log(0.2) + 3 * w * Math.log(0.02)) / (3 + 3 * w)), cold.learningRates().get("stat"), 1e-12,
                "the east clients' rate had the lower loss");
        assertEquals(1 - (0.1 * 3 + 0.4 * 3) / 6, cold.routerPriors().get("stat"), 1e-12);
        assertEquals(expected.count(), cold.normalisation().count());
        assertArrayEquals(expected.mean(), cold.normalisation().mean(), 1e-12);

        assertEquals(0, learner.parametersFor("north", 3).normalisation().count());
        assertEquals(3, learner.parametersFor("north", 3).normalisation().dimensions());
    }

    @Test
    void nothingKnownGivesNone() {
        MetaLearner learner = learner(Map.of());
        assertTrue(learner.learn(1, List.of(), new ListStore()).isEmpty());
        MetaParameters none = learner.parametersFor("d", 4);
        assertEquals("d", none.domain());
        assertEquals(0, none.round());
        assertTrue(none.learningRates().isEmpty());
        assertTrue(none.routerPriors().isEmpty());
        assertTrue(none.values().isEmpty());
        assertEquals(0, none.normalisation().count());
        assertEquals(4, none.normalisation().dimensions());
    }
}
