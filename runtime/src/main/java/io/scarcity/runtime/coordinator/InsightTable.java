package io.scarcity.runtime.coordinator;

import io.scarcity.api.Insight;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where {@link GlobalMemory} keeps insights whose client ids are already pseudonyms: in memory or in a
 * database. Bounded per domain; every method is safe from any thread.
 */
interface InsightTable extends AutoCloseable {
    /** The salt of client pseudonyms, kept with the insights; 32 bytes. */
    byte[] salt();

    /**
     * Stores insights atomically (all or none), each domain trimmed to its capacity, oldest first.
     * Returns once they are durable, as far as the table is.
     */
    void insert(List<Insight> insights);

    Set<String> domains();

    List<Insight> recent(String domain, int max);

    int size(String domain);

    /** Up to {@code max} most recent insights of a domain from rounds up to {@code throughRound}, oldest first. */
    List<Insight> recent(String domain, int max, int throughRound);

    /** Number of stored insights of a domain from rounds up to {@code throughRound}. */
    int size(String domain, int throughRound);

    /** The highest round of an insight of the domain stored by the current run (see {@link #useRun}); 0 if none. */
    int lastRound(String domain);

    /**
     * Tags the insights stored from now on with a run's id (kept in its checkpoints), so that a resumed run
     * tells its own stored rounds from those of other runs sharing the store. Default: ignore (a store
     * that only ever holds one run's insights).
     */
    default void useRun(String runId) {
    }

    long accepted();

    Map<String, Long> trimmed();

    @Override
    void close();
}
