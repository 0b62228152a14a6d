package io.scarcity.plugins.similaritygossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.GossipPair;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.Peer;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.GossipTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SimilarityGossipTest {
    static SimilarityGossip strategy(Map<String, ?> config, long seed, MetricsSink metrics) {
        return new SimilarityGossip(Options.from(PluginConfig.of("gossip.config", config)), new Random(seed), metrics);
    }

    static SimilarityGossip strategy(Map<String, ?> config, long seed) {
        return strategy(config, seed, MetricsSink.NONE);
    }

    /** A peer whose signature is {@code centre} plus Gaussian noise of {@code sd}. */
    static Peer peer(String id, String domain, double[] centre, double sd, Random random) {
        Map<String, Double> signals = new TreeMap<>();
        for (int i = 0; i < centre.length; i++) {
            signals.put("peer.sig." + i, centre[i] + sd * random.nextGaussian());
        }
        signals.put("other.signal", 3.0);
        return new Peer(id, domain, signals);
    }

    /**
     * {@code clusters} centres of length 8, 4 apart along a random sign pattern (so every coordinate tells the
     * clusters apart: standardisation amplifies the noise of a coordinate that does not, see the class Javadoc), and
     * {@code per} peers around each, named c{k}-{i}.
     */
    static List<Peer> clustered(int clusters, int per, double sd, Random random, boolean domainPerCluster) {
        List<Peer> peers = new ArrayList<>();
        double[] direction = new double[8];
        for (int i = 0; i < direction.length; i++) {
            direction[i] = random.nextBoolean() ? 1 : -1;
        }
        for (int k = 0; k < clusters; k++) {
            double[] centre = new double[8];
            for (int i = 0; i < centre.length; i++) {
                centre[i] = 4 * k * direction[i] + random.nextGaussian();
            }
            for (int i = 0; i < per; i++) {
                peers.add(peer("c" + k + "-" + i, domainPerCluster ? "d" + k : "d" + (i % 2), centre, sd, random));
            }
        }
        java.util.Collections.shuffle(peers, random);
        return peers;
    }

    static String cluster(String id) {
        return id.substring(0, id.indexOf('-'));
    }

    @Test
    void pairsPeersOfTheSameClusterAndRanksThemFirst() {
        Random random = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            SimilarityGossip strategy = strategy(Map.of(), trial);
            List<Peer> peers = clustered(3, 4, 0.3, random, false);
            List<GossipPair> pairs = strategy.plan(1, peers);
            assertEquals(6, pairs.size(), "12 peers, 6 pairs");
            assertEquals(12, GossipTestKit.assertDisjoint(pairs).size());
            for (GossipPair pair : pairs) {
                assertEquals(cluster(pair.a()), cluster(pair.b()), "trial " + trial + ": " + pair);
            }
            Map<String, List<String>> ranking = strategy.lastRanking();
            for (Peer p : peers) {
                List<String> ranked = ranking.get(p.id());
                assertEquals(11, ranked.size());
                for (int r = 0; r < 3; r++) {
                    assertEquals(cluster(p.id()), cluster(ranked.get(r)), "trial " + trial + ": " + p.id() + " ranks " + ranked);
                }
            }
        }
    }

    @Test
    void minSimilarityMakesPeersWithoutAGoodMatchWait() {
        Random random = new Random(5);
        List<Peer> peers = clustered(3, 3, 0.3, random, false);
        List<GossipPair> loose = strategy(Map.of(), 1).plan(1, peers);
        assertEquals(4, loose.size(), "9 peers: 4 pairs, one across clusters");
        List<GossipPair> strict = strategy(Map.of("minSimilarity", 0.5), 1).plan(1, peers);
        assertEquals(3, strict.size(), "one pair per cluster; the odd peer of each waits");
        for (GossipPair pair : strict) {
            assertEquals(cluster(pair.a()), cluster(pair.b()));
        }
    }

    @Test
    void sameDomainNeverPairsAcrossDomains() {
        Random random = new Random(7);
        SimilarityGossip strategy = strategy(Map.of("sameDomain", true), 1);
        for (int trial = 0; trial < 100; trial++) {
            // Clusters cut across the two domains, so the most similar peer is often in the other domain.
            List<Peer> peers = clustered(2, 2 + random.nextInt(6), 0.5, random, false);
            Map<String, String> domainOf = new HashMap<>();
            peers.forEach(p -> domainOf.put(p.id(), p.domain()));
            for (GossipPair pair : strategy.plan(trial + 1, peers)) {
                assertEquals(domainOf.get(pair.a()), domainOf.get(pair.b()), pair.toString());
            }
            for (Map.Entry<String, List<String>> e : strategy.lastRanking().entrySet()) {
                for (String other : e.getValue()) {
                    assertEquals(domainOf.get(e.getKey()), domainOf.get(other));
                }
            }
        }
    }

    @Test
    void peersWithoutASignatureFallBackToRandomPairsOrWait() {
        Random random = new Random(9);
        List<Peer> peers = new ArrayList<>(clustered(2, 2, 0.1, random, false));
        for (int i = 0; i < 4; i++) {
            peers.add(new Peer("bare" + i, "d", Map.of("drift.score", 0.1)));
        }
        peers.add(new Peer("short", "d", Map.of("peer.sig.0", 1.0))); // another length: not comparable
        List<GossipPair> pairs = strategy(Map.of(), 2).plan(1, peers);
        GossipTestKit.assertDisjoint(pairs);
        assertEquals(4, pairs.size(), "2 similarity pairs + 2 random pairs among 5 unsigned; one waits");
        long mixed = pairs.stream().filter(p -> p.a().startsWith("c") != p.b().startsWith("c")).count();
        assertEquals(0, mixed, "signed and unsigned peers never mix");
        List<GossipPair> waiting = strategy(Map.of("fallback", "wait"), 2).plan(1, peers);
        assertEquals(2, waiting.size());
        assertTrue(waiting.stream().allMatch(p -> p.a().startsWith("c") && p.b().startsWith("c")));
        assertEquals(List.of(), strategy(Map.of("fallback", "wait"), 2).plan(1, peers.subList(4, 9)));
    }

    @Test
    void unitsDoNotMatterAfterStandardisation() {
        // Coordinate 0 is huge and pure noise, coordinates 1..3 small and informative: standardised, the
        // informative ones still decide.
        Random random = new Random(13);
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String group = i < 4 ? "a" : "b";
            double sign = i < 4 ? 1 : -1;
            peers.add(new Peer(group + "-" + i, "d", Map.of("peer.sig.0", 1000 * random.nextGaussian(),
                    "peer.sig.1", sign * 0.01, "peer.sig.2", sign * 0.01 + 0.001 * random.nextGaussian(),
                    "peer.sig.3", -sign * 0.01)));
        }
        SimilarityGossip strategy = strategy(Map.of(), 1);
        for (GossipPair pair : strategy.plan(1, peers)) {
            assertEquals(cluster(pair.a()), cluster(pair.b()), pair.toString());
        }
    }

    @Test
    void metricsSummariseTheChosenPairs() {
        PluginTestKit.RecordingMetrics sink = new PluginTestKit.RecordingMetrics();
        List<Peer> peers = new ArrayList<>(clustered(2, 3, 0.2, new Random(2), false));
        peers.add(new Peer("bare", "d", Map.of()));
        strategy(Map.of("minSimilarity", 0.3), 1, sink).plan(1, peers);
        assertTrue(sink.gauges.get("similarity.chosen-mean") > 0.5, sink.gauges.toString());
        assertTrue(sink.gauges.get("similarity.chosen-mean") > sink.gauges.get("similarity.all-mean") + 0.3, sink.gauges.toString());
        assertEquals(1L, sink.counts.get("similarity.unsigned"));
        assertEquals(2L, sink.counts.get("similarity.pairs"));
        assertEquals(3L, sink.counts.get("similarity.waiting"), "the odd peer of each cluster and the unsigned one");
    }

    @Test
    void everySkipsRoundsAndDuplicatesAreRejected() {
        List<Peer> peers = clustered(2, 2, 0.1, new Random(1), false);
        SimilarityGossip strategy = strategy(Map.of("every", 2), 1);
        assertEquals(0, strategy.plan(1, peers).size());
        assertEquals(2, strategy.plan(2, peers).size());
        GossipTestKit.assertDuplicatePeersRefused(strategy);
    }

    @Test
    void sameSeedSamePlanAndTiesAreBrokenByTheGenerator() {
        // Identical signatures: every pair ties, so the generator decides.
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            peers.add(new Peer("p" + i, "d", Map.of("peer.sig.0", i % 2 == 0 ? 1.0 : 2.0, "peer.sig.1", 0.0)));
        }
        SimilarityGossip a = strategy(Map.of(), 4);
        SimilarityGossip b = strategy(Map.of(), 4);
        SimilarityGossip c = strategy(Map.of(), 5);
        List<List<GossipPair>> planA = new ArrayList<>();
        List<List<GossipPair>> planC = new ArrayList<>();
        for (int round = 1; round <= 10; round++) {
            List<GossipPair> pa = a.plan(round, peers);
            assertEquals(pa, b.plan(round, peers));
            planA.add(pa);
            planC.add(c.plan(round, peers));
            for (GossipPair p : pa) {
                // Even peers look alike, odd ones too: pairs never mix them.
                assertEquals(Integer.parseInt(p.a().substring(1)) % 2, Integer.parseInt(p.b().substring(1)) % 2);
            }
        }
        assertNotEquals(planA, planC, "another seed breaks the ties differently");
    }

    /** The kit's gossip contract: plans (ties and unsigned peers drawn from the generator) continue identically after a restore. */
    @Test
    void aRestoredStrategyContinuesIdentically() throws IOException {
        GossipTestKit.assertCheckpointContract(PluginTestKit.maker(new SimilarityGossipFactory(), Map.of(),
                PluginTestKit.context(8, null, "similarity")), "similarity gossip", true);
        GossipTestKit.assertCheckpointContract(PluginTestKit.maker(new SimilarityGossipFactory(),
                Map.of("sameDomain", true, "minSimilarity", 0.2, "fallback", "wait"), PluginTestKit.context(9, null, "similarity")),
                "similarity gossip", true);
    }

    @Test
    void createdThroughTheFactoryItPlans() {
        var s = new SimilarityGossipFactory().create(PluginConfig.empty(), PluginContext.standalone(1, null, "similarity"));
        assertEquals(2, s.plan(1, clustered(2, 2, 0.1, new Random(1), false)).size());
    }
}
