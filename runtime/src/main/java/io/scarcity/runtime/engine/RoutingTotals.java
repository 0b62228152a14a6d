package io.scarcity.runtime.engine;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the routers did over a run, summed over clients and batches.
 *
 * @param expertBatches predicting candidates summed over every client's batches (experts x batches)
 * @param idleExpertBatches of those, expert-batches on which the expert neither predicted nor learned
 * @param activations per routing candidate (predicting expert instance): batches it was routed to, over all
 *        clients, zeros included; analysers, which run on every batch, are not in it
 */
public record RoutingTotals(long expertBatches, long idleExpertBatches, Map<String, Long> activations) {
    public RoutingTotals {
        Objects.requireNonNull(activations, "activations is null");
        activations = java.util.Collections.unmodifiableMap(new TreeMap<>(activations));
    }

    /** Share of the expert-batches that did no work because the router left them out; NaN without batches. */
    public double computeSaved() {
        return expertBatches == 0 ? Double.NaN : (double) idleExpertBatches / expertBatches;
    }
}
