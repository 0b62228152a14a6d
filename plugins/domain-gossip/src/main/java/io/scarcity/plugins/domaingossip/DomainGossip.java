package io.scarcity.plugins.domaingossip;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.Peer;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Gossip that never crosses a domain. On rounds that are a multiple of {@code every}, the peers are grouped
 * by domain (domains in sorted order) and each group pairs up on its own; a client alone in its domain waits.
 *
 * <p>Schedules:
 * <ul>
 *   <li>{@code round-robin} (default): the circle method over the group's peers sorted by id. With {@code n}
 *       peers (plus a bye when {@code n} is odd, whose partner waits), gossip round {@code t = round / every}
 *       uses rotation {@code t mod (n - 1)}: every pair of a stable group meets exactly once every
 *       {@code n - 1} gossip rounds (n even), so knowledge reaches every peer of the domain directly rather than
 *       by chance. It depends on the round and the peers only, so it needs no state; when peers join or drop
 *       the rotation continues over the new group.</li>
 *   <li>{@code random}: a fresh Fisher-Yates shuffle of the group from the component's generator, paired
 *       consecutively (as {@code random-pairs} with {@code sameDomain}).</li>
 * </ul>
 * States merge by the API's default, the sample-weighted mean.
 *
 * <p>A checkpoint is the generator's position (the round-robin schedule is a function of the round).
 */
final class DomainGossip implements GossipStrategy, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}. */
    static final int STATE_VERSION = 1;

    private final Options options;
    /** Not final: a restored checkpoint replaces it with the saved generator's continuation. */
    private Random random;

    DomainGossip(Options options, Random random) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.random = Objects.requireNonNull(random, "random is null");
    }

    @Override
    public List<GossipPair> plan(int round, List<Peer> peers) {
        Objects.requireNonNull(peers, "peers is null");
        Set<String> ids = new HashSet<>();
        Map<String, List<Peer>> byDomain = new TreeMap<>();
        for (Peer peer : peers) {
            if (!ids.add(Objects.requireNonNull(peer, "peer is null").id())) {
                throw new IllegalArgumentException("peer " + peer.id() + " is listed twice");
            }
            byDomain.computeIfAbsent(peer.domain(), d -> new ArrayList<>()).add(peer);
        }
        List<GossipPair> pairs = new ArrayList<>();
        if (round % options.every() != 0) {
            return pairs;
        }
        long gossipRound = Math.floorDiv(round, options.every());
        for (List<Peer> group : byDomain.values()) {
            if (group.size() < 2) {
                continue; // alone in its domain: waits
            }
            if (options.schedule() == Options.Schedule.ROUND_ROBIN) {
                roundRobin(group, gossipRound, pairs);
            } else {
                shuffled(group, pairs);
            }
        }
        return pairs;
    }

    private static void roundRobin(List<Peer> group, long gossipRound, List<GossipPair> out) {
        List<Peer> sorted = new ArrayList<>(group);
        sorted.sort(Comparator.comparing(Peer::id));
        int n = sorted.size() + (sorted.size() % 2); // slot n-1 is the bye when odd
        int rest = n - 1;
        int shift = (int) Math.floorMod(gossipRound, (long) rest);
        // Slot 0 holds peer 0; slot s >= 1 holds peer 1 + (s - 1 + shift) mod rest.
        int[] slot = new int[n];
        slot[0] = 0;
        for (int s = 1; s < n; s++) {
            slot[s] = 1 + (s - 1 + shift) % rest;
        }
        for (int i = 0; i < n / 2; i++) {
            int a = slot[i];
            int b = slot[n - 1 - i];
            if (a < sorted.size() && b < sorted.size()) {
                out.add(new GossipPair(sorted.get(a).id(), sorted.get(b).id()));
            }
        }
    }

    private void shuffled(List<Peer> group, List<GossipPair> out) {
        List<Peer> order = new ArrayList<>(group);
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Peer t = order.get(i);
            order.set(i, order.get(j));
            order.set(j, t);
        }
        for (int i = 0; i + 1 < order.size(); i += 2) {
            out.add(new GossipPair(order.get(i).id(), order.get(i + 1).id()));
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
        in.readVersion("domain gossip", STATE_VERSION);
        random = in.readRandom();
    }
}
