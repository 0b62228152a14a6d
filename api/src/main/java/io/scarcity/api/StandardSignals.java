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
    /**
     * Forest expert: the share of its trees that did not vote for the class most trees voted for, averaged
     * over the rows of the last batch, in [0, 1); high when the trees disagree (a region they have not
     * learned, or a change).
     */
    public static final String FOREST_DISAGREEMENT = "forest.disagreement";
    /** Forest expert: trees replaced (by their background tree, or reset) after a detected drift in the last batch. */
    public static final String FOREST_DRIFTS = "forest.drifts";
    /** Forest expert: background trees started after a warning in the last batch. */
    public static final String FOREST_WARNINGS = "forest.warnings";
    /** Runtime: mean loss of the mixture's prediction on the last batch (test-then-train). */
    public static final String MIXTURE_LOSS = "mixture.loss";
    /** Runtime: accuracy of the mixture's prediction on the last batch (classification only). */
    public static final String MIXTURE_ACCURACY = "mixture.accuracy";
    /**
     * Runtime, to gossip strategies only (in {@link Peer#signals()}, not in insights): with personal twins
     * ({@code federation.personal}) and a weighting combiner, the mixture's weight on the shared experts that
     * have a twin, as a share of theirs and their twins' at the end of the peer's last round. 0.5: even (as they
     * start); above: the merged experts earn more of this client's predictions than what it learned alone.
     * Absent without twins, and for a client under {@code privacy.dp} (planned only from what it released).
     */
    public static final String FEDERATION_SHARED_WEIGHT = "federation.shared-weight";
}
