package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import java.util.List;
import java.util.Optional;

/**
 * A stream of labelled rows for one domain: a synthetic generator or a file. Not thread-safe; the
 * engine reads each source from one thread.
 */
public interface RowSource extends AutoCloseable {
    /** Known before the first row. */
    DataSchema schema();

    /**
     * The next row, or empty when the source is exhausted (generators never are, unless given a
     * length).
     *
     * @throws DataException on a malformed row that the source is not configured to quarantine
     */
    Optional<Row> next();

    /** Rows skipped as invalid so far (only when configured to quarantine instead of failing). */
    default long quarantined() {
        return 0;
    }

    /** The first few reasons rows were quarantined, e.g. {@code data.csv:12: ...}. */
    default List<String> quarantineSamples() {
        return List.of();
    }

    /**
     * The distinct {@link Row#group()} values this source will emit, sorted (numerically when all are
     * numbers), for natural partitioning; empty if the source has no groups (no id column). May read
     * the whole source once, so call it before the first row, at most once per run.
     *
     * @throws DataException if reading the groups meets an invalid row the source would fail on
     */
    default Optional<List<String>> groups() {
        return Optional.empty();
    }

    /** Row indices at which the source changes concept (for reports and tests); empty if unknown. */
    default List<Long> driftPositions() {
        return List.of();
    }

    @Override
    default void close() {
    }
}
