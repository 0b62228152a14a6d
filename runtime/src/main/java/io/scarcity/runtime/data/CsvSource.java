package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Rows of a delimited text file (UTF-8, header line required), streamed. Every problem is reported
 * with the file and line: a user should never have to bisect a CSV to find a bad row. Invalid rows
 * either stop the run or, with {@code onInvalid: quarantine}, are skipped and counted.
 *
 * <p>Without an explicit {@code classes} list the file is read once more, beforehand, to collect the
 * distinct labels: the schema must be known before the first row.
 */
public final class CsvSource implements RowSource {
    /** What to do with an invalid row. */
    public enum OnInvalid { FAIL, QUARANTINE }

    /** Quarantine reasons kept for the report; the rest are only counted. */
    static final int MAX_SAMPLES = 10;
    /** More distinct labels than this almost always means a numeric target read as classes. */
    static final int MAX_DISCOVERED_CLASSES = 1000;
    private static final int MAX_SHOWN_VALUE = 40;

    /**
     * @param path the file
     * @param label name of the label (or regression target) column
     * @param features names of the feature columns; empty for all columns but the label, id and timestamp
     * @param id name of an identifier column to leave out of the features, or null
     * @param timestamp name of a timestamp column to leave out of the features, or null
     * @param task classification or regression
     * @param classes class names, whose order fixes the label indices; empty to discover them
     * @param delimiter field separator
     * @param onInvalid whether an invalid row stops the run or is skipped and counted
     * @param length maximum number of rows to emit, {@link Long#MAX_VALUE} for all
     */
    public record Options(Path path, String label, List<String> features, String id, String timestamp,
            Task task, List<String> classes, char delimiter, OnInvalid onInvalid, long length) {
        public Options {
            Objects.requireNonNull(path, "path is null");
            Objects.requireNonNull(label, "label is null");
            features = List.copyOf(Objects.requireNonNull(features, "features is null"));
            Objects.requireNonNull(task, "task is null");
            classes = List.copyOf(Objects.requireNonNull(classes, "classes is null"));
            Objects.requireNonNull(onInvalid, "onInvalid is null");
            if (task == Task.REGRESSION && !classes.isEmpty()) {
                throw new IllegalArgumentException("classes only apply to classification");
            }
            if (classes.size() == 1) {
                throw new IllegalArgumentException("classification needs at least two classes, got " + classes);
            }
            if (new HashSet<>(classes).size() != classes.size()) {
                throw new IllegalArgumentException("duplicate class names in " + classes);
            }
            if (length < 1) {
                throw new IllegalArgumentException("length must be >= 1, got " + length);
            }
        }
    }

    private final Options options;
    private final String fileName;
    private final int columns;
    private final int[] featureColumns;
    private final String[] featureNames;
    private final int labelColumn;
    private final boolean regression;
    private final DataSchema schema;
    private final Map<String, Integer> classIndex;
    private final List<String> fields = new ArrayList<>();
    private final List<String> samples = new ArrayList<>();
    private CsvReader reader;
    private long emitted;
    private long quarantined;
    /** Outputs of {@link #check}, kept in fields so that checking a row allocates nothing. */
    private int parsedLabel;
    private double parsedTarget;
    private String parsedRawLabel;

    /**
     * Opens the file and reads its header (and, without explicit classes, scans it for labels).
     *
     * @throws DataException if the file is missing or unreadable, its header lacks a named column, or
     *     (with {@code onInvalid: fail}) the label scan meets an invalid row
     */
    public CsvSource(Options options) {
        this.options = Objects.requireNonNull(options, "options is null");
        Path path = options.path();
        this.fileName = path.toString();
        if (!Files.isRegularFile(path)) {
            throw new DataException(Files.isDirectory(path)
                    ? fileName + " is a folder, not a CSV file; check the path"
                    : "CSV file not found: " + path.toAbsolutePath()
                            + "; check the path, or run from the folder it is relative to");
        }
        this.regression = options.task() == Task.REGRESSION;
        CsvReader r = open();
        try {
            long headerLine;
            if (!r.next(fields)) {
                throw new DataException(fileName + ": the file is empty; it needs a header line naming the columns");
            }
            headerLine = r.recordLine();
            Map<String, Integer> header = readHeader(fields, headerLine);
            this.columns = fields.size();
            this.labelColumn = column(header, options.label(), "label", headerLine);
            Set<Integer> excluded = new HashSet<>();
            excluded.add(labelColumn);
            if (options.id() != null) {
                excluded.add(column(header, options.id(), "id", headerLine));
            }
            if (options.timestamp() != null) {
                excluded.add(column(header, options.timestamp(), "timestamp", headerLine));
            }
            List<String> names = new ArrayList<>();
            List<Integer> cols = new ArrayList<>();
            if (options.features().isEmpty()) {
                for (Map.Entry<String, Integer> e : header.entrySet()) {
                    if (!excluded.contains(e.getValue())) {
                        names.add(e.getKey());
                        cols.add(e.getValue());
                    }
                }
                if (names.isEmpty()) {
                    throw new DataException(fileName + ":" + headerLine + ": no feature columns are left once the"
                            + " label" + (options.id() != null ? ", id" : "")
                            + (options.timestamp() != null ? ", timestamp" : "")
                            + " columns are set aside; the header's columns are " + String.join(", ", header.keySet()));
                }
            } else {
                for (String name : options.features()) {
                    int col = column(header, name, "feature", headerLine);
                    if (excluded.contains(col)) {
                        throw new DataException(fileName + ":" + headerLine + ": column '" + name + "' is listed as a"
                                + " feature but is also the label, id or timestamp column; remove it from features");
                    }
                    names.add(name);
                    cols.add(col);
                }
            }
            this.featureNames = names.toArray(new String[0]);
            this.featureColumns = cols.stream().mapToInt(Integer::intValue).toArray();
        } catch (IOException e) {
            closeQuietly(r);
            throw unreadable(e);
        } catch (RuntimeException e) {
            closeQuietly(r);
            throw e;
        }
        List<String> classes;
        if (regression) {
            classes = List.of();
        } else if (!options.classes().isEmpty()) {
            classes = options.classes();
        } else {
            closeQuietly(r);
            classes = discoverClasses();
            r = open();
            skipHeader(r);
        }
        this.classIndex = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            classIndex.put(classes.get(i), i);
        }
        this.schema = new DataSchema(List.of(featureNames), options.task(), classes);
        this.reader = r;
    }

    /**
     * Reads {@code path}, {@code label}, {@code features}, {@code id}, {@code timestamp},
     * {@code task}, {@code classes}, {@code delimiter}, {@code onInvalid} and {@code length}.
     */
    static CsvSource fromConfig(PluginConfig config, Path baseDir) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(baseDir, "baseDir is null");
        String pathText = required(config, "path", "the CSV file to read");
        String label = required(config, "label", "the name of the label column");
        List<String> features = config.getStringList("features", List.of());
        if (config.has("features") && features.isEmpty()) {
            throw config.invalid("features", "is empty; list the feature columns, or leave features out to use"
                    + " every column but the label");
        }
        checkDistinct(config, "features", features);
        String id = optionalColumn(config, "id");
        String timestamp = optionalColumn(config, "timestamp");
        Task task = config.getEnum("task", Task.CLASSIFICATION);
        List<String> classes = List.of();
        if (config.has("classes")) {
            if (task == Task.REGRESSION) {
                throw config.invalid("classes", "only applies to task: classification; remove it, or set task:"
                        + " classification");
            }
            classes = config.getStringList("classes", List.of());
            if (classes.size() < 2) {
                throw config.invalid("classes", "needs at least two class names, got " + classes
                        + "; leave classes out to collect them from the file");
            }
            checkDistinct(config, "classes", classes);
        }
        char delimiter = readDelimiter(config);
        OnInvalid onInvalid = config.getEnum("onInvalid", OnInvalid.FAIL);
        long length = StreamFactory.readLength(config);
        Path path;
        try {
            path = baseDir.resolve(pathText).normalize();
        } catch (InvalidPathException e) {
            throw config.invalid("path", "'" + pathText + "' is not a valid file path: " + e.getReason());
        }
        if (!Files.exists(path)) {
            throw new DataException("CSV file not found: " + path.toAbsolutePath() + " (" + config.pathOf("path")
                    + " is '" + pathText + "'" + (Path.of(pathText).isAbsolute() ? ""
                            : ", resolved against " + baseDir.toAbsolutePath().normalize())
                    + "); check the path, or run from the folder it is relative to");
        }
        return new CsvSource(new Options(path, label, features, id, timestamp, task, classes, delimiter,
                onInvalid, length));
    }

    public Options options() {
        return options;
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
        if (emitted >= options.length()) {
            close();
            return Optional.empty();
        }
        try {
            while (reader.next(fields)) {
                double[] x = new double[featureColumns.length];
                String problem = check(reader, x, true);
                if (problem == null) {
                    return Optional.of(new Row(emitted++, x, parsedLabel, parsedTarget));
                }
                reject(reader.recordLine(), problem);
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
        return quarantined;
    }

    /** The first few quarantine reasons ({@value #MAX_SAMPLES} at most), each naming file and line. */
    @Override
    public List<String> quarantineSamples() {
        return List.copyOf(samples);
    }

    @Override
    public void close() {
        if (reader != null) {
            closeQuietly(reader);
            reader = null;
        }
    }

    /**
     * Validates the record just read by {@code r} into {@link #fields}, writing the features to {@code x} and the label to
     * the {@code parsed*} fields.
     *
     * @param lookUpLabel whether to map the label to its class index (false while discovering classes)
     * @return null if the row is valid, else what is wrong with it
     */
    private String check(CsvReader r, double[] x, boolean lookUpLabel) {
        if (r.syntaxError() != null) {
            return r.syntaxError();
        }
        if (fields.size() != columns) {
            return "expected " + columns + " columns as in the header, got " + fields.size()
                    + (fields.size() == 1 && columns > 1 ? " (is the delimiter right?)" : "");
        }
        for (int j = 0; j < featureColumns.length; j++) {
            String s = fields.get(featureColumns[j]);
            if (s.isBlank()) {
                return "feature column '" + featureNames[j] + "' is empty; fill in the value or drop the row";
            }
            double v;
            try {
                v = DecimalParser.parse(s);
            } catch (NumberFormatException e) {
                return "feature column '" + featureNames[j] + "' has the non-numeric value '" + shown(s)
                        + "'; features must be numbers";
            }
            if (Double.isNaN(v)) {
                return "feature column '" + featureNames[j] + "' is NaN; fill in the missing value or drop the row";
            }
            if (Double.isInfinite(v)) {
                return "feature column '" + featureNames[j] + "' is infinite ('" + shown(s) + "')";
            }
            x[j] = v;
        }
        String raw = fields.get(labelColumn).strip();
        parsedRawLabel = raw;
        if (raw.isEmpty()) {
            return "the label column '" + options.label() + "' is empty";
        }
        if (regression) {
            double t;
            try {
                t = DecimalParser.parse(raw);
            } catch (NumberFormatException e) {
                return "the target column '" + options.label() + "' has the non-numeric value '" + shown(raw)
                        + "'; for class labels set task: classification";
            }
            if (!Double.isFinite(t)) {
                return "the target column '" + options.label() + "' is " + raw + "; targets must be finite numbers";
            }
            parsedLabel = -1;
            parsedTarget = t;
            return null;
        }
        parsedTarget = Double.NaN;
        if (lookUpLabel) {
            Integer index = classIndex.get(raw);
            if (index == null) {
                return "label '" + shown(raw) + "' is not one of the classes " + classIndex.keySet().stream()
                        .sorted(Comparator.comparingInt(classIndex::get)).toList()
                        + "; add it to classes, or fix or drop the row";
            }
            parsedLabel = index;
        }
        return null;
    }

    private void reject(long line, String problem) {
        String where = fileName + ":" + line + ": " + problem;
        if (options.onInvalid() == OnInvalid.FAIL) {
            throw new DataException(where + ". Fix or drop the row, or set onInvalid: quarantine to skip invalid rows");
        }
        quarantined++;
        if (samples.size() < MAX_SAMPLES) {
            samples.add(where);
        }
    }

    /** One pass over the file collecting the labels of valid rows, up to the length cap. */
    private List<String> discoverClasses() {
        Set<String> labels = new HashSet<>();
        double[] scratch = new double[featureColumns.length];
        long valid = 0;
        CsvReader r = open();
        try {
            skipHeader(r);
            while (valid < options.length() && r.next(fields)) {
                String problem = check(r, scratch, false);
                if (problem != null) {
                    if (options.onInvalid() == OnInvalid.FAIL) {
                        reject(r.recordLine(), problem);
                    }
                    continue;
                }
                valid++;
                if (labels.add(parsedRawLabel) && labels.size() > MAX_DISCOVERED_CLASSES) {
                    throw new DataException(fileName + ": the label column '" + options.label() + "' has more than "
                            + MAX_DISCOVERED_CLASSES + " distinct values; for a numeric target set task: regression,"
                            + " or list the class names in classes");
                }
            }
        } catch (IOException e) {
            throw unreadable(e);
        } finally {
            closeQuietly(r);
        }
        if (labels.size() < 2) {
            throw new DataException(fileName + ": the label column '" + options.label() + "' has "
                    + (labels.isEmpty() ? "no valid rows" : "a single value '" + shown(labels.iterator().next()) + "'")
                    + "; classification needs at least two classes (list them in classes if the others come later)");
        }
        List<String> sorted = new ArrayList<>(labels);
        sorted.sort(naturalOrder(sorted));
        return List.copyOf(sorted);
    }

    /** Numeric order if every label is a number (so "10" follows "9"), else lexicographic. */
    static Comparator<String> naturalOrder(List<String> labels) {
        for (String s : labels) {
            if (parseFinite(s) == null) {
                return Comparator.naturalOrder();
            }
        }
        Comparator<String> byValue = Comparator.comparingDouble(CsvSource::parseFinite);
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

    private Map<String, Integer> readHeader(List<String> names, long line) {
        Map<String, Integer> header = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).strip();
            if (i == 0 && name.startsWith("\uFEFF")) {
                name = name.substring(1).strip();
            }
            if (name.isEmpty()) {
                throw new DataException(fileName + ":" + line + ": column " + (i + 1) + " of the header has no name;"
                        + " name every column (a trailing delimiter adds an empty column)");
            }
            Integer previous = header.putIfAbsent(name, i);
            if (previous != null) {
                throw new DataException(fileName + ":" + line + ": the header names column '" + name + "' twice"
                        + " (columns " + (previous + 1) + " and " + (i + 1) + "); rename one");
            }
        }
        return header;
    }

    private int column(Map<String, Integer> header, String name, String role, long line) {
        Integer col = header.get(name);
        if (col != null) {
            return col;
        }
        String hint = "";
        if (header.size() == 1) {
            String only = header.keySet().iterator().next();
            if (only.contains(";") || only.contains("\t") || only.contains("|")) {
                hint = "; the header was read as a single column, so the file may use another delimiter (set"
                        + " delimiter)";
            }
        }
        if (hint.isEmpty()) {
            hint = "; fix the " + role + " name in the config, or add a header line if the file has none";
        }
        return fail(fileName + ":" + line + ": there is no " + role + " column named '" + name
                + "'; the header's columns are " + String.join(", ", header.keySet()) + hint);
    }

    private static int fail(String message) {
        throw new DataException(message);
    }

    private CsvReader open() {
        try {
            return new CsvReader(Files.newBufferedReader(options.path(), StandardCharsets.UTF_8),
                    options.delimiter(), fileName);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    private void skipHeader(CsvReader r) {
        try {
            r.next(fields);
        } catch (IOException e) {
            closeQuietly(r);
            throw unreadable(e);
        }
    }

    private DataException unreadable(IOException e) {
        if (e instanceof CharacterCodingException) {
            return new DataException(fileName + ": the file is not valid UTF-8; save it as UTF-8", e);
        }
        return new DataException(fileName + ": cannot read the file (" + e.getMessage() + ")", e);
    }

    private static void closeQuietly(CsvReader r) {
        try {
            r.close();
        } catch (IOException e) {
            // Nothing was written, so a failed close loses nothing.
        }
    }

    private static String shown(String s) {
        return s.length() <= MAX_SHOWN_VALUE ? s : s.substring(0, MAX_SHOWN_VALUE) + "...";
    }

    private static String required(PluginConfig config, String key, String what) {
        String v = config.getString(key, null);
        if (v == null || v.isBlank()) {
            throw config.invalid(key, "missing; set it to " + what);
        }
        return v;
    }

    private static String optionalColumn(PluginConfig config, String key) {
        String v = config.getString(key, null);
        if (v != null && v.isBlank()) {
            throw config.invalid(key, "is empty; name the column, or leave " + key + " out");
        }
        return v;
    }

    private static void checkDistinct(PluginConfig config, String key, List<String> values) {
        Set<String> seen = new HashSet<>();
        for (String v : values) {
            if (!seen.add(v)) {
                throw config.invalid(key, "lists '" + v + "' twice");
            }
        }
    }

    private static char readDelimiter(PluginConfig config) {
        String d = config.getString("delimiter", ",");
        if ("\\t".equals(d) || "tab".equalsIgnoreCase(d)) {
            return '\t';
        }
        if (d.length() != 1 || d.charAt(0) == '"' || d.charAt(0) == '\n' || d.charAt(0) == '\r') {
            throw config.invalid("delimiter", "must be a single character other than a quote or line break (or"
                    + " 'tab'), got '" + d + "'");
        }
        return d.charAt(0);
    }
}
