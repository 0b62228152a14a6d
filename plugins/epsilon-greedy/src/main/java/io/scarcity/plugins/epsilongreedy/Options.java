package io.scarcity.plugins.epsilongreedy;

import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inClosed;
import static io.scarcity.api.OptionChecks.inOpenClosed;
import static io.scarcity.api.OptionChecks.notNull;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the epsilon-greedy router.
 *
 * @param k experts activated per batch, >= 1 (all candidates if k is at least their number)
 * @param epsilon the initial exploration probability per slot, in [0, 1]
 * @param minEpsilon the floor of the decaying exploration probability, in [0, epsilon]
 * @param decay the rate d of {@code epsilon / (1 + d t)}, finite and >= 0; 0 = constant epsilon
 * @param discount factor applied to every count and reward sum on each route, in (0, 1]; 1 = stationary
 * @param weighting how the active experts' mixture weights are set
 */
record Options(int k, double epsilon, double minEpsilon, double decay, double discount, Weighting weighting) {
    static final int DEFAULT_K = 1;
    static final double DEFAULT_EPSILON = 0.1;
    static final double DEFAULT_MIN_EPSILON = 0.01;
    static final double DEFAULT_DECAY = 0.001;
    static final double DEFAULT_DISCOUNT = 1.0;
    static final Weighting DEFAULT_WEIGHTING = Weighting.REWARD;

    /** Mixture weights of the active experts. */
    enum Weighting {
        /** Equal weights. */
        UNIFORM,
        /** Proportional to each expert's empirical mean reward, floored so that none is silenced. */
        REWARD
    }

    Options {
        atLeast("k", k, 1);
        inClosed("epsilon", epsilon, 0, 1);
        inClosed("minEpsilon", minEpsilon, 0, 1);
        if (minEpsilon > epsilon) {
            throw new InvalidOptionException("minEpsilon", "must be <= epsilon (" + epsilon + "), got " + minEpsilon);
        }
        atLeast("decay", decay, 0);
        inOpenClosed("discount", discount, 0, 1);
        notNull("weighting", weighting, Weighting.class);
    }

    static Options defaults() {
        return new Options(DEFAULT_K, DEFAULT_EPSILON, DEFAULT_MIN_EPSILON, DEFAULT_DECAY, DEFAULT_DISCOUNT,
                DEFAULT_WEIGHTING);
    }

    /** The exploration probability after {@code routes} routes: {@code max(minEpsilon, epsilon / (1 + decay t))}. */
    double epsilonAt(long routes) {
        return Math.max(minEpsilon, epsilon / (1 + decay * routes));
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int k = config.getInt("k", DEFAULT_K);
        double epsilon = config.getDouble("epsilon", DEFAULT_EPSILON);
        double minEpsilon = config.getDouble("minEpsilon", DEFAULT_MIN_EPSILON);
        double decay = config.getDouble("decay", DEFAULT_DECAY);
        double discount = config.getDouble("discount", DEFAULT_DISCOUNT);
        Weighting weighting = config.getEnum("weighting", DEFAULT_WEIGHTING);
        try {
            return new Options(k, epsilon, minEpsilon, decay, discount, weighting);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
