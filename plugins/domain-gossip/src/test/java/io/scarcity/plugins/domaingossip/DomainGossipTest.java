package io.scarcity.plugins.domaingossip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.Peer;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DomainGossipTest {
    private static GossipStrategy strategy(Map<String, ?> config, long seed) {
        return new DomainGossipFactory().create(PluginConfig.of("gossip.config", config),
                PluginContext.standalone(seed, null, "domain"));
    }

    /** A random population: up to 30 peers over up to 5 domains, some domains with a single peer. */
    private static List<Peer> randomPeers(Random random) {
        int n = random.nextInt(31);
        int domains = 1 + random.nextInt(5);
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            peers.add(new Peer("c" + random.nextInt(1000) + "-" + i, "d" + random.nextInt(domains), Map.of()));
        }
        return peers;
    }

    private static Set<String> disjoint(List<GossipPair> pairs) {
        Set<String> ids = new HashSet<>();
        for (GossipPair pair : pairs) {
            assertTrue(ids.add(pair.a()), pair.a() + " is in two pairs");
            assertTrue(ids.add(pair.b()), pair.b() + " is in two pairs");
        }
        return ids;
    }

    @ParameterizedTest
    @ValueSource(strings = {"round-robin", "random"})
    void neverPairsAcrossDomainsAndPairsAllButOnePerDomain(String schedule) {
        Random random = new Random(11);
        GossipStrategy strategy = strategy(Map.of("schedule", schedule), 5);
        for (int trial = 0; trial < 500; trial++) {
            List<Peer> peers = randomPeers(random);
            Map<String, String> domainOf = new HashMap<>();
            Map<String, Integer> sizes = new HashMap<>();
            for (Peer p : peers) {
                domainOf.put(p.id(), p.domain());
                sizes.merge(p.domain(), 1, Integer::sum);
            }
            List<GossipPair> pairs = strategy.plan(trial + 1, peers);
            Set<String> paired = disjoint(pairs);
            for (GossipPair pair : pairs) {
                assertEquals(domainOf.get(pair.a()), domainOf.get(pair.b()), "trial " + trial + ": " + pair);
            }
            int expected = sizes.values().stream().mapToInt(s -> s / 2).sum();
            assertEquals(expected, pairs.size(), "trial " + trial + ": every domain pairs all but at most one");
            assertTrue(domainOf.keySet().containsAll(paired));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"round-robin", "random"})
    void aClientAloneInItsDomainWaits(String schedule) {
        GossipStrategy strategy = strategy(Map.of("schedule", schedule), 2);
        List<Peer> peers = List.of(new Peer("a", "x", Map.of()), new Peer("b", "x", Map.of()),
                new Peer("lonely", "y", Map.of()));
        for (int round = 1; round <= 10; round++) {
            assertEquals(List.of(new GossipPair("a", "b")), strategy.plan(round, peers).stream()
                    .map(p -> p.a().compareTo(p.b()) < 0 ? p : new GossipPair(p.b(), p.a())).toList());
        }
        assertEquals(List.of(), strategy.plan(1, List.of(new Peer("lonely", "y", Map.of()))));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 5, 6, 9})
    void roundRobinMeetsEveryPairOnceInACycle(int n) {
        GossipStrategy strategy = strategy(Map.of(), 1);
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            peers.add(new Peer("p" + i, "d", Map.of()));
        }
        int cycle = n % 2 == 0 ? n - 1 : n;
        Map<Set<String>, Integer> met = new HashMap<>();
        for (int round = 1; round <= cycle; round++) {
            for (GossipPair pair : strategy.plan(round, peers)) {
                met.merge(Set.of(pair.a(), pair.b()), 1, Integer::sum);
            }
        }
        assertEquals(n * (n - 1) / 2, met.size(), "every pair meets within " + cycle + " rounds");
        assertTrue(met.values().stream().allMatch(c -> c == 1), "and only once: " + met);
    }

    @Test
    void everySkipsRounds() {
        GossipStrategy strategy = strategy(Map.of("every", 3), 1);
        List<Peer> peers = List.of(new Peer("a", "x", Map.of()), new Peer("b", "x", Map.of()));
        for (int round = 1; round <= 9; round++) {
            assertEquals(round % 3 == 0 ? 1 : 0, strategy.plan(round, peers).size(), "round " + round);
        }
    }

    @Test
    void randomScheduleIsDeterministicForASeed() {
        Map<String, String> config = Map.of("schedule", "random");
        List<List<GossipPair>> a = new ArrayList<>();
        List<List<GossipPair>> b = new ArrayList<>();
        List<List<GossipPair>> c = new ArrayList<>();
        GossipStrategy sa = strategy(config, 42);
        GossipStrategy sb = strategy(config, 42);
        GossipStrategy sc = strategy(config, 43);
        for (int round = 1; round <= 10; round++) {
            List<Peer> peers = randomPeers(new Random(round));
            a.add(sa.plan(round, peers));
            b.add(sb.plan(round, peers));
            c.add(sc.plan(round, peers));
        }
        assertEquals(a, b);
        assertNotEquals(a, c, "another seed pairs differently");
    }

    private static byte[] save(GossipStrategy strategy) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        ((Checkpointable) strategy).saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"round-robin", "random"})
    void aRestoredStrategyContinuesIdentically(String schedule) throws IOException {
        Map<String, String> config = Map.of("schedule", schedule);
        GossipStrategy a = strategy(config, 8);
        for (int round = 1; round < 15; round++) {
            a.plan(round, randomPeers(new Random(round)));
        }
        byte[] state = save(a);
        GossipStrategy b = strategy(config, 8);
        ((Checkpointable) b).restoreState(new StateReader(new ByteArrayInputStream(state)));
        assertArrayEquals(state, save(b));
        GossipStrategy fresh = strategy(config, 8);
        List<List<GossipPair>> fromA = new ArrayList<>();
        List<List<GossipPair>> fromB = new ArrayList<>();
        List<List<GossipPair>> fromFresh = new ArrayList<>();
        for (int round = 15; round < 40; round++) {
            List<Peer> peers = randomPeers(new Random(round));
            fromA.add(a.plan(round, peers));
            fromB.add(b.plan(round, peers));
            fromFresh.add(fresh.plan(round, peers));
        }
        assertEquals(fromA, fromB);
        assertArrayEquals(save(a), save(b));
        if (schedule.equals("random")) {
            assertNotEquals(fromA, fromFresh, "the generator's position matters");
        }
        byte[] versioned = state.clone();
        versioned[3] = 9;
        IOException e = assertThrows(IOException.class, () -> ((Checkpointable) strategy(config, 8))
                .restoreState(new StateReader(new ByteArrayInputStream(versioned))));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    }

    @Test
    void duplicatePeersAreRejected() {
        List<Peer> peers = List.of(new Peer("a", "d", Map.of()), new Peer("a", "d", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> strategy(Map.of(), 1).plan(1, peers));
    }
}
