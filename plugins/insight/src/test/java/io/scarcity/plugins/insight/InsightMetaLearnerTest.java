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
import io.scarcity.api.testing.MetaLearnerTestKit;
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

    /** A first insight without rows (and without dimensions) does not hide the moments the others carry. */
    @Test
    void anEmptyFirstInsightDoesNotHideThePooledMoments() {
        Random random = new Random(4);
        List<Insight> round = new ArrayList<>();
        round.add(insight("empty", "d", 1, Map.of(), Map.of(), new FeatureMoments(0, new double[0], new double[0])));
        FeatureMoments expected = new FeatureMoments(0, new double[3], new double[3]);
        for (int c = 0; c < 3; c++) {
            FeatureMoments m = moments(random, 3, 30);
            expected = expected.combine(m);
            round.add(insight("c" + c, "d", 1, Map.of(), Map.of(), m));
        }
        ListStore store = new ListStore();
        store.add(round);
        FeatureMoments pooled = learner(Map.of()).learn(1, round, store).get("d").normalisation();
        assertEquals(expected.count(), pooled.count());
        assertArrayEquals(expected.mean(), pooled.mean(), 1e-12);
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

    /**
     * A synthetic population in which each client's loss is its own difficulty plus a bowl in log rate
     * with its minimum at 0.02: {@code loss = d_i + 0.02 (ln lr - ln 0.02)^2 + noise}. Clients jitter
     * around the current hint 0.1 as the statistical expert does. The easy clients (low d_i) happen to
     * jitter around a higher rate than the hard ones, so raw losses favour high rates; improvements
     * between a client's consecutive rounds do not see d_i and point towards 0.02.
     */
    @Test
    void rateHintMovesTowardsTheRateWhereLossImproves() {
        double best = 0.02;
        double hint = 0.1;
        Random random = new Random(42);
        List<Insight> all = new ArrayList<>();
        int clients = 40;
        for (int round = 1; round <= 5; round++) {
            for (int c = 0; c < clients; c++) {
                boolean easy = c < clients / 2;
                double difficulty = easy ? 0.05 + 0.05 * (c % 3) : 0.3 + 0.05 * (c % 3);
                double rate = hint * Math.exp((easy ? 0.4 : -0.4) + 0.5 * random.nextGaussian());
                double bowl = Math.log(rate / best);
                double loss = difficulty + 0.02 * bowl * bowl + 0.005 * random.nextGaussian();
                all.add(insight("c" + c, "d", round, Map.of("stat", report("stat", loss, rate)), Map.of(),
                        moments(random, 1, 10)));
            }
        }
        MetaLearner improvements = learner(Map.of());
        MetaParameters p = null;
        for (int round = 1; round <= 5; round++) {
            int r = round;
            p = improvements.learn(round, all.stream().filter(i -> i.round() == r).toList(), MetaLearnerTestKit.NEVER_READ).get("d");
        }
        double learned = p.learningRates().get("stat");
        // what raw losses alone say: the easy clients' rates
        MetaLearner rawOnly = learner(Map.of());
        double raw = rawOnly.learn(5, all.stream().filter(i -> i.round() == 5).toList(), MetaLearnerTestKit.NEVER_READ)
                .get("d").learningRates().get("stat");
        assertTrue(raw > hint, "raw losses are confounded by difficulty and favour the easy clients' high rates: " + raw);
        assertTrue(learned < hint, "improvements move the hint from " + hint + " towards " + best + ": " + learned);
        assertTrue(Math.abs(Math.log(learned / best)) < Math.abs(Math.log(raw / best)), learned + " vs " + raw);

        // and the other way round: the best rate above the current one. With jitter sd 0.5 and a bowl
        // slope of 0.04 ln(0.01 / 0.05) = -0.064 per unit of ln rate, the softmax over improvements at
        // temperature 0.05 tilts the mean ln rate up by about 0.064 * 0.25 / 0.05 = 0.32.
        List<Insight> up = new ArrayList<>();
        Random r2 = new Random(7);
        for (int round = 1; round <= 5; round++) {
            for (int c = 0; c < 100; c++) {
                double rate = 0.01 * Math.exp(0.5 * r2.nextGaussian());
                double bowl = Math.log(rate / 0.05);
                up.add(insight("c" + c, "d", round, Map.of("stat", report("stat", 0.1 * (c % 5) + 0.02 * bowl * bowl, rate)),
                        Map.of(), moments(r2, 1, 10)));
            }
        }
        MetaLearner upward = learner(Map.of());
        double learnedUp = Double.NaN;
        for (int round = 1; round <= 5; round++) {
            int r = round;
            learnedUp = upward.learn(round, up.stream().filter(i -> i.round() == r).toList(), MetaLearnerTestKit.NEVER_READ)
                    .get("d").learningRates().get("stat");
        }
        assertTrue(learnedUp > 0.01 * Math.exp(0.15) && learnedUp < 0.05, "the hint rises from 0.01 towards 0.05: " + learnedUp);
    }

    @Test
    void lossVarianceIsThePooledWithinRoundVarianceOfUnitLosses() {
        List<Insight> round = List.of(
                new Insight("a", "d", 1, 100, 0.9, 0.1, Map.of(), Map.of(), new FeatureMoments(0, new double[1], new double[1])),
                new Insight("b", "d", 1, 50, 0.7, 0.3, Map.of(), Map.of(), new FeatureMoments(0, new double[1], new double[1])),
                new Insight("c", "d", 1, 1, 0.0, 1.0, Map.of(), Map.of(), new FeatureMoments(0, new double[1], new double[1])));
        MetaParameters p = learner(Map.of()).learn(1, round, MetaLearnerTestKit.NEVER_READ).get("d");
        // (100 * 0.1 * 0.9 + 50 * 0.3 * 0.7) / (99 + 49); the one-row insight has no spread to measure
        assertEquals((9 + 10.5) / 148, p.values().get("drift.loss-variance"), 1e-12);

        MetaParameters weighted = learner(Map.of()).learn(1, round, MetaLearnerTestKit.NEVER_READ,
                Map.of("a", 1.0, "b", 0.0, "c", 1.0)).get("d");
        assertEquals(0.09 * 100 / 99, weighted.values().get("drift.loss-variance"), 1e-12, "an untrusted client does not count");

        // one domain: its variance is the federation's, the scale 1
        assertEquals(1.0, p.values().get("drift.loss-scale"), 1e-12);
        List<Insight> two = new ArrayList<>(round);
        two.add(new Insight("e", "quiet", 1, 100, 0.98, 0.02, Map.of(), Map.of(), new FeatureMoments(0, new double[1], new double[1])));
        Map<String, MetaParameters> both = learner(Map.of()).learn(1, two, MetaLearnerTestKit.NEVER_READ);
        double all = (9 + 10.5 + 100 * 0.02 * 0.98) / (148 + 99);
        assertEquals(Math.sqrt((9 + 10.5) / 148 / all), both.get("d").values().get("drift.loss-scale"), 1e-12);
        assertEquals(0.5, both.get("quiet").values().get("drift.loss-scale"), 1e-12,
                "sqrt(0.0198 / 0.087) is below a half: clamped");

        List<Insight> perfect = List.of(new Insight("a", "d", 1, 100, 1.0, 0.0, Map.of(), Map.of(),
                new FeatureMoments(0, new double[1], new double[1])));
        assertFalse(learner(Map.of()).learn(1, perfect, MetaLearnerTestKit.NEVER_READ).get("d").values()
                .containsKey("drift.loss-variance"), "no variance, no threshold suggestion");
        List<Insight> squared = List.of(new Insight("a", "d", 1, 100, Double.NaN, 4.0, Map.of(), Map.of(),
                new FeatureMoments(0, new double[1], new double[1])));
        assertFalse(learner(Map.of()).learn(1, squared, MetaLearnerTestKit.NEVER_READ).get("d").values()
                .containsKey("drift.loss-variance"), "squared errors: the mean says nothing about the spread");
    }

    @Test
    void theWindowIsKeptIncrementallyAndSurvivesATrimmedStore() {
        Random random = new Random(6);
        MetaLearner learner = learner(Map.of("window", 3));
        ListStore store = new ListStore();
        for (int round = 1; round <= 4; round++) {
            List<Insight> insights = List.of(insight("c" + round, "d", round, Map.of(), Map.of(), moments(random, 2, 10)));
            store.add(insights);
            MetaParameters p = learner.learn(round, insights, MetaLearnerTestKit.NEVER_READ).get("d");
            assertEquals(Math.min(round, 3), p.values().get("insights"));
            assertEquals(10L * Math.min(round, 3), p.normalisation().count());
        }
    }
}
