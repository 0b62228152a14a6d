package io.scarcity.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Insights as secure aggregation sums them: the aggregate is the clients' row-weighted means, and nothing else. */
class SecureInsightsTest {
    static final double EPS = 1e-3;
    static final List<SecureInsights.ExpertShape> EXPERTS = List.of(
            new SecureInsights.ExpertShape("stat", "statistical", Set.of("statistical.outlier-rate")),
            new SecureInsights.ExpertShape("drift", "drift", Set.of("drift.detected")));
    static final List<String> KEYS = SecureInsights.keys(EXPERTS, Set.of("drift.detected", "mixture.loss"));

    static Insight insight(String client, long rows, double accuracy, double loss, double statLoss, double rate,
                           Map<String, Double> board, FeatureMoments moments) {
        return new Insight(client, "d", 3, rows, accuracy, loss, Map.of(
                "stat", new ExpertReport("stat", "statistical", statLoss, rows, 2, rate, Map.of("statistical.outlier-rate", 0.1)),
                "drift", new ExpertReport("drift", "drift", Double.NaN, rows, 2, 0, Map.of())), board, moments);
    }

    static long[] add(long[] a, long[] b) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i]; // the protocol sums modulo 2^64 too: the masks cancel, the values add
        }
        return out;
    }

    @Test
    void theAggregateIsTheRowWeightedMeanOverTheClientsThatHadEachValue() {
        FeatureMoments m1 = new FeatureMoments(10, new double[] {1, 2}, new double[] {9, 18});
        FeatureMoments m2 = new FeatureMoments(30, new double[] {3, 0}, new double[] {29, 3});
        Insight a = insight("a", 10, 0.9, 0.1, 0.2, 0.01, Map.of("mixture.loss", 0.1, "drift.detected", 1.0), m1);
        Insight b = insight("b", 30, 0.5, 0.5, 0.6, 0.04, Map.of("mixture.loss", 0.3), m2);
        long[] sum = add(SecureInsights.encode(a, KEYS, 2), SecureInsights.encode(b, KEYS, 2));
        SecureInsights.Aggregate agg = SecureInsights.decode(sum, KEYS, "secure-aggregate:d", "d", 3, 2);
        Insight i = agg.insight();
        assertEquals("secure-aggregate:d", i.client());
        assertEquals(40, i.samples());
        assertEquals((10 * 0.9 + 30 * 0.5) / 40, i.accuracy(), EPS);
        assertEquals((10 * 0.1 + 30 * 0.5) / 40, i.loss(), EPS);
        ExpertReport stat = i.experts().get("stat");
        assertEquals("statistical", stat.plugin());
        assertEquals((10 * 0.2 + 30 * 0.6) / 40, stat.loss(), EPS);
        assertEquals(40, stat.samples());
        assertEquals(4, stat.activations());
        // the learning rate as the row-weighted geometric mean
        assertEquals(Math.exp((10 * Math.log(0.01) + 30 * Math.log(0.04)) / 40), stat.learningRate(), 1e-4);
        assertEquals(0.1, stat.signals().get("statistical.outlier-rate"), EPS);
        assertTrue(Double.isNaN(i.experts().get("drift").loss()), "no client had a loss: none is made up");
        assertEquals(0, i.experts().get("drift").learningRate());
        // a signal only one client had is its mean over that client alone, not diluted by the other's rows
        assertEquals(1.0, i.signals().get("drift.detected"), EPS);
        assertEquals((10 * 0.1 + 30 * 0.3) / 40, i.signals().get("mixture.loss"), EPS);
        // the moments of all 40 rows, exactly as pooled
        FeatureMoments pooled = i.moments();
        assertEquals(40, pooled.count());
        assertEquals((10 * 1 + 30 * 3) / 40.0, pooled.mean()[0], EPS);
        double between = 10 * Math.pow(1 - 2.5, 2) + 30 * Math.pow(3 - 2.5, 2);
        assertEquals(9 + 29 + between, pooled.m2()[0], 0.01);
        // the spread of the clients' losses, from sums
        assertEquals(2, agg.lossClients());
        assertEquals(0.6, agg.lossSum(), EPS);
        assertEquals(0.01 + 0.25, agg.lossSquares(), EPS);
    }

    @Test
    void aClientsShapeComesFromItsConfigAndItsClearInsightHoldsNoValue() {
        Insight a = insight("a", 10, 0.9, 0.1, 0.2, 0.01, Map.of("mixture.loss", 0.1), new FeatureMoments(0, new double[2],
                new double[2]));
        Insight b = insight("b", 30, 0.5, 0.5, 0.6, 0.04, Map.of("mixture.loss", 0.3, "drift.detected", 1.0),
                new FeatureMoments(30, new double[] {3, 0}, new double[] {29, 3}));
        // the same length whatever was learned: what a client adds cannot be told apart by its size
        assertEquals(SecureInsights.encode(a, KEYS, 2).length, SecureInsights.encode(b, KEYS, 2).length);
        assertEquals(SecureInsights.length(KEYS, 2), SecureInsights.encode(null, KEYS, 2).length);
        assertEquals(KEYS, SecureInsights.keysOf(SecureInsights.subject(KEYS)));
        assertEquals(SecureInsights.shape(KEYS, 2).weights().keySet(), Set.copyOf(KEYS));
        Insight clear = SecureInsights.cleared(b, 2);
        assertEquals("b", clear.client());
        assertEquals(30, clear.samples());
        assertTrue(Double.isNaN(clear.accuracy()) && Double.isNaN(clear.loss()));
        assertTrue(clear.experts().isEmpty() && clear.signals().isEmpty());
        assertEquals(0, clear.moments().count());
        assertFalse(SecureInsights.keys(List.of(new SecureInsights.ExpertShape("x", "p", Set.of("a|b"))), Set.of("c|d"))
                .stream().anyMatch(k -> k.contains("|")), "a name the subject cannot hold is left out");
    }
}
