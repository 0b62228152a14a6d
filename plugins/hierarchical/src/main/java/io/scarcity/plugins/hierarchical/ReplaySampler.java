package io.scarcity.plugins.hierarchical;

import java.util.Random;

/**
 * Draws a replay: how many rows each tier gives (the mix's shares over the tiers that have rows) and
 * which of its slots, uniformly or class-balanced, in random order across tiers.
 */
final class ReplaySampler {
    /** What the sampler needs of a tier. */
    interface Tier {
        /** Writes the tier's replayable slots to {@code into}; returns how many. */
        int fillSlots(int[] into);

        /** The class of a slot (classification only). */
        int label(int slot);
    }

    /** A tier whose replayable rows are slots {@code 0..size()-1} of a {@link RowStore}: working and episodic. */
    interface StoredRows extends Tier {
        int size();

        RowStore rows();

        @Override
        default int fillSlots(int[] into) {
            int size = size();
            for (int i = 0; i < size; i++) {
                into[i] = i;
            }
            return size;
        }

        @Override
        default int label(int slot) {
            return rows().label(slot);
        }
    }

    /** The rows drawn: output row {@code i} is slot {@code slotOf[i]} of tier {@code tierOf[i]}. */
    record Draw(int[] quota, int[] tierOf, int[] slotOf) {
    }

    private final double[] shares;
    private final boolean classBalanced;
    private final int classes;
    /** Reused candidate slots, sized for the largest tier, so a replay allocates per row drawn only. */
    private final int[] scratch;

    ReplaySampler(double[] shares, boolean classBalanced, int classes, int largestTier) {
        this.shares = shares.clone();
        this.classBalanced = classBalanced;
        this.classes = classes;
        this.scratch = new int[largestTier];
    }

    /** Draws up to {@code rows} rows from tiers holding {@code sizes} entries; an empty draw when none has any. */
    Draw draw(int rows, Tier[] tiers, int[] sizes, Random random) {
        int[] quota = quotas(rows, sizes, shares);
        int total = 0;
        for (int q : quota) {
            total += q;
        }
        int[] tierOf = new int[total];
        int[] slotOf = new int[total];
        int n = 0;
        for (int t = 0; t < tiers.length; t++) {
            n = sample(t, tiers[t], quota[t], tierOf, slotOf, n, random);
        }
        // Shuffled so that the tiers interleave.
        for (int i = total - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            swap(tierOf, i, j);
            swap(slotOf, i, j);
        }
        return new Draw(quota, tierOf, slotOf);
    }

    /**
     * Rows per tier: shares renormalised over the non-empty tiers with a positive share, rounded by
     * largest remainder; a tier whose quota exceeds its size is capped and the rest is split again,
     * the same way, over the other tiers.
     */
    static int[] quotas(int rows, int[] sizes, double[] shares) {
        int tiers = sizes.length;
        boolean[] open = new boolean[tiers];
        long available = 0;
        for (int t = 0; t < tiers; t++) {
            open[t] = sizes[t] > 0 && shares[t] > 0;
            if (open[t]) {
                available += sizes[t];
            }
        }
        int[] quota = new int[tiers];
        int want = (int) Math.min(rows, available);
        boolean capped = true;
        while (want > 0 && capped) {
            double shareSum = 0;
            for (int t = 0; t < tiers; t++) {
                if (open[t]) {
                    shareSum += shares[t];
                }
            }
            double[] remainder = new double[tiers];
            int assigned = 0;
            for (int t = 0; t < tiers; t++) {
                if (open[t]) {
                    double exact = want * shares[t] / shareSum;
                    quota[t] = (int) Math.floor(exact);
                    remainder[t] = exact - quota[t];
                    assigned += quota[t];
                }
            }
            while (assigned < want) {
                int best = -1;
                for (int t = 0; t < tiers; t++) {
                    if (open[t] && (best < 0 || remainder[t] > remainder[best])) {
                        best = t;
                    }
                }
                quota[best]++;
                remainder[best] = -1; // at most one extra row per tier
                assigned++;
            }
            capped = false;
            for (int t = 0; t < tiers; t++) {
                if (open[t] && quota[t] >= sizes[t]) {
                    want -= sizes[t];
                    quota[t] = sizes[t];
                    open[t] = false;
                    capped = true;
                }
            }
            if (capped) {
                // The tiers still open are shared out again from scratch.
                for (int t = 0; t < tiers; t++) {
                    if (open[t]) {
                        quota[t] = 0;
                    }
                }
            }
        }
        return quota;
    }

    /**
     * Draws {@code count} distinct slots of a tier: uniformly (partial Fisher-Yates over the scratch
     * indices) or, class-balanced, an equal part per class present, uniformly within each class.
     */
    private int sample(int t, Tier tier, int count, int[] tierOf, int[] slotOf, int next, Random random) {
        if (count == 0) {
            return next;
        }
        int size = tier.fillSlots(scratch);
        if (classBalanced && count < size) {
            return sampleBalanced(t, tier, count, size, tierOf, slotOf, next, random);
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(size - i);
            int s = scratch[j];
            scratch[j] = scratch[i];
            scratch[i] = s;
            tierOf[next] = t;
            slotOf[next] = s;
            next++;
        }
        return next;
    }

    private int sampleBalanced(int t, Tier tier, int count, int size, int[] tierOf, int[] slotOf, int next, Random random) {
        // Group the tier's slots by class (a stable counting sort).
        int[] perClass = new int[classes];
        for (int i = 0; i < size; i++) {
            perClass[tier.label(scratch[i])]++;
        }
        int[] start = new int[classes + 1];
        for (int c = 0; c < classes; c++) {
            start[c + 1] = start[c] + perClass[c];
        }
        int[] sorted = new int[size];
        int[] fill = start.clone();
        for (int i = 0; i < size; i++) {
            sorted[fill[tier.label(scratch[i])]++] = scratch[i];
        }
        // Equal parts, capped by what each class holds; the capped rest is shared out again.
        int[] take = new int[classes];
        int remaining = count;
        while (remaining > 0) {
            int open = 0;
            for (int c = 0; c < classes; c++) {
                open += take[c] < perClass[c] ? 1 : 0;
            }
            int each = remaining / open;
            if (each == 0) {
                // Fewer rows left than classes with rows: one more each for `remaining` random classes.
                int[] openClasses = new int[open];
                int k = 0;
                for (int c = 0; c < classes; c++) {
                    if (take[c] < perClass[c]) {
                        openClasses[k++] = c;
                    }
                }
                for (int i = 0; i < remaining; i++) {
                    swap(openClasses, i, i + random.nextInt(open - i));
                    take[openClasses[i]]++;
                }
                remaining = 0;
            } else {
                for (int c = 0; c < classes; c++) {
                    int add = Math.min(each, perClass[c] - take[c]);
                    take[c] += add;
                    remaining -= add;
                }
            }
        }
        for (int c = 0; c < classes; c++) {
            int from = start[c];
            int n = perClass[c];
            for (int i = 0; i < take[c]; i++) {
                int j = from + i + random.nextInt(n - i);
                int s = sorted[j];
                sorted[j] = sorted[from + i];
                sorted[from + i] = s;
                tierOf[next] = t;
                slotOf[next] = s;
                next++;
            }
        }
        return next;
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
