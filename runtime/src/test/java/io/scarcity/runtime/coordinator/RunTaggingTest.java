package io.scarcity.runtime.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database store may be shared by several runs; a resumed run must tell the rounds it stored itself
 * from other runs' (otherwise it would skip storing its own later rounds as "already stored").
 */
class RunTaggingTest {
    @TempDir
    Path tmp;

    @Test
    void lastRoundCountsOnlyTheCurrentRunsInsights() {
        try (GlobalMemory memory = GlobalMemory.open(CoordinatorDatabase.sqlite(tmp.resolve("shared.db")), 1000)) {
            memory.useRun("run-p");
            for (int round = 1; round <= 12; round++) {
                memory.addAll(List.of(TestInsights.of("p-0", "d", round)));
            }
            memory.useRun("run-x");
            assertEquals(0, memory.lastRound("d"), "run x has stored nothing yet");
            List<io.scarcity.api.Insight> rounds = new ArrayList<>();
            for (int round = 1; round <= 6; round++) {
                rounds.add(TestInsights.of("x-0", "d", round));
            }
            for (io.scarcity.api.Insight i : rounds) {
                memory.addAll(List.of(i));
            }
            assertEquals(6, memory.lastRound("d"));
            memory.useRun("run-p");
            assertEquals(12, memory.lastRound("d"));
        }
        // a reopened store (a resumed run) still knows whose rows are whose
        try (GlobalMemory reopened = GlobalMemory.open(CoordinatorDatabase.sqlite(tmp.resolve("shared.db")), 1000)) {
            reopened.useRun("run-x");
            assertEquals(6, reopened.lastRound("d"));
            assertEquals(18, reopened.size("d"));
        }
    }
}
