package io.scarcity.plugins.randomrouter;

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
import java.util.Random;

/**
 * Uniform random routing: of the {@code n} distinct candidates (a repeated name counts once), a batch
 * activates {@code m = min(k, n)} distinct ones drawn uniformly without replacement (a partial
 * Fisher-Yates shuffle of the candidate indices: {@code m} calls {@code nextInt(n - j)}), listed in
 * candidate order, each with weight {@code 1 / m}. Every subset of size {@code m} is equally likely, so
 * each expert is active with probability {@code m / n}. When {@code k >= n} every candidate is active and
 * no random number is drawn.
 *
 * <p>All randomness comes from {@code PluginContext.random()}, so the routing is deterministic for a
 * seed. It learns nothing: {@link #reward} and {@link #adoptPriors} are ignored. Option: {@code k}
 * (default 1). Reports no metrics. The checkpoint holds the format version (not {@code k}: the runtime
 * resumes only under the same config) and the random generator's exact position.
 *
 * <p>Use it as the chance baseline: its expected regret on a bandit is {@code T * (mu* - mean mu)},
 * linear in {@code T}; a learning router is only worth its cost if it does clearly better. Prefer
 * round-robin when the same share per expert is wanted without sampling noise.
 */
final class RandomRouter implements Router, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}; 2 left {@code k} out. */
    static final int STATE_VERSION = 2;

    private final Options options;
    private Random random;

    RandomRouter(Options options, Random random) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.random = Objects.requireNonNull(random, "random is null");
    }

    @Override
    public Routing route(RoutingContext context) {
        List<String> candidates = Routers.distinctCandidates(context);
        int n = candidates.size();
        int m = Math.min(options.k(), n);
        if (m == n) {
            return Routing.uniform(candidates);
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        boolean[] chosen = new boolean[n];
        for (int j = 0; j < m; j++) {
            int pick = j + random.nextInt(n - j);
            int swap = order[j];
            order[j] = order[pick];
            order[pick] = swap;
            chosen[order[j]] = true;
        }
        List<String> active = new ArrayList<>(m);
        for (int i = 0; i < n; i++) {
            if (chosen[i]) {
                active.add(candidates.get(i));
            }
        }
        return Routing.uniform(active);
    }

    /** Ignored: the draw does not depend on rewards. */
    @Override
    public void reward(Routing routing, Map<String, Double> rewards) {
        Objects.requireNonNull(routing, "routing is null");
        Objects.requireNonNull(rewards, "rewards is null");
    }

    /** Ignored: the draw does not depend on priors. */
    @Override
    public void adoptPriors(Map<String, Double> priors, double weight) {
        Objects.requireNonNull(priors, "priors is null");
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeRandom(random);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion("random router", STATE_VERSION);
        random = in.readRandom();
    }
}
