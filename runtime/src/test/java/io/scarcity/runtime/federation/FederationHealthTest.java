package io.scarcity.runtime.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.StandardSignals;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FederationHealthTest {
    static Insight insight(String client, long samples, double loss, double outlierRate) {
        return new Insight(client, "d", 1, samples, 1 - loss, loss, Map.of(),
                Map.of(StandardSignals.OUTLIER_RATE, outlierRate), new FeatureMoments(0, new double[1], new double[1]));
    }

    @Test
    void aClientSilentLongerThanTheTimeoutIsDroppedUntilItReportsAgain() {
        ClientHealth h = new ClientHealth(List.of("a", "b"), 2, 4);
        for (int r = 1; r <= 3; r++) {
            h.heartbeat("a", r);
            h.heartbeat("b", r);
        }
        // b falls silent after round 3
        h.heartbeat("a", 4);
        h.heartbeat("a", 5);
        assertFalse(h.dropped("b", 5), "silent for 2 rounds = the timeout: still in");
        h.heartbeat("a", 6);
        assertTrue(h.dropped("b", 6), "silent for 3 rounds > timeout 2: dropped");
        assertFalse(h.dropped("a", 6));
        h.heartbeat("b", 7);
        assertFalse(h.dropped("b", 7), "back once it reports");
        // reliability over the last 4 rounds (4..7): a 4/4, b 1/4
        h.heartbeat("a", 7);
        assertEquals(1.0, h.reliability("a", 7), 1e-12);
        assertEquals(0.25, h.reliability("b", 7), 1e-12);
    }

    @Test
    void consensusWeightIsReliabilityTimesQualityTimesVolume() {
        ClientHealth h = new ClientHealth(List.of("a", "b", "c", "gone"), 1, 2);
        h.heartbeat("a", 1);
        h.heartbeat("a", 2);
        h.heartbeat("b", 2);
        h.heartbeat("c", 2);
        List<Insight> round = List.of(insight("a", 100, 0.1, 0.0), insight("b", 300, 0.1, 0.2), insight("c", 100, 0.1, 0.0));
        Map<String, Double> w = ConsensusWeights.of(round, List.of("a", "b", "c", "gone"), h, 2);
        // median rows 100: volume a = 100/200, b = 300/400; reliability over rounds 1-2: a 1, b 0.5;
        // quality: 1 - outlier rate
        assertEquals(1.0 * 1.0 * 0.5, w.get("a"), 1e-12);
        assertEquals(0.5 * 0.8 * 0.75, w.get("b"), 1e-12);
        assertEquals(0.0, w.get("gone"), 1e-12, "never reported: weight 0");
    }

    @Test
    void convergenceNeedsCalmLossesAndParametersForPatienceRounds() {
        ConvergenceTracker t = new ConvergenceTracker(0.05, 0.01, 2);
        List<Insight> calm = List.of(insight("a", 10, 0.20, 0), insight("b", 10, 0.21, 0));
        List<Insight> noisy = List.of(insight("a", 10, 0.10, 0), insight("b", 10, 0.50, 0));
        Map<String, MetaParameters> p1 = Map.of("d", params(0.05, 0.8));
        Map<String, MetaParameters> p2 = Map.of("d", params(0.0502, 0.801));
        assertFalse(t.observe(calm, p1), "no parameter change measured yet");
        assertTrue(Double.isNaN(t.parameterChange()));
        assertFalse(t.observe(calm, p2), "first calm round");
        assertTrue(t.observe(calm, p2), "second calm round in a row");
        assertFalse(t.observe(noisy, p2), "a spread of " + t.lossSpread() + " breaks the calm");
        assertEquals(Math.sqrt(0.08), t.lossSpread(), 1e-12);
    }

    static MetaParameters params(double lr, double prior) {
        return new MetaParameters("d", 1, Map.of("stat", lr), Map.of("stat", prior),
                new FeatureMoments(0, new double[1], new double[1]), Map.of());
    }

    @Test
    void outagesAreSeededAndLastTheirRounds() {
        FaultInjector a = new FaultInjector(20, 0.3, 3, 11);
        FaultInjector b = new FaultInjector(20, 0.3, 3, 11);
        int offline = 0;
        boolean[] previous = new boolean[20];
        for (int r = 1; r <= 30; r++) {
            boolean[] x = a.offline(r);
            assertArrayEquals(x, b.offline(r));
            for (int c = 0; c < 20; c++) {
                offline += x[c] ? 1 : 0;
            }
            previous = x;
        }
        assertTrue(offline > 100 && offline < 500, "offline client-rounds " + offline);
        FaultInjector never = new FaultInjector(5, 0.0, 1, 1);
        for (int r = 1; r <= 10; r++) {
            for (boolean x : never.offline(r)) {
                assertFalse(x);
            }
        }
        FaultInjector once = new FaultInjector(1, 0.999999, 3, 2);
        assertTrue(once.offline(1)[0] && once.offline(2)[0] && once.offline(3)[0]);
        assertTrue(previous.length == 20);
    }
}
