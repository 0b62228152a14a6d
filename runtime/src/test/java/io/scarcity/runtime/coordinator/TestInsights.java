package io.scarcity.runtime.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Insights for tests, with the awkward values a real one carries: NaN accuracy, an idle expert's NaN loss. */
final class TestInsights {
    static final List<String> EXPERTS = List.of("drift", "stat-fast", "stat-slow");

    private TestInsights() {
    }

    /** A valid insight; the values vary with the round so that copies are told apart. */
    static Insight of(String client, String domain, int round) {
        Map<String, ExpertReport> experts = new TreeMap<>();
        experts.put("stat-fast", new ExpertReport("stat-fast", "statistical", 0.25 + round * 1e-3, 100 + round, 3,
                0.02 * (1 + round % 7), Map.of("statistical.outlier-rate", 0.01 * (round % 5))));
        // an expert that was never active: NaN loss, as clients report it
        experts.put("stat-slow", new ExpertReport("stat-slow", "statistical", Double.NaN, 0, 0, 0.005, Map.of()));
        experts.put("drift", new ExpertReport("drift", "drift", 0.3, 100, 4, Double.NaN,
                Map.of("drift.detected", round % 10 == 0 ? 1.0 : 0.0, "drift.score", 1.0 / (round + 1))));
        Map<String, Double> signals = Map.of("drift.detected", 0.0, "statistical.outlier-rate", 0.02);
        FeatureMoments moments = new FeatureMoments(40 + round, new double[] {0.5 + round, -1.25, 3e-7},
                new double[] {12.5, 0.0, 1e-12 * round});
        double accuracy = round % 3 == 0 ? Double.NaN : 0.5 + (round % 40) / 100.0;
        return new Insight(client, domain, round, 200 + round, accuracy, round % 3 == 0 ? Double.NaN : 0.4, experts,
                signals, moments);
    }

    static Insight withClient(Insight i, String client) {
        return new Insight(client, i.domain(), i.round(), i.samples(), i.accuracy(), i.loss(), i.experts(), i.signals(),
                i.moments());
    }

    /**
     * Asserts two insights are equal field by field. Record equality cannot be used directly:
     * FeatureMoments holds arrays, which records compare by reference.
     */
    static void assertSameInsight(Insight expected, Insight actual) {
        assertArrayEquals(expected.moments().mean(), actual.moments().mean(), "moments mean");
        assertArrayEquals(expected.moments().m2(), actual.moments().m2(), "moments m2");
        assertEquals(expected.moments().count(), actual.moments().count(), "moments count");
        Insight sameMoments = new Insight(actual.client(), actual.domain(), actual.round(), actual.samples(),
                actual.accuracy(), actual.loss(), actual.experts(), actual.signals(), expected.moments());
        assertEquals(expected, sameMoments);
    }
}
