package io.scarcity.plugins.similaritygossip;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.Peer;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Gossip between the peers whose data look most alike, judged by the signatures that the
 * {@code peer-selection} expert publishes on each client's board ({@code peer.sig.0 .. peer.sig.(n-1)}, read
 * from {@link Peer#signals()}; the prefix is the {@code signalPrefix} option).
 *
 * <p><b>Why the ranking lives here</b>: an expert sees only its own client's board, so the peer-selection expert
 * cannot rank peers. This strategy sees every live peer's signals each round and computes the ranking; the
 * ranking of the last plan is kept ({@link #lastRanking()}) and summarised in metrics:
 * {@code similarity.chosen-mean} (mean similarity of the pairs formed), {@code similarity.all-mean} (mean over
 * all eligible pairs, the baseline that random pairing would get on average), counters
 * {@code similarity.unsigned} and {@code similarity.waiting}.
 *
 * <p><b>Similarity</b>: a signature is the signals {@code prefix + 0, prefix + 1, ...} up to the first missing
 * one. Only signatures of the most common length (ties: the longer) are compared; the others count as unsigned.
 * Each coordinate is standardised across the signed peers of the round (mean 0, standard deviation 1; a
 * coordinate that is constant across peers is dropped), so that parts in different units (feature projections,
 * label proportions) weigh alike and what all peers share (e.g. every digit image has ink in the centre) does
 * not make everyone look alike. The similarity of two peers is
 * {@code max(-1, 1 - |z_a - z_b|^2 / (2k))} with {@code k} the number of non-constant coordinates: 1 for identical
 * signatures, about 0 for two peers as far apart as two peers drawn independently from the round's population
 * ({@code E|z_a - z_b|^2 = 2k}), negative for farther, clamped at -1. A distance rather than the cosine of the
 * centred signatures: the cosine judges direction from the population's centre only, so a cluster of peers that
 * sits near that centre gets noise for directions and its members look unlike each other. With only two signed
 * peers standardisation puts them at -1: the ranking is only informative from three peers on.
 *
 * <p><b>Pairing</b>: greedy maximum-weight matching: eligible pairs (same domain with {@code sameDomain}, and
 * similarity >= {@code minSimilarity}) in decreasing order of similarity, a pair taken when both peers are still
 * free. Greedy is within a factor 2 of the best total similarity and is what "pair everyone with their best
 * available match" means; ties are broken by a shuffle from the component's generator. Signed peers left over
 * (an odd one, or no eligible partner) wait. Unsigned peers pair at random among themselves ({@code fallback:
 * random}, within their domain with {@code sameDomain}) or wait ({@code fallback: wait}).
 *
 * <p><b>Cost</b>: {@code O(n^2 m)} for the similarities of {@code n} peers with signatures of length {@code m},
 * plus {@code O(n^2 log n)} to sort the pairs, and {@code O(n^2)} memory. At most 40,000 signed peers.
 *
 * <p><b>Limitations</b>: per-coordinate standardisation is a diagonal Mahalanobis distance: a coordinate on
 * which peers hardly differ is scaled up to unit spread, so its noise (the expert's privacy noise included)
 * weighs as much as an informative coordinate; keep the expert's {@code noise} well below the differences between
 * peers. While signatures are stable the same pairs form every round, so knowledge does not
 * spread beyond a pair; that is the point (merge only with peers whose data are alike) but it is also why
 * random or domain gossip may do better when clients differ little.
 *
 * <p>A checkpoint is the generator's position.
 */
final class SimilarityGossip implements GossipStrategy, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}. */
    static final int STATE_VERSION = 1;
    /** Keeps {@code n * n} (the similarity matrix) within an array's reach. */
    static final int MAX_SIGNED = 40_000;

    private final Options options;
    private final MetricsSink metrics;
    /** Not final: a restored checkpoint replaces it with the saved generator's continuation. */
    private Random random;
    /** The last plan's signed peers (shuffled order) and their similarities, for {@link #lastRanking()}. */
    private List<Peer> lastSigned = List.of();
    private float[] lastSimilarity = new float[0];

    SimilarityGossip(Options options, Random random, MetricsSink metrics) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
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
        Map<Peer, double[]> signatures = new LinkedHashMap<>();
        for (Peer peer : peers) {
            signatures.put(peer, signature(peer));
        }
        int length = commonLength(signatures.values());
        List<Peer> signed = new ArrayList<>();
        List<Peer> unsigned = new ArrayList<>();
        for (Map.Entry<Peer, double[]> e : signatures.entrySet()) {
            (length > 0 && e.getValue().length == length ? signed : unsigned).add(e.getKey());
        }
        if (signed.size() > MAX_SIGNED) {
            throw new IllegalArgumentException("similarity gossip pairs at most " + MAX_SIGNED + " signed peers, got "
                    + signed.size());
        }
        shuffle(signed);
        int n = signed.size();
        double[][] z = standardised(signed, signatures, length);
        int informative = informative(z, length);
        float[] similarity = new float[n * n];
        for (int i = 0; i < n; i++) {
            similarity[i * n + i] = 1f;
            for (int j = i + 1; j < n; j++) {
                float s = (float) similarity(z[i], z[j], informative);
                similarity[i * n + j] = s;
                similarity[j * n + i] = s;
            }
        }
        lastSigned = List.copyOf(signed);
        lastSimilarity = similarity;
        matchGreedily(signed, similarity, pairs);
        int pairedSigned = pairs.size() * 2;
        if (options.fallback() == Options.Fallback.RANDOM) {
            pairAtRandom(unsigned, pairs);
        }
        metrics.count("similarity.unsigned", unsigned.size());
        metrics.count("similarity.waiting", peers.size() - 2L * pairs.size());
        metrics.count("similarity.pairs", pairedSigned / 2);
        return pairs;
    }

    private double[] signature(Peer peer) {
        Map<String, Double> signals = peer.signals();
        List<Double> values = new ArrayList<>();
        for (int i = 0;; i++) {
            Double v = signals.get(options.signalPrefix() + i);
            if (v == null) {
                break;
            }
            values.add(v);
        }
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** The most common non-zero length (ties: the longer), 0 when nobody is signed. */
    private static int commonLength(Iterable<double[]> signatures) {
        Map<Integer, Integer> counts = new TreeMap<>(Comparator.reverseOrder());
        for (double[] s : signatures) {
            if (s.length > 0) {
                counts.merge(s.length, 1, Integer::sum);
            }
        }
        int best = 0;
        int bestCount = 0;
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
            if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }

    private static double[][] standardised(List<Peer> signed, Map<Peer, double[]> signatures, int length) {
        int n = signed.size();
        double[][] z = new double[n][];
        for (int i = 0; i < n; i++) {
            z[i] = signatures.get(signed.get(i)).clone();
        }
        for (int k = 0; k < length; k++) {
            double mean = 0;
            for (double[] v : z) {
                mean += v[k];
            }
            mean /= Math.max(1, n);
            double var = 0;
            for (double[] v : z) {
                double d = v[k] - mean;
                var += d * d;
            }
            double sd = Math.sqrt(var / Math.max(1, n));
            boolean constant = !(sd > 1e-12 * Math.max(1.0, Math.abs(mean)));
            for (double[] v : z) {
                v[k] = constant ? 0.0 : (v[k] - mean) / sd;
            }
        }
        return z;
    }

    /** Coordinates that vary across the peers (standardisation zeroes the constant ones). */
    private static int informative(double[][] z, int length) {
        int k = 0;
        for (int c = 0; c < length; c++) {
            for (double[] v : z) {
                if (v[c] != 0) {
                    k++;
                    break;
                }
            }
        }
        return k;
    }

    private static double similarity(double[] a, double[] b, int informative) {
        if (informative == 0) {
            return 0;
        }
        double d2 = 0;
        for (int c = 0; c < a.length; c++) {
            double d = a[c] - b[c];
            d2 += d * d;
        }
        return Math.max(-1, 1 - d2 / (2.0 * informative));
    }

    private void matchGreedily(List<Peer> signed, float[] similarity, List<GossipPair> out) {
        int n = signed.size();
        long[] keys = new long[(int) Math.max(0, (long) n * (n - 1) / 2)];
        int count = 0;
        int eligible = 0;
        double all = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (options.sameDomain() && !signed.get(i).domain().equals(signed.get(j).domain())) {
                    continue;
                }
                float s = similarity[i * n + j];
                all += s;
                eligible++;
                if (s < options.minSimilarity()) {
                    continue;
                }
                int bits = Float.floatToIntBits(s);
                int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
                // Similarity in the high half, the pair's index (i * n + j < 2^31) in the low half.
                keys[count++] = ((long) sortable << 32) | ((long) (i * n + j) & 0xffffffffL);
            }
        }
        Arrays.sort(keys, 0, count);
        boolean[] taken = new boolean[n];
        double chosen = 0;
        int formed = 0;
        for (int e = count - 1; e >= 0; e--) {
            int index = (int) keys[e];
            int i = Integer.divideUnsigned(index, n);
            int j = Integer.remainderUnsigned(index, n);
            if (taken[i] || taken[j]) {
                continue;
            }
            taken[i] = true;
            taken[j] = true;
            out.add(new GossipPair(signed.get(i).id(), signed.get(j).id()));
            chosen += similarity[i * n + j];
            formed++;
        }
        if (formed > 0) {
            metrics.gauge("similarity.chosen-mean", chosen / formed);
        }
        if (eligible > 0) {
            metrics.gauge("similarity.all-mean", all / eligible);
        }
    }

    private void pairAtRandom(List<Peer> unsigned, List<GossipPair> out) {
        Map<String, List<Peer>> groups = new TreeMap<>();
        for (Peer p : unsigned) {
            groups.computeIfAbsent(options.sameDomain() ? p.domain() : "", d -> new ArrayList<>()).add(p);
        }
        for (List<Peer> group : groups.values()) {
            shuffle(group);
            for (int i = 0; i + 1 < group.size(); i += 2) {
                out.add(new GossipPair(group.get(i).id(), group.get(i + 1).id()));
            }
        }
    }

    private void shuffle(List<Peer> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Peer t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    /**
     * The ranking behind the last plan: for each signed peer, the other eligible signed peers (same domain with
     * {@code sameDomain}) from most to least similar. Empty before the first plan.
     */
    Map<String, List<String>> lastRanking() {
        int n = lastSigned.size();
        Map<String, List<String>> out = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Peer me = lastSigned.get(i);
            List<Integer> others = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (j != i && (!options.sameDomain() || lastSigned.get(j).domain().equals(me.domain()))) {
                    others.add(j);
                }
            }
            int row = i;
            others.sort(Comparator.comparingDouble((Integer j) -> -lastSimilarity[row * n + j]));
            out.put(me.id(), others.stream().map(j -> lastSigned.get(j).id()).toList());
        }
        return out;
    }

    /** The similarity of two signed peers in the last plan; NaN if either was not signed. */
    double lastSimilarity(String a, String b) {
        int i = -1;
        int j = -1;
        for (int k = 0; k < lastSigned.size(); k++) {
            i = lastSigned.get(k).id().equals(a) ? k : i;
            j = lastSigned.get(k).id().equals(b) ? k : j;
        }
        return i < 0 || j < 0 ? Double.NaN : lastSimilarity[i * lastSigned.size() + j];
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
        in.readVersion("similarity gossip", STATE_VERSION);
        random = in.readRandom();
    }
}
