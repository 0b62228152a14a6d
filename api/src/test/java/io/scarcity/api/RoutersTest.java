package io.scarcity.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoutersTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final Batch BATCH = Batch.ofClasses(SCHEMA, "d", 0, new double[] {0}, new int[] {0});

    private static RoutingContext context(List<String> candidates) {
        return new RoutingContext(candidates, BATCH, new InMemorySignalBoard(), 0);
    }

    @Test
    void distinctCandidatesKeepTheFirstPositionAndRefuseNone() {
        assertEquals(List.of("b", "a", "c"), Routers.distinctCandidates(context(List.of("b", "a", "b", "c", "a"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Routers.distinctCandidates(context(List.of())));
        assertEquals("no candidate experts to route to", e.getMessage());
    }

    @Test
    void topKTakesTheLargestFirstAndBreaksTiesToTheLowerIndex() {
        assertArrayEquals(new int[] {2, 0}, Routers.topK(new double[] {0.5, 0.1, 0.9, 0.5}, 2));
        assertArrayEquals(new int[] {1, 3, 0}, Routers.topK(new double[] {0.2, 0.7, 0.2, 0.7}, 3));
        assertArrayEquals(new int[] {1, 0, 2},
                Routers.topK(new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NaN}, 3));
        assertArrayEquals(new int[0], Routers.topK(new double[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> Routers.topK(new double[] {1, 2}, 3));
        assertArrayEquals(new boolean[] {false, true, false, true}, Routers.topKMask(new double[] {0.2, 0.7, 0.2, 0.7}, 2));
    }

    @Test
    void explorationsCountChoicesTheGreedyOnesDidNotMake() {
        assertEquals(1, Routers.explorations(new boolean[] {true, true, false}, new boolean[] {true, false, true}));
        assertEquals(0, Routers.explorations(new boolean[] {true, false}, new boolean[] {true, false}));
    }

    @Test
    void weightedRoutingIsInCandidateOrderAndNormalised() {
        Routing r = Routers.weighted(List.of("a", "b", "c"), new boolean[] {true, false, true}, i -> i + 1.0);
        assertEquals(List.of("a", "c"), r.active());
        assertArrayEquals(new double[] {0.25, 0.75}, r.weights(), 1e-15);
        assertThrows(IllegalArgumentException.class,
                () -> Routers.weighted(List.of("a"), new boolean[] {true, true}, i -> 1.0));
    }

    @Test
    void unitRewardsAreClampedAndMissingOnesAreNaN() {
        assertEquals(1.0, Routers.unitReward(1.5));
        assertEquals(0.0, Routers.unitReward(-0.5));
        assertEquals(0.25, Routers.unitReward(0.25));
        assertTrue(Double.isNaN(Routers.unitReward(null)));
        assertTrue(Double.isNaN(Routers.unitReward(Double.POSITIVE_INFINITY)));
        assertTrue(Double.isNaN(Routers.unitReward(Double.NaN)));
        assertTrue(Routers.isPriorWeight(2.0));
        assertTrue(!Routers.isPriorWeight(0) && !Routers.isPriorWeight(Double.NaN)
                && !Routers.isPriorWeight(Double.POSITIVE_INFINITY) && !Routers.isPriorWeight(-1));
    }

    @Test
    void kMustBeAtLeastOne() {
        assertEquals(3, Routers.requireK(3));
        InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> Routers.requireK(0));
        assertEquals("k", e.key());
        assertEquals("k: must be a whole number >= 1, got 0", e.getMessage());
    }

    @Test
    void kIsReadWithItsDefaultAndABadOneNamesTheKeyPath() {
        assertEquals(1, Routers.readK(PluginConfig.empty(), 1));
        assertEquals(4, Routers.readK(PluginConfig.of("router", java.util.Map.of("k", 4)), 1));
        ConfigException e = assertThrows(ConfigException.class,
                () -> Routers.readK(PluginConfig.of("clients[0].router.config", java.util.Map.of("k", 0)), 1));
        assertTrue(e.getMessage().contains("clients[0].router.config.k"), e.getMessage());
    }
}
