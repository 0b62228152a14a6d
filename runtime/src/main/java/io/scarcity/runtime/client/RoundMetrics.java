package io.scarcity.runtime.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Counters a client plugin reported through its {@link io.scarcity.api.MetricsSink} in one round,
 * with what the runtime measured of each expert and of the routing.
 *
 * @param expertBatches predicting candidates summed over the round's batches (experts x batches)
 * @param idleExpertBatches of those, the expert-batches on which the expert did no work: not routed, not
 *        trained (under {@code mixture.training: all} unless frozen) and not replayed into by a supervisor;
 *        the compute the router saved
 */
public record RoundMetrics(Map<String, ExpertRound> experts, Map<String, Double> plugins, long expertBatches,
                           long idleExpertBatches) {
    public RoundMetrics {
        Objects.requireNonNull(experts, "experts is null");
        Objects.requireNonNull(plugins, "plugins is null");
        if (expertBatches < 0 || idleExpertBatches < 0 || idleExpertBatches > expertBatches) {
            throw new IllegalArgumentException("invalid routing counts: " + idleExpertBatches + " idle of " + expertBatches);
        }
    }

    /** Share of the expert-batches the routing saved, NaN without any. */
    public double computeSaved() {
        return expertBatches == 0 ? Double.NaN : (double) idleExpertBatches / expertBatches;
    }

    /**
     * Per routing candidate (predicting expert), the batches the router activated it on, zeros included;
     * analysers, which run on every batch, are not in it.
     */
    public Map<String, Long> routed() {
        Map<String, Long> routed = new LinkedHashMap<>();
        experts.forEach((name, e) -> {
            if (e.candidate()) {
                routed.put(name, e.activations());
            }
        });
        return routed;
    }

    /**
     * One expert instance over a round: batches it was active on, its own prequential loss while active
     * (NaN if never active or not predicting), rows it learned from, its learning rate, and whether it is a
     * routing candidate (predicts) rather than an analyser.
     */
    public record ExpertRound(long activations, double loss, long samples, double learningRate, boolean candidate) {
    }
}
