package io.scarcity.plugins.insight;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.testing.MetaLearnerTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kit's meta-learner contract, with a store that must never be read (the learner keeps its own
 * history), and the same round trip over rounds of the insight learner's own kind: drift and outlier
 * signals, moments with no rows, a cold-start domain and another feature count.
 */
class InsightCheckpointTest {
    private static Supplier<MetaLearner> maker(Map<String, ?> config) {
        return PluginTestKit.maker(new InsightMetaLearnerFactory(), config, PluginTestKit.context(1, null, "insight"));
    }

    /** A round of insights of 6 clients in 2 domains with two experts, drift signals and moments. */
    static List<Insight> round(Random random, int round) {
        List<Insight> insights = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            String domain = c < 4 ? "coast" : "inland";
            Map<String, ExpertReport> experts = new TreeMap<>();
            experts.put("fast", new ExpertReport("fast", "statistical", 0.1 + 0.3 * random.nextDouble(), 50, 3,
                    0.05 * Math.exp(0.3 * random.nextGaussian()), Map.of("statistical.outlier-rate", random.nextDouble() * 0.1)));
            experts.put("drift", new ExpertReport("drift", "drift", Double.NaN, 50, 0, Double.NaN,
                    Map.of("drift.detected", random.nextInt(10) == 0 ? 1.0 : 0.0)));
            double[] mean = new double[3];
            double[] m2 = new double[3];
            for (int j = 0; j < 3; j++) {
                mean[j] = random.nextGaussian();
                m2[j] = 50 * random.nextDouble();
            }
            insights.add(new Insight("client-" + c, domain, round, 50, 0.8, 0.2 + 0.1 * random.nextDouble(), experts,
                    Map.of("drift.detected", random.nextInt(8) == 0 ? 1.0 : 0.0, "drift.score", random.nextDouble()),
                    new FeatureMoments(random.nextInt(3) == 0 ? 0 : 50, mean, m2)));
        }
        return insights;
    }

    static Map<String, Double> weights(Random random) {
        Map<String, Double> w = new TreeMap<>();
        for (int c = 0; c < 6; c++) {
            w.put("client-" + c, random.nextDouble());
        }
        return w;
    }

    /**
     * Step {@code t} learns round {@code t + 1} of {@link #round}; its fingerprint: what was learned, and the
     * parameters of both domains, of a cold-start one and for 5 features.
     */
    private static final PluginTestKit.Driver<MetaLearner> ROUNDS = (m, random, from, steps) -> {
        List<String> out = new ArrayList<>();
        for (int t = from; t < from + steps; t++) {
            Map<String, MetaParameters> learned = m.learn(t + 1, round(random, t + 1), MetaLearnerTestKit.NEVER_READ, weights(random));
            StringBuilder s = new StringBuilder();
            new TreeMap<>(learned).forEach((domain, p) -> s.append("learned ").append(MetaLearnerTestKit.fingerprint(p)).append('\n'));
            for (String domain : List.of("coast", "inland", "north")) {
                s.append(MetaLearnerTestKit.fingerprint(m.parametersFor(domain, 3))).append('\n');
            }
            out.add(s.append(MetaLearnerTestKit.fingerprint(m.parametersFor("coast", 5))).toString());
        }
        return out;
    };

    @Test
    void aRestoredLearnerContinuesExactlyWithoutTheStore() throws IOException {
        MetaLearnerTestKit.assertCheckpointContract(maker(Map.of("window", 20)), "insight meta-learner", 17, 8,
                MetaLearnerTestKit.driver(insights -> MetaLearnerTestKit.NEVER_READ));
        MetaLearnerTestKit.assertCheckpointContract(maker(Map.of("window", 20)), "insight meta-learner", 17, 8, ROUNDS);
        // with a warm start, the clients' latest uploaded states are in the checkpoint too
        MetaLearnerTestKit.assertCheckpointContract(maker(Map.of("window", 20, "warmStart", true)), "insight meta-learner", 17, 8,
                MetaLearnerTestKit.driver(insights -> MetaLearnerTestKit.NEVER_READ));
        MetaLearner probe = maker(Map.of("window", 20)).get();
        ROUNDS.drive(probe, new Random(17), 0, 8);
        assertTrue(probe.parametersFor("coast", 3).values().containsKey("drift.loss-variance"), "the scenario learns loss variances");
    }
}
