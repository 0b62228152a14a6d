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
import java.util.Collection;
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
 * group of {@code n} peers is paired {@code ceil(log2 n)} times, and with {@code exchanges: adaptive} as many times,
 * but after the first only the peers whose merged experts outweigh their own twins take part. States merge by the API's default, the sample-weighted mean.
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
        Collection<List<Peer>> groups = List.of(peers);
        if (options.sameDomain()) {
            Map<String, List<Peer>> byDomain = new TreeMap<>();
            for (Peer peer : peers) {
                byDomain.computeIfAbsent(peer.domain(), d -> new ArrayList<>()).add(peer);
            }
            groups = byDomain.values();
        }
        int most = 0;
        for (List<Peer> group : groups) {
            most = Math.max(most, options.exchangesFor(group.size()));
        }
        for (int exchange = 0; exchange < most; exchange++) {
            for (List<Peer> group : groups) {
                if (exchange < options.exchangesFor(group.size())) {
                    pairUp(exchange > 0 && options.exchanges() == Options.ADAPTIVE ? gaining(group) : group, pairs);
                }
            }
        }
        return pairs;
    }

    /** The peers whose merged experts outweigh their personal twins in their mixture (see {@link Options#ADAPTIVE}). */
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
