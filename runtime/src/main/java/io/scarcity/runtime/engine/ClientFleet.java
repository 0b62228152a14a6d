package io.scarcity.runtime.engine;

import io.scarcity.runtime.client.ClientHandle;
import io.scarcity.runtime.client.ClientRoundResult;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where a run's clients live and how a round's work reaches them: in this JVM with the data streams
 * that feed them ({@link LocalFleet}), or, for a networked coordinator, behind connections to the
 * processes that host them. The engine's round loop (who is offline, the {@link
 * io.scarcity.runtime.federation.RoundProtocol}, totals, observers, checkpoints) is the same for both.
 */
public interface ClientFleet extends AutoCloseable {
    /** Every client of the run, in run order (domain by domain, as the config lists them). */
    List<? extends ClientHandle> clients();

    /**
     * Plays a round: each client tests then trains on its batches, or, if {@code offline}, lets them go
     * by. Results come back in client order whatever runs in parallel.
     *
     * @param checkEmpty whether streams empty from the start are an error (a fresh run's first round)
     * @return the results, or {@code null} when every stream has run out
     */
    List<ClientRoundResult> play(int round, boolean[] offline, boolean checkEmpty);

    /**
     * Where a fleet whose clients join over the network records each host's admission and refusal (the coordinator's
     * audit log); a fleet in this process has nothing to add to what the round protocol records.
     */
    default void audit(io.scarcity.runtime.audit.AuditTrail trail) {
    }

    /** Continual-learning evaluations due after {@code round} (task streams only; empty otherwise). */
    List<TaskEvaluation> evaluateTasks(int round);

    /** Rows each domain's stream has delivered so far, and a digest of their values (kept in checkpoints). */
    long[] consumed();

    long[] digests();

    /** Task segments evaluated so far per domain (kept in checkpoints). */
    int[] segmentsEvaluated();

    /**
     * Reads the streams again up to the end of {@code round} (they are deterministic for a seed) and checks
     * that they deliver what a checkpoint recorded; restores the task evaluations' progress.
     *
     * @throws IOException whose message says what differs
     */
    void replay(int round, long[] consumed, long[] digests, int[] segments) throws IOException;

    /**
     * The run's id when the fleet's clients know the run by one already (hosts keep their states under the
     * id they were welcomed with); {@code null} lets the engine choose one.
     */
    default String runId() {
        return null;
    }

    /** The run's folder, once it exists (before the first round), for what the fleet keeps there; nothing by default. */
    default void useRunFolder(java.nio.file.Path runDir) {
    }

    /** Quarantined rows per domain so far. */
    Map<String, Long> quarantined();

    /** Drift positions the sources declare, per domain, as {@code stream row -> round it falls in}. */
    Map<String, Map<Long, Integer>> injectedDrifts();

    /** Logs what the sources quarantined, at the end of a run. */
    void logQuarantine();

    @Override
    void close();
}
