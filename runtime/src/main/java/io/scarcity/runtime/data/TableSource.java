package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import java.util.List;
import java.util.Optional;

/**
 * A source that reads a table file: a format's header in front of a {@link TableStream}, which does the
 * rest. Only passes the {@link RowSource} calls on to the stream, so that each format states just what
 * is its own.
 */
abstract sealed class TableSource implements RowSource permits CsvSource, ArffSource {
    /** The stream behind the header, made by the format's constructor. */
    abstract TableStream stream();

    @Override
    public final DataSchema schema() {
        return stream().schema();
    }

    @Override
    public final Optional<Row> next() {
        return stream().next();
    }

    @Override
    public final long quarantined() {
        return stream().quarantined();
    }

    /** The first few quarantine reasons ({@value RowQuarantine#MAX_SAMPLES} at most), each naming file and line. */
    @Override
    public final List<String> quarantineSamples() {
        return stream().quarantineSamples();
    }

    /**
     * With an id column, its distinct values over the rows this source will emit (valid rows, up to
     * {@code length}), sorted numerically if all are numbers, else lexicographically; found by one pass
     * over the file (done together with the label scan when classes are discovered). Empty without an
     * id column.
     *
     * @throws DataException (with {@code onInvalid: fail}) if the pass meets an invalid row
     */
    @Override
    public final Optional<List<String>> groups() {
        return stream().groups();
    }

    @Override
    public final void close() {
        stream().close();
    }
}
