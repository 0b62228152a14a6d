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
 * <p><b>Layout.</b> Everything lives in flat primitive arrays that grow by doubling: nodes ({@code feature},
 * {@code threshold}, {@code child} — the left child; the right one is the next node — and {@code leafOf},
 * the leaf's slot) and leaf slots (class weights, the weight at the last split attempt, the hits of the
 * majority class and of naive Bayes, the feature subset, and the Gaussian estimates per
 * {@code (slot, subset feature, class)}, laid out as {@code (slot * k + j) * classes + c}). The slot of a leaf
 * that splits is reused. Learning and predicting a row allocate nothing.
 *
 * <p><b>Split.</b> At an attempt, each subset feature offers {@code splitPoints} thresholds evenly between
 * its smallest and largest value at the leaf; the class weights on each side of a threshold are estimated
 * from the Gaussians (a class entirely on one side when the threshold is outside its range). The merit is
 * the information gain, with each side holding at least 1% of the weight. The leaf splits on the best
 * threshold when its gain exceeds the best of the other features (or no split, gain 0) by more than the
 * Hoeffding bound {@code eps = sqrt(R^2 ln(1/delta) / (2n))}, {@code R = log2(classes)}, {@code n} the
 * weight seen since the leaf was made, or when {@code eps < tieThreshold}. The children start with the
 * estimated class weights of their side.
 *
 * <p><b>Leaf prediction</b> (naive Bayes adaptive): a leaf counts, before it learns each row, whether its
 * majority class and whether naive Bayes over its subset features would have been right; it predicts with
 * naive Bayes while that has been right more often (strictly), else with its class weights. A class's
 * variance is smoothed by 1% of the leaf's pooled variance of the feature (refreshed at each split attempt);
 * a class without an estimate of a feature yet is scored with the leaf's pooled estimate.
 */
final class HoeffdingTree {
    /** Every class variance is increased by this fraction of the pooled variance of the feature. */
    static final double VAR_SMOOTHING = 0.01;
    private static final double MIN_VAR = 1e-9;
    private static final double MIN_BRANCH_FRACTION = 0.01;
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

    private int nodes;
    private int[] feature;
    private double[] threshold;
    private int[] child;
    private int[] leafOf;

    private int slots;
    private int[] free;
    private int freeCount;
    private double[] counts;
    private double[] attempted;
    private double[] mcHits;
    private double[] nbHits;
    private int[] subset;
    /** Per (slot, j): the variance floor and the pooled Gaussian over classes. */
    private double[] floor;
    private double[] pw;
    private double[] pmean;
    private double[] pm2;
    private double[] pmin;
    private double[] pmax;
    /** Per (slot, j, c). */
    private double[] gw;
    private double[] gmean;
    private double[] gm2;
    private double[] gmin;
    private double[] gmax;
    /** Cached 0.5 ln(variance) and 0.5 / variance of the smoothed class variance. */
    private double[] glv;
    private double[] giv;

    private final double[] left;
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
        left = new double[classes];
        right = new double[classes];
        bestLeft = new double[classes];
        bestRight = new double[classes];
        perm = new int[d];
        allocate(4, 2);
    }

    private void allocate(int nodeCapacity, int slotCapacity) {
        feature = new int[nodeCapacity];
        threshold = new double[nodeCapacity];
        child = new int[nodeCapacity];
        leafOf = new int[nodeCapacity];
        free = new int[slotCapacity];
        counts = new double[slotCapacity * classes];
        attempted = new double[slotCapacity];
        mcHits = new double[slotCapacity];
        nbHits = new double[slotCapacity];
        subset = new int[slotCapacity * k];
        int sj = slotCapacity * k;
        floor = new double[sj];
        pw = new double[sj];
        pmean = new double[sj];
        pm2 = new double[sj];
        pmin = new double[sj];
        pmax = new double[sj];
        int sjc = sj * classes;
        gw = new double[sjc];
        gmean = new double[sjc];
        gm2 = new double[sjc];
        gmin = new double[sjc];
        gmax = new double[sjc];
        glv = new double[sjc];
        giv = new double[sjc];
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
        while ((f = feature[n]) >= 0) {
            n = x[f] <= threshold[n] ? child[n] : child[n] + 1;
        }
        return n;
    }

    /** The class with the most weight at the leaf of {@code node} (lowest index on ties). */
    int majorityClass(int node) {
        int base = leafOf[node] * classes;
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (counts[base + c] > counts[base + best]) {
                best = c;
            }
        }
        return best;
    }

    /** Naive Bayes log scores of every class at the leaf of {@code node} into {@code scores}; returns the argmax. */
    int naiveBayes(int node, double[] x, double[] scores) {
        int slot = leafOf[node];
        int cb = slot * classes;
        for (int c = 0; c < classes; c++) {
            double n = counts[cb + c];
            scores[c] = n > 0 ? Math.log(n) : Double.NEGATIVE_INFINITY;
        }
        for (int j = 0; j < k; j++) {
            int sj = slot * k + j;
            double v = x[subset[sj]];
            int g = sj * classes;
            double pooledLv = Double.NaN;
            double pooledIv = 0;
            for (int c = 0; c < classes; c++) {
                if (scores[c] == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                if (gw[g + c] > 0) {
                    double z = v - gmean[g + c];
                    scores[c] -= glv[g + c] + z * z * giv[g + c];
                } else if (pw[sj] > 0) {
                    if (Double.isNaN(pooledLv)) {
                        double var = pm2[sj] / pw[sj] + floor[sj];
                        pooledLv = 0.5 * Math.log(var);
                        pooledIv = 0.5 / var;
                    }
                    double z = v - pmean[sj];
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

    /** Whether the leaf of {@code node} predicts with naive Bayes (it has been right more often than the majority). */
    boolean usesNaiveBayes(int node) {
        int slot = leafOf[node];
        return nbHits[slot] > mcHits[slot];
    }

    /** The class the leaf of {@code node} predicts for {@code x}. */
    int predictClass(int node, double[] x, double[] scratch) {
        return usesNaiveBayes(node) ? naiveBayes(node, x, scratch) : majorityClass(node);
    }

    /** The leaf's class probabilities for {@code x} into {@code out} (summing to one). */
    void distribution(int node, double[] x, double[] out) {
        if (usesNaiveBayes(node)) {
            int best = naiveBayes(node, x, out);
            double max = out[best];
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
        int base = leafOf[node] * classes;
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += counts[base + c];
        }
        for (int c = 0; c < classes; c++) {
            out[c] = sum > 0 ? counts[base + c] / sum : 1.0 / classes;
        }
    }

    /**
     * Learns row {@code x} of class {@code y} with weight {@code w > 0} at the leaf of {@code node}, where the
     * majority class was {@code mc} and naive Bayes said {@code nb} before this row; tries a split when a grace
     * period of weight has passed. Returns whether the leaf split.
     */
    boolean learn(int node, double[] x, int y, double w, int mc, int nb, Rng rng, double[] featureVariance) {
        int slot = leafOf[node];
        if (mc == y) {
            mcHits[slot] += w;
        }
        if (nb == y) {
            nbHits[slot] += w;
        }
        int cb = slot * classes;
        counts[cb + y] += w;
        for (int j = 0; j < k; j++) {
            int sj = slot * k + j;
            double v = x[subset[sj]];
            // pooled over classes
            double pW = pw[sj] + w;
            double delta = v - pmean[sj];
            pmean[sj] += delta * w / pW;
            pm2[sj] += w * delta * (v - pmean[sj]);
            pw[sj] = pW;
            if (v < pmin[sj]) {
                pmin[sj] = v;
            }
            if (v > pmax[sj]) {
                pmax[sj] = v;
            }
            // class y
            int g = sj * classes + y;
            double gW = gw[g] + w;
            delta = v - gmean[g];
            gmean[g] += delta * w / gW;
            gm2[g] += w * delta * (v - gmean[g]);
            gw[g] = gW;
            if (v < gmin[g]) {
                gmin[g] = v;
            }
            if (v > gmax[g]) {
                gmax[g] = v;
            }
            cacheVariance(g, floor[sj]);
        }
        double total = 0;
        for (int c = 0; c < classes; c++) {
            total += counts[cb + c];
        }
        if (total - attempted[slot] < grace) {
            return false;
        }
        attempted[slot] = total;
        return attemptSplit(node, slot, rng, featureVariance);
    }

    private void cacheVariance(int g, double fl) {
        double var = Math.max(0, gm2[g] / gw[g]) + fl;
        glv[g] = 0.5 * Math.log(var);
        giv[g] = 0.5 / var;
    }

    private boolean attemptSplit(int node, int slot, Rng rng, double[] featureVariance) {
        refreshFloors(slot, featureVariance);
        // class weights seen since the leaf was made (every subset feature saw the same rows)
        int g0 = slot * k * classes;
        double n = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            n += gw[g0 + c];
            present += gw[g0 + c] > 0 ? 1 : 0;
        }
        if (present < 2) {
            return false;
        }
        double parent = entropy(gw, g0, n);
        double best = 0;
        double second = 0;
        int bestFeature = -1;
        double bestThreshold = 0;
        for (int j = 0; j < k; j++) {
            int sj = slot * k + j;
            double lo = pmin[sj];
            double hi = pmax[sj];
            if (!(hi > lo)) {
                continue;
            }
            int g = sj * classes;
            double featureBest = Double.NEGATIVE_INFINITY;
            double featureThreshold = 0;
            for (int i = 1; i <= splitPoints; i++) {
                double t = lo + (hi - lo) * i / (splitPoints + 1);
                double wl = 0;
                for (int c = 0; c < classes; c++) {
                    double l = leftWeight(g + c, t);
                    left[c] = l;
                    right[c] = gw[g + c] - l;
                    wl += l;
                }
                double wr = n - wl;
                if (wl < MIN_BRANCH_FRACTION * n || wr < MIN_BRANCH_FRACTION * n) {
                    continue;
                }
                double merit = parent - (wl * entropy(left, 0, wl) + wr * entropy(right, 0, wr)) / n;
                if (merit > featureBest) {
                    featureBest = merit;
                    featureThreshold = t;
                    if (merit > best) {
                        System.arraycopy(left, 0, bestLeft, 0, classes);
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
        if (bestFeature < 0) {
            return false;
        }
        double eps = Math.sqrt(rangeSq * logInvDelta / (2 * n));
        if (!(best - second > eps || eps < tie)) {
            return false;
        }
        split(node, bestFeature, bestThreshold, rng, featureVariance);
        return true;
    }

    /** Estimated weight of class entry {@code g} at or below {@code t}. */
    private double leftWeight(int g, double t) {
        double w = gw[g];
        if (w <= 0 || t < gmin[g]) {
            return 0;
        }
        if (t >= gmax[g]) {
            return w;
        }
        double var = gm2[g] / w;
        if (!(var > 0)) {
            return gmean[g] <= t ? w : 0;
        }
        return w * Gaussians.cdf((t - gmean[g]) / Math.sqrt(var));
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
            double pooled = pw[sj] > 0 ? Math.max(0, pm2[sj] / pw[sj]) : featureVariance[subset[sj]];
            floor[sj] = MIN_VAR + VAR_SMOOTHING * pooled;
            int g = sj * classes;
            for (int c = 0; c < classes; c++) {
                if (gw[g + c] > 0) {
                    cacheVariance(g + c, floor[sj]);
                }
            }
        }
    }

    private void split(int node, int f, double t, Rng rng, double[] featureVariance) {
        ensureNodes(nodes + 2);
        int l = nodes;
        nodes += 2;
        int slot = leafOf[node];
        feature[node] = f;
        threshold[node] = t;
        child[node] = l;
        leafOf[node] = -1;
        pushFree(slot);
        makeLeaf(l, bestLeft, rng, featureVariance);
        makeLeaf(l + 1, bestRight, rng, featureVariance);
    }

    /** Makes {@code node} a leaf with {@code initial} class weights (null: none) and a fresh feature subset. */
    private void makeLeaf(int node, double[] initial, Rng rng, double[] featureVariance) {
        int slot = freeCount > 0 ? free[--freeCount] : newSlot();
        feature[node] = -1;
        threshold[node] = 0;
        child[node] = -1;
        leafOf[node] = slot;
        int cb = slot * classes;
        double total = 0;
        for (int c = 0; c < classes; c++) {
            double v = initial == null ? 0 : initial[c];
            counts[cb + c] = v;
            total += v;
        }
        attempted[slot] = total;
        mcHits[slot] = 0;
        nbHits[slot] = 0;
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
            floor[sj] = MIN_VAR + VAR_SMOOTHING * featureVariance[perm[j]];
            pw[sj] = 0;
            pmean[sj] = 0;
            pm2[sj] = 0;
            pmin[sj] = Double.POSITIVE_INFINITY;
            pmax[sj] = Double.NEGATIVE_INFINITY;
        }
        int g = slot * k * classes;
        int end = g + k * classes;
        Arrays.fill(gw, g, end, 0);
        Arrays.fill(gmean, g, end, 0);
        Arrays.fill(gm2, g, end, 0);
        Arrays.fill(gmin, g, end, Double.POSITIVE_INFINITY);
        Arrays.fill(gmax, g, end, Double.NEGATIVE_INFINITY);
        Arrays.fill(glv, g, end, 0);
        Arrays.fill(giv, g, end, 0);
    }

    private void pushFree(int slot) {
        free[freeCount++] = slot;
    }

    private int newSlot() {
        if (slots == attempted.length) {
            growSlots(2 * slots);
        }
        return slots++;
    }

    private void ensureNodes(int needed) {
        if (needed > feature.length) {
            int cap = Math.max(needed, 2 * feature.length);
            feature = Arrays.copyOf(feature, cap);
            threshold = Arrays.copyOf(threshold, cap);
            child = Arrays.copyOf(child, cap);
            leafOf = Arrays.copyOf(leafOf, cap);
        }
    }

    private void growSlots(int cap) {
        int c = classes;
        free = Arrays.copyOf(free, cap);
        counts = Arrays.copyOf(counts, cap * c);
        attempted = Arrays.copyOf(attempted, cap);
        mcHits = Arrays.copyOf(mcHits, cap);
        nbHits = Arrays.copyOf(nbHits, cap);
        subset = Arrays.copyOf(subset, cap * k);
        floor = Arrays.copyOf(floor, cap * k);
        pw = Arrays.copyOf(pw, cap * k);
        pmean = Arrays.copyOf(pmean, cap * k);
        pm2 = Arrays.copyOf(pm2, cap * k);
        pmin = Arrays.copyOf(pmin, cap * k);
        pmax = Arrays.copyOf(pmax, cap * k);
        gw = Arrays.copyOf(gw, cap * k * c);
        gmean = Arrays.copyOf(gmean, cap * k * c);
        gm2 = Arrays.copyOf(gm2, cap * k * c);
        gmin = Arrays.copyOf(gmin, cap * k * c);
        gmax = Arrays.copyOf(gmax, cap * k * c);
        glv = Arrays.copyOf(glv, cap * k * c);
        giv = Arrays.copyOf(giv, cap * k * c);
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
            boolean internal = feature[n] >= 0 && written + 2 <= capacity;
            structure[3 * i] = internal ? feature[n] : -1;
            structure[3 * i + 1] = internal ? threshold[n] : 0;
            structure[3 * i + 2] = internal ? written : -1;
            if (internal) {
                order[written] = child[n];
                order[written + 1] = child[n] + 1;
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
            if (feature[n] < 0) {
                System.arraycopy(counts, leafOf[n] * classes, subtree, n * classes, classes);
            } else {
                int l = child[n];
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
                feature[i] = f;
                threshold[i] = structure[3 * i + 1];
                child[i] = (int) structure[3 * i + 2];
                leafOf[i] = -1;
            }
        }
    }

    // ---- checkpoint ----

    void save(StateWriter out) throws IOException {
        out.writeInts(Arrays.copyOf(feature, nodes));
        out.writeDoubles(Arrays.copyOf(threshold, nodes));
        out.writeInts(Arrays.copyOf(child, nodes));
        out.writeInts(Arrays.copyOf(leafOf, nodes));
        out.writeInts(Arrays.copyOf(free, freeCount));
        out.writeInt(slots);
        int c = classes;
        out.writeDoubles(Arrays.copyOf(counts, slots * c));
        out.writeDoubles(Arrays.copyOf(attempted, slots));
        out.writeDoubles(Arrays.copyOf(mcHits, slots));
        out.writeDoubles(Arrays.copyOf(nbHits, slots));
        out.writeInts(Arrays.copyOf(subset, slots * k));
        for (double[] a : new double[][] {floor, pw, pmean, pm2, pmin, pmax}) {
            out.writeDoubles(Arrays.copyOf(a, slots * k));
        }
        for (double[] a : new double[][] {gw, gmean, gm2, gmin, gmax, glv, giv}) {
            out.writeDoubles(Arrays.copyOf(a, slots * k * c));
        }
    }

    void restore(StateReader in) throws IOException {
        int[] f = in.readInts();
        int n = f == null ? 0 : f.length;
        if (n < 1) {
            throw new IOException("forest tree: no nodes");
        }
        double[] t = in.readDoubles(n, "forest tree thresholds");
        int[] ch = readInts(in, n, "forest tree children");
        int[] lf = readInts(in, n, "forest tree leaves");
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
        int leavesSeen = 0;
        for (int i = 0; i < n; i++) {
            if (f[i] < -1 || f[i] >= d) {
                throw new IOException("forest tree: node " + i + " splits on feature " + f[i] + " of " + d);
            }
            if (f[i] < 0 ? (lf[i] < 0 || lf[i] >= s || ch[i] != -1) : (ch[i] <= i || ch[i] + 1 >= n || lf[i] != -1)) {
                throw new IOException("forest tree: node " + i + " is malformed");
            }
            if (f[i] < 0) {
                if (taken[lf[i]]) {
                    throw new IOException("forest tree: leaf slot " + lf[i] + " used twice");
                }
                taken[lf[i]] = true;
                leavesSeen++;
            }
        }
        if (leavesSeen + fr.length != s) {
            throw new IOException("forest tree: " + leavesSeen + " leaves and " + fr.length + " free slots, but " + s + " slots");
        }
        int c = classes;
        double[] cn = in.readDoubles(s * c, "forest tree class weights");
        double[] at = in.readDoubles(s, "forest tree attempts");
        double[] mh = in.readDoubles(s, "forest tree majority hits");
        double[] nh = in.readDoubles(s, "forest tree naive Bayes hits");
        int[] sub = readInts(in, s * k, "forest tree subsets");
        for (int v : sub) {
            if (v < 0 || v >= d) {
                throw new IOException("forest tree: subset feature " + v + " of " + d);
            }
        }
        double[][] perJ = new double[6][];
        for (int i = 0; i < perJ.length; i++) {
            perJ[i] = in.readDoubles(s * k, "forest tree feature estimates");
        }
        double[][] perC = new double[7][];
        for (int i = 0; i < perC.length; i++) {
            perC[i] = in.readDoubles(s * k * c, "forest tree class estimates");
        }
        int nodeCap = Math.max(4, Integer.highestOneBit(n) * 2);
        int slotCap = Math.max(2, Integer.highestOneBit(s) * 2);
        allocate(nodeCap, slotCap);
        nodes = n;
        System.arraycopy(f, 0, feature, 0, n);
        System.arraycopy(t, 0, threshold, 0, n);
        System.arraycopy(ch, 0, child, 0, n);
        System.arraycopy(lf, 0, leafOf, 0, n);
        slots = s;
        freeCount = fr.length;
        System.arraycopy(fr, 0, free, 0, fr.length);
        System.arraycopy(cn, 0, counts, 0, cn.length);
        System.arraycopy(at, 0, attempted, 0, s);
        System.arraycopy(mh, 0, mcHits, 0, s);
        System.arraycopy(nh, 0, nbHits, 0, s);
        System.arraycopy(sub, 0, subset, 0, sub.length);
        double[][] jTargets = {floor, pw, pmean, pm2, pmin, pmax};
        for (int i = 0; i < jTargets.length; i++) {
            System.arraycopy(perJ[i], 0, jTargets[i], 0, s * k);
        }
        double[][] cTargets = {gw, gmean, gm2, gmin, gmax, glv, giv};
        for (int i = 0; i < cTargets.length; i++) {
            System.arraycopy(perC[i], 0, cTargets[i], 0, s * k * c);
        }
    }

    private static int[] readInts(StateReader in, int expected, String what) throws IOException {
        int[] v = in.readInts();
        if (v == null || v.length != expected) {
            throw new IOException(what + ": " + (v == null ? "none" : v.length + " values") + ", expected " + expected);
        }
        return v;
    }
}
