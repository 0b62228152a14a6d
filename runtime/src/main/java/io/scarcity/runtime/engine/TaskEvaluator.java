package io.scarcity.runtime.engine;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Prediction;
import io.scarcity.runtime.client.ClientHandle;
import io.scarcity.runtime.data.Row;
import io.scarcity.runtime.data.TaskStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Continual-learning evaluation of task-stream domains: after each completed segment, every client of
 * the domain predicts every task's held-out rows (without learning), for forgetting and backward
 * transfer. Remembers per domain how many segments were evaluated (kept in checkpoints).
 */
final class TaskEvaluator {
    private final List<String> domains;
    private final List<DomainFeed> feeds;
    private final List<? extends List<? extends ClientHandle>> clientsByDomain;
    private final int[] segmentsEvaluated;

    TaskEvaluator(List<String> domains, List<DomainFeed> feeds, List<? extends List<? extends ClientHandle>> clientsByDomain) {
        this.domains = List.copyOf(domains);
        this.feeds = feeds;
        this.clientsByDomain = clientsByDomain;
        this.segmentsEvaluated = new int[domains.size()];
    }

    /** Segments evaluated so far, per domain (for a checkpoint). */
    int[] segmentsEvaluated() {
        return segmentsEvaluated.clone();
    }

    /** Restores {@link #segmentsEvaluated}; false if the counts do not fit the domains. */
    boolean restore(int[] segments) {
        if (segments == null || segments.length != segmentsEvaluated.length) {
            return false;
        }
        System.arraycopy(segments, 0, segmentsEvaluated, 0, segments.length);
        return true;
    }

    /** Evaluates every client of a task-stream domain on every task after each segment completed by {@code round}. */
    List<TaskEvaluation> evaluate(int round) {
        List<TaskEvaluation> out = new ArrayList<>();
        for (int i = 0; i < feeds.size(); i++) {
            if (!(feeds.get(i).source() instanceof TaskStream tasks)) {
                continue;
            }
            List<TaskStream.Segment> schedule = tasks.schedule();
            int next = segmentsEvaluated[i];
            // A segment counts as learned once the feed has read past its end (or the stream ran out).
            while (next < schedule.size()
                    && (feeds.get(i).consumed() >= schedule.get(next).end() || feeds.get(i).exhausted())) {
                double[] accuracy = new double[tasks.taskCount()];
                for (int t = 0; t < accuracy.length; t++) {
                    accuracy[t] = accuracyOn(clientsByDomain.get(i), tasks, t);
                }
                out.add(new TaskEvaluation(domains.get(i), round, next, schedule.get(next).task(), accuracy));
                next++;
            }
            segmentsEvaluated[i] = next;
        }
        return out;
    }

    private static double accuracyOn(List<? extends ClientHandle> domainClients, TaskStream tasks, int task) {
        List<Row> rows = tasks.testRows(task);
        if (rows.isEmpty()) {
            return Double.NaN;
        }
        DataSchema schema = tasks.schema();
        Batch test = DomainFeed.toBatch(schema, "test", rows, 0, true, schema.numFeatures());
        double sum = 0;
        for (ClientHandle c : domainClients) {
            Prediction p = c.evaluate(test);
            long right = 0;
            for (int r = 0; r < test.rows(); r++) {
                right += p.predictedClass(r) == test.label(r) ? 1 : 0;
            }
            sum += (double) right / test.rows();
        }
        return sum / domainClients.size();
    }
}
