package io.scarcity.bench.moa;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Map;
import java.util.Objects;

/**
 * Validated options of {@code moa-ht} and {@code moa-hat}; defaults are MOA's.
 *
 * @param gracePeriod rows a leaf observes between split attempts (MOA {@code -g}), >= 1
 * @param splitConfidence allowed error of a split decision, the delta of the Hoeffding bound (MOA
 *        {@code -c}), in (0, 1)
 * @param tieThreshold Hoeffding bound below which a split is forced to break a tie (MOA {@code -t}), in
 *        [0, 1]
 * @param leafPrediction how leaves predict (MOA {@code -l})
 * @param moaOptions further MOA options, verbatim; empty for none
 */
record TreeOptions(int gracePeriod, double splitConfidence, double tieThreshold, LeafPrediction leafPrediction,
                   String moaOptions) implements MoaOptions {
    static final int DEFAULT_GRACE_PERIOD = 200;
    static final double DEFAULT_SPLIT_CONFIDENCE = 1e-7;
    static final double DEFAULT_TIE_THRESHOLD = 0.05;
    static final LeafPrediction DEFAULT_LEAF_PREDICTION = LeafPrediction.NBA;

    /** MOA's leaf predictors. */
    enum LeafPrediction {
        /** Majority class. */
        MC("MC"),
        /** Naive Bayes. */
        NB("NB"),
        /** Naive Bayes adaptive: per leaf, whichever of majority class and naive Bayes has been more accurate. */
        NBA("NBAdaptive");

        private final String moaLabel;

        LeafPrediction(String moaLabel) {
            this.moaLabel = moaLabel;
        }

        String moaLabel() {
            return moaLabel;
        }
    }

    TreeOptions {
        if (gracePeriod < 1) {
            throw new InvalidOptionException("gracePeriod", "must be >= 1 row, got " + gracePeriod);
        }
        if (!(splitConfidence > 0 && splitConfidence < 1)) {
            throw new InvalidOptionException("splitConfidence", "must be in (0, 1), got " + splitConfidence
                    + " (MOA's default is " + DEFAULT_SPLIT_CONFIDENCE + ")");
        }
        if (!(tieThreshold >= 0 && tieThreshold <= 1)) {
            throw new InvalidOptionException("tieThreshold", "must be in [0, 1], got " + tieThreshold);
        }
        Objects.requireNonNull(leafPrediction, "leafPrediction is null");
        moaOptions = Objects.requireNonNull(moaOptions, "moaOptions is null").trim();
    }

    static TreeOptions defaults() {
        return new TreeOptions(DEFAULT_GRACE_PERIOD, DEFAULT_SPLIT_CONFIDENCE, DEFAULT_TIE_THRESHOLD,
                DEFAULT_LEAF_PREDICTION, "");
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static TreeOptions from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int gracePeriod = config.getInt("gracePeriod", DEFAULT_GRACE_PERIOD);
        double splitConfidence = config.getDouble("splitConfidence", DEFAULT_SPLIT_CONFIDENCE);
        double tieThreshold = config.getDouble("tieThreshold", DEFAULT_TIE_THRESHOLD);
        LeafPrediction leafPrediction = config.getEnum("leafPrediction", DEFAULT_LEAF_PREDICTION);
        String moaOptions = config.getString("moaOptions", "");
        try {
            return new TreeOptions(gracePeriod, splitConfidence, tieThreshold, leafPrediction, moaOptions);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }

    @Override
    public String commandLine() {
        return "-g " + gracePeriod + " -c " + splitConfidence + " -t " + tieThreshold + " -l " + leafPrediction.moaLabel();
    }

    @Override
    public Map<Character, String> keysByLetter() {
        return Map.of('g', "gracePeriod", 'c', "splitConfidence", 't', "tieThreshold", 'l', "leafPrediction");
    }
}
