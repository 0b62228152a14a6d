package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
 * Rows of a delimited text file (UTF-8, plain or gzipped: gzip is recognised by its magic bytes, not
 * the file name), streamed. Every problem is reported with the file and line: a user should never have
 * to bisect a CSV to find a bad row. Invalid rows either stop the run or, with
 * {@code onInvalid: quarantine}, are skipped and counted.
 *
 * <p>The first line names the columns, unless {@code header: false}: then the first line is data and
 * the columns are called {@code c0, c1, ...}; the label, features, id, timestamp and nominal columns
 * may then be named either {@code cN} or by their 0-based index {@code N}.
 *
 * <p>Columns listed under {@code nominal} hold categories: each value is encoded as its 0-based index
 * in the declared list; a value not in the list is an invalid row.
 *
 * <p>With an {@code id} column, each row's {@link Row#group()} is the id value (text, stripped of
 * surrounding blanks), and {@link #groups()} lists the distinct values of the valid rows.
 *
 * <p>Without an explicit {@code classes} list the file is read once more, beforehand, to collect the
 * distinct labels: the schema must be known before the first row.
 */
public final class CsvSource implements RowSource {
    /** What to do with an invalid row. */
    public enum OnInvalid { FAIL, QUARANTINE }

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
     * @param header whether the first line names the columns (else columns are c0, c1, ...)
     * @param nominal declared values of categorical feature columns, by column name; a value is encoded as
     *     its index in the list
     */
    public record Options(Path path, String label, List<String> features, String id, String timestamp,
            Task task, List<String> classes, char delimiter, OnInvalid onInvalid, long length, boolean header,
            Map<String, List<String>> nominal) {
        /** With a header line and no nominal columns. */
        public Options(Path path, String label, List<String> features, String id, String timestamp,
                Task task, List<String> classes, char delimiter, OnInvalid onInvalid, long length) {
            this(path, label, features, id, timestamp, task, classes, delimiter, onInvalid, length, true, Map.of());
        }

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
            Map<String, List<String>> copy = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> e : Objects.requireNonNull(nominal, "nominal is null").entrySet()) {
                List<String> values = List.copyOf(e.getValue());
                if (values.isEmpty()) {
                    throw new IllegalArgumentException("nominal column '" + e.getKey() + "' declares no values");
                }
                if (new HashSet<>(values).size() != values.size()) {
                    throw new IllegalArgumentException("duplicate values in nominal column '" + e.getKey() + "': "
                            + values);
                }
                copy.put(e.getKey(), values);
            }
            nominal = Collections.unmodifiableMap(copy);
        }
    }

    private final Options options;
    private final String fileName;
    private final int columns;
    private final int[] featureColumns;
    private final String[] featureNames;
    private final int labelColumn;
    /** Column of the id, or -1. */
    private final int idColumn;
    /** Per feature: value to code of a nominal column, or null for a numeric one. */
    private final Map<String, Integer>[] nominalCodes;
    private final boolean regression;
    private final Map<String, Integer> classIndex;
    private final TableStream stream;

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
        DataFiles.requireRegularFile(path, "a", "CSV file");
        this.regression = options.task() == Task.REGRESSION;
        List<String> fields = new ArrayList<>();
        CsvReader r = open();
        try {
            long headerLine;
            if (!r.next(fields)) {
                throw new DataException(fileName + ": the file is empty; " + (options.header()
                        ? "it needs a header line naming the columns" : "it needs at least one row"));
            }
            headerLine = r.recordLine();
            Map<String, Integer> header = options.header() ? readHeader(fields, headerLine) : generatedHeader(fields.size());
            this.columns = fields.size();
            this.labelColumn = column(header, options.label(), "label", headerLine);
            Set<Integer> excluded = new HashSet<>();
            excluded.add(labelColumn);
            if (options.id() != null) {
                this.idColumn = column(header, options.id(), "id", headerLine);
                excluded.add(idColumn);
            } else {
                this.idColumn = -1;
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
                    if (cols.contains(col)) {
                        throw new DataException(fileName + ":" + headerLine + ": column '" + name + "' is listed"
                                + " twice among the features");
                    }
                    names.add(options.header() ? name : "c" + col);
                    cols.add(col);
                }
            }
            this.featureNames = names.toArray(new String[0]);
            this.featureColumns = cols.stream().mapToInt(Integer::intValue).toArray();
            this.nominalCodes = nominalCodes(header, cols, excluded, headerLine);
        } catch (IOException e) {
            DataFiles.closeQuietly(r);
            throw unreadable(e);
        } catch (RuntimeException e) {
            DataFiles.closeQuietly(r);
            throw e;
        }
        DataFiles.closeQuietly(r);
        this.stream = new TableStream(fileName, List.of(featureNames), idColumn >= 0, options.task(),
                options.onInvalid(), options.length(), this::openAtData);
        List<String> classes;
        if (regression) {
            classes = List.of();
        } else if (!options.classes().isEmpty()) {
            classes = options.classes();
        } else {
            classes = stream.discoverClasses("the label column '" + options.label() + "'");
        }
        this.classIndex = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            classIndex.put(classes.get(i), i);
        }
        stream.start(classes);
    }

    /** Column names c0, c1, ... of a file without a header line. */
    private static Map<String, Integer> generatedHeader(int columns) {
        Map<String, Integer> header = new LinkedHashMap<>();
        for (int i = 0; i < columns; i++) {
            header.put("c" + i, i);
        }
        return header;
    }

    /** The value-to-code maps of the nominal columns, per feature (null for numeric features). */
    @SuppressWarnings("unchecked")
    private Map<String, Integer>[] nominalCodes(Map<String, Integer> header, List<Integer> cols, Set<Integer> excluded,
            long headerLine) {
        Map<String, Integer>[] codes = new Map[cols.size()];
        for (Map.Entry<String, List<String>> e : options.nominal().entrySet()) {
            int col = column(header, e.getKey(), "nominal", headerLine);
            if (excluded.contains(col)) {
                throw new DataException(fileName + ":" + headerLine + ": column '" + e.getKey() + "' is declared"
                        + " nominal but is the label, id or timestamp column; nominal lists categorical features"
                        + " (class names go in classes)");
            }
            int j = cols.indexOf(col);
            if (j < 0) {
                throw new DataException(fileName + ":" + headerLine + ": column '" + e.getKey() + "' is declared"
                        + " nominal but is not among the features; add it to features or remove it from nominal");
            }
            if (codes[j] != null) {
                throw new DataException(fileName + ":" + headerLine + ": column '" + e.getKey() + "' is declared"
                        + " nominal twice (by name and by index)");
            }
            Map<String, Integer> m = new HashMap<>();
            List<String> values = e.getValue();
            for (int v = 0; v < values.size(); v++) {
                m.put(values.get(v), v);
            }
            codes[j] = m;
        }
        return codes;
    }

    /**
     * Reads {@code path}, {@code label}, {@code features}, {@code id}, {@code timestamp},
     * {@code task}, {@code classes}, {@code delimiter}, {@code onInvalid}, {@code length},
     * {@code header} and {@code nominal}.
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
        boolean header = config.getBoolean("header", true);
        Map<String, List<String>> nominal = readNominal(config, label, id, timestamp);
        // A folder is left to the constructor, whose message for it names no config key.
        Path path = DataFiles.resolveExisting(config, "path", pathText, baseDir, "CSV file");
        return new CsvSource(new Options(path, label, features, id, timestamp, task, classes, delimiter,
                onInvalid, length, header, nominal));
    }

    /** The {@code nominal} mapping: column name to its declared values, each list non-empty and distinct. */
    static Map<String, List<String>> readNominal(PluginConfig config, String label, String id, String timestamp) {
        if (!config.has("nominal")) {
            config.section("nominal");
            return Map.of();
        }
        PluginConfig section = config.section("nominal");
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String column : section.keys()) {
            if (column.equals(label) || column.equals(id) || column.equals(timestamp)) {
                throw section.invalid(column, "is the label, id or timestamp column; nominal lists categorical"
                        + " features only (class names go in classes)");
            }
            List<String> values = section.getStringList(column, List.of());
            if (values.isEmpty()) {
                throw section.invalid(column, "declares no values; list the categories, e.g. [red, green, blue]");
            }
            checkDistinct(section, column, values);
            out.put(column, values);
        }
        return out;
    }

    public Options options() {
        return options;
    }

    @Override
    public DataSchema schema() {
        return stream.schema();
    }

    @Override
    public Optional<Row> next() {
        return stream.next();
    }

    @Override
    public long quarantined() {
        return stream.quarantined();
    }

    /** The first few quarantine reasons ({@value RowQuarantine#MAX_SAMPLES} at most), each naming file and line. */
    @Override
    public List<String> quarantineSamples() {
        return stream.quarantineSamples();
    }

    /**
     * With an {@code id} column, its distinct values over the rows this source will emit (valid rows,
     * up to {@code length}), sorted numerically if all are numbers, else lexicographically; found by
     * one pass over the file (done together with the label scan when classes are discovered). Empty
     * without an id column.
     *
     * @throws DataException (with {@code onInvalid: fail}) if the pass meets an invalid row
     */
    @Override
    public Optional<List<String>> groups() {
        return stream.groups();
    }

    @Override
    public void close() {
        stream.close();
    }

    /** The order of discovered classes: numeric if every label is a number, else lexicographic. */
    static Comparator<String> naturalOrder(List<String> labels) {
        return TableStream.naturalOrder(labels);
    }

    /** The records of an open CSV file, checked against the header's columns. */
    private final class Records implements TableStream.Records {
        private final CsvReader in;
        private final List<String> fields = new ArrayList<>();
        private int label;
        private double target;
        private String labelText;

        Records(CsvReader in) {
            this.in = in;
        }

        @Override
        public boolean next() throws IOException {
            return in.next(fields);
        }

        @Override
        public long line() {
            return in.recordLine();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        @Override
        public int label() {
            return label;
        }

        @Override
        public double target() {
            return target;
        }

        @Override
        public String labelText() {
            return labelText;
        }

        @Override
        public String group() {
            return idColumn >= 0 ? fields.get(idColumn).strip() : null;
        }

        @Override
        public String check(double[] x, boolean lookUpLabel) {
            if (in.syntaxError() != null) {
                return in.syntaxError();
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
                if (nominalCodes[j] != null) {
                    Integer code = nominalCodes[j].get(s.strip());
                    if (code == null) {
                        return "nominal column '" + featureNames[j] + "' has the value '"
                                + TableStream.shown(s.strip()) + "', which is not one of its declared values "
                                + TableStream.shownList(options.nominal().get(nominalKey(j)))
                                + "; add it to nominal if it is valid";
                    }
                    x[j] = code;
                    continue;
                }
                double v;
                try {
                    v = DecimalParser.parse(s);
                } catch (NumberFormatException e) {
                    return "feature column '" + featureNames[j] + "' has the non-numeric value '" + TableStream.shown(s)
                            + "'; features must be numbers";
                }
                if (Double.isNaN(v)) {
                    return "feature column '" + featureNames[j] + "' is NaN; fill in the missing value or drop the row";
                }
                if (Double.isInfinite(v)) {
                    return "feature column '" + featureNames[j] + "' is infinite ('" + TableStream.shown(s) + "')";
                }
                x[j] = v;
            }
            String raw = fields.get(labelColumn).strip();
            labelText = raw;
            if (raw.isEmpty()) {
                return "the label column '" + options.label() + "' is empty";
            }
            if (regression) {
                double t = FiniteNumber.parse(raw);
                if (Double.isNaN(t)) {
                    return FiniteNumber.problem("the target column '" + options.label() + "'", raw,
                            "; for class labels set task: classification", "targets");
                }
                label = -1;
                target = t;
                return null;
            }
            target = Double.NaN;
            if (lookUpLabel) {
                Integer index = classIndex.get(raw);
                if (index == null) {
                    return "label '" + TableStream.shown(raw) + "' is not one of the classes "
                            + classIndex.keySet().stream().sorted(Comparator.comparingInt(classIndex::get)).toList()
                            + "; add it to classes, or fix or drop the row";
                }
                label = index;
            }
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
        if (!options.header()) {
            if (name.matches("[0-9]{1,9}") && Integer.parseInt(name) < header.size()) {
                return Integer.parseInt(name);
            }
            return fail(fileName + ":" + line + ": there is no " + role + " column '" + name + "'; the file has no"
                    + " header line (header: false) and " + header.size() + " columns, so name them c0 to c"
                    + (header.size() - 1) + " or by index 0 to " + (header.size() - 1));
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
            return new CsvReader(DataFiles.openText(options.path()), options.delimiter(), fileName);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** The records of the file from the first data record on: past the header line, if there is one. */
    private Records openAtData() {
        Records r = new Records(open());
        if (options.header()) {
            try {
                r.next();
            } catch (IOException e) {
                DataFiles.closeQuietly(r);
                throw unreadable(e);
            } catch (RuntimeException e) {
                DataFiles.closeQuietly(r);
                throw e;
            }
        }
        return r;
    }

    /** The key of {@code options.nominal()} that declared feature {@code j}. */
    private String nominalKey(int j) {
        String name = featureNames[j];
        if (options.nominal().containsKey(name)) {
            return name;
        }
        String index = Integer.toString(featureColumns[j]);
        return options.nominal().containsKey(index) ? index : name;
    }

    private DataException unreadable(IOException e) {
        return DataFiles.unreadable(fileName, e);
    }

    static String required(PluginConfig config, String key, String what) {
        String v = config.getString(key, null);
        if (v == null || v.isBlank()) {
            throw config.invalid(key, "missing; set it to " + what);
        }
        return v;
    }

    static String optionalColumn(PluginConfig config, String key) {
        String v = config.getString(key, null);
        if (v != null && v.isBlank()) {
            throw config.invalid(key, "is empty; name the column, or leave " + key + " out");
        }
        return v;
    }

    static void checkDistinct(PluginConfig config, String key, List<String> values) {
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
