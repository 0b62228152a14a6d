package io.scarcity.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.ExpertState;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.GossipStrategyFactory;
import io.scarcity.api.Peer;
import io.scarcity.api.StandardSignals;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Gossip strategies under the shared contract of {@link PluginTestKit}: generated populations of live
 * peers (joining, leaving, with signatures), a driver that plans rounds and merges states and checks
 * every plan, and {@link #assertContract} that checks all of it in one call.
 */
public final class GossipTestKit {
    /** The prefix of the signature signals the generated peers carry (the {@code peer-selection} expert's). */
    public static final String SIGNATURE = "peer.sig.";
    /** Clients {@code c0 .. c23}, client {@code i} in domain {@code d(i % 3)}. */
    public static final int CLIENTS = 24;

    private GossipTestKit() {
    }

    /**
     * The live peers of a round, in client order: each client is live with probability 0.8, so that peers
     * leave and come back; most carry a signature of 4 coordinates ({@link #SIGNATURE}{@code 0 .. 3}) near
     * one of two centres (by client parity), one in six none; all a drift score.
     */
    public static List<Peer> peers(Random random, int round) {
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            if (random.nextInt(5) == 0) {
                continue;
            }
            Map<String, Double> signals = new TreeMap<>();
            signals.put(StandardSignals.DRIFT_SCORE, random.nextDouble());
            if (i % 6 != 5) {
                for (int j = 0; j < 4; j++) {
                    signals.put(SIGNATURE + j, (i % 2 == 0 ? 1.0 : -1.0) * (j + 1) + 0.5 * random.nextGaussian());
                }
            }
            peers.add(new Peer("c" + i, "d" + i % 3, signals));
        }
        return peers;
    }

    /** An expert state with arrays {@code w} (5 values) and {@code b} (1), random values, and a sample count. */
    public static ExpertState state(Random random, long samples) {
        double[] w = new double[5];
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextGaussian();
        }
        return new ExpertState("toy", Map.of("w", w, "b", new double[] {random.nextGaussian()}), samples);
    }

    /** The validity of a plan: never {@code null}; each pair of two distinct peers, both among the live ones. */
    public static void assertValid(List<GossipPair> pairs, List<Peer> peers) {
        assertNotNull(pairs, "a plan is never null");
        Set<String> live = new HashSet<>();
        peers.forEach(p -> live.add(p.id()));
        for (GossipPair pair : pairs) {
            assertNotEquals(pair.a(), pair.b(), "a peer paired with itself");
            assertTrue(live.contains(pair.a()) && live.contains(pair.b()), pair + " names a peer that is not live: " + live);
        }
    }

    /** No peer in two pairs (for strategies that promise it); returns the paired peers. */
    public static Set<String> assertDisjoint(List<GossipPair> pairs) {
        Set<String> ids = new HashSet<>();
        for (GossipPair pair : pairs) {
            assertTrue(ids.add(pair.a()), pair.a() + " is in two pairs");
            assertTrue(ids.add(pair.b()), pair.b() + " is in two pairs");
        }
        return ids;
    }

    /** A population that lists a peer twice is refused with an {@link IllegalArgumentException}. */
    public static void assertDuplicatePeersRefused(GossipStrategy strategy) {
        List<Peer> twice = List.of(new Peer("a", "d", Map.of()), new Peer("b", "d", Map.of()), new Peer("a", "d", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> strategy.plan(1, twice));
    }

    /**
     * The merge contract on two states of one expert: the merged state keeps the expert, the arrays and their
     * lengths, is finite, is the same when asked twice, and leaves both inputs unchanged. Returns it.
     */
    public static ExpertState assertMerge(GossipStrategy strategy, ExpertState mine, ExpertState theirs) {
        String a = MetaLearnerTestKit.fingerprint(mine);
        String b = MetaLearnerTestKit.fingerprint(theirs);
        ExpertState merged = strategy.merge(mine, theirs);
        assertNotNull(merged, "a merge is never null");
        assertEquals(mine.expert(), merged.expert());
        assertEquals(mine.weights().keySet(), merged.weights().keySet(), "a merge keeps the arrays");
        mine.weights().forEach((name, values) -> assertEquals(values.length, merged.weight(name).length, "length of " + name));
        assertTrue(merged.isFinite(), "a merge of finite states is finite");
        assertEquals(MetaLearnerTestKit.fingerprint(merged), MetaLearnerTestKit.fingerprint(strategy.merge(mine, theirs)),
                "a merge has no side effects: asked twice, the same");
        assertEquals(a, MetaLearnerTestKit.fingerprint(mine), "a merge leaves its inputs unchanged");
        assertEquals(b, MetaLearnerTestKit.fingerprint(theirs), "a merge leaves its inputs unchanged");
        return merged;
    }

    /**
     * The driver: step {@code t} plans round {@code t + 1} over {@link #peers} and checks the plan
     * ({@link #assertValid}), then merges two generated states ({@link #assertMerge});
     * {@link GossipStrategy#expertsPerExchange()} is at least 0 and never changes. A step's fingerprint:
     * the pairs in order, the merged state, the experts per exchange.
     */
    public static PluginTestKit.Driver<GossipStrategy> driver() {
        return (strategy, random, from, steps) -> {
            List<String> out = new ArrayList<>();
            int experts = strategy.expertsPerExchange();
            assertTrue(experts >= 0, "expertsPerExchange " + experts);
            for (int t = from; t < from + steps; t++) {
                List<Peer> peers = peers(random, t + 1);
                List<GossipPair> pairs = strategy.plan(t + 1, peers);
                assertValid(pairs, peers);
                ExpertState merged = assertMerge(strategy, state(random, 1 + random.nextInt(100)), state(random, 1 + random.nextInt(100)));
                assertEquals(experts, strategy.expertsPerExchange(), "expertsPerExchange never changes");
                out.add(pairs + "\nmerged " + MetaLearnerTestKit.fingerprint(merged) + "\nexperts " + experts);
            }
            return out;
        };
    }

    /**
     * The checkpoint contract of strategies made by {@code maker}: determinism per seed; if they are {@link Checkpointable}, the round trip after 15 rounds continuing identically for
     * 25 more (with {@code stateShows} false, a fresh strategy may plan the same: a schedule that is a
     * function of the round), a truncated checkpoint refused without effect, and a checkpoint of an unknown
     * format version refused naming {@code component}.
     */
    public static void assertCheckpointContract(Supplier<GossipStrategy> maker, String component, boolean stateShows)
            throws IOException {
        PluginTestKit.assertDeterministic(maker, driver(), 7, 20);
        if (maker.get() instanceof Checkpointable) {
            PluginTestKit.assertRoundTrip(maker, driver(), 31, 15, 25, stateShows);
            PluginTestKit.assertCorruptRefusedAndChangesNothing(maker, driver(), 5, 10);
            PluginTestKit.assertUnknownVersionRefused(maker, component);
        }
    }

    /**
     * Everything: the factory registration ({@link PluginTestKit#assertRegistered}), the bad options refused
     * naming their path, and {@link #assertCheckpointContract} with {@code options} (on the coordinator: no
     * schema).
     */
    public static void assertContract(Class<? extends GossipStrategyFactory> type, String name, Map<String, ?> options,
            List<PluginTestKit.BadOption> bad, String component, boolean stateShows) throws IOException {
        GossipStrategyFactory factory = PluginTestKit.assertRegistered(GossipStrategyFactory.class, type, name);
        var context = PluginTestKit.context(1, null, name);
        PluginTestKit.assertBadOptionsRefused(factory, context, bad);
        assertCheckpointContract(PluginTestKit.maker(factory, options, context), component, stateShows);
    }
}
