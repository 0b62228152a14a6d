package io.scarcity.plugins.causal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Behaviour on data with known answers, fixed seeds. */
class CausalExpertTest {
    private static final int X0 = 0, X1 = 1, X2 = 2, X3 = 3, X4 = 4, X5 = 5, X6 = 6, Y = 7;
    private static final DataSchema SCHEMA = LinearSem.regressionSchema(7);

    /**
     * The planted graph: a chain x0 -> x1 -> x2 -> x3, a fork x3 <- x2 -> y, a collider y -> x5 <- x4 and
     * x5 -> x6 (oriented by Meek's R1). Its CPDAG has y -> x5 <- x4, x5 -> x6 directed, the rest undirected;
     * the target's blanket is {x2 (parent), x5 (child), x4 (spouse)}.
     */
    static LinearSem planted() {
        return new LinearSem(8, new int[] {X0, X1, X2, X3, Y, X4, X5, X6})
                .edge(X0, X1, 0.8).edge(X1, X2, 0.8).edge(X2, X3, 0.8).edge(X2, Y, 0.9)
                .edge(Y, X5, 0.7).edge(X4, X5, 0.8).edge(X5, X6, 0.8);
    }

    /** After the change: x2 no longer drives y, x3 does; x4 now drives x6 instead of x5; x0 -> x3 appears. */
    static LinearSem changed() {
        return new LinearSem(8, new int[] {X0, X1, X2, X3, Y, X4, X5, X6})
                .edge(X0, X1, 0.8).edge(X1, X2, 0.8).edge(X2, X3, 0.8).edge(X0, X3, 0.7).edge(X3, Y, 0.9)
                .edge(Y, X5, 0.7).edge(X4, X6, 0.8).edge(X5, X6, 0.8);
    }

    static CausalExpert expert(DataSchema schema, Map<String, ?> config) {
        return (CausalExpert) new CausalExpertFactory().create(PluginConfig.of("experts[0].config", config),
                PluginContext.standalone(3, schema, "causal"));
    }

    @Test
    void aPlantedDagIsRecoveredWithItsColliderOriented() {
        LinearSem sem = planted();
        CausalExpert e = expert(SCHEMA, Map.of());
        SignalBoard board = new InMemorySignalBoard();
        Random random = new Random(11);
        for (int b = 0; b < 80; b++) { // 4000 rows, default forgetting (about 2000 effective rows)
            Drive.step(e, sem.regressionBatch(SCHEMA, random, 50, b * 50L), board);
        }
        Cpdag truth = sem.cpdag();
        Cpdag found = e.graph();
        String shown = found.describe(e.nodeNames()) + " vs " + truth.describe(e.nodeNames());
        System.out.println("planted: SHD " + found.structuralHammingDistance(truth) + " " + shown);
        assertTrue(found.structuralHammingDistance(truth) <= 1, shown);
        assertTrue(found.directed(Y, X5) && found.directed(X4, X5), "collider y -> x5 <- x4: " + shown);
        assertTrue(found.directed(X5, X6), "Meek R1 orients x5 -> x6: " + shown);
        assertArrayEquals(new int[] {X2, X4, X5}, e.blanket(), shown);
        assertEquals(found.edges(), board.get(CausalExpert.EDGES, -1));
        assertEquals(3.0, board.get(CausalExpert.BLANKET_SIZE, -1));
    }
}
