package io.scarcity.api;

/** What the labels of a stream are. */
public enum Task {
    /** Labels are class indices {@code 0..numClasses-1}. */
    CLASSIFICATION,
    /** Labels are real-valued targets. */
    REGRESSION,
    /**
     * The stream has no labels at all (e.g. a table without a label column): nothing is predicted or scored, and
     * the experts that learn without labels ({@link ExpertCapabilities#learnsWithoutLabels()}) learn its structure
     * from every row. Every batch of such a stream is unlabelled.
     */
    UNLABELLED
}
