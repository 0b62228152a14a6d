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

    /** Row indices at which the source changes concept (for reports and tests); empty if unknown. */
    default List<Long> driftPositions() {
        return List.of();
    }

    @Override
    default void close() {
    }
}
