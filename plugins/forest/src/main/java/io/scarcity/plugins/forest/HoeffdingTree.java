package io.scarcity.plugins.forest;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Arrays;

/**
 * A Hoeffding tree (Domingos and Hulten, "Mining high-speed data streams", KDD 2000) as the adaptive random
 * forest grows it: every leaf draws its own random subset of the features, keeps per class a weighted
 * Gaussian estimate (weight, mean, sum of squared deviations, min, max) of each feature of its subset, and
 * tries a split once per {@code gracePeriod} of new weight.
 *
 * <p><b>Layout.</b> Everything lives in flat primitive arrays that grow by doubling, each record's fields side
 * by side so that a row touches few cache lines: nodes ({@code [feature or -1, left child or leaf slot]};
 * the right child is the node after the left; thresholds apart), leaf slots (class weights, the weight at
 * the last split attempt, the hits of the majority class and of naive Bayes, the log prior of
 * {@link #sharedBayes}), the feature subset per slot,
 * per {@code (slot, subset feature)} the pooled Gaussian and the variance floor, and per
 * {@code (slot, subset feature, class)} the class's Gaussian with its cached log-variance. The slot of a leaf
 * that splits is reused. Learning and predicting a row allocate nothing.
 *
 * <p><b>Split.</b> At an attempt, each subset feature offers {@code splitPoints} thresholds evenly between
 * its smallest and largest value at the leaf; the class weights on each side of a threshold are estimated
 * from the Gaussians (a class entirely on one side when the threshold is outside its range), each class's
 * estimate read once per feature. The merit is the information gain, with each side holding at least 0.1%
 * of the weight (so that a rare class can be cut off). The leaf splits on the best threshold when its gain
 * exceeds the best of the other features (or no split, gain 0) by more than the Hoeffding bound
 * {@code eps = sqrt(R^2 ln(1/delta) / (2n))}, {@code R = log2(classes)}, {@code n} the weight seen since the
 * leaf was made, or when {@code eps < tieThreshold}; an attempt where no gain could exceed the bound (it is
 * at most the leaf's entropy) stops before evaluating thresholds. The children start with the estimated
 * class weights of their side.
 *
 * <p><b>Leaf prediction</b> (naive Bayes adaptive): a leaf counts, before it learns each row, whether its
 * majority class and whether naive Bayes over its subset features would have been right; it predicts with
 * naive Bayes while that has been right more often (strictly), else with its class weights. Apart from that,
 * {@link #sharedBayes} scores a row at a leaf with the forest's naive Bayes over every feature and the leaf's
 * class weights as the prior; the forest decides which of the two its trees predict with. A class's
 * variance is smoothed by 1% of the leaf's pooled variance of the feature (refreshed at each split attempt
 * that could split);
 * a class without an estimate of a feature yet is scored with the leaf's pooled estimate.
 */
final class HoeffdingTree {
    /** Every class variance is increased by this fraction of the pooled variance of the feature. */
    static final double VAR_SMOOTHING = 0.01;
    static final double MIN_VAR = 1e-9;
    private static final double MIN_BRANCH_FRACTION = 0.001;
    private static final double LN2 = Math.log(2);

    final int d;
    final int classes;
    /** Features per leaf. */
    final int k;
    private final int grace;
    private final int splitPoints;
    private final double logInvDelta;
    private final double tie;
    private final double rangeSq;
    /** Whether the leaves keep {@link #LOG_PRIOR} (only a forest with its naive Bayes reads it). */
    private final boolean logPrior;

    // a node: [feature or -1, left child (internal) or leaf slot (leaf)]; its threshold apart
    private static final int NODE = 2;
    // a leaf slot: class weights, then these
    private final int slotStride;
    private static final int ATTEMPTED = 0;
    private static final int MC_HITS = 1;
    private static final int NB_HITS = 2;
    /** After the hits: ln(w_c + 1) per class, the prior of the forest's naive Bayes, kept as the weights change. */
    private static final int LOG_PRIOR = 3;
    // a (slot, feature j): the pooled Gaussian over classes and the variance floor
    private static final int POOLED = 6;
    private static final int FLOOR = 5;
    // a (slot, feature j, class c): the class's Gaussian and its cached 0.5 ln(var) and 0.5 / var
    private static final int GAUSS = 7;
    private static final int W = 0;
    private static final int MEAN = 1;
    private static final int M2 = 2;
    private static final int MIN = 3;
    private static final int MAX = 4;
    private static final int LV = 5;
    private static final int IV = 6;

    private int nodes;
    private int[] node;
    private double[] threshold;

    private int slots;
    private int[] free;
    private int freeCount;
    private double[] leaf;
    private int[] subset;
    private double[] pooled;
    private double[] gauss;

    private final double[] classWeight;
    /** Per candidate threshold i and class c: the class's weight at or below the threshold. */
    private final double[] below;
    private final double[] right;
    private final double[] bestLeft;
    private final double[] bestRight;
    private final int[] perm;

    HoeffdingTree(int d, int classes, int k, Options o) {
        this.d = d;
        this.classes = classes;
        this.k = k;
        this.grace = o.gracePeriod();
        this.splitPoints = o.splitPoints();
        this.logInvDelta = Math.log(1 / o.splitConfidence());
        this.tie = o.tieThreshold();
        double r = Math.log(classes) / LN2;
        this.rangeSq = r * r;
        this.logPrior = o.sharedBayes();
        this.slotStride = 2 * classes + LOG_PRIOR;
        classWeight = new double[classes];
        below = new double[o.splitPoints() * classes];
        right = new double[classes];
        bestLeft = new double[classes];
        bestRight = new double[classes];
        perm = new int[d];
        allocate(4, 2);
    }

    private void allocate(int nodeCapacity, int slotCapacity) {
        node = new int[nodeCapacity * NODE];
        threshold = new double[nodeCapacity];
        free = new int[slotCapacity];
        leaf = new double[slotCapacity * slotStride];
        subset = new int[slotCapacity * k];
        pooled = new double[slotCapacity * k * POOLED];
        gauss = new double[slotCapacity * k * classes * GAUSS];
    }

    /** Makes this tree a single empty leaf (reusing its arrays); the leaf draws its subset from {@code rng}. */
    void reset(Rng rng, double[] featureVariance) {
        nodes = 1;
        slots = 0;
        freeCount = 0;
        makeLeaf(0, null, rng, featureVariance);
    }

    int nodes() {
        return nodes;
    }

    int leaves() {
        return slots - freeCount;
    }

    /** The node of the leaf that row {@code x} reaches. */
    int sort(double[] x) {
        int n = 0;
        int f;
        while ((f = node[NODE * n]) >= 0) {
            int l = node[NODE * n + 1];
            n = x[f] <= threshold[n] ? l : l + 1;
        }
        return n;
    }

    private int slotOf(int n) {
        return node[NODE * n + 1];
    }

    /** The class with the most weight at the leaf of {@code n} (lowest index on ties). */
    int majorityClass(int n) {
        int base = slotOf(n) * slotStride;
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (leaf[base + c] > leaf[base + best]) {
                best = c;
            }
        }
        return best;
    }

    /** Naive Bayes log scores of every class at the leaf of {@code n} into {@code scores}; returns the argmax. */
    int naiveBayes(int n, double[] x, double[] scores) {
        int slot = slotOf(n);
        int cb = slot * slotStride;
        for (int c = 0; c < classes; c++) {
            double v = leaf[cb + c];
            scores[c] = v > 0 ? Math.log(v) : Double.NEGATIVE_INFINITY;
        }
        for (int j = 0; j < k; j++) {
            int sj = slot * k + j;
            double v = x[subset[sj]];
            int p = sj * POOLED;
            int g = sj * classes * GAUSS;
            double pooledLv = Double.NaN;
            double pooledIv = 0;
            for (int c = 0; c < classes; c++, g += GAUSS) {
                if (scores[c] == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                if (gauss[g + W] > 0) {
                    double z = v - gauss[g + MEAN];
                    scores[c] -= gauss[g + LV] + z * z * gauss[g + IV];
                } else if (pooled[p + W] > 0) {
                    if (Double.isNaN(pooledLv)) {
                        double var = pooled[p + M2] / pooled[p + W] + pooled[p + FLOOR];
                        pooledLv = 0.5 * Math.log(var);
                        pooledIv = 0.5 / var;
                    }
                    double z = v - pooled[p + MEAN];
                    scores[c] -= pooledLv + z * z * pooledIv;
                }
            }
        }
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (scores[c] > scores[best]) {
                best = c;
            }
        }
        return best;
    }

    /** Whether the leaf of {@code n} predicts with naive Bayes (it has been right more often than the majority). */
    boolean usesNaiveBayes(int n) {
        int base = slotOf(n) * slotStride + classes;
        return leaf[base + NB_HITS] > leaf[base + MC_HITS];
    }

    /**
     * The forest's naive Bayes at the leaf of {@code n}: log scores {@code shared[c] + ln(w_c + 1)}, {@code w_c}
     * the leaf's weight of class {@code c} and {@code shared[c]} the row's log-likelihood under class {@code c}
     * (the forest computes it once per row), into {@code scores}; returns the argmax, or the majority class when
     * no class has a finite likelihood.
     */
    int sharedBayes(int n, double[] shared, double[] scores) {
        int lp = slotOf(n) * slotStride + classes + LOG_PRIOR;
        int best = -1;
        for (int c = 0; c < classes; c++) {
            scores[c] = shared[c] + leaf[lp + c];
            if (scores[c] > Double.NEGATIVE_INFINITY && (best < 0 || scores[c] > scores[best])) {
                best = c;
            }
        }
        return best < 0 ? majorityClass(n) : best;
    }

    /**
     * The class the leaf of {@code n} predicts for {@code x}: by {@link #sharedBayes} when {@code shared} is not
     * null, else by the leaf's own model.
     */
    int predictClass(int n, double[] x, double[] shared, double[] scratch) {
        if (shared != null) {
            return sharedBayes(n, shared, scratch);
        }
        return usesNaiveBayes(n) ? naiveBayes(n, x, scratch) : majorityClass(n);
    }

    /**
     * The leaf's class probabilities for {@code x} into {@code out} (summing to one): by {@link #sharedBayes}
     * when {@code shared} is not null, else by the leaf's own model.
     */
    void distribution(int n, double[] x, double[] shared, double[] out) {
        if (shared != null || usesNaiveBayes(n)) {
            int best = shared != null ? sharedBayes(n, shared, out) : naiveBayes(n, x, out);
            double max = out[best];
            if (max == Double.NEGATIVE_INFINITY) {
                Arrays.fill(out, 0);
                out[best] = 1;
                return;
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                double p = out[c] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(out[c] - max);
                out[c] = p;
                sum += p;
            }
            for (int c = 0; c < classes; c++) {
                out[c] /= sum;
            }
            return;
        }
        int base = slotOf(n) * slotStride;
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += leaf[base + c];
        }
        for (int c = 0; c < classes; c++) {
            out[c] = sum > 0 ? leaf[base + c] / sum : 1.0 / classes;
        }
    }

    /**
     * Learns row {@code x} of class {@code y} with weight {@code w > 0} at the leaf of {@code n}, where the
     * majority class was {@code mc} and naive Bayes said {@code nb} before this row; tries a split when a grace
     * period of weight has passed. Returns whether the leaf split.
     */
    boolean learn(int n, double[] x, int y, double w, int mc, int nb, Rng rng, double[] featureVariance) {
        int slot = slotOf(n);
        int cb = slot * slotStride;
        if (mc == y) {
            leaf[cb + classes + MC_HITS] += w;
        }
        if (nb == y) {
            leaf[cb + classes + NB_HITS] += w;
        }
        leaf[cb + y] += w;
        if (logPrior) {
            leaf[cb + classes + LOG_PRIOR + y] = Math.log(leaf[cb + y] + 1);
        }
        for (int j = 0; j < k; j++) {
            int sj = slot * k + j;
            double v = x[subset[sj]];
            int p = sj * POOLED;
            double fl = pooled[p + FLOOR];
            welford(pooled, p, v, w);
            int g = (sj * classes + y) * GAUSS;
            welford(gauss, g, v, w);
            cacheVariance(g, fl);
        }
        double total = 0;
        for (int c = 0; c < classes; c++) {
            total += leaf[cb + c];
        }
        if (total - leaf[cb + classes + ATTEMPTED] < grace) {
            return false;
        }
        leaf[cb + classes + ATTEMPTED] = total;
        return attemptSplit(n, slot, rng, featureVariance);
    }

    /** Adds {@code v} with weight {@code w} to the Gaussian at {@code a[at ..]}: weight, mean, M2, min, max. */
    private static void welford(double[] a, int at, double v, double w) {
        double sum = a[at + W] + w;
        double delta = v - a[at + MEAN];
        a[at + MEAN] += delta * w / sum;
        a[at + M2] += w * delta * (v - a[at + MEAN]);
        a[at + W] = sum;
        if (v < a[at + MIN]) {
            a[at + MIN] = v;
        }
        if (v > a[at + MAX]) {
            a[at + MAX] = v;
        }
    }

    private void cacheVariance(int g, double fl) {
        double var = Math.max(0, gauss[g + M2] / gauss[g + W]) + fl;
        gauss[g + LV] = 0.5 * Math.log(var);
        gauss[g + IV] = 0.5 / var;
    }

    private boolean attemptSplit(int n, int slot, Rng rng, double[] featureVariance) {
        // class weights seen since the leaf was made (every subset feature saw the same rows)
        int g0 = slot * k * classes * GAUSS;
        double total = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            double v = gauss[g0 + c * GAUSS + W];
            classWeight[c] = v;
            total += v;
            present += v > 0 ? 1 : 0;
        }
        if (present < 2) {
            return false;
        }
        double parent = entropy(classWeight, 0, total);
        double eps = Math.sqrt(rangeSq * logInvDelta / (2 * total));
        if (eps >= tie && eps >= parent) {
            return false; // no gain can beat the bound: it is at most the parent's entropy
        }
        refreshFloors(slot, featureVariance);
        double best = 0;
        double second = 0;
        int bestFeature = -1;
        double bestThreshold = 0;
        for (int j = 0; j < k; j++) {
            int sj = slot * k + j;
            int p = sj * POOLED;
            double lo = pooled[p + MIN];
            double hi = pooled[p + MAX];
            if (!(hi > lo)) {
                continue;
            }
            int g = sj * classes * GAUSS;
            // the weight of each class at or below each threshold: one class's estimate read once
            for (int c = 0; c < classes; c++, g += GAUSS) {
                double w = gauss[g + W];
                double mn = gauss[g + MIN];
                double mx = gauss[g + MAX];
                double mean = gauss[g + MEAN];
                double var = w > 0 ? gauss[g + M2] / w : 0;
                double sd = var > 0 ? Math.sqrt(var) : 0;
                for (int i = 0; i < splitPoints; i++) {
                    double t = lo + (hi - lo) * (i + 1) / (splitPoints + 1);
                    double l;
                    if (w <= 0 || t < mn) {
                        l = 0;
                    } else if (t >= mx) {
                        l = w;
                    } else if (sd > 0) {
                        l = w * Gaussians.cdf((t - mean) / sd);
                    } else {
                        l = mean <= t ? w : 0;
                    }
                    below[i * classes + c] = l;
                }
            }
            double featureBest = Double.NEGATIVE_INFINITY;
            double featureThreshold = 0;
            for (int i = 0; i < splitPoints; i++) {
                int at = i * classes;
                double wl = 0;
                for (int c = 0; c < classes; c++) {
                    wl += below[at + c];
                }
                double wr = total - wl;
                if (wl < MIN_BRANCH_FRACTION * total || wr < MIN_BRANCH_FRACTION * total) {
                    continue;
                }
                for (int c = 0; c < classes; c++) {
                    right[c] = classWeight[c] - below[at + c];
                }
                double merit = parent - (wl * entropy(below, at, wl) + wr * entropy(right, 0, wr)) / total;
                if (merit > featureBest) {
                    featureBest = merit;
                    featureThreshold = lo + (hi - lo) * (i + 1) / (splitPoints + 1);
                    if (merit > best) {
                        System.arraycopy(below, at, bestLeft, 0, classes);
                        System.arraycopy(right, 0, bestRight, 0, classes);
                    }
                }
            }
            if (featureBest > best) {
                second = best;
                best = featureBest;
                bestFeature = subset[sj];
                bestThreshold = featureThreshold;
            } else if (featureBest > second) {
                second = featureBest;
            }
        }
        if (bestFeature < 0 || !(best - second > eps || eps < tie)) {
            return false;
        }
        split(n, bestFeature, bestThreshold, rng, featureVariance);
        return true;
    }

    /** Entropy in bits of {@code n} weight spread over {@code values[from .. from + classes)}. */
    private double entropy(double[] values, int from, double n) {
        if (n <= 0) {
            return 0;
        }
        double s = 0;
        for (int c = 0; c < classes; c++) {
            double v = values[from + c];
            if (v > 0) {
                s -= v * Math.log(v / n);
            }
        }
        return s / (n * LN2);
    }

    private void refreshFloors(int slot, double[] featureVariance) {
        for (int j = 0; j < k; j++) {
            int sj = slot * k + j;
            int p = sj * POOLED;
            double var = pooled[p + W] > 0 ? Math.max(0, pooled[p + M2] / pooled[p + W]) : featureVariance[subset[sj]];
            double fl = MIN_VAR + VAR_SMOOTHING * var;
            pooled[p + FLOOR] = fl;
            int g = sj * classes * GAUSS;
            for (int c = 0; c < classes; c++, g += GAUSS) {
                if (gauss[g + W] > 0) {
                    cacheVariance(g, fl);
                }
            }
        }
    }

    private void split(int n, int f, double t, Rng rng, double[] featureVariance) {
        ensureNodes(nodes + 2);
        int l = nodes;
        nodes += 2;
        int slot = slotOf(n);
        node[NODE * n] = f;
        node[NODE * n + 1] = l;
        threshold[n] = t;
        free[freeCount++] = slot;
        makeLeaf(l, bestLeft, rng, featureVariance);
        makeLeaf(l + 1, bestRight, rng, featureVariance);
    }

    /** Makes node {@code n} a leaf with {@code initial} class weights (null: none) and a fresh feature subset. */
    private void makeLeaf(int n, double[] initial, Rng rng, double[] featureVariance) {
        int slot = freeCount > 0 ? free[--freeCount] : newSlot();
        node[NODE * n] = -1;
        node[NODE * n + 1] = slot;
        threshold[n] = 0;
        int cb = slot * slotStride;
        double total = 0;
        for (int c = 0; c < classes; c++) {
            double v = initial == null ? 0 : initial[c];
            leaf[cb + c] = v;
            leaf[cb + classes + LOG_PRIOR + c] = logPrior ? Math.log(v + 1) : 0;
            total += v;
        }
        leaf[cb + classes + ATTEMPTED] = total;
        leaf[cb + classes + MC_HITS] = 0;
        leaf[cb + classes + NB_HITS] = 0;
        for (int i = 0; i < d; i++) {
            perm[i] = i;
        }
        for (int j = 0; j < k; j++) {
            int r = j + rng.nextInt(d - j);
            int tmp = perm[j];
            perm[j] = perm[r];
            perm[r] = tmp;
            int sj = slot * k + j;
            subset[sj] = perm[j];
            clearGaussian(pooled, sj * POOLED);
            pooled[sj * POOLED + FLOOR] = MIN_VAR + VAR_SMOOTHING * featureVariance[perm[j]];
            for (int c = 0; c < classes; c++) {
                int g = (sj * classes + c) * GAUSS;
                clearGaussian(gauss, g);
                gauss[g + LV] = 0;
                gauss[g + IV] = 0;
            }
        }
    }

    private static void clearGaussian(double[] a, int at) {
        a[at + W] = 0;
        a[at + MEAN] = 0;
        a[at + M2] = 0;
        a[at + MIN] = Double.POSITIVE_INFINITY;
        a[at + MAX] = Double.NEGATIVE_INFINITY;
    }

    private int newSlot() {
        if (slots == free.length) {
            int cap = 2 * slots;
            free = Arrays.copyOf(free, cap);
            leaf = Arrays.copyOf(leaf, cap * slotStride);
            subset = Arrays.copyOf(subset, cap * k);
            pooled = Arrays.copyOf(pooled, cap * k * POOLED);
            gauss = Arrays.copyOf(gauss, cap * k * classes * GAUSS);
        }
        return slots++;
    }

    private void ensureNodes(int needed) {
        if (needed > threshold.length) {
            int cap = Math.max(needed, 2 * threshold.length);
            node = Arrays.copyOf(node, cap * NODE);
            threshold = Arrays.copyOf(threshold, cap);
        }
    }

    // ---- gossip: a tree's structure and leaf class weights, cut to a number of nodes ----

    /**
     * Writes this tree breadth first into {@code structure} (3 values per node: feature or -1 for a leaf,
     * threshold, index of the left child or -1; the right child follows the left) and {@code weights}
     * ({@code classes} values per node: a leaf's class weights; for a node cut because its children do not
     * fit, the sum over its leaves). Both arrays hold {@code capacity} nodes; the rest stays 0.
     *
     * @return the number of nodes written, at most {@code capacity}
     */
    int export(double[] structure, double[] weights, int capacity) {
        double[] subtree = new double[nodes * classes];
        sumLeaves(0, subtree);
        int[] order = new int[Math.min(nodes, capacity)];
        order[0] = 0;
        int written = 1;
        for (int i = 0; i < written; i++) {
            int n = order[i];
            boolean internal = node[NODE * n] >= 0 && written + 2 <= capacity;
            structure[3 * i] = internal ? node[NODE * n] : -1;
            structure[3 * i + 1] = internal ? threshold[n] : 0;
            structure[3 * i + 2] = internal ? written : -1;
            if (internal) {
                order[written] = node[NODE * n + 1];
                order[written + 1] = node[NODE * n + 1] + 1;
                written += 2;
            } else {
                System.arraycopy(subtree, n * classes, weights, i * classes, classes);
            }
        }
        return written;
    }

    private void sumLeaves(int root, double[] subtree) {
        // iterative post-order is not needed: children always have larger indices than their parent
        for (int n = nodes - 1; n >= root; n--) {
            if (node[NODE * n] < 0) {
                System.arraycopy(leaf, slotOf(n) * slotStride, subtree, n * classes, classes);
            } else {
                int l = node[NODE * n + 1];
                for (int c = 0; c < classes; c++) {
                    subtree[n * classes + c] = subtree[l * classes + c] + subtree[(l + 1) * classes + c];
                }
            }
        }
    }

    /**
     * Checks an exported tree of {@code used} nodes: features in range or -1, finite thresholds, every child
     * index after its parent and used once, finite non-negative weights. Returns null when valid, else why not.
     */
    static String check(double[] structure, double[] weights, int used, int d, int classes) {
        int capacity = structure.length / 3;
        if (used < 1 || used > capacity) {
            return "a tree of " + used + " nodes";
        }
        boolean[] reached = new boolean[used];
        reached[0] = true;
        for (int i = 0; i < used; i++) {
            if (!reached[i]) {
                return "node " + i + " is unreachable";
            }
            double f = structure[3 * i];
            double l = structure[3 * i + 2];
            if (f == -1) {
                if (l != -1) {
                    return "leaf " + i + " has children";
                }
                for (int c = 0; c < classes; c++) {
                    double v = weights[i * classes + c];
                    if (!(v >= 0) || Double.isInfinite(v)) {
                        return "leaf " + i + " has a bad class weight";
                    }
                }
                continue;
            }
            if (f != Math.rint(f) || f < 0 || f >= d || !Double.isFinite(structure[3 * i + 1])) {
                return "node " + i + " splits on feature " + f;
            }
            if (l != Math.rint(l) || l <= i || l + 1 >= used || reached[(int) l] || reached[(int) l + 1]) {
                return "node " + i + " has children at " + l;
            }
            reached[(int) l] = true;
            reached[(int) l + 1] = true;
        }
        return null;
    }

    /**
     * Makes this tree the exported one (checked by {@link #check}): its nodes, and leaves that start from
     * the exported class weights with fresh subsets and estimates (they go on learning from here).
     */
    void load(double[] structure, double[] weights, int used, Rng rng, double[] featureVariance) {
        nodes = used;
        slots = 0;
        freeCount = 0;
        ensureNodes(used);
        double[] initial = new double[classes];
        for (int i = 0; i < used; i++) {
            int f = (int) structure[3 * i];
            if (f < 0) {
                System.arraycopy(weights, i * classes, initial, 0, classes);
                makeLeaf(i, initial, rng, featureVariance);
            } else {
                node[NODE * i] = f;
                node[NODE * i + 1] = (int) structure[3 * i + 2];
                threshold[i] = structure[3 * i + 1];
            }
        }
    }

    // ---- checkpoint ----

    void save(StateWriter out) throws IOException {
        out.writeInts(Arrays.copyOf(node, nodes * NODE));
        out.writeDoubles(Arrays.copyOf(threshold, nodes));
        out.writeInts(Arrays.copyOf(free, freeCount));
        out.writeInt(slots);
        out.writeDoubles(Arrays.copyOf(leaf, slots * slotStride));
        out.writeInts(Arrays.copyOf(subset, slots * k));
        out.writeDoubles(Arrays.copyOf(pooled, slots * k * POOLED));
        out.writeDoubles(Arrays.copyOf(gauss, slots * k * classes * GAUSS));
    }

    /** Reads what {@link #save} wrote, checked; this tree changes only if all of it reads and checks. */
    void restore(StateReader in) throws IOException {
        int[] nd = in.readInts();
        if (nd == null || nd.length < NODE || nd.length % NODE != 0) {
            throw new IOException("forest tree: no nodes");
        }
        int n = nd.length / NODE;
        double[] t = in.readDoubles(n, "forest tree thresholds");
        int[] fr = in.readInts();
        int s = in.readInt();
        if (fr == null || s < 1 || fr.length > s) {
            throw new IOException("forest tree: " + s + " leaf slots with " + (fr == null ? "no" : fr.length) + " free");
        }
        boolean[] taken = new boolean[s];
        for (int v : fr) {
            if (v < 0 || v >= s || taken[v]) {
                throw new IOException("forest tree: free slot " + v + " of " + s);
            }
            taken[v] = true;
        }
        int leaves = 0;
        for (int i = 0; i < n; i++) {
            int f = nd[NODE * i];
            int link = nd[NODE * i + 1];
            if (f < -1 || f >= d) {
                throw new IOException("forest tree: node " + i + " splits on feature " + f + " of " + d);
            }
            if (f < 0 ? (link < 0 || link >= s || taken[link]) : (link <= i || link + 1 >= n)) {
                throw new IOException("forest tree: node " + i + " is malformed");
            }
            if (f < 0) {
                taken[link] = true;
                leaves++;
            }
        }
        if (leaves + fr.length != s) {
            throw new IOException("forest tree: " + leaves + " leaves and " + fr.length + " free slots, but " + s + " slots");
        }
        double[] lf = in.readDoubles(s * slotStride, "forest tree leaves");
        int[] sub = readInts(in, s * k, "forest tree subsets");
        for (int v : sub) {
            if (v < 0 || v >= d) {
                throw new IOException("forest tree: subset feature " + v + " of " + d);
            }
        }
        double[] pl = in.readDoubles(s * k * POOLED, "forest tree feature estimates");
        double[] gs = in.readDoubles(s * k * classes * GAUSS, "forest tree class estimates");
        allocate(Math.max(4, Integer.highestOneBit(n) * 2), Math.max(2, Integer.highestOneBit(s) * 2));
        nodes = n;
        System.arraycopy(nd, 0, node, 0, nd.length);
        System.arraycopy(t, 0, threshold, 0, n);
        slots = s;
        freeCount = fr.length;
        System.arraycopy(fr, 0, free, 0, fr.length);
        System.arraycopy(lf, 0, leaf, 0, lf.length);
        System.arraycopy(sub, 0, subset, 0, sub.length);
        System.arraycopy(pl, 0, pooled, 0, pl.length);
        System.arraycopy(gs, 0, gauss, 0, gs.length);
    }

    private static int[] readInts(StateReader in, int expected, String what) throws IOException {
        int[] v = in.readInts();
        if (v == null || v.length != expected) {
            throw new IOException(what + ": " + (v == null ? "none" : v.length + " values") + ", expected " + expected);
        }
        return v;
    }
}
