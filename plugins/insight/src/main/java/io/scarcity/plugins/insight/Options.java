package io.scarcity.plugins.insight;

import static io.scarcity.api.OptionChecks.above;
import static io.scarcity.api.OptionChecks.atLeast;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the insight meta-learner.
 *
 * @param window how many of a domain's most recent insights are learned from, >= 1
 * @param temperature temperature of the softmin over losses that weighs clients' learning rates, > 0
 * @param warmStart whether clients upload their gossipable expert states after each round, pooled per domain
 *        by each expert plugin's merge law, so that a client joining late starts from the pooled states
 */
record Options(int window, double temperature, boolean warmStart) {
    static final int DEFAULT_WINDOW = 200;
    static final double DEFAULT_TEMPERATURE = 0.05;

    Options {
        atLeast("window", window, 1);
        above("temperature", temperature, 0);
    }

    static Options defaults() {
        return new Options(DEFAULT_WINDOW, DEFAULT_TEMPERATURE, false);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int window = config.getInt("window", DEFAULT_WINDOW);
        double temperature = config.getDouble("temperature", DEFAULT_TEMPERATURE);
        boolean warmStart = config.getBoolean("warmStart", false);
        try {
            return new Options(window, temperature, warmStart);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
