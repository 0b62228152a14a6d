package io.scarcity.api;

import java.util.Map;

/**
 * Chooses which predicting experts are active on a batch and how their predictions mix, and learns
 * from rewards. Inactive experts do no work on that batch.
 *
 * <p>Call order per batch: {@link #route}, then (after the test step) {@link #reward} with the
 * rewards of exactly the experts it activated. {@link #adoptPriors} is called between rounds.
 * Threading: one instance per client, called from one thread at a time.
 */
public interface Router {
    /**
     * Routes a batch.
     *
     * @param context never {@code null}; {@code context.candidates()} is non-empty
     * @return a routing over a non-empty subset of the candidates, never {@code null}
     */
    Routing route(RoutingContext context);

    /**
     * Feedback for the last routing.
     *
     * @param routing the routing returned by the last {@link #route} call, never {@code null}
     * @param rewards reward in [0, 1] per active expert (1 = no loss), keyed by instance name; never
     *        {@code null}, empty for an unlabelled batch
     */
    void reward(Routing routing, Map<String, Double> rewards);

    /**
     * Adopts the coordinator's priors (expected reward in [0, 1] per expert instance for this client's
     * domain) so that a new client starts informed. Default: ignore.
     *
     * @param priors never {@code null}; may lack some experts
     * @param weight how many pulls' worth of evidence the prior is worth (>= 0)
     */
    default void adoptPriors(Map<String, Double> priors, double weight) {
    }
}
