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

    /**
     * Called before a checkpoint of {@code round} is written: make everything written so far durable (a
     * resumed run continues from the checkpoint and expects the outputs of every round up to it).
     */
    default void beforeCheckpoint(int round) {
    }

    /** Per-round extras measured outside the clients: bytes sent per client, gossip partners. */
    record RoundExtras(long[] bytesSent, int[] gossipPartners, long gossipBytes, long insightsRejected,
                       java.util.Map<String, Double> coordinatorMetrics, Health health) {
    }

    /**
     * The coordinator's view of a round: clients that were offline, clients dropped for silence beyond
     * the heartbeat timeout, each client's consensus weight, the spread of client losses, the change of
     * the meta-parameters, and whether the run counts as converged.
     */
    record Health(List<String> offline, List<String> dropped, java.util.Map<String, Double> weights,
                  double lossSpread, double parameterChange, boolean converged) {
    }
}
