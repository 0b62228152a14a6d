package io.scarcity.runtime.report;

import io.scarcity.runtime.engine.TaskEvaluation;
import io.scarcity.runtime.eval.ContinualMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A task stream's accuracy matrix from its evaluations: row {@code i} is the accuracy on every task's held-out rows after
 * segment {@code i} of the schedule (task {@code taskOf[i]}, evaluated at the end of round {@code rounds[i]}). Domains
 * that run task streams with the same schedule are averaged per segment.
 */
public record TaskMatrix(double[][] accuracy, int[] taskOf, int[] rounds) {

    public static TaskMatrix of(List<TaskEvaluation> evaluations) {
        Map<Integer, List<TaskEvaluation>> bySegment = new TreeMap<>();
        for (TaskEvaluation e : evaluations) {
            bySegment.computeIfAbsent(e.segment(), k -> new ArrayList<>()).add(e);
        }
        double[][] matrix = new double[bySegment.size()][];
        int[] taskOf = new int[bySegment.size()];
        int[] rounds = new int[bySegment.size()];
        int i = 0;
        for (List<TaskEvaluation> es : bySegment.values()) {
            double[] row = new double[es.get(0).accuracy().length];
            for (TaskEvaluation e : es) {
                double[] a = e.accuracy();
                for (int t = 0; t < row.length; t++) {
                    row[t] += a[t] / es.size();
                }
            }
            matrix[i] = row;
            taskOf[i] = es.get(0).task();
            rounds[i] = es.get(0).round();
            i++;
        }
        return new TaskMatrix(matrix, taskOf, rounds);
    }

    public boolean isEmpty() {
        return accuracy.length == 0;
    }

    /** Final task accuracy, forgetting and backward transfer; null without evaluations. */
    public ContinualMetrics metrics() {
        return isEmpty() ? null : ContinualMetrics.of(accuracy, taskOf);
    }
}
