package io.scarcity.plugins.ucb;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * UCB1 over the candidate experts, activating the {@code k} with the highest index
 * {@code mean_i + c * sqrt(2 ln N / n_i)}, where {@code n_i} counts the rewards of expert {@code i}
 * and {@code N} the rewards of all current candidates. Experts never tried come first, in candidate
 * order; equal indices are broken by candidate order, so routing is deterministic.
 *
 * <p>With {@code discount < 1} it is discounted UCB (Garivier and Moulines): every count and reward
 * sum is multiplied by the discount on each route, so old evidence fades and the router follows a
 * drifting best expert.
 *
 * <p>Experts may join or leave the candidates between calls; a new name starts untried and the
 * statistics of one that leaves are kept in case it returns. Priors from the coordinator count as
 * {@code weight} pseudo-rewards at the prior mean, for experts this client has not rewarded yet.
 *
 * <p>Reports {@code ucb.explorations}: activations of an expert that the greedy choice (highest mean)
 * would not have made.
 *
 * <p>Checkpoints hold every arm ever seen (candidate or not): its discounted pull count, reward sum and
 * whether this client rewarded it, which is all the router remembers between calls.
 */
final class UcbRouter implements Router, Checkpointable {
    /** Version of the checkpoint format written by {@link #saveState}. */
    static final int STATE_VERSION = 1;

    /** Least mean reward counted by reward weighting, so that no active expert gets weight zero. */
    static final double WEIGHT_FLOOR = 0.01;

    private static final class Arm {
        double pulls;
        double rewardSum;
        boolean rewardedHere;

        double mean() {
            return pulls > 0 ? rewardSum / pulls : 0.0;
        }
    }

    private final Options options;
    private final MetricsSink metrics;
    private final Map<String, Arm> arms = new HashMap<>();

    UcbRouter(Options options, MetricsSink metrics) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
    }

    @Override
    public Routing route(RoutingContext context) {
        Objects.requireNonNull(context, "context is null");
        // A repeated name would make an invalid routing; keep its first position.
        List<String> candidates = new ArrayList<>(new LinkedHashSet<>(context.candidates()));
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidate experts to route to");
        }
        if (options.discount() < 1) {
            for (Arm arm : arms.values()) {
                arm.pulls *= options.discount();
                arm.rewardSum *= options.discount();
            }
        }
        int n = candidates.size();
        Arm[] candidateArms = new Arm[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            candidateArms[i] = arms.computeIfAbsent(candidates.get(i), name -> new Arm());
            total += candidateArms[i].pulls;
        }
        double logTotal = Math.log(Math.max(total, 1.0));
        double[] index = new double[n];
        double[] greedy = new double[n];
        for (int i = 0; i < n; i++) {
            Arm arm = candidateArms[i];
            greedy[i] = arm.pulls > 0 ? arm.mean() : Double.NEGATIVE_INFINITY;
            index[i] = arm.pulls > 0
                    ? arm.mean() + options.exploration() * Math.sqrt(2 * logTotal / arm.pulls)
                    : Double.POSITIVE_INFINITY;
        }
        int k = Math.min(options.k(), n);
        boolean[] chosen = topK(index, k);
        boolean[] exploit = topK(greedy, k);
        List<String> active = new ArrayList<>(k);
        double[] weights = new double[k];
        double sum = 0;
        long explorations = 0;
        for (int i = 0; i < n; i++) {
            if (!chosen[i]) {
                continue;
            }
            if (!exploit[i]) {
                explorations++;
            }
            double w = options.weighting() == Options.Weighting.UNIFORM ? 1.0
                    : Math.max(WEIGHT_FLOOR, candidateArms[i].pulls > 0 ? candidateArms[i].mean() : 0.0);
            weights[active.size()] = w;
            active.add(candidates.get(i));
            sum += w;
        }
        for (int i = 0; i < k; i++) {
            weights[i] /= sum;
        }
        if (explorations > 0) {
            metrics.count("ucb.explorations", explorations);
        }
        return new Routing(active, weights);
    }

    /** The {@code k} largest values; ties go to the lower index. */
    private static boolean[] topK(double[] values, int k) {
        boolean[] taken = new boolean[values.length];
        for (int pick = 0; pick < k; pick++) {
            int best = -1;
            for (int i = 0; i < values.length; i++) {
                if (!taken[i] && (best < 0 || values[i] > values[best])) {
                    best = i;
                }
            }
            taken[best] = true;
        }
        return taken;
    }

    @Override
    public void reward(Routing routing, Map<String, Double> rewards) {
        Objects.requireNonNull(routing, "routing is null");
        Objects.requireNonNull(rewards, "rewards is null");
        for (String name : routing.active()) {
            Double r = rewards.get(name);
            if (r == null || !Double.isFinite(r)) {
                continue;
            }
            Arm arm = arms.computeIfAbsent(name, x -> new Arm());
            arm.pulls += 1;
            arm.rewardSum += Math.min(1.0, Math.max(0.0, r));
            arm.rewardedHere = true;
        }
    }

    /**
     * Sets each named expert that this client has not rewarded yet to {@code weight} pseudo-rewards
     * with mean {@code prior} (clamped to [0, 1]), replacing an earlier prior. A weight of 0 (or a
     * non-finite one) changes nothing.
     */
    @Override
    public void adoptPriors(Map<String, Double> priors, double weight) {
        Objects.requireNonNull(priors, "priors is null");
        if (!(weight > 0) || Double.isInfinite(weight)) {
            return;
        }
        for (Map.Entry<String, Double> e : priors.entrySet()) {
            Double prior = e.getValue();
            if (prior == null || !Double.isFinite(prior)) {
                continue;
            }
            Arm arm = arms.computeIfAbsent(e.getKey(), x -> new Arm());
            if (!arm.rewardedHere) {
                arm.pulls = weight;
                arm.rewardSum = weight * Math.min(1.0, Math.max(0.0, prior));
            }
        }
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeInt(STATE_VERSION);
        // Sorted, so that equal routers write equal bytes whatever the hash map's history.
        Map<String, Arm> sorted = new TreeMap<>(arms);
        out.writeInt(sorted.size());
        for (Map.Entry<String, Arm> e : sorted.entrySet()) {
            out.writeString(e.getKey());
            out.writeDouble(e.getValue().pulls);
            out.writeDouble(e.getValue().rewardSum);
            out.writeBoolean(e.getValue().rewardedHere);
        }
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        int version = in.readInt();
        if (version != STATE_VERSION) {
            throw new IOException("ucb router: unknown checkpoint version " + version + " (this version reads "
                    + STATE_VERSION + ")");
        }
        int n = in.readInt();
        if (n < 0 || n > StateReader.MAX_LENGTH) {
            throw new IOException("ucb router: corrupt checkpoint, " + n + " arms");
        }
        Map<String, Arm> restored = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String name = in.readString();
            Arm arm = new Arm();
            arm.pulls = in.readDouble();
            arm.rewardSum = in.readDouble();
            arm.rewardedHere = in.readBoolean();
            if (name == null || restored.put(name, arm) != null) {
                throw new IOException("ucb router: corrupt checkpoint, arm " + (name == null ? "without a name" : "'" + name + "' twice"));
            }
        }
        // Only replaced once everything was read, so that a failed restore leaves the router as it was.
        arms.clear();
        arms.putAll(restored);
    }

    /** Effective number of rewards of an expert (pseudo-rewards included), 0 if unknown. */
    double pulls(String expert) {
        Arm arm = arms.get(expert);
        return arm == null ? 0.0 : arm.pulls;
    }

    /** Empirical mean reward of an expert, 0 if unknown. */
    double mean(String expert) {
        Arm arm = arms.get(expert);
        return arm == null ? 0.0 : arm.mean();
    }
}
