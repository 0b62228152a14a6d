package io.scarcity.plugins.statistical;

import io.scarcity.api.Batch;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.RowSums;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The statistical expert's rows as sums that can leave the client under differential privacy ({@link RowSums}), and
 * the peers' pooled sums it received.
 *
 * <p><b>What one row contributes.</b> Each labelled row the runtime hands over ({@link RowSums#sumRows}: every row of
 * the stream once, when its label arrives), with unit weight, is standardised in the current
 * <em>frame</em> (the centre and scale of the coordinator's pooled feature moments, public to every client of the
 * domain), each feature clipped to [-B, B], and added to three blocks of its class: {@code count} (1),
 * {@code sum} (z) and {@code square} (z squared). Its contribution's L2 norm is at most 1, {@code B sqrt(d)} and
 * {@code B^2 sqrt(d)}. Rows learned before any frame arrived are not summed: they never leave the client. A new frame
 * closes the rows summed in the old one into a chunk of their own.
 *
 * <p><b>Pooled form</b> ({@link #pooled}): a noised chunk back in the stream's units, per class {@code count} (N),
 * {@code sum} (the sum of x) and {@code square} (the sum of x squared), so that chunks of different frames and clients
 * add up; and, beside them, the variance of the noise each carries ({@code count.noise}, {@code sum.noise},
 * {@code square.noise}), which the expert uses to weigh the peers' statistics against its own.
 */
final class RowSumRelease {
    static final String COUNT = "count";
    static final String SUM = "sum";
    static final String SQUARE = "square";
    static final String NOISE = ".noise";

    private final int features;
    private final int classes;
    private double bound = Double.NaN;
    /** The frame of the pending sums, {@code centre} then {@code scale} per feature; null until moments arrived. */
    private double[] frame;
    private double[] count;
    private double[] sum;
    private double[] square;
    private long rows;
    private final List<RowSums.Chunk> closed = new ArrayList<>();

    RowSumRelease(int features, int classes) {
        this.features = features;
        this.classes = classes;
        clearPending();
    }

    boolean started() {
        return !Double.isNaN(bound);
    }

    void start(double b) {
        if (!(b > 0) || Double.isInfinite(b)) {
            throw new IllegalArgumentException("row sums need a clipping bound > 0, got " + b);
        }
        bound = b;
        clearPending();
    }

    /** Takes the pooled feature moments as the frame of the rows learned from now on (if they are of this dimension). */
    void frame(FeatureMoments moments) {
        if (moments.dimensions() != features || moments.count() < 2) {
            return;
        }
        double[] mean = moments.mean();
        double[] variance = moments.variance();
        double[] next = new double[2 * features];
        for (int j = 0; j < features; j++) {
            if (!Double.isFinite(mean[j]) || !(variance[j] >= 0) || Double.isInfinite(variance[j])) {
                return;
            }
            next[j] = mean[j];
            next[features + j] = variance[j] > 0 ? Math.sqrt(variance[j]) : 1.0;
        }
        if (frame != null && java.util.Arrays.equals(frame, next)) {
            return;
        }
        close();
        frame = next;
    }

    /** Sums row {@code r} of the batch (labelled, its label just arrived) in the current frame, if any. */
    void add(Batch batch, int r) {
        if (frame == null) {
            return;
        }
        int label = batch.label(r);
        count[label] += 1;
        int o = label * features;
        for (int j = 0; j < features; j++) {
            double z = (batch.value(r, j) - frame[j]) / frame[features + j];
            z = z > bound ? bound : (z < -bound ? -bound : (z == z ? z : 0.0));
            sum[o + j] += z;
            square[o + j] += z * z;
        }
        rows++;
    }

    List<RowSums.Chunk> drain() {
        close();
        List<RowSums.Chunk> out = List.copyOf(closed);
        closed.clear();
        return out;
    }

    private void close() {
        if (rows > 0) {
            closed.add(chunk(count, sum, square, frame, rows, bound));
        }
        clearPending();
    }

    /** A chunk of these sums, with the per-row bounds of each block: 1, {@code B sqrt(d)} and {@code B^2 sqrt(d)}. */
    private RowSums.Chunk chunk(double[] n, double[] s, double[] q, double[] f, long r, double b) {
        double root = Math.sqrt(features);
        return new RowSums.Chunk(Map.of(COUNT, n, SUM, s, SQUARE, q), Map.of(COUNT, 1.0, SUM, b * root, SQUARE, b * b * root), f, r);
    }

    private void clearPending() {
        count = new double[classes];
        sum = new double[classes * features];
        square = new double[classes * features];
        rows = 0;
    }

    /**
     * The noised chunk in the stream's units: {@code x = centre + scale z}, so the sum of x is
     * {@code scale S + centre N} and of x squared {@code scale^2 Q + 2 centre scale S + centre^2 N}, with the noise
     * variances carried the same way (the noises of the three blocks are independent).
     */
    Map<String, double[]> pooled(RowSums.Chunk noised, Map<String, Double> noiseSd) {
        double[] n = noised.sums().get(COUNT);
        double[] s = noised.sums().get(SUM);
        double[] q = noised.sums().get(SQUARE);
        double[] f = noised.frame();
        if (n == null || s == null || q == null || n.length != classes || s.length != classes * features
                || q.length != s.length || f.length != 2 * features) {
            throw new IllegalArgumentException("not a chunk of this statistical expert's row sums");
        }
        double vn = sq(noiseSd.getOrDefault(COUNT, 0.0));
        double vs = sq(noiseSd.getOrDefault(SUM, 0.0));
        double vq = sq(noiseSd.getOrDefault(SQUARE, 0.0));
        double[] outSum = new double[s.length];
        double[] outSquare = new double[s.length];
        double[] sumNoise = new double[s.length];
        double[] squareNoise = new double[s.length];
        double[] countNoise = new double[classes];
        for (int c = 0; c < classes; c++) {
            countNoise[c] = vn;
            for (int j = 0; j < features; j++) {
                int i = c * features + j;
                double centre = f[j];
                double scale = f[features + j];
                outSum[i] = scale * s[i] + centre * n[c];
                outSquare[i] = scale * scale * q[i] + 2 * centre * scale * s[i] + centre * centre * n[c];
                sumNoise[i] = scale * scale * vs + centre * centre * vn;
                squareNoise[i] = sq(scale * scale) * vq + sq(2 * centre * scale) * vs + sq(centre * centre) * vn;
            }
        }
        Map<String, double[]> out = new TreeMap<>();
        out.put(COUNT, n.clone());
        out.put(SUM, outSum);
        out.put(SQUARE, outSquare);
        out.put(COUNT + NOISE, countNoise);
        out.put(SUM + NOISE, sumNoise);
        out.put(SQUARE + NOISE, squareNoise);
        return out;
    }

    private static double sq(double x) {
        return x * x;
    }

    // ---------------------------------------------------------------- checkpoints

    void save(StateWriter out) throws IOException {
        out.writeDouble(bound);
        out.writeDoubles(frame);
        out.writeDoubles(count);
        out.writeDoubles(sum);
        out.writeDoubles(square);
        out.writeLong(rows);
        out.writeInt(closed.size());
        for (RowSums.Chunk c : closed) {
            out.writeDoubles(c.frame());
            out.writeLong(c.rows());
            out.writeDoubles(c.sums().get(COUNT));
            out.writeDoubles(c.sums().get(SUM));
            out.writeDoubles(c.sums().get(SQUARE));
        }
    }

    /** Reads what {@link #save} wrote and returns what adopts it. */
    Runnable read(StateReader in) throws IOException {
        double b = in.readDouble();
        double[] f = in.readDoubles();
        if (f != null && f.length != 2 * features) {
            throw new IOException("row sums' frame: expected " + 2 * features + " values, found " + f.length);
        }
        double[] n = in.readDoubles(classes, "row sums' counts (one per class)");
        double[] s = in.readDoubles(classes * features, "row sums (classes x features)");
        double[] q = in.readDoubles(classes * features, "row sums of squares (classes x features)");
        long r = in.readLong();
        int chunks = in.readInt();
        if (chunks < 0 || chunks > 1_000_000) {
            throw new IOException("row sums: " + chunks + " chunks");
        }
        List<RowSums.Chunk> read = new ArrayList<>();
        for (int k = 0; k < chunks; k++) {
            double[] cf = in.readDoubles(2 * features, "a chunk's frame");
            long cr = in.readLong();
            double[] cn = in.readDoubles(classes, "a chunk's counts");
            double[] cs = in.readDoubles(classes * features, "a chunk's sums");
            double[] cq = in.readDoubles(classes * features, "a chunk's sums of squares");
            read.add(chunk(cn, cs, cq, cf, cr, b));
        }
        return () -> {
            bound = b;
            frame = f;
            count = n;
            sum = s;
            square = q;
            rows = r;
            closed.clear();
            closed.addAll(read);
        };
    }
}
