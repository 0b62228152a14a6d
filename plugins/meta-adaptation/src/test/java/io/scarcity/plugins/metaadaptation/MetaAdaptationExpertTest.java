package io.scarcity.plugins.metaadaptation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.testing.FakeSupervisedClient;
import io.scarcity.api.testing.PluginTestKit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Known answers of the rule, the hypergradient method, freezing and thawing, on fake experts. */
class MetaAdaptationExpertTest {
    private static final String SCALE_A = MetaAdaptationExpert.SCALE_PREFIX + "a";

    private static MetaAdaptationExpert expert(Map<String, ?> config, PluginTestKit.RecordingMetrics sink) {
        return (MetaAdaptationExpert) new MetaAdaptationExpertFactory().create(PluginConfig.of("experts[1].config", config),
                PluginTestKit.withMetrics(new PluginContext() { }, sink));
    }

    private static MetaAdaptationExpert expert(Map<String, ?> config) {
        return expert(config, new PluginTestKit.RecordingMetrics());
    }

    private static Map<String, Object> rule(Object... more) {
        Map<String, Object> c = new HashMap<>(Map.of("warmup", 1, "tolerance", 0.01));
        for (int i = 0; i < more.length; i += 2) {
            c.put((String) more[i], more[i + 1]);
        }
        return c;
    }

    @Test
    void aRisingLossShrinksTheScaleOnceForEveryObservationAfterTheFirst() {
        MetaAdaptationExpert m = expert(rule("minScale", 0.01));
        FakeSupervisedClient client = new FakeSupervisedClient().add("a", true);
        double expected = 1;
        for (int k = 0; k < 6; k++) {
            client.get("a").loss = Math.pow(1.1, k);
            client.step(m);
            if (k > 0) {
                expected *= 0.7;   // every later loss is 10% above the previous one: rising beyond 1%
            }
            assertEquals(expected, client.get("a").scale, 1e-15, "after observation " + (k + 1));
            assertEquals(expected, client.signals.get(SCALE_A, -1), 1e-15);
        }
        assertEquals(0.16807, client.get("a").scale, 1e-12);   // 0.7^5
        assertEquals(5, client.get("a").scaleCalls);
    }

    @Test
    void aSteadilyFallingLossGrowsTheScaleEveryPatienceObservations() {
        MetaAdaptationExpert m = expert(rule("patience", 3));
        FakeSupervisedClient client = new FakeSupervisedClient().add("a", true);
        List<Double> scales = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            client.get("a").loss = Math.pow(0.9, k);
            client.step(m);
            scales.add(client.get("a").scale);
        }
        // observations 2..10 fall; the 3rd, 6th and 9th falls (observations 4, 7, 10) grow the scale by 1.1
        assertEquals(List.of(1.0, 1.0, 1.0, 1.1, 1.1, 1.1, 1.1 * 1.1, 1.1 * 1.1, 1.1 * 1.1, 1.1 * 1.1 * 1.1), scales);
        assertTrue(m.trend("a") < -0.01);
    }

    @Test
    void aFlatLossLeavesTheScaleAlone() {
        MetaAdaptationExpert m = expert(rule());
        FakeSupervisedClient client = new FakeSupervisedClient().add("a", true);
        for (int k = 0; k < 50; k++) {
            client.get("a").loss = 0.25;
            client.step(m);
        }
        assertEquals(1.0, client.get("a").scale);
        assertEquals(0, client.get("a").scaleCalls);
        assertEquals(1.0, client.signals.get(SCALE_A, -1));
    }

    @Test
    void scalesStayWithinTheirBounds() {
        MetaAdaptationExpert m = expert(rule("minScale", 0.2, "maxScale", 1.2, "patience", 1));
        FakeSupervisedClient client = new FakeSupervisedClient().add("up", true).add("down", true);
        for (int k = 0; k < 30; k++) {
            client.get("down").loss = Math.pow(1.1, k);
            client.get("up").loss = Math.pow(0.9, k);
            client.step(m);
            assertTrue(client.get("down").scale >= 0.2 && client.get("up").scale <= 1.2);
        }
        assertEquals(0.2, client.get("down").scale);
        assertEquals(1.2, client.get("up").scale);   // 1.1, then 1.21 clamped
    }

    @Test
    void batchesWhereTheExpertWasInactiveOrUnlabelledAreIgnored() {
        MetaAdaptationExpert plain = expert(rule("patience", 2));
        MetaAdaptationExpert gappy = expert(rule("patience", 2));
        FakeSupervisedClient a = new FakeSupervisedClient().add("a", true);
        FakeSupervisedClient b = new FakeSupervisedClient().add("a", true);
        for (int k = 0; k < 12; k++) {
            a.get("a").loss = Math.pow(0.9, k);
            a.step(plain);
            b.get("a").active = false;   // routed elsewhere: whatever the loss would have been, it is not seen
            b.get("a").loss = 100;
            b.step(gappy);
            b.get("a").active = true;
            b.get("a").loss = Double.NaN;   // unlabelled
            b.step(gappy);
            b.get("a").loss = Math.pow(0.9, k);
            b.step(gappy);
            assertEquals(a.get("a").scale, b.get("a").scale);
        }
        assertEquals(1.1 * 1.1 * 1.1 * 1.1 * 1.1, a.get("a").scale, 1e-12);   // falls 2..12 grow at 3, 5, 7, 9, 11
    }

    @Test
    void anExpertThatTakesNoScalesIsAskedOnceAndLeftAlone() {
        PluginTestKit.RecordingMetrics sink = new PluginTestKit.RecordingMetrics();
        MetaAdaptationExpert m = expert(rule("minScale", 0.01), sink);
        FakeSupervisedClient client = new FakeSupervisedClient().add("fixed", false).add("a", true);
        for (int k = 0; k < 10; k++) {
            client.get("fixed").loss = Math.pow(1.1, k);
            client.get("a").loss = Math.pow(1.1, k);
            client.step(m);
        }
        assertEquals(1, client.get("fixed").scaleCalls);
        assertEquals(1.0, client.get("fixed").scale);
        assertEquals(1.0, m.scale("fixed"));
        // published as 1 until it refused (its true scale), never anything else
        assertEquals(1.0, client.signals.get(MetaAdaptationExpert.SCALE_PREFIX + "fixed", -1));
        assertEquals(1, sink.count(MetaAdaptationExpert.UNSUPPORTED));
        assertEquals(Math.pow(0.7, 9), client.get("a").scale, 1e-12);   // its sibling is still steered
        assertEquals(client.get("a").scale, sink.gauges.get(SCALE_A));
    }

    @Test
    void aFlatLossFreezesTheExpertAfterFreezePatienceAndADriftThawsIt() {
        PluginTestKit.RecordingMetrics sink = new PluginTestKit.RecordingMetrics();
        MetaAdaptationExpert m = expert(rule("freeze", true, "freezeTolerance", 0.01, "freezePatience", 4), sink);
        FakeSupervisedClient client = new FakeSupervisedClient().add("flat", true).add("rising", true).add("other", true);
        client.get("other").frozen = true;   // frozen by someone else: never thawed by this supervisor
        for (int k = 0; k < 5; k++) {
            client.get("flat").loss = 0.3;
            client.get("rising").loss = Math.pow(1.1, k);
            client.step(m);
            // observation 1 starts the means; observations 2..5 are flat: frozen at the 4th of them
            assertEquals(k == 4, client.get("flat").frozen, "after observation " + (k + 1));
        }
        assertFalse(client.get("rising").frozen);
        assertEquals(1, sink.count(MetaAdaptationExpert.FREEZES));
        double shrunk = client.get("rising").scale;
        assertEquals(Math.pow(0.7, 4), shrunk, 1e-12);
        for (int k = 0; k < 20; k++) {
            client.signals.publish(StandardSignals.DRIFT_DETECTED, 0);
            client.step(m);
        }
        assertTrue(client.get("flat").frozen);
        client.signals.publish(StandardSignals.DRIFT_DETECTED, 1);
        client.step(m);
        assertFalse(client.get("flat").frozen);
        assertTrue(client.get("other").frozen);
        assertEquals(1, sink.count(MetaAdaptationExpert.THAWS));
        assertEquals(1, m.thaws());
        assertEquals(1.0, client.get("rising").scale);   // resetOnDrift: every scale back to the hinted rate
        assertEquals(1, m.freezes());
    }

    @Test
    void withoutResetOnDriftOnlyTheThawedExpertsRestart() {
        MetaAdaptationExpert m = expert(rule("resetOnDrift", false));
        FakeSupervisedClient client = new FakeSupervisedClient().add("a", true);
        for (int k = 0; k < 4; k++) {
            client.get("a").loss = Math.pow(1.1, k);
            client.step(m);
        }
        client.signals.publish(StandardSignals.DRIFT_DETECTED, 1);
        client.get("a").active = false;
        client.step(m);
        assertEquals(Math.pow(0.7, 3), client.get("a").scale, 1e-12);
    }

    @Test
    void aDriftRestartsTheTrendSoThatTheRiseAcrossItIsNotReadAsDivergence() {
        MetaAdaptationExpert m = expert(rule("patience", 2));
        FakeSupervisedClient client = new FakeSupervisedClient().add("a", true);
        for (int k = 0; k < 4; k++) {
            client.get("a").loss = Math.pow(1.1, k);
            client.step(m);
        }
        assertEquals(Math.pow(0.7, 3), client.get("a").scale, 1e-12);
        client.signals.publish(StandardSignals.DRIFT_DETECTED, 1);
        client.get("a").loss = 5;   // the jump of the change itself starts the new trend
        client.step(m);
        assertEquals(1.0, client.get("a").scale);
        assertTrue(Double.isNaN(m.trend("a")) || m.trend("a") == 0);
        client.signals.publish(StandardSignals.DRIFT_DETECTED, 0);
        for (int k = 1; k <= 4; k++) {
            client.get("a").loss = 5 * Math.pow(0.9, k);   // the expert adapts: falls at observations 2..5
            client.step(m);
        }
        assertEquals(1.1 * 1.1, client.get("a").scale, 1e-12);
    }

    /**
     * A synthetic response with the runtime's lag: the loss of batch k is {@code 1 + (ln s - ln best)^2}, where
     * {@code s} is the scale the supervisor set after batch k-2 (the one the expert learned batch k-1 with).
     */
    private static List<Double> quadratic(MetaAdaptationExpert m, double best, int batches) {
        FakeSupervisedClient client = new FakeSupervisedClient().add("a", true);
        List<Double> setAfter = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        for (int k = 0; k < batches; k++) {
            double s = k >= 2 ? setAfter.get(k - 2) : 1;
            double d = Math.log(s) - Math.log(best);
            client.get("a").loss = 1 + d * d;
            losses.add(client.get("a").loss);
            double before = client.get("a").scale;
            client.step(m);
            double ratio = client.get("a").scale / before;
            assertTrue(ratio >= 0.7 - 1e-12 && ratio <= 1.1 + 1e-12, "one step moves the scale by " + ratio);
            setAfter.add(client.get("a").scale);
        }
        List<Double> out = new ArrayList<>(setAfter);
        out.addAll(losses);
        return out;
    }

    private static Map<String, Object> hyper() {
        return new HashMap<>(Map.of("method", "hypergradient", "fastRate", 1.0, "slowRate", 0.5, "warmup", 1));
    }

    @Test
    void theHypergradientMethodMovesTheScaleTowardsTheRateThatLowersTheLoss() {
        for (double best : new double[] {2.0, 0.5, 4.0}) {
            int n = 150;
            List<Double> run = quadratic(expert(hyper()), best, n);
            List<Double> scales = run.subList(0, n);
            List<Double> losses = run.subList(n, 2 * n);
            double last = scales.get(n - 1);
            assertEquals(Math.log(best), Math.log(last), 0.15, "best " + best + ", reached " + last);
            double lateLoss = losses.subList(n - 20, n).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertTrue(lateLoss < 1.03 && lateLoss < losses.get(0), "late loss " + lateLoss + " for best " + best);
            // it heads the right way from the start: after ten batches it is on the side of the best rate
            assertTrue((scales.get(9) - 1) * (best - 1) > 0, "after 10 batches " + scales.get(9) + ", best " + best);
        }
    }

    @Test
    void theHypergradientMethodStaysWithinTheBounds() {
        Map<String, Object> c = hyper();
        c.put("maxScale", 1.5);
        List<Double> run = quadratic(expert(c), 8.0, 100);
        for (double s : run.subList(0, 100)) {
            assertTrue(s <= 1.5 && s >= 0.1, "scale " + s);
        }
        assertEquals(1.5, run.get(99), 0.1);
    }

    @Test
    void aFrozenExpertIsNotSteered() {
        MetaAdaptationExpert m = expert(rule());
        FakeSupervisedClient client = new FakeSupervisedClient().add("a", true);
        client.get("a").frozen = true;
        for (int k = 0; k < 10; k++) {
            client.get("a").loss = Math.pow(1.1, k);
            client.step(m);
        }
        assertEquals(0, client.get("a").scaleCalls);
        assertTrue(Double.isNaN(m.trend("a")));
    }
}
