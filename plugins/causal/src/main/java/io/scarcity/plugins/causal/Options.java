package io.scarcity.plugins.causal;

import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inClosedOpen;
import static io.scarcity.api.OptionChecks.inOpen;
import static io.scarcity.api.OptionChecks.inRange;
import static io.scarcity.api.OptionChecks.oneOf;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the causal expert.
 *
 * @param alpha level of every conditional-independence test, in (0, 1); smaller keeps fewer edges
 * @param maxConditioningSet largest conditioning set the PC search tries, 0..{@value #MAX_CONDITIONING};
 *        0 tests marginal correlations only
 * @param every the search re-runs after this many labelled batches (and at once on a drift signal), >= 1
 * @param learningRate per-row forgetting rate of the running covariance, in [0, 1): each row's weight is
 *        multiplied by {@code 1 - learningRate} per later row (about {@code 2 / learningRate} effective
 *        rows); 0 keeps every row (cumulative statistics)
 * @param driftForget share of the accumulated statistics forgotten when {@code drift.detected} is raised,
 *        in [0, 1); 0 only triggers a search
 * @param minSamples effective rows before the first search, >= 1
 * @param ridge added to the blanket covariance's diagonal in units of each variance, for the regression
 *        and the discriminant, finite and >= 0
 * @param orientation {@code majority} (a triple is a collider iff its middle node is in fewer than half of
 *        the separating sets among both ends' neighbours: robust to one fluke separating set) or
 *        {@code standard} (the PC search's own separating set decides, fewer tests)
 * @param warmStart whether a search first re-tests the pairs the previous one separated, given their old
 *        separating sets (fewer tests when the graph is stable)
 */
record Options(double alpha, int maxConditioningSet, int every, double learningRate, double driftForget,
               int minSamples, double ridge, String orientation, boolean warmStart) {
    static final java.util.List<String> ORIENTATIONS = java.util.List.of("majority", "standard");
    static final int MAX_CONDITIONING = 12;
    static final double DEFAULT_ALPHA = 0.01;
    static final int DEFAULT_MAX_CONDITIONING_SET = 3;
    static final int DEFAULT_EVERY = 10;
    static final double DEFAULT_LEARNING_RATE = 0.001;
    static final double DEFAULT_DRIFT_FORGET = 0.5;
    static final int DEFAULT_MIN_SAMPLES = 50;
    static final double DEFAULT_RIDGE = 0.01;
    static final String DEFAULT_ORIENTATION = "majority";
    static final boolean DEFAULT_WARM_START = false;

    Options {
        inOpen("alpha", alpha, 0, 1);
        inRange("maxConditioningSet", maxConditioningSet, 0, MAX_CONDITIONING);
        atLeast("every", every, 1);
        inClosedOpen("learningRate", learningRate, 0, 1);
        inClosedOpen("driftForget", driftForget, 0, 1);
        atLeast("minSamples", minSamples, 1);
        atLeast("ridge", ridge, 0);
        oneOf("orientation", orientation, ORIENTATIONS);
    }

    static Options defaults() {
        return new Options(DEFAULT_ALPHA, DEFAULT_MAX_CONDITIONING_SET, DEFAULT_EVERY, DEFAULT_LEARNING_RATE,
                DEFAULT_DRIFT_FORGET, DEFAULT_MIN_SAMPLES, DEFAULT_RIDGE, DEFAULT_ORIENTATION, DEFAULT_WARM_START);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        double alpha = config.getDouble("alpha", DEFAULT_ALPHA);
        int maxConditioningSet = config.getInt("maxConditioningSet", DEFAULT_MAX_CONDITIONING_SET);
        int every = config.getInt("every", DEFAULT_EVERY);
        double learningRate = config.getDouble("learningRate", DEFAULT_LEARNING_RATE);
        double driftForget = config.getDouble("driftForget", DEFAULT_DRIFT_FORGET);
        int minSamples = config.getInt("minSamples", DEFAULT_MIN_SAMPLES);
        double ridge = config.getDouble("ridge", DEFAULT_RIDGE);
        String orientation = config.getString("orientation", DEFAULT_ORIENTATION);
        boolean warmStart = config.getBoolean("warmStart", DEFAULT_WARM_START);
        try {
            return new Options(alpha, maxConditioningSet, every, learningRate, driftForget, minSamples, ridge, orientation,
                    warmStart);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
