package io.scarcity.api;

import java.util.List;
import java.util.Objects;

/**
 * A router's decision for one batch: the active predicting experts (by instance name, a subset of the
 * candidates, no duplicates) and their mixture weights (non-negative, summing to one, same order).
 */
public record Routing(List<String> active, double[] weights) {
    public Routing {
        active = List.copyOf(Objects.requireNonNull(active, "active is null"));
        Objects.requireNonNull(weights, "weights is null");
        if (active.isEmpty()) {
            throw new IllegalArgumentException("a routing must activate at least one expert");
        }
        if (weights.length != active.size()) {
            throw new IllegalArgumentException(weights.length + " weights for " + active.size() + " experts");
        }
        if (active.stream().distinct().count() != active.size()) {
            throw new IllegalArgumentException("duplicate experts in " + active);
        }
        double sum = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights must be finite and >= 0, got " + w);
            }
            sum += w;
        }
        if (Math.abs(sum - 1.0) > 1e-9) {
            throw new IllegalArgumentException("weights must sum to 1, got " + sum);
        }
        weights = weights.clone();
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }

    public double weight(int i) {
        return weights[i];
    }

    /** Equal weights over the given experts. */
    public static Routing uniform(List<String> active) {
        double[] w = new double[active.size()];
        java.util.Arrays.fill(w, 1.0 / active.size());
        return new Routing(active, w);
    }
}
