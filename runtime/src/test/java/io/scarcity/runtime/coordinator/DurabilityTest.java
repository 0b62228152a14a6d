package io.scarcity.runtime.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Insight;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crashes and several processes: a coordinator process killed with SIGKILL loses no insight it had
 * reported accepted, and coordinator processes writing one store together keep its counts and bound.
 */
class DurabilityTest {
    private static final int CAPACITY = 100_000;

    @TempDir
    Path dir;

    private CoordinatorDatabase database;

    @AfterEach
    void dropDatabase() throws SQLException {
        StoreBackend.drop(database);
    }

    private String[] location(StoreBackend backend) {
        return backend == StoreBackend.SQLITE
                ? new String[] {"sqlite", Path.of(database.url().substring("jdbc:sqlite:".length())).toString()}
                : new String[] {"postgresql", database.schema()};
    }

    private static String[] args(String[] location, String... rest) {
        String[] out = new String[location.length + rest.length];
        System.arraycopy(location, 0, out, 0, location.length);
        System.arraycopy(rest, 0, out, location.length, rest.length);
        return out;
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void everyInsightReportedAcceptedSurvivesKillMinusNine(StoreBackend backend) throws Exception {
        database = backend.fresh(dir);
        GlobalMemory.open(database, CAPACITY).close(); // the schema exists before the writer starts
        Path errors = dir.resolve("writer.err");
        Process writer = StoreWriterProcess.command(errors, args(location(backend), String.valueOf(CAPACITY), "coast",
                "client-1", "1", "0")).start();
        Set<Integer> acknowledged = new TreeSet<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            String line;
            while (acknowledged.size() < 250 && System.nanoTime() < deadline && (line = out.readLine()) != null) {
                if (line.startsWith("accepted ")) {
                    acknowledged.add(Integer.parseInt(line.substring("accepted ".length())));
                }
            }
            // in the middle of writing: no warning, no shutdown hook, no chance to flush anything
            writer.destroyForcibly();
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "the writer was killed");
        }
        assertTrue(acknowledged.size() >= 50, "the writer acknowledged " + acknowledged.size()
                + " insights before the deadline; its errors: " + Files.readString(errors));

        try (GlobalMemory memory = GlobalMemory.open(database, CAPACITY)) {
            Set<Integer> stored = new TreeSet<>();
            for (Insight i : memory.recent("coast", CAPACITY)) {
                stored.add(i.round());
            }
            Set<Integer> missing = new TreeSet<>(acknowledged);
            missing.removeAll(stored);
            assertEquals(Set.of(), missing, "insights acknowledged before the kill but not in the store");
            // The writer stores rounds 1, 2, 3, ... in order, so the store holds exactly a prefix of them. It may
            // hold more than this test read acknowledgements for: the writer goes on while the test stops
            // reading, and acknowledgements still in the pipe are lost when the process is killed.
            int last = stored.isEmpty() ? 0 : ((TreeSet<Integer>) stored).last();
            Set<Integer> prefix = new TreeSet<>();
            for (int r = 1; r <= last; r++) {
                prefix.add(r);
            }
            assertEquals(prefix, stored, "the store holds a gap or a round that was never written");
            assertEquals(stored.size(), memory.size("coast"));
            assertEquals(stored.size(), memory.accepted());
            // and the store takes writes again
            memory.add(TestInsights.of("client-1", "coast", 1_000_000));
            assertEquals(stored.size() + 1, memory.size("coast"));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void severalProcessesWritingOneStoreKeepCountsAndBound(StoreBackend backend) throws Exception {
        database = backend.fresh(dir);
        int capacity = 25;
        int processes = 3;
        int each = 120;
        GlobalMemory.open(database, capacity).close();
        var writers = new ArrayList<Process>();
        for (int p = 0; p < processes; p++) {
            writers.add(StoreWriterProcess.command(dir.resolve("writer-" + p + ".err"), args(location(backend),
                    String.valueOf(capacity), "coast", "client-" + p, "1", String.valueOf(each))).start());
        }
        for (int p = 0; p < processes; p++) {
            Process w = writers.get(p);
            String out = new String(w.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(w.waitFor(120, TimeUnit.SECONDS), "writer " + p + " finished");
            assertEquals(0, w.exitValue(), "writer " + p + " failed: " + errors(p));
            assertTrue(out.endsWith("done\n"), out);
        }
        try (GlobalMemory memory = GlobalMemory.open(database, capacity)) {
            assertEquals((long) processes * each, memory.accepted());
            assertEquals(capacity, memory.size("coast"));
            assertEquals(capacity, memory.recent("coast", 1000).size());
            assertEquals(Map.of("coast", (long) processes * each - capacity), memory.trimmed());
            // trimming removed the oldest: what is kept of each writer is its newest insights, in order
            Map<String, java.util.List<Integer>> kept = new java.util.TreeMap<>();
            for (Insight i : memory.recent("coast", capacity)) {
                kept.computeIfAbsent(i.client(), c -> new ArrayList<>()).add(i.round());
            }
            kept.forEach((client, rounds) -> {
                for (int k = 0; k < rounds.size(); k++) {
                    assertEquals(each - rounds.size() + 1 + k, rounds.get(k), "kept of " + client + ": " + rounds);
                }
            });
        }
    }

    private String errors(int p) throws IOException {
        return Files.readString(dir.resolve("writer-" + p + ".err"));
    }
}
