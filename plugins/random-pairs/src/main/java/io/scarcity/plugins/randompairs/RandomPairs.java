package io.scarcity.plugins.randompairs;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.Peer;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Gossip in disjoint random pairs. On rounds that are a multiple of {@code every}, the peers are
 * shuffled (Fisher-Yates over a copy, in the given order, with the component's generator), the first
 * {@code ceil(fraction * n)} take part, and they pair up consecutively; with an odd number the last
 * one sits out. With {@code sameDomain} this is done per domain, in sorted domain order, so no pair
 * crosses domains. With {@code exchanges > 1} all of this is repeated, each time with a new shuffle, and the
 * pairs are listed exchange after exchange: a client merges with several peers in turn; with {@code exchanges: auto} a
 * group of {@code n} peers is paired {@code ceil(log2 n)} times; with {@code exchanges: adaptive} the first pairing
 * takes everyone and the others only the {@code g} peers whose merged experts hold at least half of their mixture's
 * weight against their own twins, {@code min(ceil(log2 n) - 1, ceil(log2 g))} more times. Pairs are disjoint within
 * each pairing; with several pairings a peer is in several pairs. States merge by the API's default, the sample-weighted mean.
 *
 * <p>The generator is the only state that changes, so a checkpoint is its position: a restored strategy
 * draws the same pairs as the saved one would have.
 */
final class RandomPairs implements GossipStrategy, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}. */
    static final int STATE_VERSION = 1;

    /** Absorbs the rounding of {@code fraction * n} so that e.g. 0.3 * 10 takes 3 peers, not 4. */
    private static final double EPSILON = 1e-9;

    private final Options options;
    /** Not final: a restored checkpoint replaces it with the saved generator's continuation. */
    private Random random;

    RandomPairs(Options options, Random random) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.random = Objects.requireNonNull(random, "random is null");
    }

    @Override
    public List<GossipPair> plan(int round, List<Peer> peers) {
        Objects.requireNonNull(peers, "peers is null");
        Set<String> ids = new HashSet<>();
        for (Peer peer : peers) {
            if (!ids.add(Objects.requireNonNull(peer, "peer is null").id())) {
                throw new IllegalArgumentException("peer " + peer.id() + " is listed twice");
            }
        }
        List<GossipPair> pairs = new ArrayList<>();
        if (round % options.every() != 0) {
            return pairs;
        }
        List<List<Peer>> groups = List.of(peers);
        if (options.sameDomain()) {
            Map<String, List<Peer>> byDomain = new TreeMap<>();
            for (Peer peer : peers) {
                byDomain.computeIfAbsent(peer.domain(), d -> new ArrayList<>()).add(peer);
            }
            groups = new ArrayList<>(byDomain.values());
        }
        // Per group: the peers of the exchanges after the first, and how many exchanges it makes. Adaptive: the
        // first exchange pairs everyone; the others only the peers gaining from merges, as many as they need
        // (ceil(log2 g) for g of them, within the group's ceil(log2 n)), so that two gaining peers are not paired
        // again and again, which would move bytes and change nothing.
        List<List<Peer>> later = new ArrayList<>();
        int[] exchanges = new int[groups.size()];
        int most = 0;
        for (int i = 0; i < groups.size(); i++) {
            List<Peer> pool = groups.get(i);
            int count = options.exchangesFor(pool.size());
            if (options.exchanges() == Options.ADAPTIVE) {
                pool = gaining(pool);
                count = 1 + (pool.size() < 2 ? 0 : Math.min(count - 1, options.exchangesFor(pool.size())));
            }
            later.add(pool);
            exchanges[i] = count;
            most = Math.max(most, count);
        }
        for (int exchange = 0; exchange < most; exchange++) {
            for (int i = 0; i < groups.size(); i++) {
                if (exchange < exchanges[i]) {
                    pairUp(exchange == 0 ? groups.get(i) : later.get(i), pairs);
                }
            }
        }
        return pairs;
    }

    /**
     * The peers whose merged experts hold at least half of what they and their personal twins weigh in their mixture
     * (see {@link Options#ADAPTIVE}).
     */
    private static List<Peer> gaining(List<Peer> group) {
        List<Peer> out = new ArrayList<>();
        for (Peer peer : group) {
            if (peer.signals().getOrDefault(StandardSignals.FEDERATION_SHARED_WEIGHT, 0.0) >= 0.5) {
                out.add(peer);
            }
        }
        return out;
    }

    private void pairUp(List<Peer> peers, List<GossipPair> out) {
        List<Peer> shuffled = new ArrayList<>(peers);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Peer t = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, t);
        }
        int taking = (int) Math.min(shuffled.size(), Math.ceil(options.fraction() * shuffled.size() - EPSILON));
        for (int i = 0; i + 1 < taking; i += 2) {
            out.add(new GossipPair(shuffled.get(i).id(), shuffled.get(i + 1).id()));
        }
    }

    @Override
    public int expertsPerExchange() {
        return options.experts();
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeRandom(random);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("random-pairs gossip", STATE_VERSION);
        random = in.readRandom();
    }
}
