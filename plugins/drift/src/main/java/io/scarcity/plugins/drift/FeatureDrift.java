package io.scarcity.plugins.drift;

import io.scarcity.api.Batch;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Arrays;

/**
 * Per-feature drift of the input distribution, measured as a KL divergence between histograms of a
 * reference window and of a recent window. Needs no labels.
 *
 * <ul>
 *   <li><b>Reference</b>: the first {@code referenceRows} rows (after creation or after an event). Its
 *       histogram has {@code bins} bins per feature bounded by the reference's quantiles
 *       ({@code k/bins}, {@code k = 1..bins-1}; bin {@code b} holds {@code (e_{b-1}, e_b]}, the outer bins are
 *       open), so each bin holds about {@code 1/bins} of the reference whatever the feature's scale and
 *       outliers, and values outside the reference's range fall in the outer bins. Ties (discrete
 *       features) give repeated edges and empty bins, the same for both windows.</li>
 *   <li><b>Recent window</b>: the last {@code recentRows} rows after the reference, sliding row by row.</li>
 *   <li><b>Divergence</b>: with additive smoothing {@code a} ({@code a = 1}: Laplace),
 *       {@code P_b = (c_b + a) / (n + bins a)} for the recent and {@code Q_b} likewise for the reference, the
 *       symmetric divergence {@code (KL(P||Q) + KL(Q||P)) / 2 = sum_b (P_b - Q_b)(ln P_b - ln Q_b) / 2}. Symmetric
 *       because one direction alone misses either mass that appears where the reference had little
 *       ({@code KL(P||Q)}) or mass that vanishes ({@code KL(Q||P)}). Without drift its expected value is about
 *       {@code (bins - 1)(1/n_recent + 1/n_reference) / 2}, far below the default threshold.</li>
 *   <li><b>Check</b>: once per batch, when the recent window is full. An event fires when some feature's
 *       divergence exceeds {@code klThreshold}; {@link #worst()} names the largest.</li>
 *   <li><b>After an event</b> both windows restart: the next {@code referenceRows} rows become the new
 *       reference and the recent window fills after them. The recent window at the moment of the event
 *       straddles the change (the divergence crosses the threshold when only part of it is new), so
 *       making it the reference would compare the new distribution with a mixture and fire again.</li>
 * </ul>
 * Cost per row: a scan of {@code bins - 1} edges and two counter updates per feature; per check
 * {@code O(features x bins)} without logarithms (the logarithms of the reference are computed once per
 * reference, those of the recent counts come from a table).
 */
final class FeatureDrift {
    private final int features;
    private final int referenceRows;
    private final int recentRows;
    private final int bins;
    private final double threshold;
    private final double smoothing;
    private final double[] reference;   // feature-major: [f * referenceRows + i]
    private final double[] edges;       // [f * (bins - 1) + k], ascending
    private final double[] refProb;     // [f * bins + b]
    private final double[] refLog;
    private final int[] counts;         // recent window, [f * bins + b]
    private final short[] ring;         // bin of each recent row, [slot * features + f]
    private final double[] logCount;    // ln(c + smoothing), c = 0..recentRows
    private final double[] divergence;  // last check, per feature
    private final double logTotal;
    private int referenceFill;
    private int recentFill;
    private int recentPos;
    private boolean checked;

    FeatureDrift(int features, int referenceRows, int recentRows, int bins, double threshold, double smoothing) {
        if (features < 1) {
            throw new IllegalArgumentException("feature drift needs at least one feature, got " + features);
        }
        this.features = features;
        this.referenceRows = referenceRows;
        this.recentRows = recentRows;
        this.bins = bins;
        this.threshold = threshold;
        this.smoothing = smoothing;
        reference = new double[features * referenceRows];
        edges = new double[features * (bins - 1)];
        refProb = new double[features * bins];
        refLog = new double[features * bins];
        counts = new int[features * bins];
        ring = new short[recentRows * features];
        logCount = new double[recentRows + 1];
        for (int c = 0; c <= recentRows; c++) {
            logCount[c] = Math.log(c + smoothing);
        }
        logTotal = Math.log(recentRows + bins * smoothing);
        divergence = new double[features];
    }

    int features() {
        return features;
    }

    /** Adds the batch's rows to the windows. */
    void add(Batch batch) {
        if (batch.numFeatures() != features) {
            throw new IllegalArgumentException("feature drift: batch has " + batch.numFeatures() + " features, the windows "
                    + features);
        }
        int rows = batch.rows();
        for (int r = 0; r < rows; r++) {
            if (referenceFill < referenceRows) {
                for (int f = 0; f < features; f++) {
                    reference[f * referenceRows + referenceFill] = batch.value(r, f);
                }
                if (++referenceFill == referenceRows) {
                    buildReference();
                }
                continue;
            }
            int slot = recentPos * features;
            boolean full = recentFill == recentRows;
            for (int f = 0; f < features; f++) {
                int b = bin(f, batch.value(r, f));
                int base = f * bins;
                if (full) {
                    counts[base + ring[slot + f]]--;
                }
                counts[base + b]++;
                ring[slot + f] = (short) b;
            }
            if (!full) {
                recentFill++;
            }
            recentPos = recentPos + 1 == recentRows ? 0 : recentPos + 1;
        }
    }

    private int bin(int f, double x) {
        int base = f * (bins - 1);
        int b = 0;
        for (int k = 0; k < bins - 1; k++) {
            b += x > edges[base + k] ? 1 : 0;
        }
        return b;
    }

    private void buildReference() {
        double[] sorted = new double[referenceRows];
        int[] refCounts = new int[bins];
        double norm = referenceRows + bins * smoothing;
        for (int f = 0; f < features; f++) {
            System.arraycopy(reference, f * referenceRows, sorted, 0, referenceRows);
            Arrays.sort(sorted);
            for (int k = 1; k < bins; k++) {
                edges[f * (bins - 1) + k - 1] = sorted[(int) ((long) k * referenceRows / bins) - 1];
            }
            Arrays.fill(refCounts, 0);
            for (int i = 0; i < referenceRows; i++) {
                refCounts[bin(f, reference[f * referenceRows + i])]++;
            }
            for (int b = 0; b < bins; b++) {
                double q = (refCounts[b] + smoothing) / norm;
                refProb[f * bins + b] = q;
                refLog[f * bins + b] = Math.log(q);
            }
        }
        Arrays.fill(counts, 0);
        recentFill = 0;
        recentPos = 0;
    }

    /**
     * Computes every feature's divergence if the recent window is full; returns whether one exceeds the
     * threshold, in which case both windows restart (see the class description).
     */
    boolean check() {
        if (recentFill < recentRows) {
            checked = false;
            return false;
        }
        double norm = recentRows + bins * smoothing;
        boolean event = false;
        for (int f = 0; f < features; f++) {
            double sum = 0;
            int base = f * bins;
            for (int b = 0; b < bins; b++) {
                int c = counts[base + b];
                double p = (c + smoothing) / norm;
                sum += (p - refProb[base + b]) * (logCount[c] - logTotal - refLog[base + b]);
            }
            divergence[f] = sum / 2;
            event |= divergence[f] > threshold;
        }
        checked = true;
        if (event) {
            referenceFill = 0;
            recentFill = 0;
            recentPos = 0;
            Arrays.fill(counts, 0);
        }
        return event;
    }

    /** The largest divergence of the last check, 0 while the windows fill. */
    double max() {
        return checked ? divergence[worst()] : 0;
    }

    /** Index of the feature with the largest divergence at the last check, -1 while the windows fill. */
    int worst() {
        if (!checked) {
            return -1;
        }
        int w = 0;
        for (int f = 1; f < features; f++) {
            if (divergence[f] > divergence[w]) {
                w = f;
            }
        }
        return w;
    }

    /** Each feature's divergence at the last check (zeros before it). */
    double[] divergences() {
        return divergence.clone();
    }

    double threshold() {
        return threshold;
    }

    void save(StateWriter out) throws IOException {
        out.writeInt(features);
        out.writeInt(referenceFill);
        out.writeInt(recentFill);
        out.writeInt(recentPos);
        out.writeBoolean(checked);
        out.writeDoubles(reference);
        out.writeDoubles(edges);
        out.writeDoubles(refProb);
        out.writeDoubles(refLog);
        out.writeInts(counts);
        int[] bins = new int[ring.length];
        for (int i = 0; i < ring.length; i++) {
            bins[i] = ring[i];
        }
        out.writeInts(bins);
        out.writeDoubles(divergence);
    }

    /** Reads what {@link #save} wrote; the number of features was read by the caller to build this. */
    void restore(StateReader in) throws IOException {
        int rf = in.readInt();
        int cf = in.readInt();
        int cp = in.readInt();
        if (rf < 0 || rf > referenceRows || cf < 0 || cf > recentRows || cp < 0 || cp >= recentRows) {
            throw new IOException("feature drift state: invalid window positions " + rf + ", " + cf + ", " + cp);
        }
        boolean ch = in.readBoolean();
        copy(in.readDoubles(reference.length, "feature drift reference"), reference);
        copy(in.readDoubles(edges.length, "feature drift bin edges"), edges);
        copy(in.readDoubles(refProb.length, "feature drift reference histogram"), refProb);
        copy(in.readDoubles(refLog.length, "feature drift reference logarithms"), refLog);
        int[] c = in.readInts();
        int[] r = in.readInts();
        if (c == null || c.length != counts.length || r == null || r.length != ring.length) {
            throw new IOException("feature drift state: histogram or window of the wrong size (other options or data)");
        }
        for (int i = 0; i < r.length; i++) {
            if (r[i] < 0 || r[i] >= bins) {
                throw new IOException("feature drift state: bin " + r[i] + " outside 0.." + (bins - 1));
            }
            ring[i] = (short) r[i];
        }
        System.arraycopy(c, 0, counts, 0, c.length);
        copy(in.readDoubles(divergence.length, "feature drift divergences"), divergence);
        referenceFill = rf;
        recentFill = cf;
        recentPos = cp;
        checked = ch;
    }

    private static void copy(double[] from, double[] to) {
        System.arraycopy(from, 0, to, 0, to.length);
    }
}
