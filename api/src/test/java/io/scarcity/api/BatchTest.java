package io.scarcity.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class BatchTest {
    static final DataSchema SCHEMA = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("n", "p"));

    @Test
    void selectKeepsFlaggedRowsWithTheirLabelsAndWeightsInOrder() {
        Batch b = Batch.ofClasses(SCHEMA, "d", 100, new double[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {0, 1, 1, 0})
                .withWeights(new double[] {0.1, 0.2, 0.3, 0.4});
        Batch s = b.select(new boolean[] {false, true, false, true});
        assertEquals(2, s.rows());
        assertArrayEquals(new double[] {3, 4, 7, 8}, s.featuresCopy());
        assertEquals(1, s.label(0));
        assertEquals(0, s.label(1));
        assertEquals(0.2, s.weight(0));
        assertEquals(0.4, s.weight(1));
        assertEquals(100, s.firstRow());
        assertSame(b, b.select(new boolean[] {true, true, true, true}));
        assertEquals(0, b.select(new boolean[4]).rows());
        assertThrows(IllegalArgumentException.class, () -> b.select(new boolean[3]));
    }

    @Test
    void selectOnRegressionAndUnlabelledBatches() {
        DataSchema reg = new DataSchema(List.of("a"), Task.REGRESSION, List.of());
        Batch r = Batch.ofTargets(reg, "d", 0, new double[] {1, 2, 3}, new double[] {10, 20, 30});
        Batch s = r.select(new boolean[] {true, false, true});
        assertEquals(30, s.target(1));
        Batch u = Batch.ofClasses(SCHEMA, "d", 0, new double[] {1, 2, 3, 4}, null);
        assertEquals(false, u.select(new boolean[] {true, false}).hasLabels());
    }

    @Test
    void rowsWithMissingLabelsRefuseTheirLabelAndKeepTheFlagThroughSelectSliceAndWeights() {
        Batch b = Batch.ofClasses(SCHEMA, "d", 10, new double[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {0, 1, 1, 0})
                .withMissingLabels(new boolean[] {false, true, false, true});
        assertEquals(true, b.hasMissingLabels());
        assertEquals(true, b.labelled(0));
        assertEquals(false, b.labelled(1));
        assertEquals(1, b.label(2));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.label(1));
        assertEquals("row 1 has no label", e.getMessage());
        Batch w = b.withWeights(new double[] {1, 1, 1, 1});
        assertEquals(false, w.labelled(3));
        Batch kept = b.select(new boolean[] {true, false, true, false});
        assertEquals(false, kept.hasMissingLabels(), "only labelled rows left");
        Batch tail = b.slice(2, 4);
        assertEquals(true, tail.labelled(0));
        assertEquals(false, tail.labelled(1));
        assertEquals(false, b.slice(0, 1).hasMissingLabels());
        assertEquals(false, b.withoutLabels().hasLabels());
        assertEquals(false, b.withoutLabels().labelled(0));
        Batch plain = Batch.ofClasses(SCHEMA, "d", 0, new double[] {1, 2}, new int[] {1});
        assertSame(plain, plain.withMissingLabels(new boolean[1]));
        assertThrows(IllegalStateException.class,
                () -> Batch.ofClasses(SCHEMA, "d", 0, new double[] {1, 2}, null).withMissingLabels(new boolean[] {true}));
        DataSchema reg = new DataSchema(List.of("a"), Task.REGRESSION, List.of());
        Batch r = Batch.ofTargets(reg, "d", 0, new double[] {1, 2}, new double[] {5, 6}).withMissingLabels(new boolean[] {true, false});
        assertThrows(IllegalStateException.class, () -> r.target(0));
        assertEquals(6, r.target(1));
    }
}
