package io.scarcity.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.ConfigException;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.MixtureConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's mixing options: calibration, the reward the router sees, and which experts learn. */
class MixtureTest {
    /** The router's weights and only the routed experts learning: the mixture before the stacking default. */
    private static final MixtureConfig ROUTED = new MixtureConfig("temperature", "accuracy", "active", "router", 0.001, 0.0);

    /** Always gives class 0 probability {@code p0}; counts the rows it learned from. */
    static final class Fixed extends TwoClassExpert {
        final double p0;
        long learned;

        Fixed(double p0) {
            this.p0 = p0;
        }

        @Override
        double classZero(Batch batch, int r) {
            return p0;
        }

        @Override
        public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
            learned += batch.rows();
        }
    }

    /** Activates the first {@code k} candidates with equal weights and records every reward. */
    static final class Recording implements Router {
        final int k;
        final List<Map<String, Double>> rewards = new ArrayList<>();

        Recording(int k) {
            this.k = k;
        }

        @Override
        public Routing route(RoutingContext context) {
            return Routing.uniform(context.candidates().subList(0, k));
        }

        @Override
        public void reward(Routing routing, Map<String, Double> r) {
            rewards.add(Map.copyOf(r));
        }
    }

    /** 50 rows, labels alternating 0 and 1: every fixed expert is right on half of them. */
    static Batch half(long first) {
        double[] x = new double[100];
        int[] y = new int[50];
        for (int r = 0; r < 50; r++) {
            y[r] = r % 2;
        }
        return Batch.ofClasses(ClientNodeTest.SCHEMA, "d", first, x, y);
    }

    static ClientNode node(Router router, MixtureConfig mixture, Fixed... experts) {
        List<ExpertSlot> slots = new ArrayList<>();
        for (int i = 0; i < experts.length; i++) {
            slots.add(new ExpertSlot("e" + i, "fixed", experts[i]));
        }
        return new ClientNode("d-0", "d", ClientNodeTest.SCHEMA, slots, router, ClientNodeTest.client("").memory(), 0, 5, 20,
                List.of(), mixture);
    }

    @Test
    void likelihoodRewardsSeparateEquallyAccurateExpertsByHowSureTheyAre() {
        Recording accuracy = new Recording(2);
        node(accuracy, new MixtureConfig("none", "accuracy", "active", "router", 0.001, 0.0), new Fixed(1.0), new Fixed(0.6)).runRound(1, List.of(half(0)));
        assertEquals(0.5, accuracy.rewards.get(0).get("e0"), 1e-12);
        assertEquals(0.5, accuracy.rewards.get(0).get("e1"), 1e-12);

        Recording likelihood = new Recording(2);
        node(likelihood, new MixtureConfig("none", "likelihood", "active", "router", 0.001, 0.0), new Fixed(1.0), new Fixed(0.6))
                .runRound(1, List.of(half(0)));
        // geometric mean of the true class's probability: sqrt(0.6 * 0.4) for the fair one; the sure one
        // gives the true class 0 on half the rows (floored at 1e-12)
        assertEquals(Math.sqrt(0.24), likelihood.rewards.get(0).get("e1"), 1e-12);
        assertEquals(Math.sqrt(1e-12), likelihood.rewards.get(0).get("e0"), 1e-15);
    }

    @Test
    void calibrationSoftensAnOverconfidentExpertBeforeItIsMixed() {
        Fixed sure = new Fixed(0.999999);
        ClientNode raw = node(new Recording(1), new MixtureConfig("none", "accuracy", "active", "router", 0.001, 0.0), sure);
        ClientNode tempered = node(new Recording(1), new MixtureConfig("temperature", "accuracy", "active", "router", 0.001, 0.0), new Fixed(0.999999));
        List<Batch> batches = new ArrayList<>();
        for (int b = 0; b < 10; b++) {
            batches.add(half(50L * b));
        }
        ClientRoundResult r = raw.runRound(1, batches);
        ClientRoundResult t = tempered.runRound(1, batches);
        assertEquals(r.correct(), t.correct(), "tempering never changes which class an expert prefers");
        assertTrue(t.logLossSum() < 0.5 * r.logLossSum(), "log loss " + r.logLossSum() + " -> " + t.logLossSum());
        // fitted within the first round: in the second, the tempered expert's log loss is near a coin's
        ClientRoundResult t2 = tempered.runRound(2, batches);
        double perRow = t2.logLossSum() / t2.rows();
        assertTrue(perRow < Math.log(2) + 0.05, "tempered log loss per row " + perRow + ", a coin's is " + Math.log(2));
        assertTrue(raw.runRound(2, batches).logLossSum() / t2.rows() > 6, "raw stays overconfident");
        // the labels are a coin flip, so the fitted probability approaches 1/2: temperature far above 1
        double temperature = t2.metrics().plugins().get("calibration.e0.temperature");
        assertTrue(temperature > 5, "temperature " + temperature);
        assertFalse(r.metrics().plugins().containsKey("calibration.e0.temperature"));
        double p = tempered.evaluate(half(0)).probability(0, 0);
        assertTrue(p < 0.7 && p >= 0.5, "evaluated probability " + p);
    }

    @Test
    void trainingAllLetsExpertsTheRouterDidNotPickLearn() {
        Fixed a = new Fixed(0.6);
        Fixed b = new Fixed(0.6);
        ClientRoundResult active = node(new Recording(1), ROUTED, a, b).runRound(1, List.of(half(0)));
        assertEquals(50, a.learned);
        assertEquals(0, b.learned, "the router's choice saves the work of the others");
        assertEquals(0, active.metrics().experts().get("e1").samples());

        Fixed c = new Fixed(0.6);
        Fixed d = new Fixed(0.6);
        ClientRoundResult all = node(new Recording(1), new MixtureConfig("none", "accuracy", "all", "router", 0.001, 0.0), c, d)
                .runRound(1, List.of(half(0)));
        assertEquals(50, c.learned);
        assertEquals(50, d.learned);
        assertEquals(50, all.metrics().experts().get("e1").samples());
        assertEquals(0, all.metrics().experts().get("e1").activations(), "learning is not an activation");
    }

    @Test
    void theRoundCountsTheExpertBatchesTheRoutingSaved() {
        List<Batch> batches = List.of(half(0), half(50), half(100));
        ClientRoundResult active = node(new Recording(1), ROUTED, new Fixed(0.6), new Fixed(0.6), new Fixed(0.6))
                .runRound(1, batches);
        assertEquals(9, active.metrics().expertBatches(), "3 candidates x 3 batches");
        assertEquals(6, active.metrics().idleExpertBatches(), "2 of 3 experts do nothing on each batch");
        assertEquals(2.0 / 3, active.metrics().computeSaved(), 1e-12);
        ClientRoundResult two = node(new Recording(2), ROUTED, new Fixed(0.6), new Fixed(0.6), new Fixed(0.6))
                .runRound(1, batches);
        assertEquals(3, two.metrics().idleExpertBatches());
        ClientRoundResult all = node(new Recording(1), new MixtureConfig("none", "accuracy", "all", "router", 0.001, 0.0), new Fixed(0.6),
                new Fixed(0.6), new Fixed(0.6)).runRound(1, batches);
        assertEquals(9, all.metrics().expertBatches());
        assertEquals(0, all.metrics().idleExpertBatches(), "under training: all the others learn: nothing saved");
    }

    @Test
    void badMixtureOptionsNameTheKeyAndTheChoices() {
        String base = """
                name: t
                domains: [{name: d, clients: 1, stream: {type: sea}}]
                experts: [{plugin: statistical}]
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(base + "mixture: {calibration: platt}\n",
                "t.yaml", Path.of("."), Map.of(), List.of()));
        assertEquals("mixture.calibration", e.path());
        assertTrue(e.getMessage().contains("none, temperature") && e.getMessage().contains("platt"), e.getMessage());
        ConfigException r = assertThrows(ConfigException.class, () -> ConfigLoader.parse(base + "mixture: {reward: loss}\n",
                "t.yaml", Path.of("."), Map.of(), List.of()));
        assertEquals("mixture.reward", r.path());
        ConfigException u = assertThrows(ConfigException.class, () -> ConfigLoader.parse(base + "mixture: {trainng: all}\n",
                "t.yaml", Path.of("."), Map.of(), List.of()));
        assertEquals("mixture.trainng", u.path());
        assertEquals(MixtureConfig.DEFAULT, ConfigLoader.parse(base, "t.yaml", Path.of("."), Map.of(), List.of()).config().mixture());
        ConfigException c = assertThrows(ConfigException.class, () -> ConfigLoader.parse(base + "mixture: {combiner: stacking}\n",
                "t.yaml", Path.of("."), Map.of(), List.of()));
        assertEquals("mixture.combiner", c.path());
        assertTrue(c.getMessage().contains("router, hedge") && c.getMessage().contains("stacking"), c.getMessage());
        ConfigException s = assertThrows(ConfigException.class, () -> ConfigLoader.parse(base + "mixture: {share: 1.5}\n",
                "t.yaml", Path.of("."), Map.of(), List.of()));
        assertEquals("mixture.share", s.path());
        assertTrue(s.getMessage().contains("[0, 1)"), s.getMessage());
        ConfigException z = assertThrows(ConfigException.class, () -> ConfigLoader.parse(base + "mixture: {sleep: -0.1}\n",
                "t.yaml", Path.of("."), Map.of(), List.of()));
        assertEquals("mixture.sleep", z.path());
    }
}
