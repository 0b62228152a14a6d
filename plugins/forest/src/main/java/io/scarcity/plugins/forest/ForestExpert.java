package io.scarcity.plugins.forest;

import io.scarcity.api.Adwin;
import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.ExpertState;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An adaptive random forest for evolving streams (Gomes, Bifet, Read, Barddal, Enembreck, Pfahringer, Holmes
 * and Abdessalem, "Adaptive random forests for evolving data stream classification", Machine Learning 106,
 * 2017), written for Scarcity from the paper; classification only.
 *
 * <p><b>Learning</b> (per labelled row, in order): every tree predicts the row (test then train; this is its
 * accuracy, and the 0/1 error its detectors see), then learns it with a weight drawn from Poisson(lambda)
 * (online bagging; a weight of 0 skips the row) times the row's own weight. Each tree is a
 * {@link HoeffdingTree} whose leaves draw their own random feature subsets. Each tree has two ADWIN detectors
 * on its error: a warning (delta {@code warningDelta}) starts a fresh background tree that learns the same
 * rows; a drift (delta {@code driftDelta}) replaces the tree by its background tree (or by a fresh tree if it
 * has none). Unlike MOA's forest, the detectors see the prequential error (before learning the row) on every
 * labelled row rather than the error after learning it on the rows the tree learned.
 *
 * <p><b>Prediction</b>: the sum over trees of each tree's leaf distribution (naive Bayes adaptive) times the
 * tree's accuracy since it was made, smoothed as (hits + 1) / (rows + 2). With {@code sharedBayes} (not in
 * the paper) the forest also keeps one naive Bayes over every feature, and votes each labelled row twice
 * before learning it: with the leaves' own models, and with its naive Bayes under each leaf's class weights
 * ({@link HoeffdingTree#sharedBayes}); it predicts with the second while that vote has been right more often
 * over about the last {@code recentRows} rows. The trees, their accuracies and detectors, and gossip are the
 * same either way.
 *
 * <p><b>Signals</b> (published after each batch): {@link StandardSignals#FOREST_DISAGREEMENT},
 * {@link StandardSignals#FOREST_DRIFTS}, {@link StandardSignals#FOREST_WARNINGS} and {@link #ADMITTED} (peer
 * trees admitted by gossip since the last batch).
 *
 * <p><b>Gossip</b> (see {@link TreeGossip}): what leaves the client is its {@code gossipTrees} most accurate
 * trees, each as its structure (split features and thresholds, cut to {@code gossipNodes} nodes breadth
 * first), the class weights of its leaves, its accuracy, the rows it was measured on and a random identity.
 * With {@code mergeBayes}, the forest's naive Bayes too (per class its weight, and per class and feature its
 * mean and squared deviations), which the merge law pools and the client adopts. No rows, no feature statistics
 * of the leaves and no detector state leave. The merged state is the union of the peers' trees; on merging,
 * the client tests each tree it does not already hold on its own {@code recentRows} latest labelled rows (kept
 * here, never sent) and lets the best candidate replace its weakest tree on those rows when, on the rows where
 * exactly one of the two is right, the candidate is right more often by more than the Hoeffding bound
 * {@code sqrt(2 m ln(1/admissionDelta))} for {@code m} such rows; up to {@code gossipTrees} trees per merge.
 * An admitted tree keeps its structure and leaf class weights, draws fresh feature subsets for its leaves and
 * goes on learning; its accuracy starts from the test.
 */
final class ForestExpert implements Expert, Checkpointable {
    /** Format of {@link #saveState}; bump when it changes. */
    static final int STATE_VERSION = 2;
    /** Peer trees admitted by gossip since the last batch. */
    static final String ADMITTED = "forest.admitted";
    /** Fewer recent rows than this and no peer tree is admitted (the test would say nothing). */
    static final int MIN_TEST_ROWS = 30;
    private static final ExpertCapabilities CAPABILITIES = new ExpertCapabilities(true, true, Set.of(),
            Set.of(StandardSignals.FOREST_DISAGREEMENT, StandardSignals.FOREST_DRIFTS, StandardSignals.FOREST_WARNINGS,
                    ADMITTED));

    /** The plugin's name, which its exported states carry (the runtime finds the merge law by it). */
    static final String PLUGIN = "forest";

    private final Options options;
    private final int d;
    private final int classes;
    private final int k;
    private final int m;
    private final Rng rng;

    private final HoeffdingTree[] trees;
    private final HoeffdingTree[] backgrounds;
    private final HoeffdingTree[] spares;
    private final Adwin[] warnings;
    private final Adwin[] drifts;
    private final long[] ids;
    private final double[] hits;
    private final double[] seen;
    private final double[] backgroundHits;
    private final double[] backgroundSeen;
    private long rowsLearned;

    /** Running mean and variance of every feature over the labelled rows (floors of the leaves' variances). */
    private double featureRows;
    private final double[] featureMean;
    private final double[] featureM2;
    private final double[] featureVariance;

    /**
     * The forest's naive Bayes over every feature (null without {@code sharedBayes}): per class its labelled
     * weight, and per (class, feature) the Gaussian's mean, squared deviations and cached 0.5 ln(var) and
     * 0.5 / var, the variance floored as in the leaves by the feature's variance when the class last learned.
     */
    private final double[] classWeight;
    private final double[] classMean;
    private final double[] classM2;
    private final double[] classLv;
    private final double[] classIv;
    /** The row's log-likelihood per class under the forest's naive Bayes (null without it). */
    private final double[] shared;
    /**
     * On how many of the latest labelled rows the forest's vote was right with its leaves' own models, and with
     * the forest's naive Bayes under each leaf's class weights (each count decays by {@link #modelDecay} per
     * row, so that it covers about the last {@code recentRows} rows); the forest predicts with the second while
     * it has been right more often (strictly). The choice is the forest's, not each tree's: per tree the
     * shared model is often the better (on MNIST), while ten trees of their own disagree more and vote better.
     */
    private final double modelDecay;
    private double ownVoteHits;
    private double sharedVoteHits;
    /** The forest's naive Bayes' class for the row of the last {@link #testThenTrain} that scored it. */
    private int lastShared;
    private final double[] sharedVotes;

    /** The latest labelled rows, a ring; never sent. */
    private final double[] recentX;
    private final int[] recentY;
    private int recentSize;
    private int recentNext;
    private int admittedSinceBatch;

    private final double[] x;
    private final double[] scores;
    private final double[] votes;
    private final int[] treeVotes;

    ForestExpert(Options options, DataSchema schema, long seed) {
        this.options = options;
        this.d = schema.numFeatures();
        this.classes = schema.numClasses();
        this.k = options.features().of(d);
        this.m = options.trees();
        this.rng = new Rng(seed, options.lambda());
        trees = new HoeffdingTree[m];
        backgrounds = new HoeffdingTree[m];
        spares = new HoeffdingTree[m];
        warnings = new Adwin[m];
        drifts = new Adwin[m];
        ids = new long[m];
        hits = new double[m];
        seen = new double[m];
        backgroundHits = new double[m];
        backgroundSeen = new double[m];
        featureMean = new double[d];
        featureM2 = new double[d];
        featureVariance = new double[d];
        boolean withShared = options.sharedBayes();
        classWeight = withShared ? new double[classes] : null;
        classMean = withShared ? new double[classes * d] : null;
        classM2 = withShared ? new double[classes * d] : null;
        classLv = withShared ? new double[classes * d] : null;
        classIv = withShared ? new double[classes * d] : null;
        shared = withShared ? new double[classes] : null;
        modelDecay = 1 - 1.0 / options.recentRows();
        sharedVotes = new double[classes];
        recentX = new double[options.recentRows() * d];
        recentY = new int[options.recentRows()];
        x = new double[d];
        scores = new double[classes];
        votes = new double[classes];
        treeVotes = new int[classes];
        for (int i = 0; i < m; i++) {
            trees[i] = newTree();
            trees[i].reset(rng, featureVariance);
            ids[i] = rng.nextId();
            warnings[i] = new Adwin(options.warningDelta(), 1);
            drifts[i] = new Adwin(options.driftDelta(), 1);
        }
    }

    private HoeffdingTree newTree() {
        return new HoeffdingTree(d, classes, k, options);
    }

    @Override
    public ExpertCapabilities capabilities() {
        return CAPABILITIES;
    }

    /** Features each leaf draws. */
    int featuresPerLeaf() {
        return k;
    }

    @Override
    public Prediction predict(Batch batch, SignalBoard signals) {
        int rows = batch.rows();
        double[] out = new double[rows * classes];
        for (int r = 0; r < rows; r++) {
            batch.copyRow(r, x);
            if (usesShared()) {
                likelihoods();
            }
            Arrays.fill(votes, 0);
            for (int i = 0; i < m; i++) {
                HoeffdingTree t = trees[i];
                t.distribution(t.sort(x), x, sharedModel(), scores);
                double weight = accuracy(i);
                for (int c = 0; c < classes; c++) {
                    votes[c] += weight * scores[c];
                }
            }
            System.arraycopy(votes, 0, out, r * classes, classes);
        }
        return Prediction.ofProbabilities(rows, classes, out);
    }

    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        int rows = batch.rows();
        boolean labelled = batch.hasLabels();
        int driftCount = 0;
        int warningCount = 0;
        double disagreement = 0;
        for (int r = 0; r < rows; r++) {
            batch.copyRow(r, x);
            if (labelled || usesShared()) {
                likelihoods();
            }
            Arrays.fill(treeVotes, 0);
            if (!labelled) {
                for (int i = 0; i < m; i++) {
                    HoeffdingTree t = trees[i];
                    treeVotes[t.predictClass(t.sort(x), x, sharedModel(), scores)]++;
                }
            } else {
                int y = batch.label(r);
                double w = batch.weight(r);
                observe(y);
                rowsLearned++;
                boolean byShared = usesShared();
                if (shared != null) {
                    Arrays.fill(votes, 0);
                    Arrays.fill(sharedVotes, 0);
                }
                for (int i = 0; i < m; i++) {
                    double rowWeight = rng.poisson() * w;
                    int predicted = testThenTrain(trees[i], y, rowWeight, shared != null);
                    if (shared != null) {
                        double weight = accuracy(i);
                        votes[predicted] += weight;
                        sharedVotes[lastShared] += weight;
                    }
                    treeVotes[byShared ? lastShared : predicted]++;
                    double error = predicted == y ? 0 : 1;
                    hits[i] += 1 - error;
                    seen[i]++;
                    if (backgrounds[i] != null) {
                        backgroundHits[i] += testThenTrain(backgrounds[i], y, rowWeight, false) == y ? 1 : 0;
                        backgroundSeen[i]++;
                    }
                    if (warnings[i].add(error)) {
                        startBackground(i);
                        warningCount++;
                    }
                    if (drifts[i].add(error)) {
                        replace(i);
                        driftCount++;
                    }
                }
                if (shared != null) {
                    ownVoteHits = modelDecay * ownVoteHits + (argmax(votes) == y ? 1 : 0);
                    sharedVoteHits = modelDecay * sharedVoteHits + (argmax(sharedVotes) == y ? 1 : 0);
                }
            }
            int most = 0;
            for (int c = 0; c < classes; c++) {
                most = Math.max(most, treeVotes[c]);
            }
            disagreement += 1 - (double) most / m;
        }
        signals.publish(StandardSignals.FOREST_DISAGREEMENT, rows == 0 ? 0 : disagreement / rows);
        signals.publish(StandardSignals.FOREST_DRIFTS, driftCount);
        signals.publish(StandardSignals.FOREST_WARNINGS, warningCount);
        signals.publish(ADMITTED, admittedSinceBatch);
        admittedSinceBatch = 0;
    }

    /** Whether the forest predicts with its naive Bayes (its vote right more often than the leaves' own models'). */
    boolean usesShared() {
        return shared != null && sharedVoteHits > ownVoteHits;
    }

    /** {@link #shared} if the forest predicts with its naive Bayes, else null. */
    private double[] sharedModel() {
        return usesShared() ? shared : null;
    }

    private int argmax(double[] v) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (v[c] > v[best]) {
                best = c;
            }
        }
        return best;
    }

    /**
     * The log-likelihood of row {@link #x} under each class's Gaussians of the forest's naive Bayes into
     * {@link #shared} (constant terms dropped; minus infinity for a class not learned yet); nothing without it.
     */
    private void likelihoods() {
        if (shared == null) {
            return;
        }
        for (int c = 0; c < classes; c++) {
            if (classWeight[c] <= 0) {
                shared[c] = Double.NEGATIVE_INFINITY;
                continue;
            }
            double ll = 0;
            int at = c * d;
            for (int f = 0; f < d; f++, at++) {
                double z = x[f] - classMean[at];
                ll -= classLv[at] + z * z * classIv[at];
            }
            shared[c] = ll;
        }
    }

    /**
     * Row {@code x} of class {@code y}: into the feature moments, the forest's naive Bayes and the ring of
     * recent rows.
     */
    private void observe(int y) {
        featureRows++;
        for (int f = 0; f < d; f++) {
            double delta = x[f] - featureMean[f];
            featureMean[f] += delta / featureRows;
            featureM2[f] += delta * (x[f] - featureMean[f]);
            featureVariance[f] = featureM2[f] / featureRows;
        }
        if (shared != null) {
            double w = ++classWeight[y];
            int at = y * d;
            for (int f = 0; f < d; f++, at++) {
                double delta = x[f] - classMean[at];
                classMean[at] += delta / w;
                classM2[at] += delta * (x[f] - classMean[at]);
                cacheClassVariance(y, f, at);
            }
        }
        System.arraycopy(x, 0, recentX, recentNext * d, d);
        recentY[recentNext] = y;
        recentNext = (recentNext + 1) % recentY.length;
        recentSize = Math.min(recentSize + 1, recentY.length);
    }

    private HoeffdingTree freshTree(int i) {
        HoeffdingTree t = spares[i] != null ? spares[i] : newTree();
        spares[i] = null;
        t.reset(rng, featureVariance);
        return t;
    }

    private void startBackground(int i) {
        if (backgrounds[i] != null) {
            spares[i] = backgrounds[i];
        }
        backgrounds[i] = freshTree(i);
        backgroundHits[i] = 0;
        backgroundSeen[i] = 0;
        warnings[i] = new Adwin(options.warningDelta(), 1);
    }

    private void replace(int i) {
        HoeffdingTree old = trees[i];
        if (backgrounds[i] != null) {
            trees[i] = backgrounds[i];
            hits[i] = backgroundHits[i];
            seen[i] = backgroundSeen[i];
            backgrounds[i] = null;
        } else {
            trees[i] = freshTree(i);
            hits[i] = 0;
            seen[i] = 0;
        }
        spares[i] = old;
        ids[i] = rng.nextId();
        warnings[i] = new Adwin(options.warningDelta(), 1);
        drifts[i] = new Adwin(options.driftDelta(), 1);
    }

    /** Replayed rows train the trees (Poisson weights) but reach neither their accuracies nor their detectors. */
    @Override
    public void replay(Batch batch) {
        if (!batch.hasLabels()) {
            return;
        }
        for (int r = 0; r < batch.rows(); r++) {
            batch.copyRow(r, x);
            likelihoods();
            int y = batch.label(r);
            double w = batch.weight(r);
            for (int i = 0; i < m; i++) {
                double rowWeight = rng.poisson() * w;
                if (rowWeight > 0) {
                    testThenTrain(trees[i], y, rowWeight, false);
                }
            }
        }
    }

    /**
     * Tree {@code t}'s class for row {@link #x} by its leaf's own model (before learning it; with {@code
     * scoreShared} the forest's naive Bayes' class into {@link #lastShared}), then learns the row of class {@code y}
     * with {@code rowWeight} if it is above 0.
     */
    private int testThenTrain(HoeffdingTree t, int y, double rowWeight, boolean scoreShared) {
        int node = t.sort(x);
        int mc = t.majorityClass(node);
        boolean byNaiveBayes = t.usesNaiveBayes(node);
        boolean train = rowWeight > 0;
        int nb = train || byNaiveBayes ? t.naiveBayes(node, x, scores) : mc;
        if (scoreShared) {
            lastShared = t.sharedBayes(node, shared, scores);
        }
        if (train) {
            t.learn(node, x, y, rowWeight, mc, nb, rng, featureVariance);
        }
        return byNaiveBayes ? nb : mc;
    }

    // ---- gossip ----

    private double accuracy(int i) {
        return (hits[i] + 1) / (seen[i] + 2);
    }

    @Override
    public ExpertState exportState() {
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int byAccuracy = Double.compare(accuracy(b), accuracy(a));
            return byAccuracy != 0 ? byAccuracy : Integer.compare(a, b);
        });
        int cap = options.gossipNodes();
        Map<String, double[]> out = new TreeMap<>();
        for (int s = 0; s < options.gossipTrees(); s++) {
            int i = order[s];
            double[] structure = new double[3 * cap];
            double[] weights = new double[classes * cap];
            int used = trees[i].export(structure, weights, cap);
            out.put(TreeGossip.meta(s), new double[] {ids[i], accuracy(i), seen[i], used});
            out.put(TreeGossip.nodes(s), structure);
            out.put(TreeGossip.weights(s), weights);
        }
        if (options.mergeBayes()) {
            out.put(TreeGossip.BAYES_WEIGHT, classWeight.clone());
            out.put(TreeGossip.BAYES_MEAN, classMean.clone());
            out.put(TreeGossip.BAYES_M2, classM2.clone());
        }
        return new ExpertState(PLUGIN, out, rowsLearned);
    }

    @Override
    public void mergeState(ExpertState merged) {
        int cap = options.gossipNodes();
        List<Integer> slots = TreeGossip.trees(merged);
        if (slots.isEmpty()) {
            throw new IllegalArgumentException("merged state holds no trees");
        }
        for (String array : merged.weights().keySet()) {
            if (!array.startsWith(TreeGossip.PREFIX) && !array.equals(TreeGossip.BAYES_WEIGHT)
                    && !array.equals(TreeGossip.BAYES_MEAN) && !array.equals(TreeGossip.BAYES_M2)) {
                throw new IllegalArgumentException("merged state has an unknown array '" + array + "'");
            }
        }
        double[] pooledWeight = null;
        double[] pooledMean = null;
        double[] pooledM2 = null;
        if (options.mergeBayes() && merged.weight(TreeGossip.BAYES_WEIGHT) != null) {
            pooledWeight = merged.requireWeight(TreeGossip.BAYES_WEIGHT, classes);
            pooledMean = merged.requireWeight(TreeGossip.BAYES_MEAN, classes * d);
            pooledM2 = merged.requireWeight(TreeGossip.BAYES_M2, classes * d);
            for (double[] a : List.of(pooledWeight, pooledMean, pooledM2)) {
                for (double v : a) {
                    if (!Double.isFinite(v) || (a != pooledMean && v < 0)) {
                        throw new IllegalArgumentException("merged naive Bayes holds " + v);
                    }
                }
            }
        }
        Set<Long> mine = new HashSet<>();
        for (long id : ids) {
            mine.add(id);
        }
        List<double[]> candidates = new ArrayList<>();
        List<double[]> structures = new ArrayList<>();
        List<double[]> weightsOf = new ArrayList<>();
        for (int s : slots) {
            double[] meta = merged.requireWeight(TreeGossip.meta(s), TreeGossip.META_LENGTH);
            double[] structure = merged.requireWeight(TreeGossip.nodes(s), 3 * cap);
            double[] weights = merged.requireWeight(TreeGossip.weights(s), classes * cap);
            double used = meta[3];
            if (meta[0] != Math.rint(meta[0]) || meta[0] < 0 || meta[0] >= 0x1.0p52 || mine.contains((long) meta[0])
                    || used != Math.rint(used) || HoeffdingTree.check(structure, weights, (int) used, d, classes) != null) {
                continue; // our own tree, or not a tree (e.g. an element-wise average of two trees)
            }
            candidates.add(meta);
            structures.add(structure);
            weightsOf.add(weights);
        }
        if (pooledWeight != null) {
            adoptBayes(pooledWeight, pooledMean, pooledM2);
        }
        if (candidates.isEmpty() || recentSize < MIN_TEST_ROWS) {
            return;
        }
        admit(candidates, structures, weightsOf);
    }

    /**
     * Makes the forest's naive Bayes the pooled one (checked); the cached variances of what changed are floored
     * as now, so that merging a state with itself changes nothing.
     */
    private void adoptBayes(double[] weight, double[] mean, double[] m2) {
        for (int c = 0; c < classes; c++) {
            boolean classChanged = weight[c] != classWeight[c];
            classWeight[c] = weight[c];
            for (int f = 0, at = c * d; f < d; f++, at++) {
                if (!classChanged && mean[at] == classMean[at] && m2[at] == classM2[at]) {
                    continue;
                }
                classMean[at] = mean[at];
                classM2[at] = m2[at];
                cacheClassVariance(c, f, at);
            }
        }
    }

    /**
     * Caches 0.5 ln(var) and 0.5 / var of class {@code c}'s Gaussian of feature {@code f} (at {@code at}), the
     * variance floored as in the leaves by the feature's variance now.
     */
    private void cacheClassVariance(int c, int f, int at) {
        double var = (classWeight[c] > 0 ? classM2[at] / classWeight[c] : 0) + HoeffdingTree.MIN_VAR
                + HoeffdingTree.VAR_SMOOTHING * featureVariance[f];
        classLv[at] = 0.5 * Math.log(var);
        classIv[at] = 0.5 / var;
    }

    private void admit(List<double[]> metas, List<double[]> structures, List<double[]> weightsOf) {
        int n = recentSize;
        boolean[][] ownRight = new boolean[m][n];
        int[] ownHits = new int[m];
        for (int i = 0; i < m; i++) {
            ownHits[i] = test(trees[i], ownRight[i]);
        }
        int count = metas.size();
        HoeffdingTree[] built = new HoeffdingTree[count];
        boolean[][] right = new boolean[count][n];
        int[] candidateHits = new int[count];
        Integer[] order = new Integer[count];
        for (int c = 0; c < count; c++) {
            built[c] = newTree();
            // the subsets of a candidate's leaves come from a generator of its own, so that a merge that
            // admits nothing changes nothing
            Rng subsets = new Rng(rng.state() ^ (long) metas.get(c)[0], options.lambda());
            built[c].load(structures.get(c), weightsOf.get(c), (int) metas.get(c)[3], subsets, featureVariance);
            candidateHits[c] = test(built[c], right[c]);
            order[c] = c;
        }
        Arrays.sort(order, (a, b) -> {
            int byHits = Integer.compare(candidateHits[b], candidateHits[a]);
            return byHits != 0 ? byHits : Integer.compare(a, b);
        });
        boolean[] replaced = new boolean[m];
        double logInvDelta = Math.log(1 / options.admissionDelta());
        int admitted = 0;
        for (int c : order) {
            if (admitted == options.gossipTrees()) {
                break;
            }
            int weakest = -1;
            for (int i = 0; i < m; i++) {
                if (!replaced[i] && (weakest < 0 || ownHits[i] < ownHits[weakest])) {
                    weakest = i;
                }
            }
            if (weakest < 0) {
                break;
            }
            int better = 0;
            int worse = 0;
            for (int r = 0; r < n; r++) {
                if (right[c][r] != ownRight[weakest][r]) {
                    if (right[c][r]) {
                        better++;
                    } else {
                        worse++;
                    }
                }
            }
            int discordant = better + worse;
            if (discordant == 0 || better - worse <= Math.sqrt(2 * discordant * logInvDelta)) {
                continue;
            }
            spares[weakest] = trees[weakest];
            trees[weakest] = built[c];
            backgrounds[weakest] = null;
            ids[weakest] = (long) metas.get(c)[0];
            hits[weakest] = candidateHits[c];
            seen[weakest] = n;
            warnings[weakest] = new Adwin(options.warningDelta(), 1);
            drifts[weakest] = new Adwin(options.driftDelta(), 1);
            replaced[weakest] = true;
            admitted++;
        }
        admittedSinceBatch += admitted;
    }

    /** Which of the recent rows {@code tree} predicts right by its leaves' own models; returns how many. */
    private int test(HoeffdingTree tree, boolean[] right) {
        int hitsOnRecent = 0;
        for (int r = 0; r < recentSize; r++) {
            System.arraycopy(recentX, r * d, x, 0, d);
            right[r] = tree.predictClass(tree.sort(x), x, null, scores) == recentY[r];
            hitsOnRecent += right[r] ? 1 : 0;
        }
        return hitsOnRecent;
    }

    // ---- checkpoint ----

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(d);
        out.writeInt(classes);
        out.writeInt(m);
        out.writeLong(rng.state());
        out.writeLong(rowsLearned);
        out.writeDouble(featureRows);
        out.writeDoubles(featureMean);
        out.writeDoubles(featureM2);
        out.writeBoolean(shared != null);
        if (shared != null) {
            out.writeDoubles(classWeight);
            out.writeDoubles(classMean);
            out.writeDoubles(classM2);
            out.writeDoubles(classLv);
            out.writeDoubles(classIv);
        }
        out.writeLongs(ids);
        out.writeDoubles(hits);
        out.writeDoubles(seen);
        out.writeDoubles(backgroundHits);
        out.writeDoubles(backgroundSeen);
        out.writeDouble(ownVoteHits);
        out.writeDouble(sharedVoteHits);
        for (int i = 0; i < m; i++) {
            trees[i].save(out);
            warnings[i].save(out);
            drifts[i].save(out);
            out.writeBoolean(backgrounds[i] != null);
            if (backgrounds[i] != null) {
                backgrounds[i].save(out);
            }
        }
        out.writeInt(recentSize);
        out.writeInt(recentNext);
        out.writeDoubles(Arrays.copyOf(recentX, recentSize * d));
        out.writeInts(Arrays.copyOf(recentY, recentSize));
        out.writeInt(admittedSinceBatch);
    }

    /** Reads what {@link #saveState} wrote; nothing changes unless all of it reads and checks. */
    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("forest expert", STATE_VERSION);
        int f = in.readInt();
        int c = in.readInt();
        int t = in.readInt();
        if (f != d || c != classes || t != m) {
            throw new IOException("forest expert: the checkpoint has " + f + " features, " + c + " classes and " + t
                    + " trees; this run has " + d + " features, " + classes + " classes and " + m + " trees");
        }
        long state = in.readLong();
        long learned = in.readLong();
        double rowsSeen = in.readDouble();
        double[] mean = in.readDoubles(d, "forest feature means");
        double[] m2 = in.readDoubles(d, "forest feature deviations");
        if (in.readBoolean() != (shared != null)) {
            throw new IOException("forest expert: the checkpoint was made with sharedBayes " + (shared == null)
                    + " and this run has sharedBayes " + (shared != null) + "; set it as the checkpoint's run did");
        }
        double[][] bayes = new double[5][];
        if (shared != null) {
            bayes[0] = in.readDoubles(classes, "forest class weights");
            for (double v : bayes[0]) {
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new IOException("forest expert: a class weight of " + v);
                }
            }
            String[] what = {"forest class means", "forest class deviations", "forest class log-variances",
                "forest class precisions"};
            for (int i = 1; i < 5; i++) {
                bayes[i] = in.readDoubles(classes * d, what[i - 1]);
            }
        }
        long[] treeIds = in.readLongs();
        if (treeIds == null || treeIds.length != m) {
            throw new IOException("forest expert: tree identities for " + m + " trees expected");
        }
        double[] h = in.readDoubles(m, "forest tree hits");
        double[] s = in.readDoubles(m, "forest tree rows");
        double[] bh = in.readDoubles(m, "forest background hits");
        double[] bs = in.readDoubles(m, "forest background rows");
        double oh = in.readDouble();
        double sh = in.readDouble();
        if (!(oh >= 0 && sh >= 0) || Double.isInfinite(oh) || Double.isInfinite(sh)) {
            throw new IOException("forest expert: vote hits " + oh + " and " + sh);
        }
        HoeffdingTree[] ts = new HoeffdingTree[m];
        HoeffdingTree[] bg = new HoeffdingTree[m];
        Adwin[] w = new Adwin[m];
        Adwin[] dr = new Adwin[m];
        for (int i = 0; i < m; i++) {
            ts[i] = newTree();
            ts[i].restore(in);
            w[i] = new Adwin(options.warningDelta(), 1);
            w[i].restore(in);
            dr[i] = new Adwin(options.driftDelta(), 1);
            dr[i].restore(in);
            if (in.readBoolean()) {
                bg[i] = newTree();
                bg[i].restore(in);
            }
        }
        int size = in.readInt();
        int next = in.readInt();
        int capacity = recentY.length;
        if (size < 0 || size > capacity || next < 0 || next >= capacity || (size < capacity && next != size)) {
            throw new IOException("forest expert: " + size + " recent rows at " + next + " in a ring of " + capacity);
        }
        double[] rx = in.readDoubles(size * d, "forest recent rows");
        int[] ry = in.readInts();
        if (ry == null || ry.length != size) {
            throw new IOException("forest expert: labels of " + size + " recent rows expected");
        }
        for (int y : ry) {
            if (y < 0 || y >= classes) {
                throw new IOException("forest expert: a recent row of class " + y + " of " + classes);
            }
        }
        int admittedPending = in.readInt();
        rng.setState(state);
        rowsLearned = learned;
        featureRows = rowsSeen;
        System.arraycopy(mean, 0, featureMean, 0, d);
        System.arraycopy(m2, 0, featureM2, 0, d);
        if (shared != null) {
            System.arraycopy(bayes[0], 0, classWeight, 0, classes);
            System.arraycopy(bayes[1], 0, classMean, 0, classes * d);
            System.arraycopy(bayes[2], 0, classM2, 0, classes * d);
            System.arraycopy(bayes[3], 0, classLv, 0, classes * d);
            System.arraycopy(bayes[4], 0, classIv, 0, classes * d);
        }
        for (int j = 0; j < d; j++) {
            featureVariance[j] = featureRows > 0 ? featureM2[j] / featureRows : 0;
        }
        System.arraycopy(treeIds, 0, ids, 0, m);
        System.arraycopy(h, 0, hits, 0, m);
        System.arraycopy(s, 0, seen, 0, m);
        System.arraycopy(bh, 0, backgroundHits, 0, m);
        System.arraycopy(bs, 0, backgroundSeen, 0, m);
        ownVoteHits = oh;
        sharedVoteHits = sh;
        System.arraycopy(ts, 0, trees, 0, m);
        System.arraycopy(bg, 0, backgrounds, 0, m);
        System.arraycopy(w, 0, warnings, 0, m);
        System.arraycopy(dr, 0, drifts, 0, m);
        Arrays.fill(spares, null);
        recentSize = size;
        recentNext = next;
        System.arraycopy(rx, 0, recentX, 0, rx.length);
        System.arraycopy(ry, 0, recentY, 0, ry.length);
        admittedSinceBatch = admittedPending;
    }
}
