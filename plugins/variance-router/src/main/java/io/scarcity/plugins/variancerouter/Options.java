package io.scarcity.plugins.variancerouter;

import static io.scarcity.api.OptionChecks.inClosed;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Validated options of the variance router.
 *
 * @param threshold spread at or above which a batch counts as high-variance, in [0, 1]
 * @param high expert instances for high-variance batches; {@code null} when not configured
 * @param low expert instances for low-variance batches; {@code null} when not configured
 */
record Options(double threshold, List<String> high, List<String> low) {
    static final double DEFAULT_THRESHOLD = 0.5;

    Options {
        inClosed("threshold", threshold, 0, 1);
        high = check("high", high);
        low = check("low", low);
        if (high != null && low != null) {
            for (String name : high) {
                if (low.contains(name)) {
                    throw new InvalidOptionException("low", "expert '" + name + "' is in both high and low; "
                            + "an expert can serve only one kind of batch");
                }
            }
        }
    }

    private static List<String> check(String key, List<String> names) {
        if (names == null) {
            return null;
        }
        if (names.isEmpty()) {
            throw new InvalidOptionException(key, "must name at least one expert instance; "
                    + "omit the key to fall back to all candidates");
        }
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw new InvalidOptionException(key, "expert instance names must not be blank");
            }
            if (!seen.add(name)) {
                throw new InvalidOptionException(key, "expert '" + name + "' is listed twice");
            }
        }
        return List.copyOf(names);
    }

    /** Whether neither list was configured: the first two candidates are used instead. */
    boolean unconfigured() {
        return high == null && low == null;
    }

    static Options defaults() {
        return new Options(DEFAULT_THRESHOLD, null, null);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        double threshold = config.getDouble("threshold", DEFAULT_THRESHOLD);
        List<String> high = config.getStringList("high", null);
        List<String> low = config.getStringList("low", null);
        try {
            return new Options(threshold, high, low);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
