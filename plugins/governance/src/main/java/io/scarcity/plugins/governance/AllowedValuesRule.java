package io.scarcity.plugins.governance;

import io.scarcity.api.Batch;
import java.util.Arrays;

/** The feature's value is one of a set of numbers (a categorical feature coded as numbers); exact equality. */
final class AllowedValuesRule extends Rule {
    /** Up to this many values a linear scan beats a binary search. */
    private static final int LINEAR = 8;
    private final int feature;
    private final String featureName;
    private final double[] allowed;

    /** @param allowed finite values; -0.0 and 0.0 are the same value */
    AllowedValuesRule(String name, String source, double maxViolationRate, int feature, String featureName, double[] allowed) {
        super(name, source, maxViolationRate);
        this.feature = feature;
        this.featureName = featureName;
        double[] sorted = new double[allowed.length];
        for (int i = 0; i < allowed.length; i++) {
            sorted[i] = allowed[i] + 0.0; // -0.0 + 0.0 == +0.0: one zero for the binary search
        }
        Arrays.sort(sorted);
        this.allowed = Arrays.stream(sorted).distinct().toArray();
    }

    @Override
    void check(Batch batch, boolean[] violated) {
        int f = feature;
        double[] set = allowed;
        int n = batch.rows();
        if (set.length <= LINEAR) {
            for (int r = 0; r < n; r++) {
                double v = batch.value(r, f);
                boolean found = false;
                for (double a : set) {
                    found |= v == a;
                }
                violated[r] = !found;
            }
        } else {
            for (int r = 0; r < n; r++) {
                double v = batch.value(r, f);
                violated[r] = v != v || Arrays.binarySearch(set, v + 0.0) < 0;
            }
        }
    }

    @Override
    String values(Batch batch, int row) {
        return featureName + "=" + batch.value(row, feature);
    }

    @Override
    String condition() {
        return featureName + " in " + Arrays.toString(allowed).replace('[', '{').replace(']', '}');
    }
}
