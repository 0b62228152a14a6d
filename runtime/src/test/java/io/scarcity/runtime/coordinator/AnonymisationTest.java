package io.scarcity.runtime.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Insight;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client ids never reach the database: not in the insights table, not in payloads, not anywhere in the
 * SQLite file or its write-ahead log; and the salt stays in its own table, out of insights and logs.
 */
class AnonymisationTest {
    // distinctive, so that a match in the file's bytes cannot be a coincidence
    private static final List<String> CLIENTS = List.of("sensor-mote-Quokka-7781", "sensor-mote-Wombat-1234");

    @TempDir
    Path dir;

    @Test
    void theRawClientIdNeverAppearsInTheDatabaseFiles() throws Exception {
        Path file = dir.resolve("coordinator.db");
        CoordinatorTest.RecordingLogger log = new CoordinatorTest.RecordingLogger();
        try (GlobalMemory memory = GlobalMemory.open(CoordinatorDatabase.sqlite(file), 1000)) {
            Coordinator coordinator = new Coordinator(memory, new CoordinatorTest.RecordingMetaLearner(), log,
                    InsightValidator.forExperts(Set.copyOf(TestInsights.EXPERTS)));
            for (int round = 1; round <= 30; round++) {
                List<Insight> insights = new ArrayList<>();
                for (String c : CLIENTS) {
                    insights.add(TestInsights.of(c, "coast", round));
                }
                insights.add(TestInsights.of(CLIENTS.get(0), "coast", round + 1)); // rejected: wrong round
                coordinator.endRound(round, insights);
            }
            assertEquals(60, memory.accepted());
            assertEquals(30, coordinator.rejected());
            // while open, recent writes may sit in the WAL file: check it too
            assertAbsent(dir, CLIENTS);
        }
        assertAbsent(dir, CLIENTS);
        for (String message : log.messages) {
            for (String c : CLIENTS) {
                assertFalse(message.contains(c), "the log names a client id: " + message);
            }
        }

        String salt;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT value FROM coordinator_secret")) {
                assertTrue(rs.next());
                salt = rs.getString(1);
                assertEquals(64, salt.length(), "32 bytes in hex");
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM insights WHERE payload LIKE '%" + salt + "%'"
                    + " OR client LIKE '%" + salt + "%'")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "the salt is copied into no insight");
            }
            try (ResultSet rs = s.executeQuery("SELECT DISTINCT client FROM insights ORDER BY client")) {
                List<String> stored = new ArrayList<>();
                while (rs.next()) {
                    stored.add(rs.getString(1));
                }
                assertEquals(2, stored.size());
                stored.forEach(p -> assertTrue(p.matches("[0-9a-f]{64}"), p));
            }
        }
        for (String message : log.messages) {
            assertFalse(message.contains(salt), "the log shows the salt: " + message);
        }
        try (GlobalMemory memory = GlobalMemory.open(CoordinatorDatabase.sqlite(file), 1000)) {
            assertFalse(memory.toString().contains(salt));
        }
    }

    /** The check above would find an id that was stored: make sure it can fail. */
    @Test
    void theFileCheckFindsAnIdThatIsStored() throws Exception {
        Path file = dir.resolve("coordinator.db");
        try (GlobalMemory memory = GlobalMemory.open(CoordinatorDatabase.sqlite(file), 1000)) {
            memory.add(TestInsights.of("c", "domain-" + CLIENTS.get(0), 1)); // in the domain: not anonymised
        }
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> assertAbsent(dir, CLIENTS));
        assertTrue(e.getMessage().contains(CLIENTS.get(0)), e.getMessage());
    }

    private static void assertAbsent(Path dir, List<String> ids) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("coordinator.db")).toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            for (String id : ids) {
                assertEquals(-1, indexOf(bytes, id.getBytes(StandardCharsets.UTF_8)), id + " found in " + f.getFileName());
                assertEquals(-1, indexOf(bytes, id.getBytes(StandardCharsets.UTF_16LE)), id + " (UTF-16) found in " + f.getFileName());
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
