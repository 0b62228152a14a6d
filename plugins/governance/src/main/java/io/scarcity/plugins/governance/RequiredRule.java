package io.scarcity.plugins.governance;

import io.scarcity.api.Batch;

/**
 * Every listed feature is finite (neither NaN nor infinite).
 *
 * <p>What can reach it: the shipped file sources (CSV, ARFF) already refuse or quarantine non-finite
 * cells themselves, and the shipped generators (SEA, hyperplane) and image files produce finite values,
 * so with those this rule never fires. {@code Batch} does not check finiteness, though: rows from other
 * sources (a third-party source, an embedding application, a future reader) can carry NaN or infinity,
 * and this rule keeps them out of every expert.
 */
final class RequiredRule extends Rule {
    private final int[] features;
    private final String[] featureNames;

    RequiredRule(String name, String source, double maxViolationRate, int[] features, String[] featureNames) {
        super(name, source, maxViolationRate);
        this.features = features.clone();
        this.featureNames = featureNames.clone();
    }

    @Override
    void check(Batch batch, boolean[] violated) {
        int n = batch.rows();
        int f0 = features[0];
        for (int r = 0; r < n; r++) {
            violated[r] = !Double.isFinite(batch.value(r, f0));
        }
        for (int j = 1; j < features.length; j++) {
            int f = features[j];
            for (int r = 0; r < n; r++) {
                violated[r] |= !Double.isFinite(batch.value(r, f));
            }
        }
    }

    @Override
    String values(Batch batch, int row) {
        StringBuilder s = new StringBuilder();
        for (int j = 0; j < features.length; j++) {
            double v = batch.value(row, features[j]);
            if (!Double.isFinite(v)) {
                s.append(s.length() == 0 ? "" : ", ").append(featureNames[j]).append('=').append(v);
            }
        }
        return s.toString();
    }

    @Override
    String condition() {
        return String.join(", ", featureNames) + (featureNames.length == 1 ? " is" : " are") + " finite";
    }
}
