package io.scarcity.plugins.insight;

/**
 * An average weighted by the clients' consensus weights (their trust), and the same average without them
 * to fall back on: if no contributing client is trusted at all, the estimate is the unweighted one, not
 * nothing. Every estimate of the insight meta-learner is one of these.
 */
final class TrustedAverage {
    private double trusted;
    private double trustedWeight;
    private double plain;
    private double plainWeight;

    /** Adds {@code value} with weight {@code weight}, times {@code trust} in the trusted average. */
    void add(double weight, double trust, double value) {
        plainWeight += weight;
        plain += weight * value;
        double w = weight * trust;
        trustedWeight += w;
        trusted += w * value;
    }

    /**
     * Adds the terms of a ratio of sums: the average becomes {@code sum numerator / sum denominator}, each
     * term times {@code trust} in the trusted one.
     */
    void addRatio(double trust, double numerator, double denominator) {
        plainWeight += denominator;
        plain += numerator;
        trustedWeight += trust * denominator;
        trusted += trust * numerator;
    }

    /** The trusted average, else (no trusted weight) the plain one; NaN if nothing of weight was added. */
    double value() {
        if (plainWeight == 0) {
            return Double.NaN;
        }
        return trustedWeight > 0 ? trusted / trustedWeight : plain / plainWeight;
    }
}
