package io.scarcity.plugins.thompson;

import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inOpenClosed;
import static io.scarcity.api.OptionChecks.inRange;
import static io.scarcity.api.OptionChecks.notNull;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the Thompson-sampling router.
 *
 * @param k experts activated per batch, >= 1 (all candidates if k is at least their number)
 * @param posterior the family of each expert's posterior over its mean reward
 * @param noise the known reward noise variance of the Gaussian posterior, in (0, 100]; unused by Beta
 * @param weighting how the active experts' mixture weights are set
 * @param discount factor applied to every posterior's evidence on each route, in (0, 1]; 1 = stationary
 * @param clusters number of context clusters, each with its own posteriors, in [1, 256]; 1 = no context
 * @param clusterRate step of the online k-means update of the nearest centroid, in (0, 1]
 */
record Options(int k, Posterior posterior, double noise, Weighting weighting, double discount, int clusters,
               double clusterRate) {
    static final int DEFAULT_K = 1;
    static final Posterior DEFAULT_POSTERIOR = Posterior.BETA;
    static final double DEFAULT_NOISE = 0.25;
    static final Weighting DEFAULT_WEIGHTING = Weighting.REWARD;
    static final double DEFAULT_DISCOUNT = 1.0;
    static final int DEFAULT_CLUSTERS = 1;
    static final double DEFAULT_CLUSTER_RATE = 0.05;
    static final int MAX_CLUSTERS = 256;
    static final double MAX_NOISE = 100.0;

    /** Family of the posterior over an expert's mean reward. */
    enum Posterior {
        /** Beta(1 + s, 1 + n - s) after n (fractional) pulls with reward sum s. */
        BETA,
        /** Normal posterior of the mean under Gaussian rewards of known variance, prior N(0.5, 1). */
        GAUSSIAN
    }

    /** Mixture weights of the active experts. */
    enum Weighting {
        /** Equal weights. */
        UNIFORM,
        /** Proportional to each expert's posterior mean reward, floored so that none is silenced. */
        REWARD
    }

    Options {
        atLeast("k", k, 1);
        notNull("posterior", posterior, Posterior.class);
        inOpenClosed("noise", noise, 0, MAX_NOISE);
        notNull("weighting", weighting, Weighting.class);
        inOpenClosed("discount", discount, 0, 1);
        inRange("clusters", clusters, 1, MAX_CLUSTERS);
        inOpenClosed("clusterRate", clusterRate, 0, 1);
    }

    static Options defaults() {
        return new Options(DEFAULT_K, DEFAULT_POSTERIOR, DEFAULT_NOISE, DEFAULT_WEIGHTING, DEFAULT_DISCOUNT,
                DEFAULT_CLUSTERS, DEFAULT_CLUSTER_RATE);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int k = config.getInt("k", DEFAULT_K);
        Posterior posterior = config.getEnum("posterior", DEFAULT_POSTERIOR);
        double noise = config.getDouble("noise", DEFAULT_NOISE);
        Weighting weighting = config.getEnum("weighting", DEFAULT_WEIGHTING);
        double discount = config.getDouble("discount", DEFAULT_DISCOUNT);
        int clusters = config.getInt("clusters", DEFAULT_CLUSTERS);
        double clusterRate = config.getDouble("clusterRate", DEFAULT_CLUSTER_RATE);
        // An option that the chosen mode ignores is a mistake worth naming, not silence.
        if (posterior == Posterior.BETA && config.has("noise")) {
            throw config.invalid("noise", "applies to posterior: gaussian only (this router has posterior: beta)");
        }
        if (clusters == 1 && config.has("clusterRate")) {
            throw config.invalid("clusterRate", "applies only with clusters > 1 (this router has clusters: 1)");
        }
        try {
            return new Options(k, posterior, noise, weighting, discount, clusters, clusterRate);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
