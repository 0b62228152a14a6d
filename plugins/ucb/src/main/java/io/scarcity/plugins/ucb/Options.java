package io.scarcity.plugins.ucb;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the UCB router.
 *
 * @param k experts activated per batch, >= 1 (all candidates if k is at least their number)
 * @param exploration the constant c of the bonus {@code c * sqrt(2 ln N / n_i)}, >= 0
 * @param discount factor applied to every count and reward sum on each route, in (0, 1]; 1 = stationary
 * @param weighting how the active experts' mixture weights are set
 */
record Options(int k, double exploration, double discount, Weighting weighting) {
    static final int DEFAULT_K = 1;
    static final double DEFAULT_EXPLORATION = 1.0;
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
        if (k < 1) {
            throw new InvalidOptionException("k", "must be >= 1, got " + k);
        }
        if (!(exploration >= 0) || Double.isInfinite(exploration)) {
            throw new InvalidOptionException("exploration", "must be finite and >= 0, got " + exploration);
        }
        if (!(discount > 0 && discount <= 1)) {
            throw new InvalidOptionException("discount", "must be in (0, 1], got " + discount);
        }
        if (weighting == null) {
            throw new InvalidOptionException("weighting", "must be uniform or reward");
        }
    }

    static Options defaults() {
        return new Options(DEFAULT_K, DEFAULT_EXPLORATION, DEFAULT_DISCOUNT, DEFAULT_WEIGHTING);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int k = config.getInt("k", DEFAULT_K);
        double exploration = config.getDouble("exploration", DEFAULT_EXPLORATION);
        double discount = config.getDouble("discount", DEFAULT_DISCOUNT);
        Weighting weighting = config.getEnum("weighting", DEFAULT_WEIGHTING);
        try {
            return new Options(k, exploration, discount, weighting);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
