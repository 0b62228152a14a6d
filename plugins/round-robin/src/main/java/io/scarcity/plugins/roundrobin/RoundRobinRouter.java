package io.scarcity.plugins.roundrobin;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.Router;
import io.scarcity.api.Routers;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A fixed rotation over the candidates: with {@code n} distinct candidates {@code c_0 .. c_{n-1}} (a
 * repeated name counts once, at its first position) and a position {@code p}, a batch activates
 * {@code c_{(s + j) mod n}} for {@code j = 0 .. min(k, n) - 1}, where {@code s = p mod n}, each with
 * weight {@code 1 / min(k, n)}, and the position becomes {@code (s + k) mod n}. With {@code k = 1} every
 * expert gets every {@code n}-th batch.
 *
 * <p>The position is an index into whatever the current candidate list is, taken modulo its size, so
 * experts may join or leave between calls: the rotation carries on from the same index of the new list.
 *
 * <p>It learns nothing: {@link #reward} and {@link #adoptPriors} are ignored. Option: {@code k}
 * (default 1). Reports no metrics. The checkpoint holds the format version (not {@code k}: the runtime
 * resumes only under the same config) and the position.
 *
 * <p>Use it as the fair-share baseline: every expert sees the same share of the stream and the same
 * cost per batch as a top-k router, with no learning; on a bandit its regret grows linearly, at
 * {@code T * (mu* - mean mu)}, which is what a learning router must beat.
 */
final class RoundRobinRouter implements Router, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}; 2 left {@code k} out. */
    static final int STATE_VERSION = 2;

    private final Options options;
    private int position;

    RoundRobinRouter(Options options) {
        this.options = Objects.requireNonNull(options, "options is null");
    }

    @Override
    public Routing route(RoutingContext context) {
        List<String> candidates = Routers.distinctCandidates(context);
        int n = candidates.size();
        int start = position % n;
        int k = Math.min(options.k(), n);
        List<String> active = new ArrayList<>(k);
        for (int j = 0; j < k; j++) {
            active.add(candidates.get((start + j) % n));
        }
        // long arithmetic: start + k may exceed an int for a huge k
        position = (int) (((long) start + options.k()) % n);
        return Routing.uniform(active);
    }

    /** Ignored: the rotation does not depend on rewards. */
    @Override
    public void reward(Routing routing, Map<String, Double> rewards) {
        Objects.requireNonNull(routing, "routing is null");
        Objects.requireNonNull(rewards, "rewards is null");
    }

    /** Ignored: the rotation does not depend on priors. */
    @Override
    public void adoptPriors(Map<String, Double> priors, double weight) {
        Objects.requireNonNull(priors, "priors is null");
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeInt(position);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("round-robin router", STATE_VERSION);
        int p = in.readInt();
        if (p < 0) {
            throw new IOException("round-robin router: corrupt checkpoint, position " + p);
        }
        position = p;
    }

    /** The index into the candidate list at which the next batch's rotation starts (before the modulo). */
    int position() {
        return position;
    }
}
