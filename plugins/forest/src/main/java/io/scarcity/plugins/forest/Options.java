package io.scarcity.plugins.forest;

import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inOpen;
import static io.scarcity.api.OptionChecks.inOpenClosed;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Locale;
import java.util.Objects;

/**
 * Validated options of the forest expert. The defaults are those of the adaptive random forest paper
 * (Gomes et al., Machine Learning 106, 2017) with 10 trees.
 *
 * @param trees number of trees, >= 1
 * @param lambda the mean of the Poisson weight each tree gives each row (online bagging), in (0, 100]
 * @param gracePeriod a leaf tries to split once per this much new weight, >= 1
 * @param splitConfidence the delta of the Hoeffding bound, in (0, 1)
 * @param tieThreshold split anyway when the bound falls below this, >= 0
 * @param splitPoints candidate thresholds per feature at a split attempt, >= 1
 * @param features how many features each leaf draws (see {@link Features})
 * @param warningDelta ADWIN's delta for a tree's warning (starts a background tree), in (0, 1)
 * @param driftDelta ADWIN's delta for a tree's drift (the background tree replaces it), in (0, warningDelta]
 * @param gossipTrees how many trees (the most accurate) leave the client in one gossip export, in [1, trees]
 * @param gossipNodes nodes per exported tree (larger trees are cut to their first levels), >= 1
 * @param recentRows the client's own latest rows on which peer trees are tested, never sent, >= 10
 * @param admissionDelta the confidence of the test a peer tree must pass to replace the weakest tree, in (0, 1)
 * @param sharedBayes whether a leaf may also predict with the forest's naive Bayes over every feature, prior
 *     its own class weights (see {@link HoeffdingTree})
 * @param mergeBayes whether that naive Bayes also travels by gossip and is pooled by the merge law (needs
 *     {@code sharedBayes}; see {@link TreeGossip})
 */
record Options(int trees, double lambda, int gracePeriod, double splitConfidence, double tieThreshold,
               int splitPoints, Features features, double warningDelta, double driftDelta, int gossipTrees,
               int gossipNodes, int recentRows, double admissionDelta, boolean sharedBayes,
               boolean mergeBayes) {

    /**
     * The features a new leaf draws at random (without replacement) among the M of the stream: {@code auto}
     * (the default: round(sqrt(M)) + 1, the paper's default, but at least 10% of M), {@code sqrt}
     * (round(sqrt(M)) + 1) or a percentage ({@code 60%}: round(M * 60 / 100), MOA's default); always at least
     * 1 and at most M. Why {@code auto}: on wide, sparse inputs (784 pixels) sqrt(M) + 1 candidates rarely
     * include an informative feature, and a tree grows too slowly (MNIST, 6,000 rows per client: 0.62
     * accuracy with sqrt, 0.69 with 10%, against 0.68 for MOA's ARF at 60%); below 90 features the two
     * rules agree, so SEA, the sensors and digits are unchanged (docs/results/forest.md).
     *
     * @param percent -1 for {@code auto}, 0 for {@code sqrt}, else 1 to 100
     */
    record Features(int percent) {
        static final Features AUTO = new Features(-1);
        static final Features SQRT = new Features(0);
        /** {@code auto}'s floor, in percent of the features. */
        static final int AUTO_FLOOR_PERCENT = 10;

        Features {
            if (percent < -1 || percent > 100) {
                throw new InvalidOptionException("features", "a percentage must be 1% to 100%, got " + percent + "%");
            }
        }

        static Features parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.equals("auto")) {
                return AUTO;
            }
            if (t.equals("sqrt")) {
                return SQRT;
            }
            if (t.endsWith("%")) {
                try {
                    int p = Integer.parseInt(t.substring(0, t.length() - 1).trim());
                    if (p < 1 || p > 100) {
                        throw new InvalidOptionException("features", "a percentage must be 1% to 100%, got " + text);
                    }
                    return new Features(p);
                } catch (NumberFormatException e) {
                    // the message below
                }
            }
            throw new InvalidOptionException("features", "must be 'auto', 'sqrt' or a percentage such as '60%', got '" + text + "'");
        }

        /** How many of {@code m} features a leaf draws. */
        int of(int m) {
            long sqrt = Math.round(Math.sqrt(m)) + 1;
            long k = percent == 0 ? sqrt
                    : percent < 0 ? Math.max(sqrt, Math.round(m * AUTO_FLOOR_PERCENT / 100.0))
                    : Math.round(m * percent / 100.0);
            return (int) Math.max(1, Math.min(m, k));
        }

        @Override
        public String toString() {
            return percent < 0 ? "auto" : percent == 0 ? "sqrt" : percent + "%";
        }
    }

    static final int DEFAULT_TREES = 10;
    static final double DEFAULT_LAMBDA = 6.0;
    static final int DEFAULT_GRACE_PERIOD = 50;
    static final double DEFAULT_SPLIT_CONFIDENCE = 0.01;
    static final double DEFAULT_TIE_THRESHOLD = 0.05;
    static final int DEFAULT_SPLIT_POINTS = 10;
    static final Features DEFAULT_FEATURES = Features.AUTO;
    static final double DEFAULT_WARNING_DELTA = 0.01;
    static final double DEFAULT_DRIFT_DELTA = 0.001;
    static final int DEFAULT_GOSSIP_TREES = 3;
    static final int DEFAULT_GOSSIP_NODES = 255;
    static final int DEFAULT_RECENT_ROWS = 500;
    static final double DEFAULT_ADMISSION_DELTA = 0.05;
    static final boolean DEFAULT_SHARED_BAYES = true;
    static final boolean DEFAULT_MERGE_BAYES = true;
    /** The largest Poisson mean accepted: beyond it a row weighs as much as a whole grace period. */
    static final double MAX_LAMBDA = 100;

    Options {
        atLeast("trees", trees, 1);
        inOpenClosed("lambda", lambda, 0, MAX_LAMBDA);
        atLeast("gracePeriod", gracePeriod, 1);
        inOpen("splitConfidence", splitConfidence, 0, 1);
        atLeast("tieThreshold", tieThreshold, 0);
        atLeast("splitPoints", splitPoints, 1);
        Objects.requireNonNull(features, "features is null");
        inOpen("warningDelta", warningDelta, 0, 1);
        inOpen("driftDelta", driftDelta, 0, 1);
        if (driftDelta > warningDelta) {
            throw new InvalidOptionException("driftDelta", "must be at most warningDelta (" + warningDelta
                    + "): a warning must come before the drift it announces, got " + driftDelta);
        }
        atLeast("gossipTrees", gossipTrees, 1);
        if (gossipTrees > trees) {
            throw new InvalidOptionException("gossipTrees", "must be at most trees (" + trees + "), got " + gossipTrees);
        }
        atLeast("gossipNodes", gossipNodes, 1);
        atLeast("recentRows", recentRows, 10);
        inOpen("admissionDelta", admissionDelta, 0, 1);
        if (mergeBayes && !sharedBayes) {
            throw new InvalidOptionException("mergeBayes", "pools the forest's naive Bayes, which sharedBayes: false turns off;"
                    + " set sharedBayes: true or remove mergeBayes");
        }
    }

    static Options defaults() {
        return new Options(DEFAULT_TREES, DEFAULT_LAMBDA, DEFAULT_GRACE_PERIOD, DEFAULT_SPLIT_CONFIDENCE,
                DEFAULT_TIE_THRESHOLD, DEFAULT_SPLIT_POINTS, DEFAULT_FEATURES, DEFAULT_WARNING_DELTA,
                DEFAULT_DRIFT_DELTA, DEFAULT_GOSSIP_TREES, DEFAULT_GOSSIP_NODES, DEFAULT_RECENT_ROWS,
                DEFAULT_ADMISSION_DELTA, DEFAULT_SHARED_BAYES, DEFAULT_MERGE_BAYES);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int trees = config.getInt("trees", DEFAULT_TREES);
        double lambda = config.getDouble("lambda", DEFAULT_LAMBDA);
        int gracePeriod = config.getInt("gracePeriod", DEFAULT_GRACE_PERIOD);
        double splitConfidence = config.getDouble("splitConfidence", DEFAULT_SPLIT_CONFIDENCE);
        double tieThreshold = config.getDouble("tieThreshold", DEFAULT_TIE_THRESHOLD);
        int splitPoints = config.getInt("splitPoints", DEFAULT_SPLIT_POINTS);
        String features = config.getString("features", DEFAULT_FEATURES.toString());
        double warningDelta = config.getDouble("warningDelta", DEFAULT_WARNING_DELTA);
        double driftDelta = config.getDouble("driftDelta", DEFAULT_DRIFT_DELTA);
        int gossipTrees = config.getInt("gossipTrees", Math.min(DEFAULT_GOSSIP_TREES, Math.max(1, trees)));
        int gossipNodes = config.getInt("gossipNodes", DEFAULT_GOSSIP_NODES);
        int recentRows = config.getInt("recentRows", DEFAULT_RECENT_ROWS);
        double admissionDelta = config.getDouble("admissionDelta", DEFAULT_ADMISSION_DELTA);
        boolean sharedBayes = config.getBoolean("sharedBayes", DEFAULT_SHARED_BAYES);
        boolean mergeBayes = config.getBoolean("mergeBayes", sharedBayes && DEFAULT_MERGE_BAYES);
        try {
            return new Options(trees, lambda, gracePeriod, splitConfidence, tieThreshold, splitPoints,
                    Features.parse(features), warningDelta, driftDelta, gossipTrees, gossipNodes, recentRows,
                    admissionDelta, sharedBayes, mergeBayes);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
