package io.scarcity.runtime.engine;

import io.scarcity.runtime.client.ClientRoundResult;
import io.scarcity.runtime.federation.RoundHealth;
import java.util.List;

/** Hears about a run as it goes: progress display, metrics writers, tests. */
public interface RunObserver {
    /** Called once the round's results are final (after meta-learning and gossip). */
    void roundCompleted(int round, int totalRounds, List<ClientRoundResult> results, RoundExtras extras);

    /** Called after {@code roundCompleted} when a task stream's segment was completed in that round. */
    default void tasksEvaluated(TaskEvaluation evaluation) {
    }

    /**
     * Called before a checkpoint of {@code round} is written: make everything written so far durable (a
     * resumed run continues from the checkpoint and expects the outputs of every round up to it).
     */
    default void beforeCheckpoint(int round) {
    }

    /**
     * Called once the coordinator has decided the round (its insights are committed to the store), before
     * the clients apply the decision and before {@code roundCompleted}. Tests use it to interrupt a run at
     * that exact point.
     */
    default void roundDecided(int round) {
    }

    /** Per-round extras measured outside the clients: bytes sent per client, gossip partners, the coordinator's view. */
    record RoundExtras(long[] bytesSent, int[] gossipPartners, long gossipBytes, long insightsRejected,
                       java.util.Map<String, Double> coordinatorMetrics, RoundHealth health) {
    }
}
