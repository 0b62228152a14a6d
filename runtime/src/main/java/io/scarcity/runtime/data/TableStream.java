package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Task;
import io.scarcity.runtime.data.CsvSource.OnInvalid;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The part of a table file source that does not depend on the file's syntax, shared by {@link CsvSource}
 * and {@link ArffSource}: rows streamed up to the length cap, invalid ones stopping the run or
 * quarantined, and the look-ahead passes that find the classes and the groups before the first row. The
 * format reads its header itself and hands over a {@link Records} reader of its data section, which
 * checks each record in the format's own words.
 *
 * <p>Built in two steps, since the classes a format checks labels against may have to be discovered
 * by a pass over the file first: construct, {@link #discoverClasses} if needed, then {@link #start}.
 */
final class TableStream implements RowSource {
    /** More distinct labels than this almost always means a numeric target read as classes. */
    static final int MAX_DISCOVERED_CLASSES = 1000;
    private static final int MAX_SHOWN_VALUE = 40;

    /**
     * A format's reader of the data section of one open file. It keeps the record just read, so that
     * checking one allocates nothing but the row.
     */
    interface Records extends Closeable {
        /** Reads the next record, passing over lines the format does not count as records; false at the end. */
        boolean next() throws IOException;

        /** Line of the record just read, for messages. */
        long line();

        /**
         * Checks the record just read, writing its features to {@code x}.
         *
         * @param lookUpLabel whether to map the label to its class index (false while the classes are
         *     being discovered)
         * @return null if the record is a valid row, else what is wrong with it
         */
        String check(double[] x, boolean lookUpLabel);

        /** Class index of the valid record just checked, or -1 for a regression target. */
        int label();

        /** Regression target of the valid record just checked, or NaN for a class. */
        double target();

        /** The label of the valid record just checked, as written (for discovering the classes). */
        String labelText();

        /** The id of the valid record just checked, or null without an id column. */
        String group();
    }

    private final String fileName;
    private final List<String> featureNames;
    private final boolean grouped;
    private final Task task;
    private final long length;
    private final Supplier<Records> data;
    private final RowQuarantine quarantine;
    private DataSchema schema;
    private Records reader;
    private long emitted;
    /** Distinct id values of the valid rows, sorted; null until scanned. */
    private List<String> groups;

    /**
     * @param fileName the file, as messages name it
     * @param featureNames the schema's feature names
     * @param grouped whether rows have an id (see {@link Records#group()})
     * @param data opens the file at its first data record; throws {@link DataException} if it cannot
     */
    TableStream(String fileName, List<String> featureNames, boolean grouped, Task task, OnInvalid onInvalid,
            long length, Supplier<Records> data) {
        this.fileName = Objects.requireNonNull(fileName, "fileName is null");
        this.featureNames = List.copyOf(featureNames);
        this.grouped = grouped;
        this.task = Objects.requireNonNull(task, "task is null");
        this.length = length;
        this.data = Objects.requireNonNull(data, "data is null");
        this.quarantine = new RowQuarantine(fileName, Objects.requireNonNull(onInvalid, "onInvalid is null"));
    }

    /**
     * Fixes the schema and opens the file for {@link #next}.
     *
     * @param classes the class names, whose order fixes the label indices; empty for regression
     */
    void start(List<String> classes) {
        this.schema = new DataSchema(featureNames, task, classes);
        this.reader = data.get();
    }

    @Override
    public DataSchema schema() {
        return schema;
    }

    @Override
    public Optional<Row> next() {
        if (reader == null) {
            return Optional.empty();
        }
        if (emitted >= length) {
            close();
            return Optional.empty();
        }
        try {
            while (reader.next()) {
                double[] x = new double[featureNames.size()];
                String problem = reader.check(x, true);
                if (problem == null) {
                    return Optional.of(new Row(emitted++, x, reader.label(), reader.target(), reader.group()));
                }
                quarantine.reject(reader.line(), problem);
            }
        } catch (IOException e) {
            close();
            throw unreadable(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        close();
        return Optional.empty();
    }

    @Override
    public long quarantined() {
        return quarantine.count();
    }

    /** The first few quarantine reasons ({@value RowQuarantine#MAX_SAMPLES} at most), each naming file and line. */
    @Override
    public List<String> quarantineSamples() {
        return quarantine.samples();
    }

    /**
     * With an id column, its distinct values over the rows this source will emit (valid rows, up to
     * the length cap), sorted by {@link #naturalOrder}; found by one pass over the file, unless the
     * class discovery already made it. Empty without an id column.
     *
     * @throws DataException (with {@code onInvalid: fail}) if the pass meets an invalid row
     */
    @Override
    public Optional<List<String>> groups() {
        if (!grouped) {
            return Optional.empty();
        }
        if (groups == null) {
            Set<String> seen = new HashSet<>();
            forEachValidRow(true, r -> seen.add(r.group()));
            groups = sortedNaturally(seen);
        }
        return Optional.of(groups);
    }

    @Override
    public void close() {
        if (reader != null) {
            DataFiles.closeQuietly(reader);
            reader = null;
        }
    }

    /**
     * One pass over the file collecting the labels of valid rows, up to the length cap (and the ids, if
     * rows have one, for {@link #groups()}).
     *
     * @param label the label as messages name it, e.g. "the label column 'y'"
     * @return the distinct labels, sorted by {@link #naturalOrder}
     * @throws DataException if there are fewer than two or more than {@value #MAX_DISCOVERED_CLASSES},
     *     or (with {@code onInvalid: fail}) the pass meets an invalid row
     */
    List<String> discoverClasses(String label) {
        Set<String> labels = new HashSet<>();
        Set<String> ids = new HashSet<>();
        // Labels are not looked up: the classes are what this pass is finding.
        forEachValidRow(false, r -> {
            if (grouped) {
                ids.add(r.group());
            }
            if (labels.add(r.labelText()) && labels.size() > MAX_DISCOVERED_CLASSES) {
                throw new DataException(fileName + ": " + label + " has more than " + MAX_DISCOVERED_CLASSES
                        + " distinct values; for a numeric target set task: regression, or list the class names in"
                        + " classes");
            }
        });
        if (labels.size() < 2) {
            throw new DataException(fileName + ": " + label + " has "
                    + (labels.isEmpty() ? "no valid rows" : "a single value '" + shown(labels.iterator().next()) + "'")
                    + "; classification needs at least two classes (list them in classes if the others come later)");
        }
        if (grouped) {
            groups = sortedNaturally(ids);
        }
        return sortedNaturally(labels);
    }

    /**
     * A look-ahead pass over the rows {@link #next} will emit (valid rows, up to the length cap): runs
     * {@code visit} on each. Invalid rows are skipped, or with {@code onInvalid: fail} the first one
     * stops the pass; either way they are counted only when streamed.
     */
    private void forEachValidRow(boolean lookUpLabel, Consumer<Records> visit) {
        double[] scratch = new double[featureNames.size()];
        long valid = 0;
        Records r = data.get();
        try {
            while (valid < length && r.next()) {
                String problem = r.check(scratch, lookUpLabel);
                if (problem != null) {
                    quarantine.failIfStrict(r.line(), problem);
                    continue;
                }
                valid++;
                visit.accept(r);
            }
        } catch (IOException e) {
            throw unreadable(e);
        } finally {
            DataFiles.closeQuietly(r);
        }
    }

    private DataException unreadable(IOException e) {
        return DataFiles.unreadable(fileName, e);
    }

    /** The values sorted by {@link #naturalOrder}. */
    static List<String> sortedNaturally(Set<String> values) {
        List<String> sorted = new ArrayList<>(values);
        sorted.sort(naturalOrder(sorted));
        return List.copyOf(sorted);
    }

    /** Numeric order if every value is a number (so "10" follows "9"), else lexicographic. */
    static Comparator<String> naturalOrder(List<String> values) {
        for (String s : values) {
            if (parseFinite(s) == null) {
                return Comparator.naturalOrder();
            }
        }
        Comparator<String> byValue = Comparator.comparingDouble(TableStream::parseFinite);
        return byValue.thenComparing(Comparator.naturalOrder());
    }

    private static Double parseFinite(String s) {
        try {
            double v = Double.parseDouble(s);
            return Double.isFinite(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A value from a file, cut for a message. */
    static String shown(String s) {
        return s.length() <= MAX_SHOWN_VALUE ? s : s.substring(0, MAX_SHOWN_VALUE) + "...";
    }

    /** A list for a message, cut after 20 values. */
    static String shownList(List<String> values) {
        if (values == null) {
            return "[]";
        }
        if (values.size() <= 20) {
            return values.toString();
        }
        return values.subList(0, 20) + " and " + (values.size() - 20) + " more";
    }
}
