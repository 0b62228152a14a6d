package io.scarcity.runtime.engine;

import java.util.Objects;

/**
 * Accuracy on every task's held-out test rows, measured when a segment of a task stream has been
 * learned: one row of the accuracy matrix. The accuracy is averaged over the domain's clients, each
 * client predicting all test rows with its current model (no learning).
 *
 * @param segment index of the segment just completed in the schedule (0-based)
 * @param task the task of that segment
 * @param accuracy accuracy per task id
 */
public record TaskEvaluation(String domain, int round, int segment, int task, double[] accuracy) {
    public TaskEvaluation {
        Objects.requireNonNull(domain, "domain is null");
        accuracy = accuracy.clone();
    }

    @Override
    public double[] accuracy() {
        return accuracy.clone();
    }
}
