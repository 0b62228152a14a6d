package io.scarcity.plugins.drift;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the Page-Hinkley drift detector.
 *
 * @param delta magnitude of change tolerated per row, >= 0
 * @param lambda detection threshold on the Page-Hinkley statistic, > 0
 * @param alpha fading factor of the cumulative sum, in (0, 1]; 1 = no fading
 * @param minInstances rows since the last reset before a detection may fire, >= 1
 * @param warningFraction fraction of {@code lambda} above which the warning is raised, in (0, 1)
 */
record Options(double delta, double lambda, double alpha, int minInstances, double warningFraction) {
    static final double DEFAULT_DELTA = 0.005;
    static final double DEFAULT_LAMBDA = 50;
    static final double DEFAULT_ALPHA = 0.9999;
    static final int DEFAULT_MIN_INSTANCES = 30;
    static final double DEFAULT_WARNING_FRACTION = 0.5;

    Options {
        if (!(delta >= 0) || Double.isInfinite(delta)) {
            throw new InvalidOptionException("delta", "must be finite and >= 0, got " + delta);
        }
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new InvalidOptionException("lambda", "must be finite and > 0, got " + lambda);
        }
        if (!(alpha > 0 && alpha <= 1)) {
            throw new InvalidOptionException("alpha", "must be in (0, 1], got " + alpha);
        }
        if (minInstances < 1) {
            throw new InvalidOptionException("minInstances", "must be >= 1, got " + minInstances);
        }
        if (!(warningFraction > 0 && warningFraction < 1)) {
            throw new InvalidOptionException("warningFraction", "must be in (0, 1), got " + warningFraction);
        }
    }

    static Options defaults() {
        return new Options(DEFAULT_DELTA, DEFAULT_LAMBDA, DEFAULT_ALPHA, DEFAULT_MIN_INSTANCES, DEFAULT_WARNING_FRACTION);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        double delta = config.getDouble("delta", DEFAULT_DELTA);
        double lambda = config.getDouble("lambda", DEFAULT_LAMBDA);
        double alpha = config.getDouble("alpha", DEFAULT_ALPHA);
        int minInstances = config.getInt("minInstances", DEFAULT_MIN_INSTANCES);
        double warningFraction = config.getDouble("warningFraction", DEFAULT_WARNING_FRACTION);
        try {
            return new Options(delta, lambda, alpha, minInstances, warningFraction);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
