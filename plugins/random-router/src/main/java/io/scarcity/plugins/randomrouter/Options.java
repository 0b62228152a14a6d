package io.scarcity.plugins.randomrouter;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.Routers;

/**
 * Validated options of the random router.
 *
 * @param k experts activated per batch, >= 1 (all candidates if k is at least their number)
 */
record Options(int k) {
    static final int DEFAULT_K = 1;

    Options {
        Routers.requireK(k);
    }

    static Options defaults() {
        return new Options(DEFAULT_K);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        return new Options(Routers.readK(config, DEFAULT_K));
    }
}
