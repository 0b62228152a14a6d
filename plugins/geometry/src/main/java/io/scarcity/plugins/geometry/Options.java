package io.scarcity.plugins.geometry;

import static io.scarcity.api.OptionChecks.above;
import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inOpen;
import static io.scarcity.api.OptionChecks.inOpenClosed;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the geometry expert.
 *
 * @param components {@code k}, the dimension of the principal subspace, >= 1 (and at most the number
 *        of features, checked by the factory once the schema is known; left at its default, it is
 *        lowered to the number of features of a narrower stream)
 * @param learningRate per-row forgetting rate of the exponentially weighted covariance, feature
 *        statistics and projection learner, in (0, 1]; about {@code 1 / learningRate} rows are remembered
 * @param explore standard deviation of the log-normal jitter applied to the coordinator's rate hint, >= 0
 * @param oversampling extra directions tracked beyond {@code k} (block power iteration converges at the
 *        rate {@code lambda_(k+p+1) / lambda_k} instead of {@code lambda_(k+1) / lambda_k}, and the rank
 *        truncation loses less), >= 0; capped at the number of features
 * @param changeLag {@code K}: {@code geometry.subspace-change} compares the subspace with the one of
 *        {@code K} batches ago, >= 1
 * @param noveltyQuantile the running quantile of the residual above which a row counts as novel, in (0, 1)
 * @param quantileStep stochastic-approximation step of that quantile, in log-residual units per row, in (0, 1]
 * @param minVariance floor of every feature variance (standardisation) and of every projected class
 *        variance, finite and > 0
 * @param clip standardised values are clipped to {@code [-clip, clip]}, so a wild value cannot
 *        overflow the covariance or swing the subspace on its own, finite and > 0
 * @param priorRows how many rows the subspace's eigenvalues are worth as a prior for each class's
 *        projected covariance (it fades as the class's own rows accumulate), finite and >= 0
 */
record Options(int components, double learningRate, double explore, int oversampling, int changeLag,
               double noveltyQuantile, double quantileStep, double minVariance, double clip, double priorRows) {
    static final int DEFAULT_COMPONENTS = 4;
    static final double DEFAULT_LEARNING_RATE = 0.001;
    static final double DEFAULT_EXPLORE = 0.1;
    static final int DEFAULT_OVERSAMPLING = 4;
    static final int DEFAULT_CHANGE_LAG = 10;
    static final double DEFAULT_NOVELTY_QUANTILE = 0.95;
    static final double DEFAULT_QUANTILE_STEP = 0.02;
    static final double DEFAULT_MIN_VARIANCE = 1e-3;
    static final double DEFAULT_CLIP = 20.0;
    static final double DEFAULT_PRIOR_ROWS = 2.0;

    Options {
        atLeast("components", components, 1);
        inOpenClosed("learningRate", learningRate, 0, 1);
        atLeast("explore", explore, 0);
        atLeast("oversampling", oversampling, 0);
        atLeast("changeLag", changeLag, 1);
        inOpen("noveltyQuantile", noveltyQuantile, 0, 1);
        inOpenClosed("quantileStep", quantileStep, 0, 1);
        above("minVariance", minVariance, 0);
        above("clip", clip, 0);
        atLeast("priorRows", priorRows, 0);
    }

    static Options defaults() {
        return new Options(DEFAULT_COMPONENTS, DEFAULT_LEARNING_RATE, DEFAULT_EXPLORE, DEFAULT_OVERSAMPLING,
                DEFAULT_CHANGE_LAG, DEFAULT_NOVELTY_QUANTILE, DEFAULT_QUANTILE_STEP, DEFAULT_MIN_VARIANCE,
                DEFAULT_CLIP, DEFAULT_PRIOR_ROWS);
    }

    /**
     * Checks the options against the stream's number of features (known only on a client).
     *
     * @throws InvalidOptionException naming {@code components} if it exceeds {@code features}
     */
    Options checkAgainst(int features) {
        if (components > features) {
            throw new InvalidOptionException("components", "must be <= the number of features (" + features
                    + "), got " + components);
        }
        return this;
    }

    /** These options with another number of components (validated again). */
    Options withComponents(int k) {
        return new Options(k, learningRate, explore, oversampling, changeLag, noveltyQuantile, quantileStep, minVariance,
                clip, priorRows);
    }

    /** Directions tracked: {@code k + oversampling}, at most the number of features. */
    int tracked(int features) {
        return (int) Math.min(features, (long) components + oversampling);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int components = config.getInt("components", DEFAULT_COMPONENTS);
        double learningRate = config.getDouble("learningRate", DEFAULT_LEARNING_RATE);
        double explore = config.getDouble("explore", DEFAULT_EXPLORE);
        int oversampling = config.getInt("oversampling", DEFAULT_OVERSAMPLING);
        int changeLag = config.getInt("changeLag", DEFAULT_CHANGE_LAG);
        double noveltyQuantile = config.getDouble("noveltyQuantile", DEFAULT_NOVELTY_QUANTILE);
        double quantileStep = config.getDouble("quantileStep", DEFAULT_QUANTILE_STEP);
        double minVariance = config.getDouble("minVariance", DEFAULT_MIN_VARIANCE);
        double clip = config.getDouble("clip", DEFAULT_CLIP);
        double priorRows = config.getDouble("priorRows", DEFAULT_PRIOR_ROWS);
        try {
            return new Options(components, learningRate, explore, oversampling, changeLag, noveltyQuantile,
                    quantileStep, minVariance, clip, priorRows);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
