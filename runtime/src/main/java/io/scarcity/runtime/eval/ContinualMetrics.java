package io.scarcity.runtime.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Continual-learning metrics from an accuracy matrix {@code R[i][j]}: the accuracy on task {@code j}'s
 * held-out rows after segment {@code i} of the schedule (whose task is {@code taskOf[i]}) was learned.
 * Schedules may revisit tasks (A, B, A, ...); "learned" below means the most recent segment of that
 * task before the last segment.
 *
 * <ul>
 *   <li><b>final accuracy</b>: mean of {@code R[last][j]} over the tasks trained at least once;</li>
 *   <li><b>backward transfer</b> (Lopez-Paz and Ranzato, 2017): mean over tasks {@code j} trained
 *       before the last segment, other than the last segment's task, of
 *       {@code R[last][j] - R[l_j][j]}, where {@code l_j} is the last segment of task {@code j} before
 *       the last segment; negative values are forgetting;</li>
 *   <li><b>forgetting</b> (Chaudhry et al., 2018): mean over the same tasks of
 *       {@code max_{f_j <= l < last} R[l][j] - R[last][j]}, with {@code f_j} the first segment of task
 *       {@code j}: how far each task fell from its best.</li>
 * </ul>
 * With a single segment, backward transfer and forgetting are NaN (nothing to forget).
 */
public record ContinualMetrics(double finalAccuracy, double backwardTransfer, double forgetting) {

    public static ContinualMetrics of(double[][] accuracy, int[] taskOf) {
        int segments = accuracy.length;
        if (segments == 0 || taskOf.length != segments) {
            throw new IllegalArgumentException("need one task id per evaluated segment");
        }
        int last = segments - 1;
        int tasks = accuracy[0].length;
        List<Integer> trained = new ArrayList<>();
        double finalSum = 0;
        for (int j = 0; j < tasks; j++) {
            if (firstSegment(taskOf, j, segments) >= 0) {
                trained.add(j);
                finalSum += accuracy[last][j];
            }
        }
        double finalAccuracy = trained.isEmpty() ? Double.NaN : finalSum / trained.size();
        double bwt = 0;
        double forgetting = 0;
        int counted = 0;
        for (int j : trained) {
            if (j == taskOf[last]) {
                continue;
            }
            int first = firstSegment(taskOf, j, last);
            if (first < 0) {
                continue;
            }
            int latest = -1;
            double best = Double.NEGATIVE_INFINITY;
            for (int l = first; l < last; l++) {
                if (taskOf[l] == j) {
                    latest = l;
                }
                best = Math.max(best, accuracy[l][j]);
            }
            bwt += accuracy[last][j] - accuracy[latest][j];
            forgetting += best - accuracy[last][j];
            counted++;
        }
        return new ContinualMetrics(finalAccuracy, counted == 0 ? Double.NaN : bwt / counted,
                counted == 0 ? Double.NaN : forgetting / counted);
    }

    private static int firstSegment(int[] taskOf, int task, int before) {
        for (int i = 0; i < before; i++) {
            if (taskOf[i] == task) {
                return i;
            }
        }
        return -1;
    }
}
