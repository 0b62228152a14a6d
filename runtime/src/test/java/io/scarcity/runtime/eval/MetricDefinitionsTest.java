package io.scarcity.runtime.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each metric against a case computed by hand. */
class MetricDefinitionsTest {
    @Test
    void kappaMatchesAHandComputedTable() {
        // truth x predicted: [[20, 5], [10, 15]]: p_o = 35/50 = 0.7; truth 25/25, predicted 30/20:
        // p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4
        assertEquals(0.4, Kappa.of(new long[] {20, 5, 10, 15}, 2), 1e-12);
        // always predicting the majority of a 99:1 stream: accuracy 0.99, kappa 0
        assertEquals(0.0, Kappa.of(new long[] {99, 0, 1, 0}, 2), 1e-12);
        assertEquals(1.0, Kappa.of(new long[] {3, 0, 0, 0, 4, 0, 0, 0, 5}, 3), 1e-12);
        assertTrue(Double.isNaN(Kappa.of(new long[] {10, 0, 0, 0}, 2)), "one class only: undefined");
        assertTrue(Double.isNaN(Kappa.of(new long[4], 2)));
    }

    @Test
    void continualMetricsOnASequenceOfThreeTasks() {
        // rows: after segment i (tasks 0, 1, 2); columns: task j
        double[][] r = {
            {0.90, 0.10, 0.10},
            {0.60, 0.80, 0.10},
            {0.50, 0.70, 0.95},
        };
        ContinualMetrics m = ContinualMetrics.of(r, new int[] {0, 1, 2});
        assertEquals((0.50 + 0.70 + 0.95) / 3, m.finalAccuracy(), 1e-12);
        // BWT = ((0.50 - 0.90) + (0.70 - 0.80)) / 2 = -0.25
        assertEquals(-0.25, m.backwardTransfer(), 1e-12);
        // forgetting = ((0.90 - 0.50) + (0.80 - 0.70)) / 2 = 0.25
        assertEquals(0.25, m.forgetting(), 1e-12);
    }

    @Test
    void recurringScheduleComparesWithTheMostRecentVisitAndTheBestEver() {
        // schedule A, B, A, B
        double[][] r = {
            {0.80, 0.20},
            {0.50, 0.85},
            {0.90, 0.60},
            {0.70, 0.88},
        };
        ContinualMetrics m = ContinualMetrics.of(r, new int[] {0, 1, 0, 1});
        // only task A (0) counts: BWT = 0.70 - R[2][0] = -0.20; forgetting = max(0.80, 0.50, 0.90) - 0.70 = 0.20
        assertEquals(-0.20, m.backwardTransfer(), 1e-12);
        assertEquals(0.20, m.forgetting(), 1e-12);
        assertEquals((0.70 + 0.88) / 2, m.finalAccuracy(), 1e-12);
    }

    @Test
    void oneSegmentHasNothingToForget() {
        ContinualMetrics m = ContinualMetrics.of(new double[][] {{0.9, 0.1}}, new int[] {0});
        assertEquals(0.9, m.finalAccuracy(), 1e-12);
        assertTrue(Double.isNaN(m.backwardTransfer()) && Double.isNaN(m.forgetting()));
    }

    @Test
    void driftRecoveryCountsRoundsUntilAccuracyIsBack() {
        // level before round 5 = mean(0.90, 0.88, 0.92) = 0.90; drop in round 6, back (>= 0.88) in round 8
        double[] acc = {0.5, 0.90, 0.88, 0.92, 0.89, 0.60, 0.80, 0.885, 0.90};
        assertEquals(3.0, DriftRecovery.rounds(acc, 5, 0.02), 1e-12);
        // no drop below the tolerance: recovered at once
        assertEquals(0.0, DriftRecovery.rounds(new double[] {0.9, 0.9, 0.9, 0.89, 0.9}, 3, 0.02), 1e-12);
        // never recovers
        assertTrue(Double.isNaN(DriftRecovery.rounds(new double[] {0.9, 0.9, 0.9, 0.5, 0.6}, 4, 0.02)));
        // drift in the first round: no level to recover to
        assertTrue(Double.isNaN(DriftRecovery.rounds(acc, 1, 0.02)));
    }
}
