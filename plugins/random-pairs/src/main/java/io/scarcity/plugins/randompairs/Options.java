package io.scarcity.plugins.randompairs;

import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inOpenClosed;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of random-pairs gossip.
 *
 * @param every gossip on rounds that are a multiple of this, >= 1
 * @param fraction fraction of the peers (rounded up) taking part each time, in (0, 1]
 * @param experts how many of a client's most active experts are exchanged, >= 0; 0 = all gossipable
 * @param sameDomain whether peers are only paired within their domain
 */
record Options(int every, double fraction, int experts, boolean sameDomain) {
    static final int DEFAULT_EVERY = 1;
    static final double DEFAULT_FRACTION = 1.0;
    static final int DEFAULT_EXPERTS = 3;
    static final boolean DEFAULT_SAME_DOMAIN = false;

    Options {
        atLeast("every", every, 1);
        inOpenClosed("fraction", fraction, 0, 1);
        atLeast("experts", experts, 0);
    }

    static Options defaults() {
        return new Options(DEFAULT_EVERY, DEFAULT_FRACTION, DEFAULT_EXPERTS, DEFAULT_SAME_DOMAIN);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int every = config.getInt("every", DEFAULT_EVERY);
        double fraction = config.getDouble("fraction", DEFAULT_FRACTION);
        int experts = config.getInt("experts", DEFAULT_EXPERTS);
        boolean sameDomain = config.getBoolean("sameDomain", DEFAULT_SAME_DOMAIN);
        try {
            return new Options(every, fraction, experts, sameDomain);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
