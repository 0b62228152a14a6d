package io.scarcity.plugins.domaingossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.Peer;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.GossipTestKit;
import io.scarcity.api.testing.PluginTestKit;
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
            Set<String> paired = GossipTestKit.assertDisjoint(pairs);
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
        PluginTestKit.assertDeterministic(() -> strategy(config, 42), GossipTestKit.driver(), 42, 10);
        PluginTestKit.assertSeedMatters(seed -> strategy(config, seed), GossipTestKit.driver(), 42, 10);
    }

    /** The kit's gossip contract; the round-robin schedule is a function of the round, so a fresh strategy may plan alike. */
    @ParameterizedTest
    @ValueSource(strings = {"round-robin", "random"})
    void aRestoredStrategyContinuesIdentically(String schedule) throws IOException {
        GossipTestKit.assertCheckpointContract(() -> strategy(Map.of("schedule", schedule), 8), "domain gossip",
                schedule.equals("random"));
    }

    @Test
    void duplicatePeersAreRejected() {
        GossipTestKit.assertDuplicatePeersRefused(strategy(Map.of(), 1));
    }
}
