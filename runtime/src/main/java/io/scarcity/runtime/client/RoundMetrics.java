package io.scarcity.runtime.client;

import java.util.Map;
import java.util.Objects;

/**
 * Counters a client plugin reported through its {@link io.scarcity.api.MetricsSink} in one round,
 * with what the runtime measured of each expert and of the routing.
 *
 * @param expertBatches predicting candidates summed over the round's batches (experts x batches)
 * @param idleExpertBatches of those, the expert-batches on which the expert neither predicted nor learned
 *        (not routed, and not trained under {@code mixture.training: all}, or frozen): the compute the
 *        router saved
 * @param routed per routing candidate (predicting expert), the batches the router activated it on, zeros
 *        included (analysers, which run on every batch, are not in it)
 */
public record RoundMetrics(Map<String, ExpertRound> experts, Map<String, Double> plugins, long expertBatches,
                           long idleExpertBatches, Map<String, Long> routed) {
    public RoundMetrics {
        Objects.requireNonNull(experts, "experts is null");
        Objects.requireNonNull(plugins, "plugins is null");
        Objects.requireNonNull(routed, "routed is null");
        if (expertBatches < 0 || idleExpertBatches < 0 || idleExpertBatches > expertBatches) {
            throw new IllegalArgumentException("invalid routing counts: " + idleExpertBatches + " idle of " + expertBatches);
        }
    }

    /** Share of the expert-batches the routing saved, NaN without any. */
    public double computeSaved() {
        return expertBatches == 0 ? Double.NaN : (double) idleExpertBatches / expertBatches;
    }

    /**
     * One expert instance over a round: batches it was active on, its own prequential loss while active
     * (NaN if never active or not predicting), rows it learned from and its learning rate.
     */
    public record ExpertRound(long activations, double loss, long samples, double learningRate) {
    }
}
