package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;

/**
 * The coordinator's own settings.
 *
 * @param memoryPerDomain insights kept per domain in the global memory (oldest trimmed)
 * @param priorWeight pulls' worth of evidence a client's router gives the coordinator's priors
 * @param heartbeatTimeout rounds a client may stay silent before it is dropped from aggregation and gossip
 * @param reliabilityWindow rounds over which a client's reliability (share of rounds reported) is measured
 * @param convergence when the federation counts as converged
 * @param store where the global memory lives (SQLite in the run folder by default, or PostgreSQL)
 * @param maxInsightBytes an insight larger than this (serialized) is rejected
 * @param roundDeadline networked runs: seconds a host has to play a round before its clients are left out of
 *        it (0 = wait as long as it takes)
 * @param minClients networked runs: clients that must have played a round for it to count; fewer stop the run
 *        (0 = any number)
 */
public record CoordinatorConfig(int memoryPerDomain, double priorWeight, int heartbeatTimeout, int reliabilityWindow,
                                ConvergenceConfig convergence, StoreConfig store, long maxInsightBytes, double roundDeadline,
                                int minClients) {
    public CoordinatorConfig {
        if (memoryPerDomain < 1) {
            throw new ConfigException("memoryPerDomain", "expected a whole number >= 1, got " + memoryPerDomain);
        }
        if (!(priorWeight >= 0) || Double.isInfinite(priorWeight)) {
            throw new ConfigException("priorWeight", "expected a finite number >= 0, got " + priorWeight);
        }
        if (heartbeatTimeout < 0) {
            throw new ConfigException("heartbeatTimeout", "expected a whole number of rounds >= 0, got " + heartbeatTimeout);
        }
        if (reliabilityWindow < 1) {
            throw new ConfigException("reliabilityWindow", "expected a whole number of rounds >= 1, got " + reliabilityWindow);
        }
        if (store == null) {
            throw new ConfigException("store", "is required");
        }
        if (maxInsightBytes < 1024) {
            throw new ConfigException("maxInsightBytes", "expected at least 1024 bytes, got " + maxInsightBytes);
        }
        if (!(roundDeadline >= 0) || Double.isInfinite(roundDeadline)) {
            throw new ConfigException("roundDeadline", "expected a finite number of seconds >= 0 (0 = no deadline), got " + roundDeadline);
        }
        if (minClients < 0) {
            throw new ConfigException("minClients", "expected a whole number >= 0 (0 = any), got " + minClients);
        }
        if (convergence == null) {
            throw new ConfigException("convergence", "is required");
        }
    }
}
