package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;

/**
 * The coordinator's own settings.
 *
 * @param memoryPerDomain insights kept per domain in the global memory (oldest trimmed)
 * @param priorWeight pulls' worth of evidence a client's router gives the coordinator's priors
 */
public record CoordinatorConfig(int memoryPerDomain, double priorWeight) {
    public CoordinatorConfig {
        if (memoryPerDomain < 1) {
            throw new ConfigException("memoryPerDomain", "expected a whole number >= 1, got " + memoryPerDomain);
        }
        if (!(priorWeight >= 0) || Double.isInfinite(priorWeight)) {
            throw new ConfigException("priorWeight", "expected a finite number >= 0, got " + priorWeight);
        }
    }
}
