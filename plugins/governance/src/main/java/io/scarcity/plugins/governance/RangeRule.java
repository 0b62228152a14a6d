package io.scarcity.plugins.governance;

import io.scarcity.api.Batch;

/** {@code min <= value <= max}, either bound optional (inclusive). */
final class RangeRule extends Rule {
    private final int feature;
    private final String featureName;
    private final double min;
    private final double max;

    /**
     * @param min lower bound, {@code -Infinity} for none
     * @param max upper bound, {@code +Infinity} for none
     */
    RangeRule(String name, String source, double maxViolationRate, int feature, String featureName, double min, double max) {
        super(name, source, maxViolationRate);
        this.feature = feature;
        this.featureName = featureName;
        this.min = min;
        this.max = max;
    }

    @Override
    void check(Batch batch, boolean[] violated) {
        int f = feature;
        double lo = min;
        double hi = max;
        for (int r = 0, n = batch.rows(); r < n; r++) {
            double v = batch.value(r, f);
            violated[r] = !(v >= lo && v <= hi);
        }
    }

    @Override
    String values(Batch batch, int row) {
        return featureName + "=" + batch.value(row, feature);
    }

    @Override
    String condition() {
        if (min == Double.NEGATIVE_INFINITY) {
            return featureName + " <= " + max;
        }
        if (max == Double.POSITIVE_INFINITY) {
            return featureName + " >= " + min;
        }
        return featureName + " in [" + min + ", " + max + "]";
    }
}
