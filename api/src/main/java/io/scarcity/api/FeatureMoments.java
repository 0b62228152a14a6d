package io.scarcity.api;

import java.util.Objects;

/**
 * Count, mean and sum of squared deviations (M2) per feature: enough for a coordinator to pool
 * normalisation statistics across clients without seeing a row. Immutable.
 */
public record FeatureMoments(long count, double[] mean, double[] m2) {
    public FeatureMoments {
        Objects.requireNonNull(mean, "mean is null");
        Objects.requireNonNull(m2, "m2 is null");
        if (mean.length != m2.length) {
            throw new IllegalArgumentException("mean and m2 differ in length");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0");
        }
        mean = mean.clone();
        m2 = m2.clone();
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] m2() {
        return m2.clone();
    }

    public int dimensions() {
        return mean.length;
    }

    /** Sample variance per feature (0 with fewer than two rows). */
    public double[] variance() {
        double[] v = new double[m2.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = count > 1 ? m2[i] / (count - 1) : 0.0;
        }
        return v;
    }

    /** Pools two sets of moments (Chan et al.'s parallel update). */
    public FeatureMoments combine(FeatureMoments other) {
        Objects.requireNonNull(other, "other is null");
        if (other.dimensions() != dimensions()) {
            throw new IllegalArgumentException("cannot pool " + dimensions() + " and " + other.dimensions() + " features");
        }
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            return other;
        }
        long n = count + other.count;
        double[] m = new double[mean.length];
        double[] s = new double[mean.length];
        for (int i = 0; i < m.length; i++) {
            double delta = other.mean[i] - mean[i];
            m[i] = mean[i] + delta * other.count / n;
            s[i] = m2[i] + other.m2[i] + delta * delta * ((double) count * other.count / n);
        }
        return new FeatureMoments(n, m, s);
    }
}
