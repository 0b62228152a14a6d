package io.scarcity.plugins.insight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.InsightStore;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class InsightCheckpointTest {
    /** A store that must never be read: the meta-learner keeps its own history. */
    static final InsightStore UNREADABLE = new InsightStore() {
        @Override
        public Set<String> domains() {
            throw new AssertionError("the store was read");
        }

        @Override
        public List<Insight> recent(String domain, int max) {
            throw new AssertionError("the store was read");
        }

        @Override
        public int size(String domain) {
            throw new AssertionError("the store was read");
        }
    };

    private static MetaLearner learner(Map<String, ?> config) {
        return new InsightMetaLearnerFactory().create(PluginConfig.of("metaLearner.config", config),
                PluginContext.standalone(1, null, "insight"));
    }

    private static byte[] save(MetaLearner learner) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        ((Checkpointable) learner).saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void restore(MetaLearner learner, byte[] state) throws IOException {
        ((Checkpointable) learner).restoreState(new StateReader(new ByteArrayInputStream(state)));
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

    static void assertSame(MetaParameters a, MetaParameters b) {
        assertEquals(a.domain(), b.domain());
        assertEquals(a.round(), b.round());
        // Double.equals compares the bits
        assertEquals(a.learningRates(), b.learningRates());
        assertEquals(a.routerPriors(), b.routerPriors());
        assertEquals(a.values(), b.values());
        assertEquals(a.normalisation().count(), b.normalisation().count());
        assertArrayEquals(a.normalisation().mean(), b.normalisation().mean());
        assertArrayEquals(a.normalisation().m2(), b.normalisation().m2());
    }

    @Test
    void aRestoredLearnerContinuesExactlyWithoutTheStore() throws IOException {
        MetaLearner a = learner(Map.of("window", 20));
        Random random = new Random(17);
        for (int r = 1; r <= 8; r++) {
            a.learn(r, round(random, r), UNREADABLE, weights(random));
        }
        byte[] state = save(a);
        MetaLearner b = learner(Map.of("window", 20));
        restore(b, state);
        assertArrayEquals(state, save(b), "the restored learner saves the same state");
        for (String domain : List.of("coast", "inland", "north")) {
            assertSame(a.parametersFor(domain, 3), b.parametersFor(domain, 3));
        }
        for (int r = 9; r <= 14; r++) {
            List<Insight> insights = round(random, r);
            Map<String, Double> w = weights(random);
            Map<String, MetaParameters> pa = a.learn(r, insights, UNREADABLE, w);
            Map<String, MetaParameters> pb = b.learn(r, insights, UNREADABLE, w);
            assertEquals(pa.keySet(), pb.keySet());
            for (String domain : pa.keySet()) {
                assertSame(pa.get(domain), pb.get(domain));
            }
            assertSame(a.parametersFor("north", 3), b.parametersFor("north", 3));
            assertSame(a.parametersFor("coast", 5), b.parametersFor("coast", 5));
        }
        assertTrue(a.parametersFor("coast", 3).values().containsKey("drift.loss-variance"));
    }

    @Test
    void aCheckpointOfAnotherVersionOrTruncatedIsRefused() throws IOException {
        MetaLearner a = learner(Map.of("window", 20));
        Random random = new Random(2);
        a.learn(1, round(random, 1), UNREADABLE);
        byte[] state = save(a);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(7);
        IOException version = assertThrows(IOException.class, () -> restore(learner(Map.of()), bytes.toByteArray()));
        assertTrue(version.getMessage().contains("version 7"), version.getMessage());

        MetaLearner untouched = learner(Map.of("window", 20));
        assertThrows(IOException.class, () -> restore(untouched, java.util.Arrays.copyOf(state, state.length - 5)));
        assertEquals(0, untouched.parametersFor("coast", 3).round(), "a failed restore leaves the learner as it was");
    }
}
