package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Task;
import io.scarcity.runtime.data.CsvSource.OnInvalid;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The part of a table file source that does not depend on the file's syntax, shared by {@link CsvSource}
 * and {@link ArffSource}: rows streamed up to the length cap, invalid ones stopping the run or
 * quarantined, and the look-ahead passes that find the classes and the groups before the first row. The
 * format reads its header itself (with {@link #readHeader}) and hands over a {@link Records} reader of
 * its data section, which checks each record in the format's own words.
 *
 * <p>Built in two steps, since the classes a format checks labels against may have to be discovered
 * by a pass over the file first: construct, {@link #discoverClasses} if needed, then {@link #start}.
 */
final class TableStream implements RowSource {
    /** More distinct labels than this almost always means a numeric target read as classes. */
    static final int MAX_DISCOVERED_CLASSES = 1000;
    private static final int MAX_SHOWN_VALUE = 40;

    /**
     * A format's reader of the data section of one open file. {@link #check} leaves a valid record's
     * label in fields rather than in a returned object, so that checking a record allocates nothing
     * but the row.
     */
    abstract static class Records implements Closeable {
        /** Class index of the valid record just checked, or -1 for a regression target. */
        int label;
        /** Regression target of the valid record just checked, or NaN for a class. */
        double target;
        /** The label of the record just checked, as written (for discovering the classes). */
        String labelText;

        /**
         * Marks the record just checked as a valid row without a label (-1, and a NaN target: DomainFeed's mark);
         * returns null, {@link #check}'s "valid".
         */
        final String noLabel() {
            labelText = null;
            label = -1;
            target = Double.NaN;
            return null;
        }

        /**
         * Passes over what precedes the data, once, on a file just opened.
         *
         * @throws DataException if the file no longer has the header it had when the format read it
         */
        abstract void skipHeader() throws IOException;

        /** Reads the next record, passing over lines the format does not count as records; false at the end. */
        abstract boolean next() throws IOException;

        /** Line of the record just read, for messages. */
        abstract long line();

        /**
         * Checks the record just read, writing its features to {@code x} and its label to the fields.
         *
         * @param lookUpLabel whether to map the label to its class index (false while the classes are
         *     being discovered)
         * @return null if the record is a valid row, else what is wrong with it
         */
        abstract String check(double[] x, boolean lookUpLabel);

        /** The id of the valid record just checked, or null without an id column. */
        abstract String group();
    }

    /** What a format reads the header of its file with. */
    interface HeaderReader<H> {
        H read(BufferedReader in) throws IOException;
    }

    private final Path path;
    private final String fileName;
    private final List<String> featureNames;
    private final boolean grouped;
    private final Task task;
    private final long length;
    private final Function<BufferedReader, Records> records;
    private final RowQuarantine quarantine;
    private DataSchema schema;
    private Records reader;
    private long emitted;
    /** Distinct id values of the valid rows, sorted; null until scanned. */
    private List<String> groups;

    /**
     * Reads the header at the top of {@code path} with {@code read}, then closes the file.
     *
     * @throws DataException if the file cannot be read, or {@code read} finds the header wrong
     */
    static <H> H readHeader(Path path, HeaderReader<H> read) {
        BufferedReader in = open(path);
        try {
            return read.read(in);
        } catch (IOException e) {
            throw DataFiles.unreadable(path.toString(), e);
        } finally {
            DataFiles.closeQuietly(in);
        }
    }

    /**
     * @param path the file (UTF-8, plain or gzipped), whose header the format has read
     * @param columns the columns the format reads; rows have a group if there is an id column
     * @param records the format's reader of the file, which is opened afresh for each pass
     */
    TableStream(Path path, TableColumns columns, Task task, OnInvalid onInvalid, long length,
            Function<BufferedReader, Records> records) {
        this.path = Objects.requireNonNull(path, "path is null");
        this.fileName = path.toString();
        this.featureNames = Objects.requireNonNull(columns, "columns is null").featureNames();
        this.grouped = columns.id() >= 0;
        this.task = Objects.requireNonNull(task, "task is null");
        this.length = length;
        this.records = Objects.requireNonNull(records, "records is null");
        this.quarantine = new RowQuarantine(fileName, Objects.requireNonNull(onInvalid, "onInvalid is null"));
    }

    /**
     * Fixes the schema and opens the file for {@link #next}.
     *
     * @param classes the class names, whose order fixes the label indices; empty for regression
     */
    void start(List<String> classes) {
        this.schema = new DataSchema(featureNames, task, classes);
        this.reader = openAtData();
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
                    return Optional.of(new Row(emitted++, x, reader.label, reader.target, reader.group()));
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
        long[] unlabelled = new long[1];
        // Labels are not looked up: the classes are what this pass is finding.
        forEachValidRow(false, r -> {
            if (grouped) {
                ids.add(r.group());
            }
            if (r.labelText == null) {
                unlabelled[0]++;
            }
            if (r.labelText != null && labels.add(r.labelText) && labels.size() > MAX_DISCOVERED_CLASSES) {
                throw new DataException(fileName + ": " + label + " has more than " + MAX_DISCOVERED_CLASSES
                        + " distinct values; for a numeric target set task: regression, or list the class names in"
                        + " classes");
            }
        });
        if (labels.isEmpty() && unlabelled[0] > 0) {
            throw new DataException(fileName + ": " + label + " is empty in every one of its " + unlabelled[0] + " rows;"
                    + " a stream without any label is not supported yet: label some rows, or list the class names in"
                    + " classes if labels come later in the file");
        }
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
        Records r = openAtData();
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

    /** The file, opened afresh, at its first data record. */
    private Records openAtData() {
        Records r = records.apply(open(path));
        try {
            r.skipHeader();
        } catch (IOException e) {
            DataFiles.closeQuietly(r);
            throw unreadable(e);
        } catch (RuntimeException e) {
            DataFiles.closeQuietly(r);
            throw e;
        }
        return r;
    }

    private static BufferedReader open(Path path) {
        try {
            return DataFiles.openText(path);
        } catch (IOException e) {
            throw DataFiles.unreadable(path.toString(), e);
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
