package io.scarcity.runtime.privacy;

import io.scarcity.api.ExpertReport;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.Insight;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.runtime.config.DpConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;

/**
 * Differential privacy on one client's insights ({@code privacy.dp}): each round's insight is released through the
 * Gaussian mechanism and accounted for by a {@link RdpAccountant}, until the client's budget is spent; after that it
 * releases only what is free.
 *
 * <p><b>What is released, and how.</b> The protected unit is the client: its whole stream (client-level, "replace
 * one client's data by any other" adjacency), against the coordinator, the peers and anyone who reads the insights.
 * Each released value is clipped to a stated range before noise: the accuracy to [0, 1], the loss and every shared
 * expert's loss to [0, {@code lossBound}], and with {@code moments: true} each feature's mean to [-B, B] and its
 * variance to [0, B²] ({@code featureBound} B). Divided by its range's width, each of the {@code m} values moves by at
 * most 1 when the client's data changes, so the vector of them moves by at most {@code sqrt(m)} in L2: the release is
 * the Gaussian mechanism with noise of standard deviation {@code z · sqrt(m) · width} on each value, a noise
 * multiplier {@code z} calibrated so that one release per planned round spends exactly the budget. A value that is
 * missing (an expert that never predicted) is released as the middle of its range, noised like the others, so that
 * its absence is not revealed either. The noised values are clamped back into their ranges (post-processing, free).
 *
 * <p><b>Released without noise</b> (not protected): the client's pseudonymous id, its domain, the round, the rows it
 * processed, whether the round scored any row, and whether moments were due (the rows pooled since the last ones).
 * <b>Withheld under DP</b> (never sent): the signals on the client's board and of each expert, each expert's learning
 * rate (NaN), activations (0) and own sample count (the round's rows instead), and moments unless {@code moments: true}.
 *
 * <p>Noise: a 32-byte secret of the client (from {@link SecureRandom}, kept in the client's checkpoint and nowhere else)
 * keys, through HMAC-SHA256, an AES-256 counter-mode stream per release, from which the noise is drawn: the discrete
 * Gaussian on a fine grid across each range, sampled exactly with integer arithmetic ({@link DiscreteGaussian}), so that
 * no floating-point artefact of the noise leaks the value under it. So a release made again after a resume or a rewind (the same round, the same rows, the same values) is
 * the same noised insight, not a second draw that could be averaged with the first; the accountant, restored with the
 * checkpoint, rightly counts it once. With {@code noise: seeded} the secret is derived from the run's seed and the
 * client's id instead, so that experiments repeat exactly, and it protects nothing against anyone who knows the seed.
 */
public final class InsightPrivacy implements io.scarcity.api.Checkpointable {
    private final DpConfig config;
    private final double sigma;
    private final RdpAccountant accountant = new RdpAccountant();
    /** The client's noise secret (see the class description). */
    private final byte[] secret = new byte[32];
    /** Whether the last release was withheld for want of budget. */
    private boolean withheld;

    /**
     * @param plannedReleases the insights the client will release over the run (its rounds): the noise is calibrated
     *        for that many to spend the budget
     */
    public InsightPrivacy(DpConfig config, int plannedReleases, long runSeed, String clientId) {
        this.config = config;
        this.sigma = RdpAccountant.noiseMultiplierFor(config.epsilon(), config.delta(), 1.0, Math.max(1, plannedReleases));
        if (config.seeded()) {
            byte[] derived = hmac(java.nio.ByteBuffer.allocate(8).putLong(runSeed).array(),
                    ("scarcity dp seeded noise " + clientId).getBytes(StandardCharsets.UTF_8));
            System.arraycopy(derived, 0, secret, 0, secret.length);
        } else {
            new SecureRandom().nextBytes(secret);
        }
    }

    /** The noise multiplier z: the noise's standard deviation over the L2 sensitivity. */
    public double noiseMultiplier() {
        return sigma;
    }

    /** (ε spent so far at the configured δ). */
    public double epsilonSpent() {
        return accountant.epsilon(config.delta());
    }

    /** The δ at which {@link #epsilonSpent} is stated. */
    public double delta() {
        return config.delta();
    }

    /** The accountant's Rényi divergence bound at each of {@link RdpAccountant#DEFAULT_ORDERS} (a copy). */
    public double[] rdp() {
        return accountant.rdp();
    }

    public long releases() {
        return accountant.releases();
    }

    /** Whether the last insight was released without its noised values because the budget was spent. */
    public boolean withheld() {
        return withheld;
    }

    /** The insight as it may leave the client: noised and accounted for, or reduced to what is free. */
    public Insight release(Insight raw) {
        Map<String, ExpertReport> experts = new TreeMap<>();
        boolean affordable = accountant.epsilonAfter(sigma, 1.0, 1, config.delta()) <= config.epsilon() * (1 + 1e-9);
        withheld = !affordable;
        if (!affordable) {
            raw.experts().forEach((k, r) -> experts.put(k, new ExpertReport(r.expert(), r.plugin(), Double.NaN, raw.samples(),
                    0, Double.NaN, Map.of())));
            return new Insight(raw.client(), raw.domain(), raw.round(), raw.samples(), Double.NaN, Double.NaN, experts,
                    Map.of(), none(raw.moments().dimensions()));
        }
        boolean scored = !Double.isNaN(raw.loss());
        boolean accuracy = scored && !Double.isNaN(raw.accuracy());
        FeatureMoments moments = raw.moments();
        int d = config.moments() && moments.count() > 1 ? moments.dimensions() : 0;
        int m = (accuracy ? 1 : 0) + (scored ? 1 : 0) + raw.experts().size() + 2 * d;
        long release = accountant.releases();
        accountant.compose(sigma, 1.0, 1);
        Noise noise = new Noise(release, rawDigest(raw, d), sigma * Math.sqrt(Math.max(1, m)));
        double bound = config.lossBound();
        double acc = accuracy ? noise.released(raw.accuracy(), 0, 1) : Double.NaN;
        double loss = scored ? noise.released(raw.loss(), 0, bound) : Double.NaN;
        // an expert's own sample count depends on routing and self-training: each reports the round's rows instead
        raw.experts().forEach((k, r) -> experts.put(k, new ExpertReport(r.expert(), r.plugin(),
                noise.released(r.loss(), 0, bound), raw.samples(), 0, Double.NaN, Map.of())));
        FeatureMoments released;
        if (d > 0) {
            double b = config.featureBound();
            double[] mean = moments.mean();
            double[] variance = moments.variance();
            double[] m2 = new double[d];
            for (int f = 0; f < d; f++) {
                mean[f] = noise.released(mean[f], -b, b);
                m2[f] = noise.released(variance[f], 0, b * b) * (moments.count() - 1);
            }
            released = new FeatureMoments(moments.count(), mean, m2);
        } else {
            released = none(moments.dimensions());
        }
        return new Insight(raw.client(), raw.domain(), raw.round(), raw.samples(), acc, loss, experts, Map.of(), released);
    }

    /**
     * SHA-256 of the values a release noises: the noise is keyed by them too, so that the same values released again at
     * the same index give the same insight, and other values an independent draw (never the same noise on two different
     * values, whose difference would then be exact).
     */
    private static byte[] rawDigest(Insight raw, int d) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * (2 + raw.experts().size() + 2 * d) + 8);
        b.putDouble(raw.accuracy()).putDouble(raw.loss());
        raw.experts().values().forEach(r -> b.putDouble(r.loss()));
        if (d > 0) {
            for (double v : raw.moments().mean()) {
                b.putDouble(v);
            }
            for (double v : raw.moments().variance()) {
                b.putDouble(v);
            }
        }
        b.putLong(raw.round());
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b.array());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Keeps a budget already spent: after this client was rebuilt and restored from an older state (a networked
     * coordinator's rewind), the spending and the secret of the client as it was ({@code ledger}, saved by
     * {@link #saveState}) stand wherever they exceed the restored ones, so a rewind never gives a budget back; replayed
     * rounds are then new releases, noised afresh and counted.
     */
    public void keepLedger(byte[] ledger) throws IOException {
        InsightPrivacy before = new InsightPrivacy(config, 1, 0, "ledger");
        before.restoreState(new StateReader(new java.io.ByteArrayInputStream(ledger)));
        double[] mine = accountant.rdp();
        double[] theirs = before.accountant.rdp();
        for (int i = 0; i < mine.length; i++) {
            mine[i] = Math.max(mine[i], theirs[i]);
        }
        accountant.restore(mine, Math.max(accountant.releases(), before.accountant.releases()));
        System.arraycopy(before.secret, 0, secret, 0, secret.length);
    }

    /** Moments of no rows, of the schema's dimensions (as a client sends when none are due). */
    private static FeatureMoments none(int dimensions) {
        return new FeatureMoments(0, new double[dimensions], new double[dimensions]);
    }

    /**
     * Noise for one release: each value, clipped to its range, is placed on a grid of {@value #GRID} steps across the
     * range, gets discrete Gaussian noise of standard deviation at least {@code scale} ranges (in grid steps, rounded
     * up), and is clamped and mapped back (post-processing). A value moves by at most {@value #GRID} steps when the
     * client's data changes, so the noise multiplier is the accountant's; no floating point touches the noise.
     */
    private final class Noise {
        /** Grid steps across a value's range: finer than any noise the budgets here allow. */
        static final long GRID = 1L << 20;
        private final KeyedNoise source;
        private final java.math.BigInteger sigma2;

        Noise(long release, byte[] values, double scale) {
            source = new KeyedNoise(hmac(secret, java.nio.ByteBuffer.allocate(8 + values.length).putLong(release).put(values).array()));
            sigma2 = java.math.BigInteger.valueOf(Math.max(1L, (long) Math.ceil(scale * GRID))).pow(2);
        }

        double released(double value, double lo, double hi) {
            if (!(hi > lo)) {
                return lo;
            }
            double v = Double.isNaN(value) ? 0.5 * (lo + hi) : Math.max(lo, Math.min(hi, value));
            long cell = Math.round((v - lo) / (hi - lo) * GRID);
            long noisy = Math.max(0, Math.min(GRID, cell + source.sample(sigma2)));
            return lo + (hi - lo) * ((double) noisy / GRID);
        }
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        return KeyedNoise.hmac(key, message);
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeDoubles(accountant.rdp());
        out.writeLong(accountant.releases());
        out.writeBoolean(withheld);
        out.writeBytes(secret);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        double[] rdp = in.readDoubles();
        long releases = in.readLong();
        boolean w = in.readBoolean();
        byte[] key = in.readBytes();
        if (key.length != secret.length) {
            throw new IOException("privacy noise secret has " + key.length + " bytes, expected " + secret.length);
        }
        try {
            accountant.restore(rdp, releases);
        } catch (IllegalArgumentException e) {
            throw new IOException("privacy accountant: " + e.getMessage(), e);
        }
        withheld = w;
        System.arraycopy(key, 0, secret, 0, secret.length);
    }
}
