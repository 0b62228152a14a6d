package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;

/**
 * Simulated client outages (in-process engine): each round an online client goes offline with
 * probability {@code offlineRate} for {@code offlineRounds} rounds.
 */
public record FaultsConfig(double offlineRate, int offlineRounds) {
    public FaultsConfig {
        if (!(offlineRate >= 0 && offlineRate < 1)) {
            throw new ConfigException("offlineRate", "expected a probability in [0, 1), got " + offlineRate);
        }
        if (offlineRounds < 1) {
            throw new ConfigException("offlineRounds", "expected a whole number >= 1, got " + offlineRounds);
        }
    }
}
