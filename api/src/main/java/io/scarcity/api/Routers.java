package io.scarcity.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.IntToDoubleFunction;

/**
 * Building blocks for {@link Router} authors: the candidate handling, top-k selection, weighting and
 * reward clamping that every router needs and that must behave the same in all of them. Stateless;
 * every method is safe to call from any thread.
 */
public final class Routers {
    private Routers() {
    }

    /**
     * The context's candidates without repeats, each at its first position (a repeated name would make
     * an invalid {@link Routing}).
     *
     * @throws IllegalArgumentException if there are no candidates
     */
    public static List<String> distinctCandidates(RoutingContext context) {
        Objects.requireNonNull(context, "context is null");
        List<String> candidates = new ArrayList<>(new LinkedHashSet<>(context.candidates()));
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidate experts to route to");
        }
        return candidates;
    }

    /**
     * Indices of the {@code k} largest values, largest first; equal values go to the lower index, so the
     * choice is deterministic. A NaN is never larger than anything, so it is taken only when nothing
     * else is left.
     *
     * @param k in [0, values.length]
     */
    public static int[] topK(double[] values, int k) {
        Objects.requireNonNull(values, "values is null");
        if (k < 0 || k > values.length) {
            throw new IllegalArgumentException("k must be in [0, " + values.length + "], got " + k);
        }
        boolean[] taken = new boolean[values.length];
        int[] out = new int[k];
        for (int pick = 0; pick < k; pick++) {
            int best = -1;
            for (int i = 0; i < values.length; i++) {
                if (!taken[i] && (best < 0 || values[i] > values[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            out[pick] = best;
        }
        return out;
    }

    /** {@link #topK} as a mask over {@code values}: {@code true} at the indices of the {@code k} largest. */
    public static boolean[] topKMask(double[] values, int k) {
        boolean[] mask = new boolean[values.length];
        for (int i : topK(values, k)) {
            mask[i] = true;
        }
        return mask;
    }

    /** How many indices are selected in {@code chosen} but not in {@code greedy}: the explorations. */
    public static long explorations(boolean[] chosen, boolean[] greedy) {
        if (chosen.length != greedy.length) {
            throw new IllegalArgumentException(chosen.length + " choices against " + greedy.length + " greedy ones");
        }
        long count = 0;
        for (int i = 0; i < chosen.length; i++) {
            if (chosen[i] && !greedy[i]) {
                count++;
            }
        }
        return count;
    }

    /**
     * The routing over the selected candidates, in candidate order, with weights proportional to
     * {@code weight.applyAsDouble(i)} for candidate {@code i} (asked once per selected candidate, in
     * order), normalised to sum to one.
     *
     * @param selected one flag per candidate, at least one set
     * @param weight finite and >= 0 for every selected candidate, with a positive sum
     */
    public static Routing weighted(List<String> candidates, boolean[] selected, IntToDoubleFunction weight) {
        Objects.requireNonNull(weight, "weight is null");
        if (candidates.size() != selected.length) {
            throw new IllegalArgumentException(selected.length + " flags for " + candidates.size() + " candidates");
        }
        int k = 0;
        for (boolean s : selected) {
            k += s ? 1 : 0;
        }
        List<String> active = new ArrayList<>(k);
        double[] weights = new double[k];
        double sum = 0;
        for (int i = 0; i < selected.length; i++) {
            if (selected[i]) {
                double w = weight.applyAsDouble(i);
                weights[active.size()] = w;
                active.add(candidates.get(i));
                sum += w;
            }
        }
        for (int i = 0; i < k; i++) {
            weights[i] /= sum;
        }
        return new Routing(active, weights);
    }

    /**
     * A reward or prior as routers use it: clamped to [0, 1], or NaN when it is missing ({@code null}) or
     * not finite, i.e. to be ignored.
     */
    public static double unitReward(Double value) {
        if (value == null || !Double.isFinite(value)) {
            return Double.NaN;
        }
        return Math.min(1.0, Math.max(0.0, value));
    }

    /** Whether a prior weight passed to {@link Router#adoptPriors} carries evidence: positive and finite. */
    public static boolean isPriorWeight(double weight) {
        return weight > 0 && !Double.isInfinite(weight);
    }

    /**
     * Validates the number of experts a router activates per batch (option {@code k}): a whole number
     * {@code >= 1}; a router activates all candidates when {@code k} is at least their number.
     *
     * @return {@code k}
     * @throws InvalidOptionException naming the key {@code k} otherwise
     */
    public static int requireK(int k) {
        return OptionChecks.atLeast("k", k, 1);
    }

    /**
     * Reads option {@code k} (default {@code defaultK}) from a router's configuration and validates it
     * with {@link #requireK}; a bad value fails with the key's full path.
     *
     * @throws ConfigException naming {@code <path>.k} if it is not a whole number >= 1
     */
    public static int readK(PluginConfig config, int defaultK) {
        Objects.requireNonNull(config, "config is null");
        int k = config.getInt("k", defaultK);
        try {
            return requireK(k);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
