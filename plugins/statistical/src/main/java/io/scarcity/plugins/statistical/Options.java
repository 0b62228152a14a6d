package io.scarcity.plugins.statistical;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the statistical expert.
 *
 * @param learningRate the exponential forgetting rate of the running statistics, in (0, 1]
 * @param minVariance floor of every per-feature variance, > 0
 * @param outlierThreshold robust z-score above which a row counts as an outlier, > 0
 * @param explore standard deviation of the log-normal jitter applied to a learning-rate hint, >= 0
 * @param driftBoost factor the rate is multiplied by after a detected drift, >= 1
 * @param boostBatches number of batches the boost lasts, >= 0
 * @param priorRows how many rows of its own a class's variances are worth when they start from the
 *        coordinator's pooled feature variances (see {@link StatisticalExpert}), >= 0; 0 ignores them
 */
record Options(double learningRate, double minVariance, double outlierThreshold, double explore,
               double driftBoost, int boostBatches, double priorRows) {
    static final double DEFAULT_LEARNING_RATE = 0.02;
    static final double DEFAULT_MIN_VARIANCE = 1e-3;
    static final double DEFAULT_OUTLIER_THRESHOLD = 3.5;
    static final double DEFAULT_EXPLORE = 0.1;
    static final double DEFAULT_DRIFT_BOOST = 5.0;
    static final int DEFAULT_BOOST_BATCHES = 5;
    static final double DEFAULT_PRIOR_ROWS = 2.0;

    Options {
        if (!(learningRate > 0 && learningRate <= 1)) {
            throw new InvalidOptionException("learningRate", "must be in (0, 1], got " + learningRate);
        }
        if (!(minVariance > 0) || Double.isInfinite(minVariance)) {
            throw new InvalidOptionException("minVariance", "must be finite and > 0, got " + minVariance);
        }
        if (!(outlierThreshold > 0) || Double.isInfinite(outlierThreshold)) {
            throw new InvalidOptionException("outlierThreshold", "must be finite and > 0, got " + outlierThreshold);
        }
        if (!(explore >= 0) || Double.isInfinite(explore)) {
            throw new InvalidOptionException("explore", "must be finite and >= 0, got " + explore);
        }
        if (!(driftBoost >= 1) || Double.isInfinite(driftBoost)) {
            throw new InvalidOptionException("driftBoost", "must be finite and >= 1, got " + driftBoost);
        }
        if (boostBatches < 0) {
            throw new InvalidOptionException("boostBatches", "must be >= 0, got " + boostBatches);
        }
        if (!(priorRows >= 0) || Double.isInfinite(priorRows)) {
            throw new InvalidOptionException("priorRows", "must be finite and >= 0, got " + priorRows);
        }
    }

    /** Options with the default {@code priorRows}. */
    Options(double learningRate, double minVariance, double outlierThreshold, double explore, double driftBoost,
            int boostBatches) {
        this(learningRate, minVariance, outlierThreshold, explore, driftBoost, boostBatches, DEFAULT_PRIOR_ROWS);
    }

    static Options defaults() {
        return new Options(DEFAULT_LEARNING_RATE, DEFAULT_MIN_VARIANCE, DEFAULT_OUTLIER_THRESHOLD, DEFAULT_EXPLORE,
                DEFAULT_DRIFT_BOOST, DEFAULT_BOOST_BATCHES, DEFAULT_PRIOR_ROWS);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        double learningRate = config.getDouble("learningRate", DEFAULT_LEARNING_RATE);
        double minVariance = config.getDouble("minVariance", DEFAULT_MIN_VARIANCE);
        double outlierThreshold = config.getDouble("outlierThreshold", DEFAULT_OUTLIER_THRESHOLD);
        double explore = config.getDouble("explore", DEFAULT_EXPLORE);
        double driftBoost = config.getDouble("driftBoost", DEFAULT_DRIFT_BOOST);
        int boostBatches = config.getInt("boostBatches", DEFAULT_BOOST_BATCHES);
        double priorRows = config.getDouble("priorRows", DEFAULT_PRIOR_ROWS);
        try {
            return new Options(learningRate, minVariance, outlierThreshold, explore, driftBoost, boostBatches, priorRows);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
