package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A classification data set held in memory, for {@link TaskSequence}: random access by row number.
 * Images are held as bytes ({@link IdxSource#readAll()}); other sources as {@code double[]} rows
 * ({@link #drain}).
 */
abstract class Table {
    private final DataSchema schema;

    Table(DataSchema schema) {
        this.schema = Objects.requireNonNull(schema, "schema is null");
    }

    final DataSchema schema() {
        return schema;
    }

    abstract int size();

    /** Class index of row {@code i}. */
    abstract int label(int i);

    /** Writes the features of row {@code i} to {@code out} (of length {@code schema().numFeatures()}). */
    abstract void features(int i, double[] out);

    /** Group of row {@code i}, or null. */
    String group(int i) {
        return null;
    }

    /** Reads every remaining row of {@code source} into memory (bytes for an {@link IdxSource}). */
    static Table drain(RowSource source) {
        if (source instanceof IdxSource idx) {
            return idx.readAll();
        }
        List<double[]> rows = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        int[] labels = new int[1024];
        boolean anyGroup = false;
        for (var r = source.next(); r.isPresent(); r = source.next()) {
            Row row = r.get();
            if (rows.size() == Integer.MAX_VALUE - 16) {
                throw new DataException("the base stream has more rows than a task stream can hold in memory;"
                        + " set length on it");
            }
            if (rows.size() == labels.length) {
                labels = java.util.Arrays.copyOf(labels, labels.length * 2);
            }
            labels[rows.size()] = row.label();
            rows.add(row.features());
            groups.add(row.group());
            anyGroup |= row.group() != null;
        }
        return new Rows(source.schema(), rows, java.util.Arrays.copyOf(labels, rows.size()),
                anyGroup ? groups : null);
    }

    /** Rows held as {@code double[]}. */
    private static final class Rows extends Table {
        private final List<double[]> rows;
        private final int[] labels;
        private final List<String> groups;

        Rows(DataSchema schema, List<double[]> rows, int[] labels, List<String> groups) {
            super(schema);
            this.rows = rows;
            this.labels = labels;
            this.groups = groups;
        }

        @Override
        int size() {
            return rows.size();
        }

        @Override
        int label(int i) {
            return labels[i];
        }

        @Override
        void features(int i, double[] out) {
            System.arraycopy(rows.get(i), 0, out, 0, out.length);
        }

        @Override
        String group(int i) {
            return groups == null ? null : groups.get(i);
        }
    }
}
