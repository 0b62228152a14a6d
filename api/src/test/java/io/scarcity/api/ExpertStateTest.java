package io.scarcity.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpertStateTest {
    @Test
    void weightedMeanAveragesSharedArraysAndKeepsTheMajorStatesOthers() {
        ExpertState a = new ExpertState("e", Map.of("w", new double[] {1, 2}, "only-a", new double[] {9}), 10);
        ExpertState b = new ExpertState("e", Map.of("w", new double[] {3, 6}, "v", new double[] {1, 1, 1}), 30);
        ExpertState m = ExpertState.weightedMean(List.of(a, b), new double[] {10, 30});
        // 0.25 * [1, 2] + 0.75 * [3, 6]
        assertArrayEquals(new double[] {2.5, 5.0}, m.weight("w"), 1e-12);
        assertArrayEquals(new double[] {1, 1, 1}, m.weight("v"), 1e-12, "from b, the state with more samples");
        assertEquals(null, m.weight("only-a"));
        assertEquals(20, m.samples(), "the mean of the inputs' samples");
        ExpertState equal = ExpertState.weightedMean(List.of(a, b), new double[] {0, 0});
        assertArrayEquals(new double[] {2, 4}, equal.weight("w"), 1e-12, "zero weights: plain mean");
        assertThrows(IllegalArgumentException.class, () -> ExpertState.weightedMean(List.of(a), new double[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> ExpertState.weightedMean(List.of(), new double[0]));
    }

    @Test
    void finitenessAndSize() {
        assertTrue(new ExpertState("e", Map.of("w", new double[] {1}), 1).isFinite());
        assertFalse(new ExpertState("e", Map.of("w", new double[] {Double.NaN}), 1).isFinite());
        assertEquals(8 + 1 + 1 + 4 + 16, new ExpertState("e", Map.of("w", new double[] {1, 2}), 1).sizeBytes());
    }

    @Test
    void uploadsAreGroupedByDomainAndExpertForTheirRoundOnly() {
        StateUploads u = new StateUploads();
        ExpertState s = new ExpertState("e", Map.of("w", new double[] {1}), 1);
        u.add(1, "c1", "d", Map.of("e", s));
        u.add(2, "c2", "d", Map.of("e", s));
        u.add(2, "c3", "d", Map.of("e", s));
        var taken = u.take(2);
        assertEquals(List.of("c2", "c3"), taken.get("d").get("e").stream().map(StateUploads.Upload::client).toList(),
                "round 1's upload was dropped when round 2's arrived");
        assertTrue(u.take(2).isEmpty(), "take forgets");
    }

    @org.junit.jupiter.api.Test
    void requireWeightReturnsACheckedCopyOrNamesWhatIsWrong() {
        ExpertState s = new ExpertState("e", java.util.Map.of("w", new double[] {1, 2}, "bad", new double[] {Double.NaN}), 3);
        double[] w = s.requireWeight("w", 2);
        w[0] = 9;
        org.junit.jupiter.api.Assertions.assertEquals(1, s.weight("w")[0], "a copy");
        var missing = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> s.requireWeight("x", 2));
        org.junit.jupiter.api.Assertions.assertTrue(missing.getMessage().contains("lacks 'x'"), missing.getMessage());
        var length = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> s.requireWeight("w", 3));
        org.junit.jupiter.api.Assertions.assertTrue(length.getMessage().contains("expected 3"), length.getMessage());
        var nan = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> s.requireWeight("bad", 1));
        org.junit.jupiter.api.Assertions.assertTrue(nan.getMessage().contains("non-finite"), nan.getMessage());
    }
}
