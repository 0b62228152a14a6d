package io.scarcity.plugins.reconstruction;

import io.scarcity.api.Batch;
import io.scarcity.api.ExpertState;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Map;

/**
 * The reconstruction expert's standardisation of batches: the features by their running moments (a
 * {@link Standardiser} that takes the coordinator's pooled moments as its prior) and, for regression, the
 * targets by theirs (no prior); what the network learns and predicts is in these units. Also the
 * standardisation's part of the expert's gossip state ({@code norm.*}, {@code target.*}), importances
 * (zeros: not learned by gradient) and checkpoint.
 */
final class BatchScaling {
    /** Floor of the standardisation's forgetting step: a memory of about 1000 rows. */
    static final double MOMENT_RATE = 1e-3;

    private final int features;
    private final boolean classification;
    private final Standardiser moments;
    private final Standardiser target;

    BatchScaling(int features, boolean classification, Options options) {
        this.features = features;
        this.classification = classification;
        this.moments = new Standardiser(features, MOMENT_RATE, options.minVariance(), options.priorRows());
        this.target = new Standardiser(1, MOMENT_RATE, 1e-12, 0.0);
    }

    /** Learns the batch's rows ({@code raw}: its features) and, for labelled regression, its targets. */
    void observe(Batch batch, double[] raw) {
        int rows = batch.rows();
        for (int r = 0; r < rows; r++) {
            moments.observe(raw, r * features, batch.weight(r));
        }
        moments.refresh();
        if (!classification && batch.hasLabels()) {
            double[] t = new double[1];
            for (int r = 0; r < rows; r++) {
                t[0] = batch.target(r);
                target.observe(t, 0, batch.weight(r));
            }
            target.refresh();
        }
    }

    /** Standardises {@code rows} rows of features in place. */
    void standardise(double[] x, int rows) {
        moments.standardise(x, rows, x);
    }

    /** A standardised copy of the batch's features. */
    double[] standardised(Batch batch) {
        double[] x = batch.featuresCopy();
        moments.standardise(x, batch.rows(), x);
        return x;
    }

    /** Maps standardised features back to feature units, in place. */
    void destandardise(double[] x, int rows) {
        moments.destandardise(x, rows);
    }

    /** The batch's class labels, or {@code null} for regression or an unlabelled batch. */
    int[] labels(Batch batch) {
        if (!classification || !batch.hasLabels()) {
            return null;
        }
        int[] labels = new int[batch.rows()];
        for (int r = 0; r < labels.length; r++) {
            labels[r] = batch.label(r);
        }
        return labels;
    }

    /** The batch's standardised regression targets, or {@code null} for classification or an unlabelled batch. */
    double[] targets(Batch batch) {
        if (classification || !batch.hasLabels()) {
            return null;
        }
        int rows = batch.rows();
        double[] targets = new double[rows];
        for (int r = 0; r < rows; r++) {
            targets[r] = batch.target(r);
        }
        target.standardise(targets, rows, targets);
        return targets;
    }

    /** Maps standardised predicted targets back to target units, in place. */
    void destandardiseTargets(double[] values, int rows) {
        target.destandardise(values, rows);
    }

    /** Takes the coordinator's pooled feature moments as the prior. */
    void adoptPrior(FeatureMoments pooled) {
        moments.adoptPrior(pooled);
    }

    /** Puts the standardisation's gossip arrays into {@code w}. */
    void export(Map<String, double[]> w) {
        w.put("norm.mean", moments.mean());
        w.put("norm.variance", moments.variance());
        w.put("norm.count", new double[] {moments.count()});
        if (!classification) {
            w.put("target.mean", target.mean());
            w.put("target.variance", target.variance());
            w.put("target.count", new double[] {target.count()});
        }
    }

    /** Puts zero importances for the standardisation's gossip arrays into {@code w}: they are not learned by gradient. */
    void zeroImportance(Map<String, double[]> w) {
        w.put("norm.mean", new double[features]);
        w.put("norm.variance", new double[features]);
        w.put("norm.count", new double[1]);
        if (!classification) {
            w.put("target.mean", new double[1]);
            w.put("target.variance", new double[1]);
            w.put("target.count", new double[1]);
        }
    }

    /**
     * Checks the standardisation's arrays of a merged state and returns the change that adopts them, to be
     * run once everything else was checked too.
     */
    Runnable checkMerge(ExpertState merged) {
        double[] mean = merged.requireWeight("norm.mean", features);
        double[] variance = merged.requireWeight("norm.variance", features);
        double[] count = merged.requireWeight("norm.count", 1);
        if (classification) {
            return () -> moments.set(mean, variance, count[0]);
        }
        double[] tMean = merged.requireWeight("target.mean", 1);
        double[] tVariance = merged.requireWeight("target.variance", 1);
        double[] tCount = merged.requireWeight("target.count", 1);
        return () -> {
            moments.set(mean, variance, count[0]);
            target.set(tMean, tVariance, tCount[0]);
        };
    }

    void save(StateWriter out) throws IOException {
        moments.save(out);
        target.save(out);
    }

    void restore(StateReader in) throws IOException {
        moments.restore(in, "feature");
        target.restore(in, "target");
    }
}
