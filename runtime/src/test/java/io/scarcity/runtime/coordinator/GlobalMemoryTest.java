package io.scarcity.runtime.coordinator;

import static io.scarcity.runtime.coordinator.TestInsights.assertSameInsight;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Insight;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The global memory's contract on every backend: what goes in comes out (NaN included), bounded per
 * domain with counted trims, concurrent writers, pseudonyms, reopening. The same suite runs on SQLite,
 * on PostgreSQL when configured, and on the in-memory store where persistence is not the point.
 */
class GlobalMemoryTest {
    @TempDir
    Path dir;

    private CoordinatorDatabase database;

    @AfterEach
    void dropDatabase() throws SQLException {
        StoreBackend.drop(database);
    }

    private GlobalMemory open(StoreBackend backend, int capacity) {
        if (database == null) {
            database = backend.fresh(dir);
        }
        return GlobalMemory.open(database, capacity);
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void returnsWhatWasStoredOldestFirstIncludingNaN(StoreBackend backend) {
        try (GlobalMemory memory = open(backend, 100)) {
            List<Insight> sent = new ArrayList<>();
            for (int round = 1; round <= 6; round++) {
                sent.add(TestInsights.of("client-" + (round % 2), "coast", round));
            }
            List<Insight> stored = new ArrayList<>();
            for (Insight i : sent) {
                stored.add(memory.add(i));
            }
            List<Insight> back = memory.recent("coast", 10);
            assertEquals(6, back.size());
            for (int k = 0; k < sent.size(); k++) {
                Insight expected = TestInsights.withClient(sent.get(k), memory.pseudonym(sent.get(k).client()));
                assertSameInsight(expected, stored.get(k));
                assertSameInsight(expected, back.get(k));
            }
            assertTrue(Double.isNaN(back.get(2).accuracy()), "NaN accuracy survives the round trip");
            assertTrue(Double.isNaN(back.get(0).experts().get("stat-slow").loss()), "NaN expert loss survives");
            // the most recent two, still oldest first
            List<Insight> lastTwo = memory.recent("coast", 2);
            assertEquals(List.of(5, 6), lastTwo.stream().map(Insight::round).toList());
            assertEquals(List.of(), memory.recent("coast", 0));
            assertEquals(List.of(), memory.recent("nowhere", 5));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void keepsAtMostCapacityPerDomainAndCountsTrimmed(StoreBackend backend) {
        checkBound(open(backend, 5));
    }

    @Test
    void inMemoryStoreHasTheSameBound() {
        checkBound(new GlobalMemory(5));
    }

    private static void checkBound(GlobalMemory memory) {
        try (memory) {
            for (int round = 1; round <= 12; round++) {
                memory.add(TestInsights.of("c", "coast", round));
            }
            for (int round = 1; round <= 3; round++) {
                memory.add(TestInsights.of("c", "inland", round));
            }
            assertEquals(5, memory.size("coast"));
            assertEquals(3, memory.size("inland"));
            assertEquals(0, memory.size("nowhere"));
            assertEquals(Map.of("coast", 7L), memory.trimmed());
            assertEquals(15, memory.accepted());
            assertEquals(Set.of("coast", "inland"), memory.domains());
            assertEquals(List.of(8, 9, 10, 11, 12), memory.recent("coast", 100).stream().map(Insight::round).toList());

            // a batch larger than the room left is trimmed within its own transaction
            List<Insight> batch = new ArrayList<>();
            for (int round = 4; round <= 11; round++) {
                batch.add(TestInsights.of("c", "inland", round));
            }
            batch.add(TestInsights.of("c", "coast", 13));
            memory.addAll(batch);
            assertEquals(5, memory.size("inland"));
            assertEquals(List.of(7, 8, 9, 10, 11), memory.recent("inland", 100).stream().map(Insight::round).toList());
            assertEquals(Map.of("coast", 8L, "inland", 6L), memory.trimmed());
            assertEquals(24, memory.accepted());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void eightConcurrentWritersKeepCountsBoundsAndOrder(StoreBackend backend) throws Exception {
        int threads = 8;
        int perThread = 150;
        int capacity = 40;
        List<String> domains = List.of("a", "b", "c");
        try (GlobalMemory memory = open(backend, capacity)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String client = "writer-" + t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int round = 1; round <= perThread; round++) {
                        String domain = domains.get(round % domains.size());
                        if (round % 10 == 0) {
                            memory.addAll(List.of(TestInsights.of(client, domain, round),
                                    TestInsights.of(client, domains.get((round + 1) % 3), round)));
                        } else {
                            memory.add(TestInsights.of(client, domain, round));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();

            long total = (long) threads * (perThread + perThread / 10);
            assertEquals(total, memory.accepted());
            long trimmed = memory.trimmed().values().stream().mapToLong(Long::longValue).sum();
            assertEquals(total - (long) capacity * domains.size(), trimmed, "every insight is either kept or counted trimmed");
            for (String d : domains) {
                assertEquals(capacity, memory.size(d));
                List<Insight> kept = memory.recent(d, 1000);
                assertEquals(capacity, kept.size(), "rows and counts agree in domain " + d);
                // each writer's insights are kept in the order it wrote them
                Map<String, Integer> lastRound = new HashMap<>();
                for (Insight i : kept) {
                    Integer before = lastRound.put(i.client(), i.round());
                    assertTrue(before == null || before <= i.round(), "oldest first for " + i.client() + " in " + d);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void reopeningResumesContentsCountsAndPseudonyms(StoreBackend backend) {
        String pseudonym;
        List<Insight> before;
        try (GlobalMemory memory = open(backend, 4)) {
            for (int round = 1; round <= 6; round++) {
                memory.add(TestInsights.of("client-7", "coast", round));
            }
            pseudonym = memory.pseudonym("client-7");
            before = memory.recent("coast", 10);
        }
        try (GlobalMemory memory = open(backend, 4)) {
            assertEquals(pseudonym, memory.pseudonym("client-7"), "same id, same pseudonym after reopening");
            assertEquals(6, memory.accepted());
            assertEquals(Map.of("coast", 2L), memory.trimmed());
            assertEquals(4, memory.size("coast"));
            List<Insight> after = memory.recent("coast", 10);
            assertEquals(before.size(), after.size());
            for (int k = 0; k < before.size(); k++) {
                assertSameInsight(before.get(k), after.get(k));
            }
            memory.add(TestInsights.of("client-7", "coast", 7));
            assertEquals(List.of(4, 5, 6, 7), memory.recent("coast", 10).stream().map(Insight::round).toList());
            assertEquals(pseudonym, memory.recent("coast", 1).get(0).client());
        }
        // reopened with a smaller capacity: trimmed at once, and counted
        try (GlobalMemory memory = open(backend, 2)) {
            assertEquals(2, memory.size("coast"));
            assertEquals(List.of(6, 7), memory.recent("coast", 10).stream().map(Insight::round).toList());
            assertEquals(Map.of("coast", 5L), memory.trimmed());
            assertEquals(7, memory.accepted());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void storesPseudonymsNeverClientIds(StoreBackend backend) {
        try (GlobalMemory memory = open(backend, 10)) {
            Insight stored = memory.add(TestInsights.of("client-42", "coast", 1));
            String p = memory.pseudonym("client-42");
            assertTrue(p.matches("[0-9a-f]{64}"), p);
            assertEquals(p, stored.client());
            assertEquals(p, memory.recent("coast", 1).get(0).client());
            assertNotEquals(p, memory.pseudonym("client-43"));
        }
    }

    @Test
    void differentStoresSaltDifferently() {
        try (GlobalMemory a = GlobalMemory.open(CoordinatorDatabase.sqlite(dir.resolve("a.db")), 10);
             GlobalMemory b = GlobalMemory.open(CoordinatorDatabase.sqlite(dir.resolve("b.db")), 10);
             GlobalMemory c = new GlobalMemory(10)) {
            assertNotEquals(a.pseudonym("client-1"), b.pseudonym("client-1"));
            assertNotEquals(a.pseudonym("client-1"), c.pseudonym("client-1"));
            assertEquals(a.pseudonym("client-1"), a.pseudonym("client-1"));
        }
    }

    @Test
    void pseudonymIsSaltedSha256OfTheId() throws Exception {
        byte[] salt = new byte[32];
        salt[0] = 1;
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update(salt);
        String expected = java.util.HexFormat.of().formatHex(sha.digest("client-1".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(expected, new ClientPseudonyms(salt).of("client-1"));
        salt[0] = 2;
        assertNotEquals(expected, new ClientPseudonyms(salt).of("client-1"));
    }

    @Test
    void aMissingFolderOrABadUrlIsAClearError() {
        GlobalMemoryException e = assertThrows(GlobalMemoryException.class,
                () -> GlobalMemory.open(CoordinatorDatabase.sqlite(dir.resolve("no/such/folder/c.db")), 10));
        assertTrue(e.getMessage().contains("no/such/folder/c.db"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new CoordinatorDatabase("jdbc:mysql://x/y?password=hunter2", null, null, null));
        assertTrue(bad.getMessage().contains("jdbc:postgresql:"), bad.getMessage());
        assertTrue(!bad.getMessage().contains("hunter2"), "the password is not shown: " + bad.getMessage());
        assertTrue(!new CoordinatorDatabase("jdbc:postgresql://h/db", "u", "hunter2", null).toString().contains("hunter2"));
    }
}
