package io.scarcity.api;

import java.io.IOException;

/**
 * ADWIN2 (Bifet and Gavaldà, "Learning from time-changing data with adaptive windowing", SDM 2007): a
 * window of the most recent losses, kept as an exponential histogram, that drops its oldest part
 * whenever two sub-windows have means further apart than the bound allows.
 *
 * <p><b>Histogram.</b> Level {@code i} holds buckets of exactly {@code 2^i} rows, each with its sum and its
 * sum of squared deviations; when a level holds more than {@link #MAX_BUCKETS} buckets its two oldest
 * merge into one bucket of the next level. The window of {@code W} rows thus takes {@code O(M log W)}
 * memory, and a cut can only fall on a bucket boundary.
 *
 * <p><b>Test.</b> Every {@link #CLOCK} rows, every split of the window into an older part {@code W0} and a
 * newer part {@code W1} (both at least {@link #MIN_SUB_WINDOW} rows) is tested with the paper's
 * variance-based bound, with {@code m = 1 / (1/n0 + 1/n1)}, {@code delta' = delta / ln W} and
 * {@code sigma^2} the window's variance:
 * {@code eps = sqrt(2 sigma^2 ln(2/delta') / m) + 2 ln(2/delta') / (3m)}. While a split has
 * {@code |mean0 - mean1| > eps}, the oldest bucket is dropped and the window is tested again. The range
 * term assumes losses in [0, 1] (0/1 errors); for larger real-valued losses the variance term dominates.
 *
 * <p><b>Reported change.</b> ADWIN reacts to changes in both directions; only a cut after which the
 * window's mean is higher than before counts as a detection (as MOA's {@code ADWINChangeDetector} does),
 * because a falling loss (the learner recovering) is not drift to act on. The window is never reset.
 * One change makes ADWIN cut several times in a burst, because a sub-window of a few new rows is only
 * significantly different from a large part of the old ones: the first cut leaves older rows that later
 * cuts remove as new rows arrive. A cut is therefore reported only when the window left after it lies
 * entirely after the previous reported detection; otherwise it is still removing rows from before a
 * change already reported. (MOA's detector reports every such cut; the benchmark counts those as
 * duplicate detections.)
 * {@link #level()} is the largest {@code (mean1 - mean0) / eps} over the splits of the last test (0 when
 * the newer part is not worse), so 1 is the detection threshold; the warning zone is a level above
 * {@code warningFraction}.
 *
 * <p>A helper for plugins (the drift expert's {@code adwin} detector, the forest expert's detectors per
 * tree). Not thread-safe; one instance per stream of losses. A subclass may add interfaces, not behaviour.
 */
public class Adwin {
    /** Buckets per level before the two oldest merge (the paper's M). */
    public static final int MAX_BUCKETS = 5;
    /** Rows between two tests of the window. */
    public static final int CLOCK = 32;
    /** Rows that each sub-window must hold to be compared. */
    public static final int MIN_SUB_WINDOW = 5;
    private static final int MAX_LEVELS = 64;
    private static final int CAPACITY = MAX_BUCKETS + 1;

    private final double delta;
    private final double warningFraction;
    // level i: a ring of up to CAPACITY buckets, oldest at start[i]
    private final double[][] sums = new double[MAX_LEVELS][CAPACITY];
    private final double[][] squares = new double[MAX_LEVELS][CAPACITY];
    private final int[] start = new int[MAX_LEVELS];
    private final int[] size = new int[MAX_LEVELS];
    private int levels;
    private long width;
    private double total;
    private double squaresTotal;
    private int sinceTest;
    private double level;
    private long sinceDetection = -1;   // rows since the last reported detection, -1 before the first

    /**
     * @param delta the confidence of a cut, in (0, 1): smaller cuts later and more surely
     * @param warningFraction {@link #warning()} holds while {@link #level()} is above it, in (0, 1]
     */
    public Adwin(double delta, double warningFraction) {
        this.delta = delta;
        this.warningFraction = warningFraction;
    }

    /** Adds one finite loss in [0, 1] (or a larger real value); returns whether an increase was detected on this row. */
    public boolean add(double x) {
        if (width > 0) {
            double d = x - total / width;
            squaresTotal += width * d * d / (width + 1);
        }
        width++;
        total += x;
        push(0, x, 0);
        if (sinceDetection >= 0) {
            sinceDetection++;
        }
        for (int i = 0; size[i] > MAX_BUCKETS; i++) {
            long n = 1L << i;
            double s1 = sums[i][start[i]];
            double v1 = squares[i][start[i]];
            pop(i);
            double s2 = sums[i][start[i]];
            double v2 = squares[i][start[i]];
            pop(i);
            double d = (s1 - s2) / n;
            push(i + 1, s1 + s2, v1 + v2 + n * d * d / 2);
        }
        if (++sinceTest < CLOCK) {
            return false;
        }
        sinceTest = 0;
        if (!test() || (sinceDetection >= 0 && width > sinceDetection)) {
            return false;
        }
        sinceDetection = 0;
        return true;
    }

    private void push(int i, double sum, double sq) {
        if (i >= levels) {
            levels = i + 1;
        }
        int k = (start[i] + size[i]) % CAPACITY;
        sums[i][k] = sum;
        squares[i][k] = sq;
        size[i]++;
    }

    private void pop(int i) {
        start[i] = (start[i] + 1) % CAPACITY;
        size[i]--;
    }

    /** Drops older parts while a split differs significantly; returns whether the mean went up. */
    private boolean test() {
        double before = total / width;
        boolean cut = false;
        while (true) {
            level = 0;
            if (width < 2L * MIN_SUB_WINDOW) {
                break;
            }
            double variance = Math.max(0, squaresTotal / width);
            if (variance == 0) {
                break; // every value in the window is the same: no split differs
            }
            double logTerm = Math.log(2 * Math.log(width) / delta);
            long n0 = 0;
            double s0 = 0;
            boolean dropped = false;
            scan:
            for (int i = levels - 1; i >= 0; i--) {
                long n = 1L << i;
                for (int j = 0; j < size[i]; j++) {
                    n0 += n;
                    int at = start[i] + j;
                    s0 += sums[i][at >= CAPACITY ? at - CAPACITY : at];
                    long n1 = width - n0;
                    if (n1 < MIN_SUB_WINDOW) {
                        break scan;
                    }
                    if (n0 < MIN_SUB_WINDOW) {
                        continue;
                    }
                    double m = 1.0 / (1.0 / n0 + 1.0 / n1);
                    double diff = (total - s0) / n1 - s0 / n0;
                    double range = 2 * logTerm / (3 * m);
                    if (diff <= 0 && -diff <= range) {
                        continue; // below eps's range term: no cut, and no rise for the level (skips the square root)
                    }
                    double eps = Math.sqrt(2 * variance * logTerm / m) + range;
                    if (Math.abs(diff) > eps) {
                        dropOldest();
                        dropped = true;
                        break scan;
                    }
                    level = Math.max(level, diff / eps);
                }
            }
            if (!dropped) {
                break;
            }
            cut = true;
        }
        return cut && total / width > before;
    }

    private void dropOldest() {
        int i = levels - 1;
        long n = 1L << i;
        double s = sums[i][start[i]];
        double v = squares[i][start[i]];
        pop(i);
        while (levels > 0 && size[levels - 1] == 0) {
            levels--;
        }
        long rest = width - n;
        double d = s / n - (total - s) / rest;
        squaresTotal = Math.max(0, squaresTotal - v - (double) n * rest / width * d * d);
        total -= s;
        width = rest;
    }

    /** Evidence of an increase on a scale where 1 is the detection threshold, >= 0. */
    public double level() {
        return level;
    }

    /** Whether the detector is in its warning zone after the last value. */
    public boolean warning() {
        return level > warningFraction;
    }

    /** Rows in the window. */
    public long width() {
        return width;
    }

    /** Mean loss over the window (0 when empty). */
    public double mean() {
        return width == 0 ? 0 : total / width;
    }

    /** Writes every field that changes after construction. */
    public void save(StateWriter out) throws IOException {
        out.writeLong(width);
        out.writeDouble(total);
        out.writeDouble(squaresTotal);
        out.writeInt(sinceTest);
        out.writeDouble(level);
        out.writeLong(sinceDetection);
        out.writeInt(levels);
        for (int i = 0; i < levels; i++) {
            double[] s = new double[size[i]];
            double[] v = new double[size[i]];
            for (int j = 0; j < size[i]; j++) {
                s[j] = sums[i][(start[i] + j) % CAPACITY];
                v[j] = squares[i][(start[i] + j) % CAPACITY];
            }
            out.writeDoubles(s);
            out.writeDoubles(v);
        }
    }

    /** Reads what {@link #save} wrote, on an instance built with the same options. */
    public void restore(StateReader in) throws IOException {
        long w = in.readLong();
        double t = in.readDouble();
        double sq = in.readDouble();
        int since = in.readInt();
        double l = in.readDouble();
        long sd = in.readLong();
        int lv = in.readInt();
        if (w < 0 || since < 0 || since >= CLOCK || sd < -1 || lv < 0 || lv > MAX_LEVELS) {
            throw new IOException("adwin state: invalid width " + w + ", clock " + since + " or levels " + lv);
        }
        long rows = 0;
        for (int i = 0; i < lv; i++) {
            double[] s = in.readDoubles();
            double[] v = in.readDoubles();
            if (s == null || v == null || s.length != v.length || s.length > MAX_BUCKETS) {
                throw new IOException("adwin state: invalid buckets at level " + i);
            }
            start[i] = 0;
            size[i] = s.length;
            System.arraycopy(s, 0, sums[i], 0, s.length);
            System.arraycopy(v, 0, squares[i], 0, v.length);
            rows += (long) s.length << i;
        }
        if (rows != w) {
            throw new IOException("adwin state: buckets hold " + rows + " rows, window " + w);
        }
        for (int i = lv; i < MAX_LEVELS; i++) {
            start[i] = 0;
            size[i] = 0;
        }
        width = w;
        total = t;
        squaresTotal = sq;
        sinceTest = since;
        level = l;
        sinceDetection = sd;
        levels = lv;
    }
}
