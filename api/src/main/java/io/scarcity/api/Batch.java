package io.scarcity.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable mini-batch of rows from one client's stream.
 *
 * <p>Features are stored row-major in one array so that a batch costs one allocation and experts can
 * read it without copying ({@link #value(int, int)}) or copy one row into a buffer they reuse
 * ({@link #copyRow(int, double[])}). Labels are optional: a classification batch has class indices,
 * a regression batch real targets, an unlabelled batch neither. {@code firstRow} is the index of the
 * first row in the client's stream, so that positions (e.g. of a drift) can be reported.
 */
public final class Batch {
    private final DataSchema schema;
    private final String domain;
    private final int rows;
    private final double[] features;
    private final int[] classes;
    private final double[] targets;
    private final double[] weights;
    private final long firstRow;
    /** Rows whose label is missing ({@link #withMissingLabels}), or null when every row of a labelled batch has one. */
    private final boolean[] missing;

    private Batch(DataSchema schema, String domain, int rows, double[] features, int[] classes,
                  double[] targets, double[] weights, long firstRow) {
        this(schema, domain, rows, features, classes, targets, weights, firstRow, null);
    }

    private Batch(DataSchema schema, String domain, int rows, double[] features, int[] classes,
                  double[] targets, double[] weights, long firstRow, boolean[] missing) {
        this.schema = schema;
        this.domain = domain;
        this.rows = rows;
        this.features = features;
        this.classes = classes;
        this.targets = targets;
        this.weights = weights;
        this.firstRow = firstRow;
        this.missing = missing;
    }

    /**
     * A classification batch. Arrays are copied.
     *
     * @param features {@code rows x numFeatures} values, row-major, all finite
     * @param labels class index per row, or {@code null} for an unlabelled batch
     */
    public static Batch ofClasses(DataSchema schema, String domain, long firstRow, double[] features, int[] labels) {
        Objects.requireNonNull(schema, "schema is null");
        int rows = checkShape(schema, features);
        if (labels != null) {
            if (labels.length != rows) {
                throw new IllegalArgumentException("labels: " + labels.length + " for " + rows + " rows");
            }
            int k = schema.numClasses();
            for (int y : labels) {
                if (y < 0 || y >= k) {
                    throw new IllegalArgumentException("label " + y + " outside 0.." + (k - 1));
                }
            }
        }
        return new Batch(schema, Objects.requireNonNull(domain, "domain is null"), rows, features.clone(),
                labels == null ? null : labels.clone(), null, null, firstRow);
    }

    /** A regression batch; {@code targets} may be {@code null} for an unlabelled batch. */
    public static Batch ofTargets(DataSchema schema, String domain, long firstRow, double[] features, double[] targets) {
        Objects.requireNonNull(schema, "schema is null");
        int rows = checkShape(schema, features);
        if (targets != null && targets.length != rows) {
            throw new IllegalArgumentException("targets: " + targets.length + " for " + rows + " rows");
        }
        return new Batch(schema, Objects.requireNonNull(domain, "domain is null"), rows, features.clone(), null,
                targets == null ? null : targets.clone(), null, firstRow);
    }

    private static int checkShape(DataSchema schema, double[] features) {
        Objects.requireNonNull(features, "features is null");
        int d = schema.numFeatures();
        if (features.length % d != 0) {
            throw new IllegalArgumentException(features.length + " values is not a whole number of rows of " + d);
        }
        return features.length / d;
    }

    /**
     * The same rows with a weight per row (e.g. an outlier expert down-weights rows). Weights must be
     * finite and non-negative.
     */
    public Batch withWeights(double[] rowWeights) {
        Objects.requireNonNull(rowWeights, "rowWeights is null");
        if (rowWeights.length != rows) {
            throw new IllegalArgumentException("weights: " + rowWeights.length + " for " + rows + " rows");
        }
        for (double w : rowWeights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("row weight must be finite and >= 0, got " + w);
            }
        }
        return new Batch(schema, domain, rows, features, classes, targets, rowWeights.clone(), firstRow, missing);
    }

    /** The same rows without their labels (or targets), weights kept; this batch itself if it has none. */
    public Batch withoutLabels() {
        return !hasLabels() ? this : new Batch(schema, domain, rows, features, null, null, weights, firstRow);
    }

    /**
     * The same rows, those flagged {@code true} without a label (a label column with missing values): a labelled
     * batch in which {@link #label}/{@link #target} of a flagged row throw. This batch itself when no row is flagged.
     * Experts never see such a batch: the client predicts it without labels and learns from its labelled rows only.
     *
     * @throws IllegalStateException if the batch has no labels at all
     */
    public Batch withMissingLabels(boolean[] unlabelled) {
        Objects.requireNonNull(unlabelled, "unlabelled is null");
        if (unlabelled.length != rows) {
            throw new IllegalArgumentException("unlabelled: " + unlabelled.length + " flags for " + rows + " rows");
        }
        if (!hasLabels()) {
            throw new IllegalStateException("an unlabelled batch has no labels to be missing");
        }
        boolean any = false;
        for (boolean u : unlabelled) {
            any |= u;
        }
        return any ? new Batch(schema, domain, rows, features, classes, targets, weights, firstRow, unlabelled.clone()) : this;
    }

    /** Whether some rows of this labelled batch have no label ({@link #withMissingLabels}). */
    public boolean hasMissingLabels() {
        return missing != null;
    }

    /** Whether row {@code row} has a label. */
    public boolean labelled(int row) {
        return hasLabels() && (missing == null || !missing[row]);
    }

    public DataSchema schema() {
        return schema;
    }

    public String domain() {
        return domain;
    }

    public int rows() {
        return rows;
    }

    public int numFeatures() {
        return schema.numFeatures();
    }

    /** Index of this batch's first row in the client's stream. */
    public long firstRow() {
        return firstRow;
    }

    public double value(int row, int feature) {
        return features[row * schema.numFeatures() + feature];
    }

    /** Copies row {@code row} into {@code dest} (length at least {@link #numFeatures()}) and returns it. */
    public double[] copyRow(int row, double[] dest) {
        int d = schema.numFeatures();
        System.arraycopy(features, row * d, dest, 0, d);
        return dest;
    }

    /** A fresh copy of all features, row-major. */
    public double[] featuresCopy() {
        return features.clone();
    }

    public boolean hasLabels() {
        return classes != null || targets != null;
    }

    /** Class index of a row; only for labelled classification batches. */
    public int label(int row) {
        if (classes == null) {
            throw new IllegalStateException("batch has no class labels");
        }
        if (missing != null && missing[row]) {
            throw new IllegalStateException("row " + row + " has no label");
        }
        return classes[row];
    }

    /** Target of a row; only for labelled regression batches. */
    public double target(int row) {
        if (targets == null) {
            throw new IllegalStateException("batch has no regression targets");
        }
        if (missing != null && missing[row]) {
            throw new IllegalStateException("row " + row + " has no target");
        }
        return targets[row];
    }

    /** Weight of a row: 1 unless set by {@link #withWeights(double[])}. */
    public double weight(int row) {
        return weights == null ? 1.0 : weights[row];
    }

    /**
     * The rows whose flag is {@code true}, in order, as a new batch (this batch itself when every flag
     * is set). Its {@link #firstRow()} stays this batch's: positions in the stream are no longer
     * contiguous once rows are left out.
     */
    public Batch select(boolean[] keep) {
        Objects.requireNonNull(keep, "keep is null");
        if (keep.length != rows) {
            throw new IllegalArgumentException("keep: " + keep.length + " flags for " + rows + " rows");
        }
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        if (n == rows) {
            return this;
        }
        int d = schema.numFeatures();
        double[] x = new double[n * d];
        int[] c = classes == null ? null : new int[n];
        double[] t = targets == null ? null : new double[n];
        double[] w = weights == null ? null : new double[n];
        boolean[] m = missing == null ? null : new boolean[n];
        boolean anyMissing = false;
        int j = 0;
        for (int r = 0; r < rows; r++) {
            if (!keep[r]) {
                continue;
            }
            System.arraycopy(features, r * d, x, j * d, d);
            if (c != null) {
                c[j] = classes[r];
            }
            if (t != null) {
                t[j] = targets[r];
            }
            if (w != null) {
                w[j] = weights[r];
            }
            if (m != null) {
                m[j] = missing[r];
                anyMissing |= missing[r];
            }
            j++;
        }
        return new Batch(schema, domain, n, x, c, t, w, firstRow, anyMissing ? m : null);
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) as a new batch. */
    public Batch slice(int from, int to) {
        Objects.checkFromToIndex(from, to, rows);
        int d = schema.numFeatures();
        return new Batch(schema, domain, to - from, Arrays.copyOfRange(features, from * d, to * d),
                classes == null ? null : Arrays.copyOfRange(classes, from, to),
                targets == null ? null : Arrays.copyOfRange(targets, from, to),
                weights == null ? null : Arrays.copyOfRange(weights, from, to), firstRow + from, sliceMissing(from, to));
    }

    private boolean[] sliceMissing(int from, int to) {
        if (missing == null) {
            return null;
        }
        for (int r = from; r < to; r++) {
            if (missing[r]) {
                return Arrays.copyOfRange(missing, from, to);
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "Batch[" + rows + " rows x " + schema.numFeatures() + ", domain=" + domain + ", firstRow=" + firstRow + "]";
    }
}
