package io.scarcity.plugins.similaritygossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.GossipPair;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.Peer;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Task;
import io.scarcity.plugins.peerselection.PeerSelectionExpertFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * End to end: real peer-selection experts, one per client, learn from batches of two distributions and publish
 * their noisy signatures; the similarity strategy plans from the peers' boards as the engine builds them.
 */
class SimilarityWithPeerSelectionTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"),
            Task.CLASSIFICATION, List.of("a", "b", "c"));

    /** The context a client gets: the run seed and instance name are shared, the generator is the client's. */
    static PluginContext client(long runSeed, String id, DataSchema schema) {
        return new PluginContext() {
            @Override
            public long seed() {
                return runSeed;
            }

            @Override
            public Random random() {
                return new Random(runSeed * 1_000_003L + id.hashCode());
            }

            @Override
            public Optional<DataSchema> schema() {
                return Optional.of(schema);
            }

            @Override
            public Optional<String> clientId() {
                return Optional.of(id);
            }

            @Override
            public String instanceName() {
                return "peer-selection";
            }
        };
    }

    /**
     * A batch of distribution "P" or "Q": the class mix differs ({@code classSkew}) and each class has its own
     * feature means, plus a shift of all features for Q ({@code featureShift}).
     */
    private static Batch batch(String distribution, Random random, double classSkew, double featureShift) {
        int rows = 10;
        double[] x = new double[rows * 8];
        int[] y = new int[rows];
        boolean q = distribution.equals("Q");
        for (int r = 0; r < rows; r++) {
            double u = random.nextDouble();
            int c = u < 1.0 / 3 + (q ? -classSkew : classSkew) ? 0 : u < 2.0 / 3 ? 1 : 2;
            y[r] = c;
            for (int f = 0; f < 8; f++) {
                x[r * 8 + f] = (f % 3 == c ? 1.0 : 0.0) + (q ? featureShift * (f % 2 == 0 ? 1 : -1) : 0)
                        + random.nextGaussian();
            }
        }
        return Batch.ofClasses(SCHEMA, "digits", 0, x, y);
    }

    /** Six clients, three of each distribution, fed {@code batches} batches each; their peers as the engine builds them. */
    private static List<Peer> peers(long runSeed, Map<String, ?> expertConfig, double classSkew, double featureShift,
                                    int batches) {
        List<Peer> peers = new ArrayList<>();
        String[] ids = {"p1", "q1", "p2", "q2", "p3", "q3"};
        for (String id : ids) {
            Expert expert = new PeerSelectionExpertFactory().create(PluginConfig.of("experts[1].config", expertConfig),
                    client(runSeed, id, SCHEMA));
            InMemorySignalBoard board = new InMemorySignalBoard();
            board.publish("drift.score", 0.2); // other experts' signals are on the board too
            Random data = new Random(runSeed * 7 + id.hashCode());
            for (int b = 0; b < batches; b++) {
                Batch batch = batch(id.startsWith("p") ? "P" : "Q", data, classSkew, featureShift);
                expert.learn(batch, new BatchOutcome(null, new double[batch.rows()], b / 2 + 1), board);
            }
            peers.add(new Peer(id, "digits", board.snapshot()));
        }
        return peers;
    }

    private static void assertSameDistributionRanksFirst(List<Peer> peers, SimilarityGossip strategy, String what) {
        List<GossipPair> pairs = strategy.plan(1, peers);
        Map<String, List<String>> ranking = strategy.lastRanking();
        for (Peer p : peers) {
            List<String> ranked = ranking.get(p.id());
            assertEquals(5, ranked.size());
            for (int r = 0; r < 2; r++) {
                assertEquals(p.id().charAt(0), ranked.get(r).charAt(0), what + ": " + p.id() + " ranks " + ranked);
            }
            double same = strategy.lastSimilarity(p.id(), ranked.get(1));
            double other = strategy.lastSimilarity(p.id(), ranked.get(2));
            assertTrue(same > other, what + ": " + same + " vs " + other);
        }
        // Six peers, three of each: two within-distribution pairs, and the odd ones form the third pair.
        assertEquals(3, pairs.size());
        long within = pairs.stream().filter(pair -> pair.a().charAt(0) == pair.b().charAt(0)).count();
        assertEquals(2, within, what + ": " + pairs);
    }

    @Test
    void aClientWithTheSameDistributionRanksAboveOneWithAnother() {
        for (long seed = 1; seed <= 10; seed++) {
            List<Peer> peers = peers(seed, Map.of(), 0.25, 0.5, 20);
            assertSameDistributionRanksFirst(peers, SimilarityGossipTest.strategy(Map.of(), seed), "seed " + seed);
        }
    }

    @Test
    void featuresAloneSufficeWhenLabelsAreLeftOut() {
        // The same class mix: only the feature shift tells P from Q, through the random projection.
        for (long seed = 1; seed <= 10; seed++) {
            List<Peer> peers = peers(seed, Map.of("labels", false, "squares", true), 0.0, 0.7, 30);
            assertSameDistributionRanksFirst(peers, SimilarityGossipTest.strategy(Map.of(), seed), "seed " + seed);
        }
    }

    @Test
    void aMinimumSimilarityKeepsPairsWithinADistribution() {
        List<Peer> peers = peers(3, Map.of(), 0.25, 0.5, 20);
        List<GossipPair> pairs = SimilarityGossipTest.strategy(Map.of("minSimilarity", 0.0), 3).plan(1, peers);
        assertEquals(2, pairs.size(), pairs.toString());
        for (GossipPair pair : pairs) {
            assertEquals(pair.a().charAt(0), pair.b().charAt(0), pair.toString());
        }
    }

    @Test
    void heavyNoiseHidesTheDifference() {
        // The privacy knob works both ways: noise far above the differences between clients makes the ranking
        // no better than chance. Count, over seeds, how often a P client's top match is a P client.
        int hitsQuiet = 0;
        int hitsNoisy = 0;
        int trials = 0;
        for (long seed = 1; seed <= 20; seed++) {
            for (Map.Entry<String, List<String>> e : ranked(seed, 0.01).entrySet()) {
                hitsQuiet += e.getKey().charAt(0) == e.getValue().get(0).charAt(0) ? 1 : 0;
                trials++;
            }
            for (Map.Entry<String, List<String>> e : ranked(seed, 50.0).entrySet()) {
                hitsNoisy += e.getKey().charAt(0) == e.getValue().get(0).charAt(0) ? 1 : 0;
            }
        }
        assertEquals(trials, hitsQuiet, "little noise: the top match always shares the distribution");
        // Chance: 2 of the 5 others share the distribution (0.4); allow for sampling spread over 120 trials.
        assertTrue(hitsNoisy < 0.6 * trials, "noise 50: " + hitsNoisy + " of " + trials);
    }

    private static Map<String, List<String>> ranked(long seed, double noise) {
        SimilarityGossip strategy = SimilarityGossipTest.strategy(Map.of(), seed);
        strategy.plan(1, peers(seed, Map.of("noise", noise), 0.25, 0.5, 20));
        return strategy.lastRanking();
    }
}
