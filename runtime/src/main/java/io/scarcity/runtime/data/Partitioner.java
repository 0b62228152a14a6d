package io.scarcity.runtime.data;

/**
 * Assigns each row of a domain's stream to one of the domain's clients. Deterministic for a given
 * seed and row sequence; not thread-safe.
 */
public interface Partitioner {
    /** Client index in {@code [0, clients)} that receives the row. */
    int assign(Row row);
}
