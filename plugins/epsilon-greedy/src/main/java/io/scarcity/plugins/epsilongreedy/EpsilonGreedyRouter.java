package io.scarcity.plugins.epsilongreedy;

import io.scarcity.api.BanditArms;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.Router;
import io.scarcity.api.Routers;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Epsilon-greedy over the candidate experts. The greedy choice is the {@code k} candidates with the
 * highest empirical mean reward {@code s_i / n_i} ({@code n_i} the expert's discounted reward count,
 * {@code s_i} its discounted reward sum), experts never tried ({@code n_i = 0}) first, ties to the
 * earlier candidate. Then each of the {@code k} slots, in rank order, is replaced with probability
 * <pre>
 *   epsilon_t = max(minEpsilon, epsilon / (1 + decay * t))      (t = routes before this one)
 * </pre>
 * by a candidate drawn uniformly among the non-greedy candidates not drawn yet for an earlier slot (no
 * replacement when there is none left, e.g. when {@code k} covers all candidates).
 * The active experts are listed in candidate order.
 *
 * <p>Mixture weights: {@code uniform}, or {@code reward} (default): the empirical means, floored at
 * {@value #WEIGHT_FLOOR} (an untried expert counts as 0), normalised.
 *
 * <p>With {@code discount < 1} every count and reward sum is multiplied by the discount on each route
 * (as in {@code ucb}), so old evidence fades and the greedy choice follows a drifting best expert; the
 * means of experts that are not pulled are unchanged by it, only their weight against new evidence.
 *
 * <p>Experts may join or leave the candidates between calls; a new name starts untried (so it is
 * tried first) and the statistics of one that leaves are kept in case it returns. Priors from the
 * coordinator count as {@code weight} pseudo-rewards at the prior mean, for experts this client has not
 * rewarded yet; an expert with a prior is no longer untried.
 *
 * <p>Metrics: {@code epsilon-greedy.explorations} counts the slots replaced by a random candidate;
 * {@code epsilon-greedy.epsilon} is the exploration probability of the latest routing.
 *
 * <p>Checkpoints hold the format version (not the options: the runtime resumes only under the same config),
 * the number of routes {@code t}, the random
 * generator and every arm ever seen with its count, reward sum and whether this client rewarded it
 * ({@link BanditArms}).
 *
 * <p>When to use it: the simplest baseline, with a predictable, tunable amount of exploration that does
 * not depend on the reward scale; {@code ucb} or {@code thompson} usually have lower regret because
 * they explore only experts that could still be the best.
 */
final class EpsilonGreedyRouter implements Router, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}; 2 left the options out. */
    static final int STATE_VERSION = 2;

    /** Least mean reward counted by reward weighting, so that no active expert gets weight zero. */
    static final double WEIGHT_FLOOR = 0.01;

    private static final String COMPONENT = "epsilon-greedy router";

    private final Options options;
    private final MetricsSink metrics;
    /** Replaced on restore. */
    private BanditArms arms = new BanditArms();
    private Random random;
    private long routes;

    EpsilonGreedyRouter(Options options, Random random, MetricsSink metrics) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
    }

    @Override
    public Routing route(RoutingContext context) {
        List<String> candidates = Routers.distinctCandidates(context);
        arms.discount(options.discount());
        double epsilon = options.epsilonAt(routes);
        routes++;
        int n = candidates.size();
        BanditArms.Arm[] candidateArms = new BanditArms.Arm[n];
        double[] key = new double[n];
        for (int i = 0; i < n; i++) {
            BanditArms.Arm arm = arms.arm(candidates.get(i));
            candidateArms[i] = arm;
            key[i] = arm.tried() ? arm.mean() : Double.POSITIVE_INFINITY;
        }
        int k = Math.min(options.k(), n);
        int[] slots = Routers.topK(key, k);
        boolean[] greedy = new boolean[n];
        for (int slot : slots) {
            greedy[slot] = true;
        }
        boolean[] selected = greedy.clone();
        int others = n - k;
        long explorations = 0;
        for (int j = 0; j < k; j++) {
            // One draw per slot whatever happens, so that the random sequence does not depend on the outcome.
            if (random.nextDouble() >= epsilon || others == 0) {
                continue;
            }
            int pick = random.nextInt(others);
            for (int i = 0; i < n; i++) {
                if (!greedy[i] && !selected[i] && pick-- == 0) {
                    selected[slots[j]] = false;
                    selected[i] = true;
                    others--;
                    explorations++;
                    break;
                }
            }
        }
        if (explorations > 0) {
            metrics.count("epsilon-greedy.explorations", explorations);
        }
        metrics.gauge("epsilon-greedy.epsilon", epsilon);
        return Routers.weighted(candidates, selected, i -> options.weighting() == Options.Weighting.UNIFORM ? 1.0
                : Math.max(WEIGHT_FLOOR, candidateArms[i].mean()));
    }


    @Override
    public void reward(Routing routing, Map<String, Double> rewards) {
        arms.reward(routing, rewards);
    }

    /**
     * Sets each named expert that this client has not rewarded yet to {@code weight} pseudo-rewards
     * with mean {@code prior} (clamped to [0, 1]), replacing an earlier prior. A weight of 0 (or a
     * non-finite one) changes nothing.
     */
    @Override
    public void adoptPriors(Map<String, Double> priors, double weight) {
        arms.adoptPriors(priors, weight);
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeLong(routes);
        out.writeRandom(random);
        arms.save(out);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion(COMPONENT, STATE_VERSION);
        long restoredRoutes = in.readLong();
        if (restoredRoutes < 0) {
            throw new IOException(COMPONENT + ": corrupt checkpoint, " + restoredRoutes + " routes");
        }
        Random restoredRandom = in.readRandom();
        BanditArms restored = BanditArms.read(in, COMPONENT, "");
        // Only replaced once everything was read, so that a failed restore leaves the router as it was.
        routes = restoredRoutes;
        random = restoredRandom;
        arms = restored;
    }

    /** Effective number of rewards of an expert (pseudo-rewards included), 0 if unknown. */
    double pulls(String expert) {
        return arms.pulls(expert);
    }

    /** Empirical mean reward of an expert, 0 if unknown. */
    double mean(String expert) {
        return arms.mean(expert);
    }

    /** Routes so far. */
    long routes() {
        return routes;
    }
}
