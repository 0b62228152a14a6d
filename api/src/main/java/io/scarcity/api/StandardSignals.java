package io.scarcity.api;

/** Names of the signals that the shipped experts and the runtime publish, for readers to rely on. */
public final class StandardSignals {
    private StandardSignals() {
    }

    /** Drift expert: a score in [0, 1]; higher means stronger evidence of a recent change. */
    public static final String DRIFT_SCORE = "drift.score";
    /** Drift expert: 1 on the batch where a change is detected, 0 otherwise. */
    public static final String DRIFT_DETECTED = "drift.detected";
    /** Drift expert: 1 while the detector is in its warning zone, 0 otherwise. */
    public static final String DRIFT_WARNING = "drift.warning";
    /**
     * Statistical expert: fraction of rows flagged as outliers (largest robust z-score above threshold, or
     * Mahalanobis distance above its chi-square quantile) over the last batch or its configured window.
     */
    public static final String OUTLIER_RATE = "statistical.outlier-rate";
    /** Runtime: mean loss of the mixture's prediction on the last batch (test-then-train). */
    public static final String MIXTURE_LOSS = "mixture.loss";
    /** Runtime: accuracy of the mixture's prediction on the last batch (classification only). */
    public static final String MIXTURE_ACCURACY = "mixture.accuracy";
}
