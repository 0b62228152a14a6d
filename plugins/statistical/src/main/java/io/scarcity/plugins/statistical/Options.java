package io.scarcity.plugins.statistical;

import static io.scarcity.api.OptionChecks.above;
import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inClosed;
import static io.scarcity.api.OptionChecks.inOpenClosed;
import static io.scarcity.api.OptionChecks.notNull;

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
 *        coordinator's pooled feature variances (see {@link ClassStatistics}), >= 0; 0 ignores them
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
 * @param mergedPriors what the class priors are after a merge (gossip, FedAvg, a warm start): see {@link Priors}
 * @param peerSums under private gossip, which classes the peers' noised sums inform: see {@link PeerSums}
 */
record Options(double learningRate, double minVariance, double outlierThreshold, double explore,
               double driftBoost, int boostBatches, double priorRows, boolean mahalanobis,
               double mahalanobisQuantile, int maxMahalanobisFeatures, double covarianceShrinkage,
               Weighting outlierWeighting, int outlierWindow, Priors mergedPriors, PeerSums peerSums) {
    /** Under private gossip ({@code privacy.dp.outputs: gossip}), which classes the peers' noised row sums inform. */
    enum PeerSums {
        /**
         * Only the classes this client has not seen (the default): the peers' sums never displace its own estimates,
         * so they cannot make it worse where clients' rows differ (on the sensor motes, sharing seen classes cost kappa).
         */
        UNSEEN,
        /**
         * Every class: for a class this client has seen, the peers' rows weigh at most as much as its own, fading as it
         * learns more (as a merged state is forgotten); for clients whose rows follow one distribution.
         */
        SHARED
    }

    /**
     * The class priors a client keeps when it adopts a merged state. The class-conditional moments are pooled
     * either way; the prior is what label skew changes between clients (prior shift).
     */
    enum Priors {
        /** The merged (pooled) priors: every peer's class frequencies, weighted. */
        POOLED,
        /**
         * This client's own priors (its own stream's class frequencies), unless it has none yet (a client that
         * joins from a warm start takes the pooled ones): the peers' class-conditional statistics with this
         * client's label distribution (the default: measured in docs/results/digits-dirichlet.md, it wins
         * wherever clients' label distributions differ and costs little where they do not).
         */
        OWN
    }

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
    static final Priors DEFAULT_MERGED_PRIORS = Priors.OWN;
    /** Above this level the chi-square CDF in double precision no longer resolves the quantile. */
    static final double MAX_MAHALANOBIS_QUANTILE = 1 - 1e-9;

    Options {
        inOpenClosed("learningRate", learningRate, 0, 1);
        above("minVariance", minVariance, 0);
        above("outlierThreshold", outlierThreshold, 0);
        atLeast("explore", explore, 0);
        atLeast("driftBoost", driftBoost, 1);
        atLeast("boostBatches", boostBatches, 0);
        atLeast("priorRows", priorRows, 0);
        inClosed("mahalanobisQuantile", mahalanobisQuantile, 0.5, MAX_MAHALANOBIS_QUANTILE);
        atLeast("maxMahalanobisFeatures", maxMahalanobisFeatures, 0);
        inClosed("covarianceShrinkage", covarianceShrinkage, 0, 1);
        notNull("outlierWeighting", outlierWeighting, Weighting.class);
        atLeast("outlierWindow", outlierWindow, 0);
        notNull("mergedPriors", mergedPriors, Priors.class);
        notNull("peerSums", peerSums, PeerSums.class);
    }

    /** Options with the default outlier machinery. */
    Options(double learningRate, double minVariance, double outlierThreshold, double explore, double driftBoost,
            int boostBatches, double priorRows) {
        this(learningRate, minVariance, outlierThreshold, explore, driftBoost, boostBatches, priorRows,
                DEFAULT_MAHALANOBIS, DEFAULT_MAHALANOBIS_QUANTILE, DEFAULT_MAX_MAHALANOBIS_FEATURES,
                DEFAULT_COVARIANCE_SHRINKAGE, DEFAULT_OUTLIER_WEIGHTING, DEFAULT_OUTLIER_WINDOW, DEFAULT_MERGED_PRIORS,
                PeerSums.UNSEEN);
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
        Priors mergedPriors = config.getEnum("mergedPriors", DEFAULT_MERGED_PRIORS);
        PeerSums peerSums = config.getEnum("peerSums", PeerSums.UNSEEN);
        try {
            return new Options(learningRate, minVariance, outlierThreshold, explore, driftBoost, boostBatches, priorRows,
                    mahalanobis, mahalanobisQuantile, maxMahalanobisFeatures, covarianceShrinkage, outlierWeighting,
                    outlierWindow, mergedPriors, peerSums);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
