package io.scarcity.runtime.secagg;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The coordinator's side of secure aggregation ({@link SecAggClient}): it routes keys and sealed shares between
 * neighbours, sums the masked inputs, and with the shares the remaining clients release removes the masks that do not
 * cancel, learning the sum of the inputs of the clients that stayed and nothing else about any of them. If too few
 * clients remain for some mask to be removed, it says so and gives no sum.
 *
 * <p>Neighbourhoods: with {@code degree >= clients - 1} every client is every other's neighbour (the protocol of
 * Bonawitz et al. 2017); with a smaller even degree, each client's neighbours are the {@code degree / 2} on either side
 * of it on a ring in a random order drawn from {@code graphSeed} (a Harary graph, as in SecAgg+), so that the work and
 * bytes per client grow with the degree, not the federation. Semi-honest model: the coordinator follows the protocol
 * and tries to learn more from what it sees; clients check that they never release both masks of one client.
 */
public final class SecAggServer {
    /** The sum, or why there is none. */
    public record Result(long[] sum, Set<Integer> summed, String failure) {
        public boolean aggregated() {
            return failure == null;
        }
    }

    /** The most clients one aggregation sums: with values below 2^48 each, their sum stays below 2^62. */
    public static final int MAX_CLIENTS = 1 << 14;

    private final int threshold;
    private final int length;
    private final Map<Integer, List<Integer>> graph;
    private final Map<Integer, SecAggClient.Keys> keys = new TreeMap<>();
    private final Map<Integer, List<SecAggClient.SealedShare>> mailboxes = new HashMap<>();
    private final Set<Integer> shared = new TreeSet<>();
    private final Map<Integer, long[]> inputs = new TreeMap<>();

    /**
     * @param clients the ids taking part
     * @param degree neighbours per client (even, or {@code >= clients - 1} for all)
     * @param threshold shares needed to rebuild a client's secret: at most the degree + 1 (of each client and its
     *        neighbours, that many must remain to the end)
     * @param length the length of each input vector
     */
    public SecAggServer(List<Integer> clients, int degree, int threshold, int length, long graphSeed) {
        if (clients.size() > MAX_CLIENTS) {
            throw new IllegalArgumentException(clients.size() + " clients in one aggregation, more than " + MAX_CLIENTS
                    + " (whose sums of fixed-point values cannot wrap)");
        }
        this.threshold = threshold;
        this.length = length;
        this.graph = neighbourhoods(clients, degree, graphSeed);
        int minDegree = graph.values().stream().mapToInt(List::size).min().orElse(0);
        if (threshold < 1 || threshold > minDegree + 1) {
            throw new IllegalArgumentException("threshold " + threshold + " must lie in 1.." + (minDegree + 1)
                    + " (each client's shares go to itself and its " + minDegree + " neighbours)");
        }
    }

    /** Each client's neighbours. */
    public List<Integer> neighbours(int client) {
        return Collections.unmodifiableList(graph.get(client));
    }

    /** Step 1, received: a client's keys. */
    public void received(SecAggClient.Keys k) {
        require(graph.containsKey(k.id()), "client " + k.id() + " does not take part");
        keys.put(k.id(), k);
    }

    /** Step 2, sent: the keys of a client's neighbours that advertised theirs. */
    public List<SecAggClient.Keys> keysFor(int client) {
        List<SecAggClient.Keys> out = new ArrayList<>();
        for (int v : graph.get(client)) {
            if (keys.containsKey(v)) {
                out.add(keys.get(v));
            }
        }
        return out;
    }

    /** Step 2, received: the shares a client sealed for its neighbours. */
    public void receivedShares(int client, List<SecAggClient.SealedShare> shares) {
        require(keys.containsKey(client), "client " + client + " shared keys without advertising its own");
        for (SecAggClient.SealedShare s : shares) {
            require(s.from() == client && graph.get(client).contains(s.to()), "client " + client + " sealed a share for "
                    + s.to() + ", not one of its neighbours");
            mailboxes.computeIfAbsent(s.to(), k -> new ArrayList<>()).add(s);
        }
        shared.add(client);
    }

    /** Step 3, sent: the shares sealed for {@code client} by neighbours that shared theirs. */
    public List<SecAggClient.SealedShare> sharesFor(int client) {
        List<SecAggClient.SealedShare> out = new ArrayList<>();
        for (SecAggClient.SealedShare s : mailboxes.getOrDefault(client, List.of())) {
            if (shared.contains(s.from())) {
                out.add(s);
            }
        }
        return out;
    }

    /** Step 3, received: a client's masked input. */
    public void receivedInput(int client, long[] masked) {
        require(shared.contains(client), "client " + client + " sent an input without sharing its keys");
        require(masked.length == length, "client " + client + " sent " + masked.length + " values, expected " + length);
        inputs.put(client, masked.clone());
    }

    /** Step 4, sent to each remaining client: which of its neighbours stayed. */
    public Set<Integer> stayedAmong(int client) {
        Set<Integer> out = new TreeSet<>();
        for (int v : graph.get(client)) {
            if (inputs.containsKey(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /** Step 4, sent to each remaining client: which of its neighbours shared keys and then sent no input. */
    public Set<Integer> leftAmong(int client) {
        Set<Integer> out = new TreeSet<>();
        for (int v : graph.get(client)) {
            if (shared.contains(v) && !inputs.containsKey(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /** The clients whose masked input arrived. */
    public Set<Integer> stayed() {
        return new TreeSet<>(inputs.keySet());
    }

    /**
     * Step 4, received, and the end: from the releases of the clients still there, rebuilds each remaining client's
     * self-mask seed and each departed client's mask key, and removes their masks from the sum.
     */
    public Result aggregate(List<SecAggClient.Unmasking> releases) {
        if (inputs.size() < threshold) {
            return new Result(null, Set.of(), "could not aggregate: " + inputs.size() + " clients sent their input, fewer"
                    + " than the threshold " + threshold + "; nothing is revealed");
        }
        Map<Integer, Map<Integer, BigInteger>> self = new HashMap<>();
        Map<Integer, Map<Integer, BigInteger>> maskKeys = new HashMap<>();
        for (SecAggClient.Unmasking r : releases) {
            r.selfMaskShares().forEach((u, s) -> self.computeIfAbsent(u, k -> new HashMap<>()).put(r.from() + 1, s));
            r.maskKeyShares().forEach((u, s) -> maskKeys.computeIfAbsent(u, k -> new HashMap<>()).put(r.from() + 1, s));
        }
        long[] sum = new long[length];
        for (long[] y : inputs.values()) {
            for (int i = 0; i < length; i++) {
                sum[i] += y[i];
            }
        }
        for (int u : inputs.keySet()) {
            Map<Integer, BigInteger> shares = self.getOrDefault(u, Map.of());
            if (shares.size() < threshold) {
                return new Result(null, Set.of(), "could not aggregate: the self-mask of client " + u + " has " + shares.size()
                        + " shares from the clients still there, " + threshold + " needed; nothing is revealed");
            }
            Crypto.addMask(sum, Shamir.reconstruct(shares, threshold), -1);
        }
        for (int u : shared) {
            if (inputs.containsKey(u)) {
                continue;
            }
            Map<Integer, BigInteger> shares = maskKeys.getOrDefault(u, Map.of());
            if (shares.size() < threshold) {
                return new Result(null, Set.of(), "could not aggregate: the masks of client " + u + ", which left, have "
                        + shares.size() + " shares from the clients still there, " + threshold + " needed; nothing is revealed");
            }
            java.security.PrivateKey key = Crypto.privateKey(Shamir.reconstruct(shares, threshold));
            for (int v : graph.get(u)) {
                if (inputs.containsKey(v)) { // v added sign(v, u) * mask(u, v); take it out
                    Crypto.addMask(sum, SecAggClient.pairSeed(key, keys.get(v).masking()), v < u ? -1 : 1);
                }
            }
        }
        return new Result(sum, stayed(), null);
    }

    static Map<Integer, List<Integer>> neighbourhoods(List<Integer> clients, int degree, long seed) {
        List<Integer> ring = new ArrayList<>(new TreeSet<>(clients));
        Map<Integer, List<Integer>> g = new TreeMap<>();
        int n = ring.size();
        if (degree >= n - 1) {
            for (int u : ring) {
                List<Integer> others = new ArrayList<>(ring);
                others.remove(Integer.valueOf(u));
                g.put(u, others);
            }
            return g;
        }
        if (degree < 2 || degree % 2 != 0) {
            throw new IllegalArgumentException("degree must be even and >= 2 (or >= clients - 1), got " + degree);
        }
        Collections.shuffle(ring, new Random(seed));
        for (int i = 0; i < n; i++) {
            Set<Integer> near = new TreeSet<>();
            for (int d = 1; d <= degree / 2; d++) {
                near.add(ring.get((i + d) % n));
                near.add(ring.get(((i - d) % n + n) % n));
            }
            g.put(ring.get(i), new ArrayList<>(near));
        }
        return g;
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }
}
