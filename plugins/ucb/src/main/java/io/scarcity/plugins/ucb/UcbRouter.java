package io.scarcity.plugins.ucb;

import io.scarcity.api.BanditArms;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.Router;
import io.scarcity.api.Routers;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.RoutingFeatures;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An upper-confidence-bound bandit over the candidate experts, activating the {@code k} with the
 * highest index; equal indices are broken by candidate order, so routing is deterministic (the router
 * draws no random numbers).
 *
 * <p><b>{@code context: none} (default): UCB1.</b> Index {@code mean_i + c * sqrt(2 ln N / n_i)}, where
 * {@code n_i} counts the rewards of expert {@code i}, {@code N} the rewards of all current candidates and
 * {@code c} is {@code exploration}. Experts never tried come first, in candidate order.
 *
 * <p><b>{@code context: linear}: LinUCB</b> (Li et al. 2010, disjoint model) over the batch's
 * {@link RoutingFeatures} vector {@code x} (8 components in [0, 1], the first a bias of 1). Per expert a
 * ridge model {@code A_i = lambda I + sum x x^T}, {@code b_i = sum r x} over the contexts it was rewarded
 * on, {@code theta_i = A_i^-1 b_i}; index {@code theta_i^T x + alpha * sqrt(x^T A_i^-1 x)}. {@code A_i^-1} is
 * kept by Sherman-Morrison updates (see {@link RidgeArm}). A reward is credited at the context of the last
 * {@link #route} (the bias-only context if there was none). Unlike UCB1's, the bonus does not grow with
 * time, so an expert that was unlucky early in one region of the context can be dropped there for good
 * ({@code discount < 1} or a larger {@code alpha} prevent it).
 *
 * <p>When to use: UCB1 when one expert is best whatever the batch (one number per expert to learn;
 * {@code thompson} is the randomised alternative); LinUCB when which expert is best depends on the batch
 * (drift, novelty, outliers, missing values), where any context-free router pays a constant regret per batch.
 *
 * <p>With {@code discount < 1} both become discounted (Garivier and Moulines): on each route every
 * arm's count and reward sum (UCB1), or {@code A_i <- g A_i + (1 - g) lambda I} and {@code b_i <- g b_i}
 * (LinUCB), so old evidence fades and the router follows a drifting best expert.
 *
 * <p>Experts may join or leave the candidates between calls; a new name starts untried (UCB1 tries it
 * next, LinUCB gives it the widest confidence) and the
 * statistics of one that leaves are kept in case it returns. Priors from the coordinator count as
 * {@code weight} pseudo-rewards at the prior mean {@code p}, for experts this client has not rewarded yet
 * (replacing an earlier prior); under LinUCB they are {@code weight} observations of reward {@code p} at
 * the bias-only context {@code (1, 0, ..., 0)}: {@code A = lambda I + weight e0 e0^T},
 * {@code b = weight p e0}, i.e. a predicted reward of {@code weight p / (lambda + weight)} in every context
 * until the expert's own rewards say otherwise. Such a prior narrows only the bias direction of the
 * confidence ellipsoid, so it steers the first choices but with a large {@code alpha} the bonus in the other
 * directions still makes LinUCB try every expert early.
 *
 * <p>Weights ({@code weighting: reward}): proportional to the mean reward (UCB1) or the predicted reward
 * {@code theta_i^T x} clamped to [{@link #WEIGHT_FLOOR}, 1] (LinUCB), floored so that no active expert is
 * silenced; {@code weighting: uniform} gives equal weights.
 *
 * <p>Options: {@code k} (1), {@code discount} (1), {@code weighting} (reward), {@code context} (none);
 * UCB1 only: {@code exploration} (1); LinUCB only: {@code alpha} (1), {@code ridge} (lambda, 1).
 *
 * <p>Reports {@code ucb.explorations}: activations of an expert that the greedy choice (highest mean,
 * or highest predicted reward under LinUCB) would not have made.
 *
 * <p>Checkpoints hold the format version (not the options: the runtime resumes only under the same config)
 * and every arm ever seen (candidate or not): its discounted pull count, reward sum and whether this client rewarded
 * it ({@link BanditArms}); under LinUCB also each arm's {@code A}, {@code A^-1} and {@code b}, the {@link RoutingFeatures}'
 * running statistics and the context of the last route.
 */
final class UcbRouter implements Router, Checkpointable {
    /**
     * Version of the checkpoint format written by {@link #saveState}; 2 added the options and LinUCB, 3 left the
     * options out again (the runtime refuses to resume under a changed config).
     */
    static final int STATE_VERSION = 3;

    /** Least mean reward counted by reward weighting, so that no active expert gets weight zero. */
    static final double WEIGHT_FLOOR = 0.01;

    private static final String COMPONENT = "ucb router";

    private final Options options;
    private final MetricsSink metrics;
    /** Every arm's count, reward sum and whether this client rewarded it; replaced on restore. */
    private BanditArms arms = new BanditArms();
    /**
     * LinUCB: every arm's model, created with the arm (see {@link #arm}) so that both see the same discounts;
     * empty under {@code context: none}. Replaced on restore.
     */
    private Map<String, RidgeArm> models = new HashMap<>();
    /** LinUCB's context extractor, {@code null} under {@code context: none}. */
    private RoutingFeatures features;
    /** LinUCB: the context of the last route, at which the next rewards are credited. */
    private double[] lastContext;

    UcbRouter(Options options, MetricsSink metrics) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
        this.features = linear() ? new RoutingFeatures() : null;
    }

    private boolean linear() {
        return options.context() == Options.Context.LINEAR;
    }

    /** The arm of {@code name}, created (under LinUCB with its model) if new. */
    private BanditArms.Arm arm(String name) {
        model(name);
        return arms.arm(name);
    }

    /** LinUCB: the model of {@code name}, created if new; {@code null} under {@code context: none}. */
    private RidgeArm model(String name) {
        return linear() ? models.computeIfAbsent(name, x -> new RidgeArm(RoutingFeatures.SIZE, options.ridge())) : null;
    }

    @Override
    public Routing route(RoutingContext context) {
        List<String> candidates = Routers.distinctCandidates(context);
        arms.discount(options.discount());
        if (options.discount() < 1) {
            for (RidgeArm model : models.values()) {
                model.discount(options.discount(), options.ridge());
            }
        }
        int n = candidates.size();
        BanditArms.Arm[] candidateArms = new BanditArms.Arm[n];
        for (int i = 0; i < n; i++) {
            candidateArms[i] = arm(candidates.get(i));
        }
        double[] index = new double[n];
        double[] greedy = new double[n];
        if (linear()) {
            double[] x = features.extract(context);
            lastContext = x;
            for (int i = 0; i < n; i++) {
                RidgeArm model = models.get(candidates.get(i));
                greedy[i] = model.predict(x);
                index[i] = greedy[i] + options.alpha() * model.width(x);
            }
        } else {
            ucb1Indices(candidateArms, index, greedy);
        }
        int k = Math.min(options.k(), n);
        boolean[] chosen = Routers.topKMask(index, k);
        boolean[] exploit = Routers.topKMask(greedy, k);
        long explorations = Routers.explorations(chosen, exploit);
        if (explorations > 0) {
            metrics.count("ucb.explorations", explorations);
        }
        return Routers.weighted(candidates, chosen, i -> {
            if (options.weighting() == Options.Weighting.UNIFORM) {
                return 1.0;
            } else if (linear()) {
                return Math.min(1.0, Math.max(WEIGHT_FLOOR, greedy[i]));
            }
            return Math.max(WEIGHT_FLOOR, candidateArms[i].mean());
        });
    }

    private void ucb1Indices(BanditArms.Arm[] candidateArms, double[] index, double[] greedy) {
        double total = 0;
        for (BanditArms.Arm arm : candidateArms) {
            total += arm.pulls();
        }
        double logTotal = Math.log(Math.max(total, 1.0));
        for (int i = 0; i < candidateArms.length; i++) {
            BanditArms.Arm arm = candidateArms[i];
            greedy[i] = arm.tried() ? arm.mean() : Double.NEGATIVE_INFINITY;
            // No bonus without exploration: 0 x an overflowing sqrt (an arm discounted to almost nothing) is NaN.
            index[i] = arm.tried()
                    ? arm.mean() + (options.exploration() > 0 ? options.exploration() * Math.sqrt(2 * logTotal / arm.pulls()) : 0.0)
                    : Double.POSITIVE_INFINITY;
        }
    }


    @Override
    public void reward(Routing routing, Map<String, Double> rewards) {
        arms.reward(routing, rewards, (name, clamped) -> {
            RidgeArm model = model(name);
            if (model != null) {
                model.observe(lastContext != null ? lastContext : biasOnly(), clamped);
            }
        });
    }

    private static double[] biasOnly() {
        double[] x = new double[RoutingFeatures.SIZE];
        x[0] = 1.0;
        return x;
    }

    /**
     * Sets each named expert that this client has not rewarded yet to {@code weight} pseudo-rewards
     * with mean {@code prior} (clamped to [0, 1]), replacing an earlier prior; under LinUCB, at the
     * bias-only context. A weight of 0 (or a non-finite one) changes nothing.
     */
    @Override
    public void adoptPriors(Map<String, Double> priors, double weight) {
        arms.adoptPriors(priors, weight, (name, p) -> {
            RidgeArm model = model(name);
            if (model != null) {
                model.setPrior(options.ridge(), weight, p);
            }
        });
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        arms.save(out, (name, o) -> {
            if (linear()) {
                models.get(name).save(o);
            }
        });
        if (linear()) {
            features.save(out);
            out.writeBoolean(lastContext != null);
            if (lastContext != null) {
                out.writeDoubles(lastContext);
            }
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion(COMPONENT, STATE_VERSION);
        Map<String, RidgeArm> restoredModels = new HashMap<>();
        BanditArms restored = BanditArms.read(in, COMPONENT, "", (name, i) -> {
            if (linear()) {
                RidgeArm model = new RidgeArm(RoutingFeatures.SIZE, options.ridge());
                model.restore(i);
                restoredModels.put(name, model);
            }
        });
        RoutingFeatures restoredFeatures = null;
        double[] restoredContext = null;
        if (linear()) {
            restoredFeatures = new RoutingFeatures();
            restoredFeatures.restore(in);
            if (in.readBoolean()) {
                restoredContext = in.readDoubles(RoutingFeatures.SIZE, "LinUCB last context");
            }
        }
        // Only replaced once everything was read, so that a failed restore leaves the router as it was.
        arms = restored;
        models = restoredModels;
        features = restoredFeatures;
        lastContext = restoredContext;
    }

    /** Effective number of rewards of an expert (pseudo-rewards included), 0 if unknown. */
    double pulls(String expert) {
        return arms.pulls(expert);
    }

    /** Empirical mean reward of an expert, 0 if unknown. */
    double mean(String expert) {
        return arms.mean(expert);
    }

    /** LinUCB: the predicted reward of an expert at context {@code x}; UCB1: its mean (x ignored). */
    double predicted(String expert, double[] x) {
        if (arms.find(expert) == null) {
            return 0.0;
        }
        return linear() ? models.get(expert).predict(x) : arms.mean(expert);
    }
}
