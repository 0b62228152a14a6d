package io.scarcity.api;

import java.util.List;
import java.util.Set;

/**
 * A read-only view of the coordinator's global memory of insights, handed to meta-learners. Bounded
 * per domain: old insights may have been trimmed. Safe to call from the coordinator's thread.
 */
public interface InsightStore {
    /** Domains with at least one stored insight, sorted. */
    Set<String> domains();

    /** Up to {@code max} most recent insights of a domain, oldest first. */
    List<Insight> recent(String domain, int max);

    /** Number of insights of a domain currently stored. */
    int size(String domain);
}
