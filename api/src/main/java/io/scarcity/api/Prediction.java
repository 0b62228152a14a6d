package io.scarcity.api;

import java.util.Objects;

/**
 * An expert's (or the mixture's) prediction for every row of a batch: class probabilities for
 * classification (row-major, {@code rows x numClasses}, each row summing to one) or one value per row
 * for regression. Immutable.
 */
public final class Prediction {
    private final int rows;
    private final int classes;
    private final double[] values;

    private Prediction(int rows, int classes, double[] values) {
        this.rows = rows;
        this.classes = classes;
        this.values = values;
    }

    /**
     * Class probabilities, row-major. Each row is normalised here (negative or non-finite entries are
     * rejected; an all-zero row becomes uniform), so callers may pass unnormalised scores >= 0.
     */
    public static Prediction ofProbabilities(int rows, int numClasses, double[] probabilities) {
        Objects.requireNonNull(probabilities, "probabilities is null");
        if (numClasses < 2 || probabilities.length != rows * numClasses) {
            throw new IllegalArgumentException("expected " + rows + " x " + numClasses + " probabilities, got "
                    + probabilities.length);
        }
        double[] p = probabilities.clone();
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int c = 0; c < numClasses; c++) {
                double v = p[r * numClasses + c];
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("probability must be finite and >= 0, got " + v);
                }
                sum += v;
            }
            for (int c = 0; c < numClasses; c++) {
                p[r * numClasses + c] = sum > 0 ? p[r * numClasses + c] / sum : 1.0 / numClasses;
            }
        }
        return new Prediction(rows, numClasses, p);
    }

    /** Regression values, one per row, all finite. */
    public static Prediction ofValues(double[] values) {
        Objects.requireNonNull(values, "values is null");
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("prediction must be finite, got " + v);
            }
        }
        return new Prediction(values.length, 0, values.clone());
    }

    public int rows() {
        return rows;
    }

    /** Number of classes, 0 for a regression prediction. */
    public int numClasses() {
        return classes;
    }

    public boolean isClassification() {
        return classes > 0;
    }

    public double probability(int row, int cls) {
        if (classes == 0) {
            throw new IllegalStateException("regression prediction has no class probabilities");
        }
        return values[row * classes + cls];
    }

    /** Most probable class of a row (lowest index on ties). */
    public int predictedClass(int row) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (values[row * classes + c] > values[row * classes + best]) {
                best = c;
            }
        }
        return best;
    }

    public double value(int row) {
        if (classes != 0) {
            throw new IllegalStateException("classification prediction has no regression value");
        }
        return values[row];
    }
}
