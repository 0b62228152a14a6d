package io.scarcity.plugins.randompairs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertState;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.Peer;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.testing.GossipTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomPairsTest {
    private static GossipStrategy strategy(Map<String, ?> config, long seed) {
        return new RandomPairsFactory().create(PluginConfig.of("gossip.config", config),
                PluginContext.standalone(seed, null, "random-pairs"));
    }

    private static List<Peer> peers(int n, int domains) {
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            peers.add(new Peer("p" + i, "d" + (i % domains), Map.of()));
        }
        return peers;
    }

    @Test
    void pairsAreDisjointAndCoverAllButAtMostOne() {
        for (int n = 0; n <= 13; n++) {
            GossipStrategy strategy = strategy(Map.of(), n);
            for (int round = 1; round <= 5; round++) {
                List<Peer> peers = peers(n, 1);
                List<GossipPair> pairs = strategy.plan(round, peers);
                Set<String> ids = GossipTestKit.assertDisjoint(pairs);
                assertEquals(n / 2, pairs.size());
                assertEquals(n - n % 2, ids.size());
                for (String id : ids) {
                    assertTrue(peers.stream().anyMatch(p -> p.id().equals(id)));
                }
            }
        }
    }

    @Test
    void partnersChangeBetweenRounds() {
        GossipStrategy strategy = strategy(Map.of(), 4);
        Set<Set<String>> distinct = new HashSet<>();
        for (int round = 1; round <= 20; round++) {
            for (GossipPair pair : strategy.plan(round, peers(6, 1))) {
                distinct.add(Set.of(pair.a(), pair.b()));
            }
        }
        assertEquals(15, distinct.size(), "all 15 pairs of 6 peers come up within 20 rounds");
    }

    @Test
    void sameSeedSamePlan() {
        PluginTestKit.assertDeterministic(() -> strategy(Map.of("fraction", 0.7), 42), GossipTestKit.driver(), 42, 10);
        PluginTestKit.assertSeedMatters(seed -> strategy(Map.of("fraction", 0.7), seed), GossipTestKit.driver(), 42, 10);
    }

    @Test
    void fractionLimitsTheParticipants() {
        GossipStrategy strategy = strategy(Map.of("fraction", 0.3), 7);
        assertEquals(1, strategy.plan(1, peers(10, 1)).size(), "ceil(0.3 * 10) = 3 peers: one pair");
        assertEquals(2, strategy.plan(2, peers(11, 1)).size(), "ceil(0.3 * 11) = 4 peers: two pairs");
        assertEquals(0, strategy.plan(3, peers(1, 1)).size());
    }

    @Test
    void sameDomainNeverPairsAcrossDomains() {
        GossipStrategy strategy = strategy(Map.of("sameDomain", true), 3);
        for (int round = 1; round <= 20; round++) {
            List<Peer> peers = peers(17, 3);
            Map<String, String> domainOf = new HashMap<>();
            for (Peer p : peers) {
                domainOf.put(p.id(), p.domain());
            }
            List<GossipPair> pairs = strategy.plan(round, peers);
            GossipTestKit.assertDisjoint(pairs);
            for (GossipPair pair : pairs) {
                assertEquals(domainOf.get(pair.a()), domainOf.get(pair.b()));
            }
            // Domains of 6, 6 and 5 peers: 3 + 3 + 2 pairs.
            assertEquals(8, pairs.size());
        }
    }

    @Test
    void autoExchangesPairEachDomainLog2OfItsSizeTimes() {
        GossipStrategy strategy = strategy(Map.of("exchanges", "auto", "sameDomain", true), 5);
        // a domain of 9 peers is paired ceil(log2 9) = 4 times, one of 3 peers twice
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            peers.add(new Peer("a" + i, "big", Map.of()));
        }
        for (int i = 0; i < 3; i++) {
            peers.add(new Peer("b" + i, "small", Map.of()));
        }
        List<GossipPair> pairs = strategy.plan(1, peers);
        long big = pairs.stream().filter(p -> p.a().startsWith("a")).count();
        long small = pairs.stream().filter(p -> p.a().startsWith("b")).count();
        assertEquals(4 * 4, big, "9 peers: 4 pairs per exchange, ceil(log2 9) = 4 exchanges");
        assertEquals(2, small, "3 peers: 1 pair per exchange, ceil(log2 3) = 2 exchanges");
        // across domains pooled (sameDomain false) 12 peers: ceil(log2 12) = 4 exchanges of 6 pairs
        assertEquals(4 * 6, strategy(Map.of("exchanges", "auto"), 5).plan(1, peers).size());
    }

    @Test
    void adaptiveExchangesAfterTheFirstPairOnlyPeersWhoseMergedExpertsOutweighTheirTwins() {
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            // p0-p3 lean on the merged experts (or are even), p4-p6 on their own twins, p7 reports nothing
            Map<String, Double> signals = i < 4 ? Map.of(StandardSignals.FEDERATION_SHARED_WEIGHT, i == 3 ? 0.5 : 0.7)
                    : i < 7 ? Map.of(StandardSignals.FEDERATION_SHARED_WEIGHT, 0.3) : Map.of();
            peers.add(new Peer("p" + i, "d", signals));
        }
        for (int round = 1; round <= 10; round++) {
            List<GossipPair> pairs = strategy(Map.of("exchanges", "adaptive"), round).plan(1, peers);
            // ceil(log2 8) = 3 exchanges: the first pairs all 8 peers, the other two the 4 that gain
            assertEquals(4 + 2 + 2, pairs.size(), pairs.toString());
            GossipTestKit.assertDisjoint(pairs.subList(0, 4));
            for (GossipPair pair : pairs.subList(4, 8)) {
                assertTrue(Set.of("p0", "p1", "p2", "p3").containsAll(Set.of(pair.a(), pair.b())), pair.toString());
            }
        }
        // two gaining peers of 16 merge once more, not ceil(log2 16) - 1 = 3 times: after their first merge they hold
        // the same state, and pairing them again would move bytes and change nothing
        List<Peer> sixteen = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            sixteen.add(new Peer("r" + i, "d", Map.of(StandardSignals.FEDERATION_SHARED_WEIGHT, i < 2 ? 0.9 : 0.1)));
        }
        List<GossipPair> few = strategy(Map.of("exchanges", "adaptive"), 4).plan(1, sixteen);
        assertEquals(8 + 1, few.size(), few.toString());
        assertEquals(Set.of("r0", "r1"), Set.of(few.get(8).a(), few.get(8).b()));
        // nobody gaining: one exchange, as with exchanges: 1
        List<Peer> losing = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            losing.add(new Peer("q" + i, "d", Map.of(StandardSignals.FEDERATION_SHARED_WEIGHT, 0.2)));
        }
        assertEquals(4, strategy(Map.of("exchanges", "adaptive"), 3).plan(1, losing).size());
    }

    @Test
    void exchangesPairEveryPeerThatManyTimesWithFreshShuffles() {
        GossipStrategy strategy = strategy(Map.of("exchanges", 3, "sameDomain", true), 5);
        for (int round = 1; round <= 10; round++) {
            List<GossipPair> pairs = strategy.plan(round, peers(10, 2));
            assertEquals(3 * 4, pairs.size(), "domains of 5 and 5 peers: 2 + 2 pairs, three times");
            Map<String, Integer> times = new HashMap<>();
            for (int e = 0; e < 3; e++) {
                // each exchange is a disjoint pairing of its own
                GossipTestKit.assertDisjoint(pairs.subList(4 * e, 4 * e + 4));
            }
            for (GossipPair pair : pairs) {
                times.merge(pair.a(), 1, Integer::sum);
                times.merge(pair.b(), 1, Integer::sum);
            }
            assertTrue(times.values().stream().allMatch(t -> t <= 3), times.toString());
        }
        Set<Set<String>> firstPartners = new HashSet<>();
        for (int round = 1; round <= 10; round++) {
            List<GossipPair> pairs = strategy(Map.of("exchanges", 2), round).plan(1, peers(8, 1));
            assertEquals(8, pairs.size());
            Set<Set<String>> first = new HashSet<>();
            Set<Set<String>> second = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                first.add(Set.of(pairs.get(i).a(), pairs.get(i).b()));
                second.add(Set.of(pairs.get(4 + i).a(), pairs.get(4 + i).b()));
            }
            firstPartners.add(first.equals(second) ? Set.of() : Set.of("differ"));
        }
        assertTrue(firstPartners.contains(Set.of("differ")), "the second exchange is shuffled anew");
    }

    @Test
    void everySkipsRounds() {
        GossipStrategy strategy = strategy(Map.of("every", 3), 1);
        for (int round = 1; round <= 9; round++) {
            int pairs = strategy.plan(round, peers(8, 1)).size();
            assertEquals(round % 3 == 0 ? 4 : 0, pairs, "round " + round);
        }
    }

    @Test
    void mergeIsTheSampleWeightedMean() {
        ExpertState mine = new ExpertState("stat", Map.of("mean", new double[] {0.0, 4.0}), 30);
        ExpertState theirs = new ExpertState("stat", Map.of("mean", new double[] {4.0, 0.0}), 10);
        ExpertState merged = strategy(Map.of(), 1).merge(mine, theirs);
        assertEquals(1.0, merged.weight("mean")[0], 1e-12);
        assertEquals(3.0, merged.weight("mean")[1], 1e-12);
    }

    @Test
    void duplicatePeersAreRejected() {
        GossipTestKit.assertDuplicatePeersRefused(strategy(Map.of(), 1));
    }
}
