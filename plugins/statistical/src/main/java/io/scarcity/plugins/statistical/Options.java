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
 * @param mahalanobis whether rows are also scored by their Mahalanobis distance from a running
 *        covariance of the features (see {@link RunningCovariance})
 * @param mahalanobisQuantile a row is flagged when its squared Mahalanobis distance exceeds this quantile
 *        of the chi-square distribution with one degree of freedom per feature, in [0.5, 1 - 1e-9]
 * @param maxMahalanobisFeatures up to this many features the covariance is full (quadratic cost per row),
 *        beyond it diagonal, >= 0
 * @param covarianceShrinkage how far the covariance is shrunk towards its diagonal before it is inverted,
 *        in [0, 1]
 * @param outlierWeighting how flagged rows weigh in training (see {@link Weighting})
 * @param outlierWindow the outlier-rate signal covers the last this many rows; 0: the last batch, >= 0
 */
record Options(double learningRate, double minVariance, double outlierThreshold, double explore,
               double driftBoost, int boostBatches, double priorRows, boolean mahalanobis,
               double mahalanobisQuantile, int maxMahalanobisFeatures, double covarianceShrinkage,
               Weighting outlierWeighting, int outlierWindow) {
    /** How outlying rows weigh when the class statistics learn them (times the row's own weight). */
    enum Weighting {
        /**
         * {@code min(1, t / z, c / D)}: {@code z} the row's largest robust z-score and {@code t} its
         * threshold, {@code D} its Mahalanobis distance and {@code c} the square root of its threshold.
         * Rows within both thresholds keep their weight; beyond, a row's pull on a class mean is bounded.
         */
        HUBER,
        /** Flagged rows get weight 0 (are not learned); others keep theirs. */
        REJECT,
        /** Every row keeps its weight (the default). */
        OFF
    }

    static final double DEFAULT_LEARNING_RATE = 0.02;
    static final double DEFAULT_MIN_VARIANCE = 1e-3;
    static final double DEFAULT_OUTLIER_THRESHOLD = 3.5;
    static final double DEFAULT_EXPLORE = 0.1;
    static final double DEFAULT_DRIFT_BOOST = 5.0;
    static final int DEFAULT_BOOST_BATCHES = 5;
    static final double DEFAULT_PRIOR_ROWS = 2.0;
    static final boolean DEFAULT_MAHALANOBIS = true;
    static final double DEFAULT_MAHALANOBIS_QUANTILE = 0.999;
    static final int DEFAULT_MAX_MAHALANOBIS_FEATURES = 64;
    static final double DEFAULT_COVARIANCE_SHRINKAGE = 0.01;
    /**
     * Off: measured on the bench suites' data, Huber down-weighting cost digits 0.5-0.9 points of accuracy
     * (3 seeds) and was mixed on the sensor motes, so the default keeps the predictions as they were.
     */
    static final Weighting DEFAULT_OUTLIER_WEIGHTING = Weighting.OFF;
    static final int DEFAULT_OUTLIER_WINDOW = 0;
    /** Above this level the chi-square CDF in double precision no longer resolves the quantile. */
    static final double MAX_MAHALANOBIS_QUANTILE = 1 - 1e-9;

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
        if (!(mahalanobisQuantile >= 0.5 && mahalanobisQuantile <= MAX_MAHALANOBIS_QUANTILE)) {
            throw new InvalidOptionException("mahalanobisQuantile", "must be in [0.5, " + MAX_MAHALANOBIS_QUANTILE
                    + "] (e.g. 0.999 flags one clean Gaussian row in a thousand), got " + mahalanobisQuantile);
        }
        if (maxMahalanobisFeatures < 0) {
            throw new InvalidOptionException("maxMahalanobisFeatures", "must be >= 0 (0 keeps only the variances), got "
                    + maxMahalanobisFeatures);
        }
        if (!(covarianceShrinkage >= 0 && covarianceShrinkage <= 1)) {
            throw new InvalidOptionException("covarianceShrinkage", "must be in [0, 1], got " + covarianceShrinkage);
        }
        if (outlierWeighting == null) {
            throw new InvalidOptionException("outlierWeighting", "must be one of huber, reject, off");
        }
        if (outlierWindow < 0) {
            throw new InvalidOptionException("outlierWindow", "must be >= 0 (0: the last batch), got " + outlierWindow);
        }
    }

    /** Options with the default outlier machinery. */
    Options(double learningRate, double minVariance, double outlierThreshold, double explore, double driftBoost,
            int boostBatches, double priorRows) {
        this(learningRate, minVariance, outlierThreshold, explore, driftBoost, boostBatches, priorRows,
                DEFAULT_MAHALANOBIS, DEFAULT_MAHALANOBIS_QUANTILE, DEFAULT_MAX_MAHALANOBIS_FEATURES,
                DEFAULT_COVARIANCE_SHRINKAGE, DEFAULT_OUTLIER_WEIGHTING, DEFAULT_OUTLIER_WINDOW);
    }

    /** Options with the default {@code priorRows} and outlier machinery. */
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
        boolean mahalanobis = config.getBoolean("mahalanobis", DEFAULT_MAHALANOBIS);
        double mahalanobisQuantile = config.getDouble("mahalanobisQuantile", DEFAULT_MAHALANOBIS_QUANTILE);
        int maxMahalanobisFeatures = config.getInt("maxMahalanobisFeatures", DEFAULT_MAX_MAHALANOBIS_FEATURES);
        double covarianceShrinkage = config.getDouble("covarianceShrinkage", DEFAULT_COVARIANCE_SHRINKAGE);
        Weighting outlierWeighting = config.getEnum("outlierWeighting", DEFAULT_OUTLIER_WEIGHTING);
        int outlierWindow = config.getInt("outlierWindow", DEFAULT_OUTLIER_WINDOW);
        try {
            return new Options(learningRate, minVariance, outlierThreshold, explore, driftBoost, boostBatches, priorRows,
                    mahalanobis, mahalanobisQuantile, maxMahalanobisFeatures, covarianceShrinkage, outlierWeighting,
                    outlierWindow);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
