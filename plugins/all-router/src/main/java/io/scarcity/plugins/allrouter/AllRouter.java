package io.scarcity.plugins.allrouter;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.Router;
import io.scarcity.api.Routers;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * The dense baseline: every candidate expert is active on every batch, with weight {@code 1 / n} for
 * {@code n} distinct candidates (a repeated name counts once, at its first position), in candidate order.
 *
 * <p>It learns nothing: {@link #reward} and {@link #adoptPriors} are ignored, so the routing of a batch
 * depends only on its candidates. It has no options and reports no metrics. The checkpoint holds only
 * the format version (there is no state), so that runs using it can be resumed.
 *
 * <p>Use it as the reference for quality (the full ensemble: no expert is ever left out) and for cost
 * (every expert works on every batch); a sparse router should come close to its accuracy at a fraction
 * of its work.
 */
final class AllRouter implements Router, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}. */
    static final int STATE_VERSION = 1;

    AllRouter() {
    }

    @Override
    public Routing route(RoutingContext context) {
        return Routing.uniform(Routers.distinctCandidates(context));
    }

    /** Ignored: this router does not learn. */
    @Override
    public void reward(Routing routing, Map<String, Double> rewards) {
        Objects.requireNonNull(routing, "routing is null");
        Objects.requireNonNull(rewards, "rewards is null");
    }

    /** Ignored: every expert is active anyway. */
    @Override
    public void adoptPriors(Map<String, Double> priors, double weight) {
        Objects.requireNonNull(priors, "priors is null");
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("all router", STATE_VERSION);
    }
}
