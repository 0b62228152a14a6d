package io.scarcity.plugins.statistical;

import io.scarcity.api.Batch;
import io.scarcity.api.ExpertState;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.Prediction;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The statistical expert's classifier: per class an exponentially weighted (EW) mean and variance of every
 * feature plus EW class priors, combined as Gaussian naive Bayes, with a variance prior from the coordinator.
 *
 * <p>Each EW estimate of a class (and the priors) starts as a plain running average: its step is
 * {@code max(rate * w, w / n)} for a row of weight {@code w} after {@code n} weighted rows, so the first
 * {@code ~1/rate} rows are averaged equally instead of being shrunk towards the initial zeros. Classes never
 * seen get probability zero; before any class is seen the prediction is uniform.
 *
 * <p><b>Variance prior from the coordinator.</b> A class seen a few times has a useless variance estimate:
 * after one row it is zero (so the floor {@code minVariance} decides, and the class looks far more certain
 * than a class with twenty rows), after a few rows it is noise. Each class's per-feature variance therefore
 * gets a conjugate prior, a scaled inverse chi-squared with {@code nu0 = priorRows} degrees of freedom, whose
 * posterior scale after {@code n} rows with sample variance {@code s^2} is {@code (nu0 S + n s^2) / (nu0 + n)}.
 * The prior's scale {@code S} is itself estimated hierarchically:
 * <ul>
 *   <li>top level, from the coordinator: {@code T_j}, feature {@code j}'s variance in the pooled feature
 *       moments ({@link MetaParameters#normalisation()}, over many clients' rows), worth {@code nu0}
 *       rows. It includes the spread between classes, so it errs on the wide side: a class seen once is
 *       not treated as certain;</li>
 *   <li>client level: {@code W_j = sum_c n_c s_cj^2 / N}, the client's own within-class variance pooled
 *       over its classes ({@code N = sum_c n_c}), so {@code S_j = (nu0 T_j + N W_j) / (nu0 + N)}. A
 *       client with few rows relies on the coordinator; one with many has its classes' typical spread
 *       as the prior of a rarely seen class, and the coordinator's part fades.</li>
 * </ul>
 * With forgetting, the prior's pseudo-rows are treated as the class's oldest rows and forgotten like any
 * other: each class keeps the prior's share {@code pi_c}, starting at 1 and multiplied by
 * {@code (1 - a')} on each of the class's rows, with {@code a' = max(rate * w, w / (nu0 + n))} the step an
 * EW average that began with {@code nu0} pseudo-rows would take, so {@code pi_c = nu0 / (nu0 + n)}
 * exactly while the average is plain and then decays geometrically at the learning rate. Prediction uses
 * {@code pi_c S_j + (1 - pi_c) s_cj^2} (then the floor). The prior's weight therefore vanishes as the
 * client's own rows of the class accumulate: with the default {@code nu0 = 2} it is 1/6 after 10 rows and
 * below 1% after about {@code 1/rate + 2.3/rate} rows. The learned statistics themselves are untouched:
 * the prior applies only when predicting, with the latest moments received, so a client that receives
 * them later is in exactly the state of one that had them from the start. Nothing happens until the
 * coordinator has sent moments (of this dimension, over at least two rows): a local run is unchanged.
 * The means get no prior: the pooled mean mixes every class, so shrinking a class's mean towards it would
 * only blur the classes into each other.
 *
 * <p>Gossip arrays: {@code mean}, {@code variance} (class-major, {@code classes x features}), {@code prior}
 * and {@code count} per class, {@code priorCount}, and the prior-weighted moments
 * {@code weightedMean = prior * mean} and {@code weightedSecond = prior * (variance + mean^2)}. An average of
 * the weighted moments is the moment of the pooled mixture, so merging with a peer that never saw a class
 * (all zeros) does not pull that class's mean towards zero; a merge recovers mean and variance from them.
 * {@code weightedShare = prior * pi} carries the variance prior's share per class the same way: it merges
 * weighted by the class prior, like the variance it is part of (a peer that never saw the class adds nothing
 * to either).
 */
final class ClassStatistics {
    /** Keeps a class that has not been seen for long from being ruled out by its prior alone. */
    private static final double PRIOR_FLOOR = 1e-6;
    /** Below this pooled prior the weighted moments are too degraded to divide by. */
    private static final double MIN_POOLED_PRIOR = 1e-250;

    private final Options options;
    private final int features;
    private final int classes;

    // Class-major.
    private final double[] mean;
    private final double[] variance;
    private final double[] prior;
    private final double[] count;
    private double priorCount;

    /** The coordinator's pooled per-feature variance, the prior's scale; {@code null} until received. */
    private double[] priorVariance;
    /** Per class, the share {@code pi_c} of the prior's pseudo-rows in the class's variance (see above). */
    private final double[] priorShare;
    /** Per feature, the prior's scale {@code S_j} for the current batch (scratch, recomputed per prediction). */
    private final double[] priorScale;

    // Per-batch buffers for prediction, reused.
    private final double[] logConstant;
    private final double[] inverseVariance;
    /** Per class, whether it takes part in the prediction (seen here, or by the peers under private gossip). */
    private final boolean[] present;
    /** The means predictions use: {@link #mean} itself, or combined with the peers' sums in {@link #combined}. */
    private double[] centre;
    private final double[] combined;

    /**
     * Under private gossip ({@link RowSumRelease}): the other clients' pooled sums (count, sum, square and their noise
     * variances), null until received; and the rows the own EW estimates stand for at most (1 / their rate).
     */
    private Map<String, double[]> peers;
    /** The arrays of {@link #peers}, in the sorted order they are checkpointed in. */
    private static final List<String> PEER_ARRAYS = List.of(RowSumRelease.COUNT, RowSumRelease.COUNT + RowSumRelease.NOISE,
            RowSumRelease.SQUARE, RowSumRelease.SQUARE + RowSumRelease.NOISE, RowSumRelease.SUM, RowSumRelease.SUM + RowSumRelease.NOISE);
    private double memory = Double.POSITIVE_INFINITY;
    /** Per class, the own rows learned since the peers' sums were adopted: their share fades with them. */
    private final double[] sinceAdopted;

    /**
     * The union merge law ({@code mergeLaw: union}, {@link UnionMerge}): per class, the share of the estimates still
     * from the state last adopted by a merge (the product of {@code 1 - step} over the rows learned since), and that
     * state's means, second moments, priors, counts and rows of memory.
     */
    private boolean union;
    private final double[] retained;
    private final double[] baseMean;
    private final double[] baseSecond;
    private final double[] basePrior;
    private final double[] baseCount;
    private final double[] baseMass;
    /** The clients of the domain the last round reached ({@link io.scarcity.api.MetaParameters#CLIENTS}); 0 unknown. */
    private double clients;
    /** Whether a change was detected since the state was last adopted (see {@link UnionMerge}). */
    private boolean changed;

    /** Statistics of {@code classes} classes (0 for a regression stream: then they stay empty). */
    ClassStatistics(Options options, int features, int classes) {
        this.options = options;
        this.features = features;
        this.classes = classes;
        this.mean = new double[classes * features];
        this.variance = new double[classes * features];
        this.prior = new double[classes];
        this.count = new double[classes];
        this.priorShare = new double[classes];
        Arrays.fill(priorShare, 1.0);
        this.priorScale = new double[features];
        this.logConstant = new double[classes];
        this.inverseVariance = new double[classes * features];
        this.present = new boolean[classes];
        this.sinceAdopted = new double[classes];
        this.combined = new double[classes * features];
        this.centre = mean;
        this.peerPrior = new double[classes];
        this.peerSeen = new boolean[classes];
        this.retained = new double[classes];
        Arrays.fill(retained, 1.0);
        this.baseMean = new double[classes * features];
        this.baseSecond = new double[classes * features];
        this.basePrior = new double[classes];
        this.baseCount = new double[classes];
        this.baseMass = new double[classes];
    }

    /** The clients of the domain a merge stands for (see {@link UnionMerge}); ignored unless finite and {@code >= 0}. */
    void clients(double n) {
        if (Double.isFinite(n) && n >= 0) {
            clients = n;
        }
    }

    /** A change was detected ({@code drift.detected}): until the next adoption, a merge may stand for the domain. */
    void changed() {
        changed = true;
    }

    /** Whether merges use the union law: the state exports what {@link UnionMerge} needs. */
    void union(boolean on) {
        this.union = on;
    }

    /** Class probabilities of every row of the batch (see the class description). */
    Prediction predict(Batch batch) {
        int rows = batch.rows();
        double[] out = new double[rows * classes];
        boolean anySeen = prepareLikelihoods();
        if (!anySeen) {
            Arrays.fill(out, 1.0);
            return Prediction.ofProbabilities(rows, classes, out);
        }
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                if (!present[c]) {
                    continue;
                }
                double s = logConstant[c];
                int o = c * features;
                for (int j = 0; j < features; j++) {
                    double dev = batch.value(r, j) - centre[o + j];
                    s -= 0.5 * dev * dev * inverseVariance[o + j];
                }
                // Values far outside the learned scale (|x| ~ 1e155 and up) overflow to -inf or NaN.
                s = s > Double.NEGATIVE_INFINITY ? s : Double.NEGATIVE_INFINITY;
                out[base + c] = s;
                if (s > max) {
                    max = s;
                }
            }
            if (max == Double.NEGATIVE_INFINITY) {
                // No class gives the row a finite likelihood: fall back to the class priors.
                for (int c = 0; c < classes; c++) {
                    out[base + c] = present[c] ? prior(c) : 0.0;
                }
                continue;
            }
            // Log-sum-exp: shift by the maximum so that the best class gets exp(0) = 1.
            for (int c = 0; c < classes; c++) {
                out[base + c] = present[c] ? Math.exp(out[base + c] - max) : 0.0;
            }
        }
        return Prediction.ofProbabilities(rows, classes, out);
    }

    /** Fills the per-class constants; returns whether any class has been seen. */
    private boolean prepareLikelihoods() {
        if (peers != null) {
            return prepareWithPeers();
        }
        centre = mean;
        pooledPrior = null;
        boolean anySeen = false;
        double floor = options.minVariance();
        if (priorVariance != null) {
            preparePriorScale();
        }
        for (int c = 0; c < classes; c++) {
            present[c] = count[c] > 0;
            if (!present[c]) {
                continue;
            }
            anySeen = true;
            double s = Math.log(Math.max(prior[c], PRIOR_FLOOR));
            int o = c * features;
            double share = priorVariance == null ? 0.0 : priorShare[c];
            for (int j = 0; j < features; j++) {
                double own = variance[o + j];
                // The posterior scale of the variance prior (see the class description).
                double v = Math.max(share > 0 ? share * priorScale[j] + (1 - share) * own : own, floor);
                inverseVariance[o + j] = 1.0 / v;
                s -= 0.5 * Math.log(v);
            }
            logConstant[c] = s;
        }
        return anySeen;
    }

    /** The class's prior, at least the floor: this client's, or under private gossip {@link #pooledPrior}'s. */
    private double prior(int c) {
        // pooledPrior is set by prepareWithPeers and left null by the path without peers
        return Math.max(pooledPrior == null ? prior[c] : pooledPrior[c], PRIOR_FLOOR);
    }

    /**
     * Under private gossip, the priors predictions use: with {@code mergedPriors: pooled} pooled with the peers' counts;
     * with {@code own} this client's, but for a class it has not seen and the peers have, {@code K share / (T + K)} (one
     * pseudo-row per class spread by the peers' class shares, against its {@code T} rows). Null without peers' sums.
     */
    private double[] pooledPrior;
    /** Buffers of {@link #prepareWithPeers}, reused: the priors it sets and the classes the peers' sums describe. */
    private final double[] peerPrior;
    private final boolean[] peerSeen;

    /**
     * Whether the peers' sums of a class this client has not seen describe it better than noise: on average over the
     * features, the noise's variance in the class's mean and second moment below a quarter of their sampling variance
     * ({@code v / N} and {@code 2 v^2 / N}). Otherwise the class stays absent, as it would without peers.
     */
    private boolean reliable(int c, double N, double[] ps, double[] pq, double[] ns, double[] nq) {
        double ratio = 0;
        for (int j = 0; j < features; j++) {
            int i = c * features + j;
            double mp = ps[i] / N;
            double vp = Math.max(Math.max(pq[i] / N - mp * mp, 0.0), options.minVariance());
            ratio += ns[i] / (N * vp) + nq[i] / (N * 2 * vp * vp);
        }
        return ratio / features < 0.25;
    }

    /**
     * {@link #prepareLikelihoods} with the peers' pooled sums (private gossip). A class counts as seen by the peers when
     * its pooled count exceeds three standard deviations of the noise in it. Per feature, the peers' mean
     * {@code m' = S / N} and second moment {@code q' = Q / N} are combined with the own EW estimates, which stand for
     * {@code n = min(count, 1 / rate)} rows, each weighted by its rows times its reliability: the peers' {@code N} rows
     * count as {@code N / (1 + noise / (N v))}, {@code noise / N^2} being the noise's variance in the mean and
     * {@code v / N} the sampling variance (for the second moment, {@code 2 v^2 / N}). So a noisy sum of few rows
     * moves nothing, and a sum of many rows counts almost fully. A class this client has seen keeps its own estimates
     * (the default, {@code peerSums: unseen}); with {@code peerSums: shared} the peers' rows count there too, never more than its
     * own {@code n} rows (an equal share, as when two peers merge: other clients' rows may follow another distribution),
     * and that share fades by {@code (1 - rate)} per own row of the class learned since the sums were adopted, as a merged
     * state is forgotten at the client's own pace. The variance prior's share shrinks with the rows added.
     */
    private boolean prepareWithPeers() {
        double[] pn = peers.get(RowSumRelease.COUNT);
        double[] ps = peers.get(RowSumRelease.SUM);
        double[] pq = peers.get(RowSumRelease.SQUARE);
        double[] nn = peers.get(RowSumRelease.COUNT + RowSumRelease.NOISE);
        double[] ns = peers.get(RowSumRelease.SUM + RowSumRelease.NOISE);
        double[] nq = peers.get(RowSumRelease.SQUARE + RowSumRelease.NOISE);
        centre = combined;
        boolean anySeen = false;
        double floor = options.minVariance();
        double nu0 = options.priorRows();
        if (priorVariance != null) {
            preparePriorScale();
        }
        double ownTotal = 0;
        double peerTotal = 0;
        for (int c = 0; c < classes; c++) {
            peerSeen[c] = pn[c] > 0 && pn[c] > 3 * Math.sqrt(nn[c]) && (count[c] > 0 || reliable(c, pn[c], ps, pq, ns, nq));
            ownTotal += count[c];
            peerTotal += peerSeen[c] ? pn[c] : 0;
        }
        pooledPrior = peerPrior;
        for (int c = 0; c < classes; c++) {
            if (options.mergedPriors() == Options.Priors.POOLED) {
                pooledPrior[c] = (prior[c] * ownTotal + (peerSeen[c] ? pn[c] : 0)) / Math.max(1e-300, ownTotal + peerTotal);
            } else if (count[c] > 0 || !peerSeen[c]) {
                pooledPrior[c] = prior[c];
            } else {
                // own priors, a class not seen here: one pseudo-row per class spread by the peers' class shares
                pooledPrior[c] = classes * (pn[c] / peerTotal) / (ownTotal + classes);
            }
        }
        for (int c = 0; c < classes; c++) {
            boolean own = count[c] > 0;
            present[c] = own || peerSeen[c];
            if (!present[c]) {
                continue;
            }
            anySeen = true;
            double s = Math.log(prior(c));
            double n = own ? Math.min(count[c], memory) : 0.0;
            double N = peerSeen[c] ? pn[c] : 0.0;
            int o = c * features;
            double share = priorVariance == null ? 0.0 : priorShare[c];
            double fade = Math.pow(Math.max(0.0, 1 - 1 / memory), sinceAdopted[c]);
            for (int j = 0; j < features; j++) {
                int i = o + j;
                double m = own ? mean[i] : 0.0;
                double v = own ? variance[i] : 0.0;
                double cm = m;
                double cv = v;
                double wq = 0;
                if (N > 0 && (!own || options.peerSums() == Options.PeerSums.SHARED)) {
                    double mp = ps[i] / N;
                    double qp = pq[i] / N;
                    double vp = Math.max(qp - mp * mp, 0.0);
                    double ref = Math.max(own ? Math.max(v, vp) : vp, floor);
                    double wm = N / (1 + ns[i] / (N * ref));
                    wq = N / (1 + nq[i] / (N * 2 * ref * ref));
                    if (own) { // at most an equal share, as a gossip merge of two peers, then forgotten at the own pace
                        wm = Math.min(wm, n) * fade;
                        wq = Math.min(wq, n) * fade;
                    }
                    cm = (n * m + wm * mp) / (n + wm);
                    double second = (n * (v + m * m) + wq * qp) / (n + wq);
                    cv = Math.max(second - cm * cm, 0.0);
                }
                combined[i] = cm;
                // the prior's pseudo-rows weigh against the own rows and the peers' (reliable) rows together
                double sh = share > 0 ? share * (n + nu0) / (n + nu0 + wq) : 0.0;
                double vv = Math.max(sh > 0 ? sh * priorScale[j] + (1 - sh) * cv : cv, floor);
                inverseVariance[i] = 1.0 / vv;
                s -= 0.5 * Math.log(vv);
            }
            logConstant[c] = s;
        }
        return anySeen;
    }

    /**
     * {@code S_j = (nu0 T_j + N W_j) / (nu0 + N)}: the client's within-class variance pooled over its
     * classes, {@code W_j = sum_c n_c s_cj^2 / N} with {@code N = sum_c n_c}, shrunk towards the
     * coordinator's variance {@code T_j} with {@code nu0} pseudo-rows (see the class description).
     */
    private void preparePriorScale() {
        double nu0 = options.priorRows();
        double total = 0;
        Arrays.fill(priorScale, 0.0);
        for (int c = 0; c < classes; c++) {
            double n = count[c];
            if (n <= 0) {
                continue;
            }
            total += n;
            int o = c * features;
            for (int j = 0; j < features; j++) {
                priorScale[j] += n * variance[o + j];
            }
        }
        for (int j = 0; j < features; j++) {
            priorScale[j] = (nu0 * priorVariance[j] + priorScale[j]) / (nu0 + total);
        }
    }

    /**
     * Learns row {@code row} of the batch (labelled) with weight {@code w > 0}; {@code ew} is the EW step
     * {@code min(1, rate * w)}.
     */
    void learn(Batch batch, int row, double w, double ew) {
        int label = batch.label(row);
        memory = ew > 0 ? w / ew : Double.POSITIVE_INFINITY;
        sinceAdopted[label] += w;
        priorCount += w;
        double ap = Math.max(ew, w / priorCount);
        for (int c = 0; c < classes; c++) {
            prior[c] += ap * ((c == label ? 1.0 : 0.0) - prior[c]);
        }
        count[label] += w;
        double a = Math.max(ew, w / count[label]);
        retained[label] *= 1 - Math.min(1.0, a);
        // The step an average that began with priorRows pseudo-rows would take: the prior's share shrinks by it.
        priorShare[label] *= 1 - Math.min(1.0, Math.max(ew, w / (options.priorRows() + count[label])));
        int o = label * features;
        for (int j = 0; j < features; j++) {
            // West's incremental EW mean and variance.
            double dev = batch.value(row, j) - mean[o + j];
            double step = a * dev;
            mean[o + j] += step;
            variance[o + j] = (1 - a) * (variance[o + j] + dev * step);
        }
    }

    /**
     * Takes the pooled feature moments as the variance prior's scale when they are of this dimension and of
     * at least two rows (and {@code priorRows > 0}); a moment with a negative or infinite variance is ignored.
     */
    void adoptPrior(FeatureMoments moments) {
        if (classes == 0 || options.priorRows() == 0 || moments.dimensions() != features || moments.count() < 2) {
            return;
        }
        double[] v = moments.variance();
        for (double x : v) {
            if (!(x >= 0) || Double.isInfinite(x)) {
                return; // a corrupt pooled moment must not poison every class
            }
        }
        priorVariance = v;
    }

    /** The prior's share of a class's variance (for tests). */
    double priorShare(int c) {
        return priorShare[c];
    }

    // ---------------------------------------------------------------- gossip

    /**
     * Puts the gossip arrays (see the class description) into {@code w}; {@code adapting}: the expert is still adapting
     * to a detected change, which the union law counts as a change since the last adoption.
     */
    void export(Map<String, double[]> w, boolean adapting) {
        double[] weightedMean = new double[mean.length];
        double[] weightedSecond = new double[mean.length];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < features; j++) {
                int i = c * features + j;
                weightedMean[i] = prior[c] * mean[i];
                weightedSecond[i] = prior[c] * (variance[i] + mean[i] * mean[i]);
            }
        }
        w.put("mean", mean);
        w.put("variance", variance);
        w.put("prior", prior);
        w.put("count", count);
        w.put("priorCount", new double[] {priorCount});
        w.put("weightedMean", weightedMean);
        w.put("weightedSecond", weightedSecond);
        double[] weightedShare = new double[classes];
        for (int c = 0; c < classes; c++) {
            weightedShare[c] = prior[c] * priorShare[c];
        }
        w.put("weightedShare", weightedShare);
        if (union) {
            double[] mass = new double[classes];
            for (int c = 0; c < classes; c++) {
                mass[c] = Math.min(count[c], memory);
            }
            w.put(UnionMerge.MASS, mass);
            // before the first row learned the memory is unbounded: the largest finite value stands for it on the wire
            w.put(UnionMerge.MEMORY, new double[] {Math.min(memory, Double.MAX_VALUE)});
            w.put(UnionMerge.RETAINED, retained.clone());
            w.put(UnionMerge.BASE_MEAN, baseMean.clone());
            w.put(UnionMerge.BASE_SECOND, baseSecond.clone());
            w.put(UnionMerge.BASE_PRIOR, basePrior.clone());
            w.put(UnionMerge.BASE_COUNT, baseCount.clone());
            w.put(UnionMerge.BASE_MASS, baseMass.clone());
            w.put(UnionMerge.CLIENTS, new double[] {clients});
            w.put(UnionMerge.CHANGED, new double[] {changed || adapting ? 1 : 0});
        }
    }

    /** Adopts the merged arrays, every one checked before anything changes (the weighted ones may be absent). */
    void merge(ExpertState merged) {
        double[] ownPrior = prior.clone();
        int n = classes * features;
        double[] newMean = merged.requireWeight("mean", n);
        double[] newVariance = merged.requireWeight("variance", n);
        double[] newPrior = merged.requireWeight("prior", classes);
        double[] newCount = merged.requireWeight("count", classes);
        double[] newPriorCount = merged.requireWeight("priorCount", 1);
        double[] weightedMean = StatisticalExpert.optional(merged, "weightedMean", n);
        double[] weightedSecond = StatisticalExpert.optional(merged, "weightedSecond", n);
        double[] weightedShare = StatisticalExpert.optional(merged, "weightedShare", classes);
        for (int c = 0; c < classes; c++) {
            prior[c] = Math.max(0.0, newPrior[c]);
            count[c] = Math.max(0.0, newCount[c]);
            if (weightedShare != null && prior[c] > MIN_POOLED_PRIOR) {
                // The prior's share merges like the variance it is part of: weighted by the class prior.
                priorShare[c] = Math.min(1.0, Math.max(0.0, weightedShare[c] / prior[c]));
            } else {
                // A peer without shares: the merged statistics stand for count[c] rows, so the prior
                // weighs at most what it would after that many rows.
                double share = options.priorRows() + count[c] > 0 ? options.priorRows() / (options.priorRows() + count[c]) : 1.0;
                priorShare[c] = Math.min(priorShare[c], share);
            }
            boolean pooled = weightedMean != null && weightedSecond != null && prior[c] > MIN_POOLED_PRIOR;
            for (int j = 0; j < features; j++) {
                int i = c * features + j;
                if (pooled) {
                    double m = weightedMean[i] / prior[c];
                    mean[i] = m;
                    variance[i] = Math.max(0.0, weightedSecond[i] / prior[c] - m * m);
                } else {
                    mean[i] = newMean[i];
                    variance[i] = Math.max(0.0, newVariance[i]);
                }
            }
        }
        priorCount = Math.max(0.0, newPriorCount[0]);
        // what the union law counts later rows against: the state adopted now
        changed = false;
        for (int c = 0; c < classes; c++) {
            retained[c] = 1.0;
            basePrior[c] = prior[c];
            baseCount[c] = count[c];
            baseMass[c] = Math.min(count[c], memory);
            for (int j = 0; j < features; j++) {
                int i = c * features + j;
                baseMean[i] = mean[i];
                baseSecond[i] = variance[i] + mean[i] * mean[i];
            }
        }
        if (options.mergedPriors() == Options.Priors.OWN && hasPrior(ownPrior)) {
            // the class-conditional moments above were recovered with the pooled priors; the prior stays this client's
            System.arraycopy(ownPrior, 0, prior, 0, classes);
        }
    }

    private static boolean hasPrior(double[] p) {
        for (double v : p) {
            if (v > 0) {
                return true;
            }
        }
        return false;
    }

    /** Takes the other clients' pooled sums (private gossip), each array checked; see {@link #prepareWithPeers}. */
    void adoptPeers(Map<String, double[]> sums) {
        Map<String, double[]> checked = new java.util.TreeMap<>();
        for (String name : PEER_ARRAYS) {
            double[] v = sums.get(name);
            if (v == null || v.length != peerLength(name)) {
                throw new IllegalArgumentException("peers' sums lack '" + name + "' of " + peerLength(name) + " values");
            }
            for (double x : v) {
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException("peers' sums '" + name + "' have a non-finite value");
                }
            }
            checked.put(name, v.clone());
        }
        peers = checked;
        java.util.Arrays.fill(sinceAdopted, 0.0);
    }

    /** Values in the peers' array {@code name}: one per class for the counts, one per class and feature otherwise. */
    private int peerLength(String name) {
        return name.startsWith(RowSumRelease.COUNT) ? classes : classes * features;
    }

    /** Writes the peers' sums (absent or the {@link #PEER_ARRAYS}) and the own estimates' memory. */
    void savePeers(StateWriter out) throws IOException {
        out.writeDouble(memory);
        out.writeDoubles(sinceAdopted);
        out.writeBoolean(peers != null);
        if (peers != null) {
            for (String name : PEER_ARRAYS) {
                out.writeDoubles(peers.get(name));
            }
        }
    }

    /** Reads what {@link #savePeers} wrote and returns what adopts it. */
    Runnable readPeers(StateReader in) throws IOException {
        double m = in.readDouble();
        double[] since = in.readDoubles(classes, "own rows since the peers' sums (one per class)");
        Map<String, double[]> read = null;
        if (in.readBoolean()) {
            read = new java.util.TreeMap<>();
            for (String name : PEER_ARRAYS) {
                read.put(name, in.readDoubles(peerLength(name), "peers' " + name));
            }
        }
        Map<String, double[]> adopted = read;
        return () -> {
            memory = m;
            System.arraycopy(since, 0, sinceAdopted, 0, classes);
            peers = adopted;
        };
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Writes what the union law counts against: the shares retained, the state last adopted and the clients a merge
     * stands for (see {@link UnionMerge}).
     */
    void saveUnion(StateWriter out) throws IOException {
        out.writeDoubles(retained);
        out.writeDoubles(baseMean);
        out.writeDoubles(baseSecond);
        out.writeDoubles(basePrior);
        out.writeDoubles(baseCount);
        out.writeDoubles(baseMass);
        out.writeDouble(clients);
        out.writeBoolean(changed);
    }

    /** Reads what {@link #saveUnion} wrote, every length checked, and returns what adopts it. */
    Runnable readUnion(StateReader in) throws IOException {
        int n = classes * features;
        double[] r = in.readDoubles(classes, "shares retained since the last merge (one per class)");
        double[] m = in.readDoubles(n, "means at the last merge (classes x features)");
        double[] q = in.readDoubles(n, "second moments at the last merge (classes x features)");
        double[] p = in.readDoubles(classes, "class priors at the last merge (one per class)");
        double[] c = in.readDoubles(classes, "class counts at the last merge (one per class)");
        double[] mass = in.readDoubles(classes, "rows of memory at the last merge (one per class)");
        double reached = in.readDouble();
        if (!(Double.isFinite(reached) && reached >= 0)) {
            throw new IOException("statistical expert checkpoint: the clients a merge stands for must be finite and >= 0, got "
                    + reached);
        }
        boolean sawChange = in.readBoolean();
        return () -> {
            clients = reached;
            changed = sawChange;
            System.arraycopy(r, 0, retained, 0, classes);
            System.arraycopy(m, 0, baseMean, 0, n);
            System.arraycopy(q, 0, baseSecond, 0, n);
            System.arraycopy(p, 0, basePrior, 0, classes);
            System.arraycopy(c, 0, baseCount, 0, classes);
            System.arraycopy(mass, 0, baseMass, 0, classes);
        };
    }
    // The expert's checkpoint holds the learned moments and, further on, the variance prior: two parts.

    /** Writes the learned moments: means, variances, priors, counts and the prior's row count. */
    void saveMoments(StateWriter out) throws IOException {
        out.writeDoubles(mean);
        out.writeDoubles(variance);
        out.writeDoubles(prior);
        out.writeDoubles(count);
        out.writeDouble(priorCount);
    }

    /**
     * Reads what {@link #saveMoments} wrote, every length checked, and returns what adopts it: the expert
     * applies it once its whole checkpoint has been read and checked.
     */
    Runnable readMoments(StateReader in) throws IOException {
        int n = classes * features;
        double[] newMean = in.readDoubles(n, "class means (classes x features)");
        double[] newVariance = in.readDoubles(n, "class variances (classes x features)");
        double[] newPrior = in.readDoubles(classes, "class priors (one per class)");
        double[] newCount = in.readDoubles(classes, "class counts (one per class)");
        double newPriorCount = in.readDouble();
        return () -> {
            System.arraycopy(newMean, 0, mean, 0, n);
            System.arraycopy(newVariance, 0, variance, 0, n);
            System.arraycopy(newPrior, 0, prior, 0, classes);
            System.arraycopy(newCount, 0, count, 0, classes);
            priorCount = newPriorCount;
        };
    }

    /** Writes the variance prior: the coordinator's variances (or {@code null}) and the shares per class. */
    void saveVariancePrior(StateWriter out) throws IOException {
        out.writeDoubles(priorVariance);
        out.writeDoubles(priorShare);
    }

    /**
     * Reads what {@link #saveVariancePrior} wrote, every length checked, and returns what adopts it (as
     * {@link #readMoments}).
     */
    Runnable readVariancePrior(StateReader in) throws IOException {
        double[] newPriorVariance = in.readDoubles();
        if (newPriorVariance != null && newPriorVariance.length != features) {
            throw new IOException("variance prior: expected " + features + " values, found " + newPriorVariance.length
                    + " (the checkpoint was written with other options or data)");
        }
        double[] newShare = in.readDoubles(classes, "variance prior's share (one per class)");
        return () -> {
            System.arraycopy(newShare, 0, priorShare, 0, classes);
            priorVariance = newPriorVariance;
        };
    }
}
