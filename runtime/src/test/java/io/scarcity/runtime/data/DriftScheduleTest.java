package io.scarcity.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DriftScheduleTest {
    @Test
    void abruptDriftsChangeSegmentExactlyAtTheirRow() {
        DriftSchedule s = new DriftSchedule(List.of(new Drift(3, 0), new Drift(5, 0)));
        Random rnd = new Random(1);
        int[] expected = {0, 0, 0, 1, 1, 2, 2};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], s.segment(i, rnd), "row " + i);
            assertEquals(expected[i], s.completed(), "row " + i);
        }
        assertEquals(List.of(3L, 5L), s.positions());
    }

    @Test
    void gradualWindowUsesBothSegmentsOnlyInsideIt() {
        Random rnd = new Random(2);
        int[] fromNewAtOffset = new int[4];
        for (int trial = 0; trial < 20_000; trial++) {
            DriftSchedule s = new DriftSchedule(List.of(new Drift(2, 4)));
            assertEquals(0, s.segment(0, rnd));
            assertEquals(0, s.segment(1, rnd));
            for (int offset = 0; offset < 4; offset++) {
                fromNewAtOffset[offset] += s.segment(2 + offset, rnd);
            }
            assertEquals(1, s.segment(6, rnd));
        }
        // p = (offset + 1) / (width + 1): 0.2, 0.4, 0.6, 0.8
        for (int offset = 0; offset < 4; offset++) {
            assertEquals((offset + 1) / 5.0, fromNewAtOffset[offset] / 20_000.0, 0.015, "offset " + offset);
        }
    }

    @Test
    void rejectsUnorderedOrOverlappingDrifts() {
        assertThrows(IllegalArgumentException.class, () -> new DriftSchedule(List.of(new Drift(5, 0), new Drift(5, 0))));
        assertThrows(IllegalArgumentException.class, () -> new DriftSchedule(List.of(new Drift(5, 10), new Drift(8, 0))));
        assertThrows(IllegalArgumentException.class, () -> new Drift(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Drift(1, -1));
    }
}
