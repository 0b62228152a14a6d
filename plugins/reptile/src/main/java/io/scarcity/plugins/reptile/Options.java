package io.scarcity.plugins.reptile;

import static io.scarcity.api.OptionChecks.inOpenClosed;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the Reptile meta-learner.
 *
 * @param epsilon the meta step size in (0, 1]: how far the initialisation moves toward the clients'
 *        mean state each round (1 = all the way, which is FedAvg)
 */
record Options(double epsilon) {
    static final double DEFAULT_EPSILON = 0.5;

    Options {
        inOpenClosed("epsilon", epsilon, 0, 1);
    }

    static Options defaults() {
        return new Options(DEFAULT_EPSILON);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        double epsilon = config.getDouble("epsilon", DEFAULT_EPSILON);
        try {
            return new Options(epsilon);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
