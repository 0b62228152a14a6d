package io.scarcity.runtime.privacy;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.ExpertState;
import io.scarcity.api.MergeLaw;
import io.scarcity.api.RowSums;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.runtime.config.DpConfig;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Differential privacy on one client's gossip ({@code privacy.dp.outputs: gossip} or {@code both}): what peers receive
 * of an expert is never its state, only noised sums of bounded row contributions ({@link RowSums}), each row in exactly
 * one noised release.
 *
 * <p><b>The protected unit is the row</b> (example-level DP, with the number of rows public: a row's values and label
 * replaced by any others). A chunk of rows is released through the Gaussian mechanism: each block's sums move by at
 * most twice the block's per-row bound when one row is replaced, so, divided by that, the {@code k} blocks move by at
 * most {@code sqrt(k)} in L2, and each value gets discrete Gaussian noise of standard deviation
 * {@code z sqrt(k) 2 bound} (plus one grid step per value for the rounding to the grid), with {@code z} calibrated so
 * that one release spends the budget (ε, δ). Every later use of a released chunk (pooling it with others, forgetting,
 * forwarding it to other peers) is post-processing. Since each row is in one chunk, each row's privacy loss is that of
 * one release, whatever the number of rounds.
 *
 * <p><b>What peers exchange</b>: per origin (a client, named by a tag derived from its secret, not its id), the
 * running total of its pooled chunks ({@link RowSums#pooled}), forgotten by {@link RowSums#forgettingPerRow} per row
 * the origin processed between releases (the rows processed are public), with a sequence number. The exchanged state
 * ({@link #TABLE}) is the table of every origin a client has heard of, and merges by {@link #LAW}: per origin the
 * entry of the higher sequence number. So a peer's total reaches clients it never met, and merging twice changes
 * nothing. After each exchange, the expert adopts the sum of the other origins' totals ({@link RowSums#adoptPeerSums}).
 *
 * <p>A client releases at most once a round per expert, at the first exchange after a round it played. The noise is
 * keyed by the client's secret and the chunk's content, so a chunk released again after a resume is the same release.
 */
public final class GossipPrivacy implements Checkpointable {
    /** The plugin name of the exchanged tables, under which {@link #LAW} merges them. */
    public static final String TABLE = "dp-row-sums";
    /** Grid steps per twice a block's per-row bound: the noise is an integer number of steps. */
    static final long GRID = 1L << 20;

    /** Merges tables: per origin the entry with the higher sequence number (the first state's on a tie). */
    public static final MergeLaw LAW = (states, weights) -> {
        Map<String, Entry> union = new TreeMap<>();
        long samples = 0;
        for (ExpertState s : states) {
            decode(s).forEach((origin, e) -> union.merge(origin, e, (a, b) -> b.seq() > a.seq() ? b : a));
            samples = Math.max(samples, s.samples());
        }
        return encode(union, samples);
    };

    /** One origin's running total and how many releases made it. */
    record Entry(long seq, Map<String, double[]> totals) {
    }

    private final double delta;
    private final double bound;
    private final double z;
    private final byte[] secret = new byte[32];
    private String origin;
    /** Per expert instance: the table of origins. */
    private final Map<String, Map<String, Entry>> tables = new TreeMap<>();
    /** Per expert instance: rows this client processed since its last release. */
    private final Map<String, Long> pendingRows = new TreeMap<>();
    /** Whether this client released any row (then each of them cost one release's ε). */
    private boolean released;

    public GossipPrivacy(DpConfig config, long runSeed, String clientId) {
        this.delta = config.delta();
        this.bound = config.stateBound();
        this.z = RdpAccountant.noiseMultiplierFor(config.epsilon(), config.delta(), 1.0, 1);
        if (config.seeded()) {
            byte[] derived = KeyedNoise.hmac(ByteBuffer.allocate(8).putLong(runSeed).array(),
                    ("scarcity dp seeded gossip noise " + clientId).getBytes(StandardCharsets.UTF_8));
            System.arraycopy(derived, 0, secret, 0, secret.length);
        } else {
            new SecureRandom().nextBytes(secret);
        }
        origin = tag(secret);
    }

    /** The clipping bound experts sum rows with ({@code privacy.dp.stateBound}). */
    public double bound() {
        return bound;
    }

    /** The noise multiplier z: the noise's standard deviation over the L2 sensitivity of a chunk. */
    public double noiseMultiplier() {
        return z;
    }

    /** This client's origin tag in the exchanged tables. */
    public String origin() {
        return origin;
    }

    /**
     * Notes a round this client played: {@code rows} streamed (before any filter: public), and each expert may release
     * again; {@code summed} whether any of its rows went into row sums (each of which then costs one release).
     */
    public void roundPlayed(List<String> experts, long rows, boolean summed) {
        for (String e : experts) {
            pendingRows.merge(e, rows, Long::sum);
        }
        released |= summed;
    }

    /**
     * The table of {@code expert} as it leaves the client: first, if the client played a round since its last release,
     * the rows it learned since are drained, noised and added to its own total.
     */
    public ExpertState export(String expert, RowSums sums) {
        Long rows = pendingRows.remove(expert);
        Map<String, Entry> table = tables.computeIfAbsent(expert, e -> new TreeMap<>());
        if (rows != null) {
            release(expert, sums, rows, table);
        }
        return encode(table, 0);
    }

    private void release(String expert, RowSums sums, long rows, Map<String, Entry> table) {
        Entry own = table.get(origin);
        double decay = Math.pow(sums.forgettingPerRow(), rows);
        Map<String, double[]> totals = new TreeMap<>();
        if (own != null) {
            own.totals().forEach((k, v) -> {
                double[] d = v.clone();
                double f = k.endsWith(NOISE) ? decay * decay : decay; // a variance is forgotten by the square
                for (int i = 0; i < d.length; i++) {
                    d[i] *= f;
                }
                totals.put(k, d);
            });
        }
        long seq = own == null ? 1 : own.seq() + 1;
        int index = 0;
        for (RowSums.Chunk chunk : sums.drainRowSums()) {
            Map<String, Double> sd = new TreeMap<>();
            RowSums.Chunk noised = noised(expert, seq, index++, chunk, sd);
            sums.pooled(noised, sd).forEach((k, v) -> totals.merge(k, v.clone(), (a, b) -> {
                if (a.length != b.length) {
                    throw new IllegalStateException("expert '" + expert + "' pooled '" + k + "' of " + b.length + " values, before "
                            + a.length);
                }
                for (int i = 0; i < a.length; i++) {
                    a[i] += b[i];
                }
                return a;
            }));
            released = true;
        }
        if (!totals.isEmpty()) {
            table.put(origin, new Entry(seq, totals));
        }
    }

    /**
     * The chunk with discrete Gaussian noise on every value; {@code sd} gets each block's noise standard deviation. A
     * block's values are placed on a grid of {@value #GRID} steps per twice its per-row bound (the most a replaced row
     * moves a value by), so the noise is an integer number of steps.
     */
    private RowSums.Chunk noised(String expert, long seq, int index, RowSums.Chunk chunk, Map<String, Double> sd) {
        KeyedNoise source = new KeyedNoise(KeyedNoise.hmac(secret, digest(expert, seq, index, chunk)));
        int blocks = chunk.sums().size();
        Map<String, double[]> out = new TreeMap<>();
        for (Map.Entry<String, double[]> b : new TreeMap<>(chunk.sums()).entrySet()) {
            double step = 2 * chunk.rowBounds().get(b.getKey()) / GRID;
            double[] v = b.getValue();
            // sensitivity in steps: GRID from the row, plus one step per value from rounding the sums to the grid
            double sigmaSteps = z * Math.sqrt(blocks) * (GRID + Math.sqrt(v.length));
            long s = (long) Math.ceil(sigmaSteps);
            BigInteger sigma2 = BigInteger.valueOf(Math.max(1, s)).pow(2);
            double[] noisy = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                long cell = Math.round(v[i] / step);
                noisy[i] = (cell + source.sample(sigma2)) * step;
            }
            out.put(b.getKey(), noisy);
            sd.put(b.getKey(), s * step);
        }
        return new RowSums.Chunk(out, chunk.rowBounds(), chunk.frame(), chunk.rows());
    }

    /**
     * What keys a chunk's noise: the expert, the release's sequence number and the chunk's place in it (so that two
     * chunks of equal content never get the same noise, which would tell a peer they were equal), and the chunk's
     * content (so that a chunk released again after a resume with the same rows is the same release).
     */
    private static byte[] digest(String expert, long seq, int index, RowSums.Chunk chunk) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(("scarcity dp gossip " + expert).getBytes(StandardCharsets.UTF_8));
            sha.update(ByteBuffer.allocate(20).putLong(seq).putInt(index).putLong(chunk.rows()).array());
            sha.update(doubles(chunk.frame()));
            for (Map.Entry<String, double[]> e : new TreeMap<>(chunk.sums()).entrySet()) {
                sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                sha.update(doubles(e.getValue()));
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The values' big-endian bytes, as one buffer. */
    private static byte[] doubles(double[] values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length);
        for (double x : values) {
            b.putDouble(x);
        }
        return b.array();
    }

    /**
     * Adopts a merged table: kept (per origin the newer entry, this client's own never replaced by an older one), and
     * the sum of the other origins' totals handed to the expert.
     */
    public void adopt(String expert, ExpertState merged, RowSums sums) {
        Map<String, Entry> table = tables.computeIfAbsent(expert, e -> new TreeMap<>());
        decode(merged).forEach((o, e) -> {
            if (!o.equals(origin)) { // this client's own total is its own: a peer's copy of it never replaces it
                table.merge(o, e, (a, b) -> b.seq() > a.seq() ? b : a);
            }
        });
        Map<String, double[]> others = new TreeMap<>();
        table.forEach((o, e) -> {
            if (!o.equals(origin)) {
                e.totals().forEach((k, v) -> others.merge(k, v.clone(), (a, b) -> {
                    for (int i = 0; i < Math.min(a.length, b.length); i++) {
                        a[i] += b[i];
                    }
                    return a;
                }));
            }
        });
        if (!others.isEmpty()) {
            sums.adoptPeerSums(others);
        }
    }

    /**
     * The ε each of this client's rows spends at δ: one release of the Gaussian mechanism with this noise multiplier
     * once any row was summed (it is released at the client's next exchange, or stays on the client), composed (in
     * Rényi DP) with {@code insightRdp}, the client-level insight accountant's (which covers every row too), or with
     * nothing if that is null.
     */
    public double rowEpsilon(double[] insightRdp) {
        double[] orders = RdpAccountant.DEFAULT_ORDERS;
        double[] rdp = released ? RdpAccountant.rdpOf(z, 1.0, orders) : new double[orders.length];
        boolean any = released;
        if (insightRdp != null && insightRdp.length == rdp.length) {
            for (int i = 0; i < rdp.length; i++) {
                rdp[i] += insightRdp[i];
                any |= insightRdp[i] > 0;
            }
        }
        return any ? RdpAccountant.epsilonOf(rdp, orders, delta) : 0.0;
    }

    /** The δ of {@link #rowEpsilon}. */
    public double delta() {
        return delta;
    }

    // ---------------------------------------------------------------- tables as states

    private static final String PREFIX = "o/";
    private static final String NOISE = ".noise";
    private static final String SEQ = "/seq";

    private static ExpertState encode(Map<String, Entry> table, long samples) {
        Map<String, double[]> w = new TreeMap<>();
        table.forEach((o, e) -> {
            w.put(PREFIX + o + SEQ, new double[] {e.seq()});
            e.totals().forEach((k, v) -> w.put(PREFIX + o + "/" + k, v));
        });
        return new ExpertState(TABLE, w, samples);
    }

    private static Map<String, Entry> decode(ExpertState state) {
        if (!state.expert().equals(TABLE)) {
            throw new IllegalArgumentException("not a table of private gossip: a state of '" + state.expert() + "'");
        }
        Map<String, Long> seqs = new TreeMap<>();
        Map<String, Map<String, double[]>> totals = new TreeMap<>();
        state.weights().forEach((name, v) -> {
            int slash = name.indexOf('/', PREFIX.length());
            if (!name.startsWith(PREFIX) || slash < 0) {
                throw new IllegalArgumentException("private gossip table has an array '" + name + "' of no origin");
            }
            for (double x : v) {
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException("private gossip table's '" + name + "' has a non-finite value");
                }
            }
            String o = name.substring(PREFIX.length(), slash);
            String k = name.substring(slash + 1);
            if (k.equals("seq")) {
                seqs.put(o, (long) v[0]);
            } else {
                totals.computeIfAbsent(o, x -> new TreeMap<>()).put(k, v.clone());
            }
        });
        Map<String, Entry> out = new TreeMap<>();
        totals.forEach((o, t) -> out.put(o, new Entry(seqs.getOrDefault(o, 0L), t)));
        return out;
    }

    /** The noise secret, for the client's privacy ledger (kept where its checkpoints may not be). */
    public byte[] secret() {
        return secret.clone();
    }

    /**
     * Continues with the secret of the client this one replaces (its privacy ledger): replayed rows are then released
     * with the noise they were released with before, which tells a peer nothing new, instead of fresh noise.
     *
     * @throws IllegalArgumentException if the secret is not one
     * @throws IllegalStateException if this client has released already (its releases used its own secret)
     */
    public void keepSecret(byte[] kept) {
        if (kept.length != secret.length) {
            throw new IllegalArgumentException("private gossip's noise secret has " + kept.length + " bytes, expected "
                    + secret.length);
        }
        if (released && !java.util.Arrays.equals(kept, secret)) {
            throw new IllegalStateException("this client has released row sums with another secret");
        }
        System.arraycopy(kept, 0, secret, 0, secret.length);
        origin = tag(secret);
    }

    private static String tag(byte[] secret) {
        return HexFormat.of().formatHex(KeyedNoise.hmac(secret, "scarcity gossip origin".getBytes(StandardCharsets.UTF_8)), 0, 8);
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeBytes(secret);
        out.writeBoolean(released);
        out.writeInt(pendingRows.size());
        for (Map.Entry<String, Long> e : pendingRows.entrySet()) {
            out.writeString(e.getKey());
            out.writeLong(e.getValue());
        }
        out.writeInt(tables.size());
        for (Map.Entry<String, Map<String, Entry>> t : tables.entrySet()) {
            out.writeString(t.getKey());
            ExpertState s = encode(t.getValue(), 0);
            out.writeInt(s.weights().size());
            for (Map.Entry<String, double[]> w : s.weights().entrySet()) {
                out.writeString(w.getKey());
                out.writeDoubles(w.getValue());
            }
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        byte[] key = in.readBytes();
        if (key.length != secret.length) {
            throw new IOException("private gossip's noise secret has " + key.length + " bytes, expected " + secret.length);
        }
        boolean r = in.readBoolean();
        Map<String, Long> pending = new TreeMap<>();
        int n = count(in.readInt());
        for (int i = 0; i < n; i++) {
            pending.put(in.readString(), in.readLong());
        }
        Map<String, Map<String, Entry>> read = new TreeMap<>();
        int t = count(in.readInt());
        for (int i = 0; i < t; i++) {
            String expert = in.readString();
            int arrays = count(in.readInt());
            Map<String, double[]> w = new TreeMap<>();
            for (int k = 0; k < arrays; k++) {
                w.put(in.readString(), in.readDoubles());
            }
            try {
                read.put(expert, new TreeMap<>(decode(new ExpertState(TABLE, w, 0))));
            } catch (IllegalArgumentException e) {
                throw new IOException("private gossip table of '" + expert + "': " + e.getMessage(), e);
            }
        }
        System.arraycopy(key, 0, secret, 0, secret.length);
        origin = tag(secret);
        released = r;
        pendingRows.clear();
        pendingRows.putAll(pending);
        tables.clear();
        tables.putAll(read);
    }

    private static int count(int n) throws IOException {
        if (n < 0 || n > 10_000_000) {
            throw new IOException("private gossip state: a count of " + n);
        }
        return n;
    }
}
