package io.scarcity.plugins.softmaxgate;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * A learned mixture-of-experts gate over the routing context with noisy top-k activation (Shazeer et al.
 * 2017, "Outrageously large neural networks"), trained online on the mixture's loss.
 *
 * <p><b>Gate.</b> Each expert {@code i} has a weight vector {@code W_i} over the {@link RoutingFeatures}
 * context {@code x} (8 components in [0, 1], {@code x[0] = 1} the bias), zero for an expert never seen;
 * its logit is {@code z_i = W_i . x}.
 *
 * <p><b>Routing</b> at route number {@code t = 0, 1, ...}: the score of each candidate is
 * {@code z~_i = z_i + b_i + sigma_t * N(0, 1)} with {@code sigma_t = noise / sqrt(1 + noiseDecay * t)} and
 * the exploration bonus {@code b_i = exploration * sqrt(ln(1 + t) / (1 + n_i))}, where {@code n_i} is the
 * expert's discounted count of rewarded activations. The {@code k} highest scores are activated (ties
 * to the earlier candidate); their mixture weights are the softmax of the <em>clean</em> logits over the
 * active set, {@code w_i = exp(z_i / T) / sum_{j active} exp(z_j / T)} ({@code T = temperature}).
 *
 * <p><b>Training</b> on {@code reward} with rewards {@code r_i} in [0, 1] for the active experts (the
 * experts without a finite reward are left out and the weights renormalised over the rest): the mixture's
 * per-batch likelihood surrogate is {@code R = sum_i w_i r_i} (the exact likelihood of a row when the run
 * uses {@code mixture: {reward: likelihood}}), its loss {@code L = -log(max(R, 1e-6))}, whose gradient is
 * {@code dL/dz_i = -(1/T) w_i (r_i - R) / max(R, 1e-6)}. Each active expert takes the SGD step
 * <pre>  W_i += eta_i * ( [(1/T) w_i (r_i - R) / max(R, 1e-6) + anchor * (r_i - s(z_i))] x - l2 W_i )
 *   eta_i = learningRate / sqrt(1 + learningRate * n_i)</pre>
 * where {@code s} is the logistic function and {@code n_i} the expert's discounted count (below). The
 * step starts at {@code learningRate} and shrinks like {@code 1 / sqrt(n_i)} as evidence accumulates, so
 * that on a stationary stream the logits concentrate instead of jittering by a constant step's noise
 * (which keeps confusing experts whose means differ by 0.1 forever, a linear regret); under
 * {@code discount < 1} it never falls below {@code learningRate / sqrt(1 + learningRate / (1 - discount))}
 * (0.030 at the defaults), so the gate keeps tracking. The first term is the mixture's loss. The second, the
 * <em>anchor</em>, is the logistic-regression gradient that fits {@code z_i} to the log-odds of the expert's
 * own reward in this context. It is needed because the mixture's gradients over the active set sum to zero
 * (and vanish when one expert is active): they move the active experts' logits relative to each other but
 * say nothing about an active expert against an inactive one, which is exactly what the top-k choice
 * compares. The two agree: for two experts with independent Bernoulli rewards of means {@code p, q} both
 * have their fixed point at {@code w_1 / w_2 = (p / (1 - p)) / (q / (1 - q))}, the odds ratio. With
 * {@code anchor = 0} the gate is trained on the mixture's loss alone.
 *
 * <p><b>Exploration and load balancing.</b> Besides the decaying noise, the bonus {@code b_i} (a UCB-style
 * optimism in logit units) lets an expert that has not been active come back: its count {@code n_i} is
 * multiplied by {@code discount} on every route, so while it is idle its bonus grows towards
 * {@code exploration * sqrt(ln(1 + t))} and it is eventually retried, and retrained, whatever its old
 * logit. A newly joined candidate starts at {@code n_i = 0}, i.e. with the largest bonus. With
 * {@code discount = 1} the counts never fade and the bonus is that of UCB1 (sublinear regret on a
 * stationary stream, but an expert that improved while idle is never revisited). With the default 0.99
 * idle experts are retried every few dozen batches forever: a small linear regret (about 5 to 9% of
 * uniform routing's on the test bandits) that buys recovery from a switch. The same discount applies
 * to each expert's running mean reward, {@code (sum of discounted rewards) / n_i}, which is kept for
 * inspection and checkpointed.
 *
 * <p><b>Priors</b> from the coordinator, for an expert this client has not rewarded: the prior mean
 * {@code p} worth {@code weight} pulls becomes the posterior log-odds of {@code weight} pseudo-rewards of
 * mean {@code p} under a uniform Beta(1, 1) prior, {@code W_i[0] = ln((weight p + 1) / (weight (1 - p) + 1))}
 * (0 for weight 0, tending to {@code logit(p)} as the weight grows, finite for p = 0 or 1), and sets
 * {@code n_i = weight} (so the expert's bonus and first steps are those of one pulled {@code weight}
 * times) and the running mean to {@code p}. The other weights are left as they are (zero:
 * the expert was never trained here).
 *
 * <p><b>Options</b> (defaults): {@code k} 2, {@code noise} 0.5, {@code noiseDecay} 0.01, {@code temperature}
 * 1, {@code learningRate} 0.1, {@code l2} 1e-4, {@code discount} 0.99, {@code exploration} 0.5,
 * {@code anchor} 1.
 *
 * <p><b>Metrics</b>: counter {@code softmax-gate.explorations}, activations of an expert that the top-k
 * of the clean logits would not have made (because of the noise or the bonus).
 *
 * <p><b>Evidence.</b> The discounted count {@code n_i}, reward sum and whether this client rewarded the
 * expert are kept per expert by {@link BanditArms} (the bookkeeping of the bandit routers): discounted
 * on every route, one count and the clamped reward added per reward, set by a prior unless rewarded here.
 *
 * <p><b>Checkpoint</b>: the format version (not the options: the runtime resumes only under the same
 * config), the route count {@code t}, the random
 * generator, the {@link RoutingFeatures} running statistics, every expert ever seen (the
 * {@link BanditArms} table: discounted count and reward sum, whether this client rewarded it, each
 * followed by the expert's gate weights) and the context, active set and weights of the last routing
 * if it was not yet rewarded.
 *
 * <p><b>When to use it</b>: when which expert is best depends on the context (drift, outliers, novelty)
 * and the mixture weights themselves matter; for a context-free choice of one expert, {@code ucb} learns
 * faster and with fewer assumptions.
 */
final class SoftmaxGateRouter implements Router, Checkpointable {
    /**
     * Version of the checkpoint format written by {@link #saveState}; 2 left the options out, 3 writes the
     * experts as a {@link BanditArms} table (the gate weights after each expert's evidence, not before).
     */
    static final int STATE_VERSION = 3;

    /** Floor of the mixture's likelihood {@code R} in the loss {@code -log R}. */
    static final double MIN_LIKELIHOOD = 1e-6;

    static final String EXPLORATIONS = "softmax-gate.explorations";

    private static final String COMPONENT = "softmax-gate router";

    private final Options options;
    private final MetricsSink metrics;
    /** Each expert's evidence; an expert has an arm exactly when it has gate weights. */
    private BanditArms arms = new BanditArms();
    /** Each expert's gate weights {@code W_i}. */
    private Map<String, double[]> gates = new HashMap<>();
    private Random random;
    private RoutingFeatures features = new RoutingFeatures();
    private long steps;
    /** Context, active set and weights of the last routing, until it is rewarded; {@code null} otherwise. */
    private double[] pendingContext;
    private List<String> pendingActive;
    private double[] pendingWeights;

    SoftmaxGateRouter(Options options, Random random, MetricsSink metrics) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.random = Objects.requireNonNull(random, "random is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
    }

    @Override
    public Routing route(RoutingContext context) {
        List<String> candidates = Routers.distinctCandidates(context);
        double[] x = features.extract(context);
        arms.discount(options.discount());
        long t = steps++;
        double sigma = options.noise() / Math.sqrt(1 + options.noiseDecay() * t);
        double logT = Math.log1p(t);
        int n = candidates.size();
        double[] clean = new double[n];
        double[] noisy = new double[n];
        for (int i = 0; i < n; i++) {
            String name = candidates.get(i);
            clean[i] = logit(gate(name), x);
            double bonus = options.exploration() * Math.sqrt(logT / (1 + arms.pulls(name)));
            noisy[i] = clean[i] + bonus + (sigma > 0 ? sigma * random.nextGaussian() : 0.0);
        }
        int k = Math.min(options.k(), n);
        boolean[] chosen = Routers.topKMask(noisy, k);
        boolean[] greedy = Routers.topKMask(clean, k);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (chosen[i]) {
                max = Math.max(max, clean[i] / options.temperature());
            }
        }
        long explorations = Routers.explorations(chosen, greedy);
        if (explorations > 0) {
            metrics.count(EXPLORATIONS, explorations);
        }
        double shift = max;
        Routing routing = Routers.weighted(candidates, chosen, i -> Math.exp(clean[i] / options.temperature() - shift));
        pendingContext = x;
        pendingActive = routing.active();
        pendingWeights = routing.weights();
        return routing;
    }


    /**
     * Trains the gate on the rewards of the last routing (see the class comment). Ignored when no active
     * expert has a finite reward (an unlabelled batch: the routing stays pending), and when the routing is
     * not the last one returned by {@link #route} (other experts or weights) or was already rewarded: the
     * context it was routed on is gone.
     */
    @Override
    public void reward(Routing routing, Map<String, Double> rewards) {
        Objects.requireNonNull(routing, "routing is null");
        Objects.requireNonNull(rewards, "rewards is null");
        if (pendingContext == null || !routing.active().equals(pendingActive)
                || !Arrays.equals(routing.weights(), pendingWeights)) {
            return;
        }
        List<String> active = routing.active();
        int m = active.size();
        double[] r = new double[m];
        double[] w = new double[m];
        double weightSum = 0;
        for (int i = 0; i < m; i++) {
            r[i] = Routers.unitReward(rewards.get(active.get(i)));
            if (Double.isNaN(r[i])) {
                continue;
            }
            w[i] = routing.weight(i);
            weightSum += w[i];
        }
        if (weightSum <= 0) {
            return;
        }
        double likelihood = 0;
        for (int i = 0; i < m; i++) {
            if (!Double.isNaN(r[i])) {
                w[i] /= weightSum;
                likelihood += w[i] * r[i];
            }
        }
        double floor = Math.max(likelihood, MIN_LIKELIHOOD);
        double[] x = pendingContext;
        double lr = options.learningRate();
        for (int i = 0; i < m; i++) {
            if (Double.isNaN(r[i])) {
                continue;
            }
            String name = active.get(i);
            double[] weights = gate(name);
            double step = lr / Math.sqrt(1 + lr * arms.pulls(name));
            double z = logit(weights, x);
            // Minus the gradient of -log R with respect to z_i, plus the anchor's log-likelihood gradient.
            double g = w[i] * (r[i] - likelihood) / floor / options.temperature()
                    + options.anchor() * (r[i] - sigmoid(z));
            for (int j = 0; j < x.length; j++) {
                weights[j] += step * (g * x[j] - options.l2() * weights[j]);
            }
            arms.reward(name, r[i]);
        }
        pendingContext = null;
        pendingActive = null;
        pendingWeights = null;
    }

    /** The gate weights of {@code expert}, created (zero, with an arm without evidence) if it is new. */
    private double[] gate(String expert) {
        arms.arm(expert);
        return gates.computeIfAbsent(expert, name -> new double[RoutingFeatures.SIZE]);
    }

    private static double logit(double[] weights, double[] x) {
        double z = 0;
        for (int j = 0; j < x.length; j++) {
            z += weights[j] * x[j];
        }
        return z;
    }

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /**
     * For each named expert this client has not rewarded yet: bias weight
     * {@code ln((weight p + 1) / (weight (1 - p) + 1))}, count {@code weight} and running mean {@code p}
     * (the prior clamped to [0, 1]), replacing an earlier prior ({@link BanditArms#adoptPriors}). A weight
     * of 0 (or a non-finite one) changes nothing.
     */
    @Override
    public void adoptPriors(Map<String, Double> priors, double weight) {
        arms.adoptPriors(priors, weight, (expert, p) -> gate(expert)[0] = priorLogOdds(p, weight));
    }

    /** Posterior log-odds of {@code weight} pseudo-rewards of mean {@code p} under a Beta(1, 1) prior. */
    static double priorLogOdds(double p, double weight) {
        return Math.log((weight * p + 1) / (weight * (1 - p) + 1));
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeVersion(STATE_VERSION);
        out.writeLong(steps);
        out.writeRandom(random);
        features.save(out);
        arms.save(out, (expert, o) -> o.writeDoubles(gates.get(expert)));
        out.writeDoubles(pendingContext);
        out.writeInt(pendingActive == null ? -1 : pendingActive.size());
        if (pendingActive != null) {
            for (String name : pendingActive) {
                out.writeString(name);
            }
            out.writeDoubles(pendingWeights);
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        in.readVersion(COMPONENT, STATE_VERSION);
        long restoredSteps = in.readLong();
        if (restoredSteps < 0) {
            throw new IOException(COMPONENT + ": corrupt checkpoint, " + restoredSteps + " routes");
        }
        Random restoredRandom = in.readRandom();
        RoutingFeatures restoredFeatures = new RoutingFeatures();
        restoredFeatures.restore(in);
        Map<String, double[]> restoredGates = new HashMap<>();
        BanditArms restoredArms = BanditArms.read(in, COMPONENT, "", (expert, r) -> restoredGates.put(expert,
                r.readDoubles(RoutingFeatures.SIZE, COMPONENT + " gate weights of '" + expert + "'")));
        double[] context = in.readDoubles();
        if (context != null && context.length != RoutingFeatures.SIZE) {
            throw new IOException(COMPONENT + ": corrupt checkpoint, pending context of " + context.length + " values");
        }
        int m = in.readInt();
        if (m < -1 || m > StateReader.MAX_LENGTH || (m < 0) != (context == null)) {
            throw new IOException(COMPONENT + ": corrupt checkpoint, pending routing of " + m + " experts");
        }
        List<String> active = null;
        double[] pending = null;
        if (m >= 0) {
            List<String> names = new ArrayList<>(m);
            for (int i = 0; i < m; i++) {
                String name = in.readString();
                if (name == null) {
                    throw new IOException(COMPONENT + ": corrupt checkpoint, pending expert without a name");
                }
                names.add(name);
            }
            active = List.copyOf(names);
            pending = in.readDoubles(m, COMPONENT + " pending routing weights");
        }
        // Only replaced once everything was read, so that a failed restore leaves the router as it was.
        steps = restoredSteps;
        random = restoredRandom;
        features = restoredFeatures;
        arms = restoredArms;
        gates = restoredGates;
        pendingContext = context;
        pendingActive = active;
        pendingWeights = pending;
    }

    /** The gate's logit of an expert for a context, 0 if unknown. */
    double logit(String expert, double[] x) {
        double[] weights = gates.get(expert);
        return weights == null ? 0.0 : logit(weights, x);
    }

    /** A copy of an expert's gate weights, zeros if unknown. */
    double[] gateWeights(String expert) {
        double[] weights = gates.get(expert);
        return weights == null ? new double[RoutingFeatures.SIZE] : weights.clone();
    }

    /** Discounted count of rewarded activations (pseudo-counts of a prior included), 0 if unknown. */
    double count(String expert) {
        return arms.pulls(expert);
    }

    /** Discounted running mean reward, 0 if unknown or without evidence. */
    double meanReward(String expert) {
        return arms.mean(expert);
    }

    /** Routes so far. */
    long steps() {
        return steps;
    }
}
