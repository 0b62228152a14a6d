package io.scarcity.runtime.client;

import java.util.Map;
import java.util.Objects;

/**
 * Counters a client plugin reported through its {@link io.scarcity.api.MetricsSink} in one round,
 * with what the runtime measured of each expert.
 */
public record RoundMetrics(Map<String, ExpertRound> experts, Map<String, Double> plugins) {
    public RoundMetrics {
        Objects.requireNonNull(experts, "experts is null");
        Objects.requireNonNull(plugins, "plugins is null");
    }

    /**
     * One expert instance over a round: batches it was active on, its own prequential loss while active
     * (NaN if never active or not predicting), rows it learned from and its learning rate.
     */
    public record ExpertRound(long activations, double loss, long samples, double learningRate) {
    }
}
