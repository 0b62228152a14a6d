package io.scarcity.runtime.engine;

import io.scarcity.runtime.client.ClientRoundResult;
import java.util.List;

/** Hears about a run as it goes: progress display, metrics writers, tests. */
public interface RunObserver {
    /** Called once the round's results are final (after meta-learning and gossip). */
    void roundCompleted(int round, int totalRounds, List<ClientRoundResult> results, RoundExtras extras);

    /** Called after {@code roundCompleted} when a task stream's segment was completed in that round. */
    default void tasksEvaluated(TaskEvaluation evaluation) {
    }

    /** Per-round extras measured outside the clients: bytes sent per client, gossip partners. */
    record RoundExtras(long[] bytesSent, int[] gossipPartners, long gossipBytes, long insightsRejected,
                       java.util.Map<String, Double> coordinatorMetrics) {
    }
}
