package io.scarcity.plugins.causal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.ExpertState;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.SignalBoard;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CausalGossipTest {
    private static final DataSchema SCHEMA = LinearSem.regressionSchema(7);

    @Test
    void exportedStateHasTheMomentsAndTheGraph() {
        CausalExpert e = CausalExpertTest.expert(SCHEMA, Map.of());
        SignalBoard board = new InMemorySignalBoard();
        Random random = new Random(2);
        for (int b = 0; b < 40; b++) {
            Drive.step(e, CausalExpertTest.planted().regressionBatch(SCHEMA, random, 50, b * 50L), board);
        }
        ExpertState s = e.exportState();
        assertEquals(2000, s.samples());
        assertEquals(java.util.Set.of("adjacency", "mean", "second", "weights"), s.weights().keySet());
        assertArrayEquals(e.graph().adjacency(), s.weight("adjacency"));
        assertEquals(e.graph(), Cpdag.fromAdjacency(8, s.weight("adjacency")));
        double[] w = s.weight("weights");
        assertEquals(e.effectiveRows(), w[0] * w[0] / w[1], 1e-9);
        // the snapshot does not move with later learning
        Drive.step(e, CausalExpertTest.planted().regressionBatch(SCHEMA, random, 50, 0), board);
        assertArrayEquals(s.weight("mean"), s.weight("mean"));
        assertTrue(s.weight("mean")[0] != e.exportState().weight("mean")[0]);
    }

    /**
     * Two clients, cumulative statistics (learningRate 0), each 1500 rows of one planted graph but with
     * different offsets of x0: the merge's moments are the pooled rows' (mean and covariance of all 3000
     * rows, to rounding), and the search re-run on them finds the graph.
     */
    @Test
    void aMergeAdoptsThePooledMomentsAndReRunsTheSearch() {
        Map<String, Object> cumulative = Map.of("learningRate", 0.0);
        CausalExpert a = CausalExpertTest.expert(SCHEMA, cumulative);
        CausalExpert b = CausalExpertTest.expert(SCHEMA, cumulative);
        LinearSem semA = CausalExpertTest.planted();
        LinearSem semB = CausalExpertTest.planted();
        semB.offset[0] = 2.0;
        Random random = new Random(17);
        RunningCovariance direct = new RunningCovariance(8);
        SignalBoard board = new InMemorySignalBoard();
        for (int i = 0; i < 30; i++) {
            Batch ba = semA.regressionBatch(SCHEMA, random, 50, i * 50L);
            Batch bb = semB.regressionBatch(SCHEMA, random, 50, i * 50L);
            Drive.step(a, ba, board);
            Drive.step(b, bb, board);
            for (Batch x : List.of(ba, bb)) {
                for (int r = 0; r < x.rows(); r++) {
                    double[] row = new double[8];
                    x.copyRow(r, row);
                    row[7] = x.target(r);
                    direct.add(row, 1.0, 1.0);
                }
            }
        }
        direct.settle();
        ExpertState merged = ExpertState.sampleWeightedMean(a.exportState(), b.exportState());
        long searchesBefore = a.searches();
        a.mergeState(merged);
        assertEquals(searchesBefore + 1, a.searches(), "the merge re-runs the search");
        ExpertState after = a.exportState();
        double[] mean = after.weight("mean");
        double[] second = after.weight("second");
        for (int i = 0; i < 8; i++) {
            assertEquals(direct.mean(i), mean[i], 1e-9, "mean " + i);
            for (int j = 0; j < 8; j++) {
                double pooled = direct.covariance(i, j);
                assertEquals(pooled, second[i * 8 + j] - mean[i] * mean[j], 1e-9 * (1 + Math.abs(pooled)), "covariance " + i + "," + j);
            }
        }
        assertEquals(1500, a.effectiveRows(), 1e-6, "averaged weights: one client's effective rows (conservative)");
        assertTrue(a.graph().structuralHammingDistance(semA.cpdag()) <= 1, a.graph().describe(a.nodeNames()));
        assertArrayEquals(new int[] {2, 4, 5}, a.blanket());
    }

    @Test
    void aMergeOfTheWrongShapeIsRefusedBeforeAnythingChanges() {
        CausalExpert e = CausalExpertTest.expert(SCHEMA, Map.of());
        Drive.step(e, CausalExpertTest.planted().regressionBatch(SCHEMA, new Random(3), 50, 0), new InMemorySignalBoard());
        ExpertState good = e.exportState();
        Map<String, double[]> shortSecond = new TreeMap<>(good.weights());
        shortSecond.put("second", new double[10]);
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> e.mergeState(new ExpertState("causal", shortSecond, 10)));
        assertTrue(wrong.getMessage().contains("second"), wrong.getMessage());
        Map<String, double[]> noWeights = new TreeMap<>(good.weights());
        noWeights.remove("weights");
        assertThrows(IllegalArgumentException.class, () -> e.mergeState(new ExpertState("causal", noWeights, 10)));
        assertArrayEquals(good.weight("second"), e.exportState().weight("second"));
    }
}
