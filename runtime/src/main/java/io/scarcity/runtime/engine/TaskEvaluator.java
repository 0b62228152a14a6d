package io.scarcity.runtime.engine;

import io.scarcity.api.Batch;
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
        for (TaskScores s : score()) {
            out.add(s.evaluation(round, clientsByDomain.get(domains.indexOf(s.domain())).size()));
        }
        return out;
    }

    /**
     * Each client's accuracy on every task after each segment completed so far and not scored yet: what
     * {@link #evaluate} averages, for a fleet that holds only some of a domain's clients (the coordinator then
     * adds up the clients of all hosts, in client order).
     */
    List<TaskScores> score() {
        List<TaskScores> out = new ArrayList<>();
        for (int i = 0; i < feeds.size(); i++) {
            if (!(feeds.get(i).source() instanceof TaskStream tasks)) {
                continue;
            }
            List<TaskStream.Segment> schedule = tasks.schedule();
            int next = segmentsEvaluated[i];
            while (next < schedule.size() && learned(i, schedule.get(next))) {
                List<? extends ClientHandle> clients = clientsByDomain.get(i);
                double[][] accuracy = new double[clients.size()][tasks.taskCount()];
                for (int t = 0; t < tasks.taskCount(); t++) {
                    List<Row> rows = tasks.testRows(t);
                    Batch test = rows.isEmpty() ? null : DomainFeed.toBatch(tasks.schema(), "test", rows, 0, true, tasks.schema().numFeatures());
                    for (int c = 0; c < clients.size(); c++) {
                        accuracy[c][t] = test == null ? Double.NaN : accuracyOf(clients.get(c), test);
                    }
                }
                out.add(new TaskScores(domains.get(i), next, schedule.get(next).task(),
                        clients.stream().map(ClientHandle::id).toList(), accuracy));
                next++;
            }
            segmentsEvaluated[i] = next;
        }
        return out;
    }

    /**
     * Counts the segments learned by now as evaluated without evaluating them: a fleet whose streams were
     * read again (a rewind, or a host catching up with the run) had them evaluated already, or missed them.
     */
    void skipLearned() {
        for (int i = 0; i < feeds.size(); i++) {
            if (feeds.get(i).source() instanceof TaskStream tasks) {
                List<TaskStream.Segment> schedule = tasks.schedule();
                while (segmentsEvaluated[i] < schedule.size() && learned(i, schedule.get(segmentsEvaluated[i]))) {
                    segmentsEvaluated[i]++;
                }
            }
        }
    }

    /** A segment counts as learned once the feed has read past its end (or the stream ran out). */
    private boolean learned(int domain, TaskStream.Segment segment) {
        return feeds.get(domain).consumed() >= segment.end() || feeds.get(domain).exhausted();
    }

    private static double accuracyOf(ClientHandle c, Batch test) {
        Prediction p = c.evaluate(test);
        long right = 0;
        for (int r = 0; r < test.rows(); r++) {
            right += p.predictedClass(r) == test.label(r) ? 1 : 0;
        }
        return (double) right / test.rows();
    }
}
