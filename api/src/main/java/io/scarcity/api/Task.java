package io.scarcity.api;

/** What the labels of a stream are. */
public enum Task {
    /** Labels are class indices {@code 0..numClasses-1}. */
    CLASSIFICATION,
    /** Labels are real-valued targets. */
    REGRESSION
}
