package io.scarcity.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.runtime.cli.Main;
import io.scarcity.runtime.config.QuickstartPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A simulation too large for the heap is refused up front with the numbers and the fixes, not an OutOfMemoryError. */
class HeapBudgetTest {
    @TempDir
    Path tmp;

    @Test
    void aMillionClientsAreRefusedByValidateAndRunWithTheEstimate() throws Exception {
        for (String command : new String[] {"validate", "run"}) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            long start = System.nanoTime();
            int code = Main.execute(new String[] {command, QuickstartPaths.quickstart().toString(), "--set", "domains[0].clients=1000000",
                "--set", "batchSize=1", "--set", "batchesPerRound=1", "--set", "output.dir=" + tmp.resolve("runs")},
                    new PrintWriter(out, true), new PrintWriter(err, true));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(2, code, command + ": " + err);
            String e = err.toString();
            assertTrue(e.contains("1,000,000 clients (domains[0].clients) need about") && e.contains("measured on 32 of them")
                    && e.contains("SCARCITY_JAVA_OPTS=-Xmx") && e.contains("use fewer clients"), e);
            assertFalse(e.contains("OutOfMemoryError") || e.contains("\tat "), e);
            assertTrue(seconds < 60, command + " took " + seconds + " s to refuse");
        }
        assertFalse(Files.exists(tmp.resolve("runs")) && Files.list(tmp.resolve("runs")).findAny().isPresent(), "no run folder");
    }

    @Test
    void theEstimateIsOfTheRightOrder() {
        HeapBudget budget = new HeapBudget();
        budget.start();
        java.util.List<long[]> held = new java.util.ArrayList<>();
        for (int i = 0; i < 32; i++) {
            held.add(new long[128 * 1024]); // 1 MiB each
        }
        // 32 of 10,000 "clients" of 1 MiB: 10 GB, more than any test heap here allows
        io.scarcity.runtime.UserException e = org.junit.jupiter.api.Assertions.assertThrows(io.scarcity.runtime.UserException.class,
                () -> budget.check(32, 10_000, "domains[0].clients"));
        assertTrue(e.getMessage().contains("about 1.0 MiB each"), e.getMessage());
        assertEquals(32, held.size());
        HeapBudget small = new HeapBudget();
        small.start();
        small.check(32, 300, "domains[0].clients"); // 300 tiny clients fit
    }
}
