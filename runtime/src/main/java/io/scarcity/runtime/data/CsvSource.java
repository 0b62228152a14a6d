package io.scarcity.runtime.data;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.io.BufferedReader;
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
 * <p>Columns listed under {@code text} hold free text (an e-mail, a log line): each becomes
 * {@code textFeatures} numeric features, {@code column#0} and on, by the hashing trick ({@link TextHashing}), after
 * the numeric features. A text column is not a numeric feature; an empty one gives zeros.
 *
 * <p>With an {@code id} column, each row's {@link Row#group()} is the id value (text, stripped of
 * surrounding blanks), and {@link #groups()} lists the distinct values of the valid rows.
 *
 * <p>Without an explicit {@code classes} list the file is read once more, beforehand, to collect the
 * distinct labels: the schema must be known before the first row.
 */
public final class CsvSource extends TableSource {
    /** What to do with an invalid row. */
    public enum OnInvalid { FAIL, QUARANTINE }

    /**
     * @param path the file
     * @param label name of the label (or regression target) column; null for a stream without labels
     * @param features names of the feature columns; empty for all columns but the label, id and timestamp
     * @param id name of an identifier column to leave out of the features, or null
     * @param timestamp name of a timestamp column to leave out of the features, or null
     * @param task classification, regression, or unlabelled (no label column)
     * @param classes class names, whose order fixes the label indices; empty to discover them
     * @param delimiter field separator
     * @param onInvalid whether an invalid row stops the run or is skipped and counted
     * @param length maximum number of rows to emit, {@link Long#MAX_VALUE} for all
     * @param header whether the first line names the columns (else columns are c0, c1, ...)
     * @param nominal declared values of categorical feature columns, by column name; a value is encoded as
     *     its index in the list
     * @param missingLabels whether an empty label cell makes a row without a label (predicted and learned from
     *     without it, never scored) rather than an invalid row
     * @param text names of free-text columns, each hashed into {@code textFeatures} features; empty for none
     * @param textFeatures features per text column, in [1, 65536]
     */
    public record Options(Path path, String label, List<String> features, String id, String timestamp,
            Task task, List<String> classes, char delimiter, OnInvalid onInvalid, long length, boolean header,
            Map<String, List<String>> nominal, boolean missingLabels, List<String> text, int textFeatures) {
        /** Without text columns. */
        public Options(Path path, String label, List<String> features, String id, String timestamp,
                Task task, List<String> classes, char delimiter, OnInvalid onInvalid, long length, boolean header,
                Map<String, List<String>> nominal, boolean missingLabels) {
            this(path, label, features, id, timestamp, task, classes, delimiter, onInvalid, length, header, nominal,
                    missingLabels, List.of(), DEFAULT_TEXT_FEATURES);
        }

        /** Empty label cells invalid. */
        public Options(Path path, String label, List<String> features, String id, String timestamp,
                Task task, List<String> classes, char delimiter, OnInvalid onInvalid, long length, boolean header,
                Map<String, List<String>> nominal) {
            this(path, label, features, id, timestamp, task, classes, delimiter, onInvalid, length, header, nominal, false);
        }

        /** With a header line and no nominal columns. */
        public Options(Path path, String label, List<String> features, String id, String timestamp,
                Task task, List<String> classes, char delimiter, OnInvalid onInvalid, long length) {
            this(path, label, features, id, timestamp, task, classes, delimiter, onInvalid, length, true, Map.of());
        }

        public Options {
            Objects.requireNonNull(path, "path is null");
            Objects.requireNonNull(task, "task is null");
            if ((label == null) != (task == Task.UNLABELLED)) {
                throw new IllegalArgumentException(task == Task.UNLABELLED ? "a stream without labels names no label column"
                        : "label is null");
            }
            features = List.copyOf(Objects.requireNonNull(features, "features is null"));
            classes = List.copyOf(Objects.requireNonNull(classes, "classes is null"));
            Objects.requireNonNull(onInvalid, "onInvalid is null");
            if (task != Task.CLASSIFICATION && !classes.isEmpty()) {
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
            text = List.copyOf(Objects.requireNonNull(text, "text is null"));
            if (new HashSet<>(text).size() != text.size()) {
                throw new IllegalArgumentException("duplicate text columns in " + text);
            }
            if (textFeatures < 1 || textFeatures > TextHashing.MAX_BUCKETS) {
                throw new IllegalArgumentException("textFeatures must be in [1, " + TextHashing.MAX_BUCKETS + "], got "
                        + textFeatures);
            }
        }
    }

    /** Features per text column unless {@code textFeatures} says otherwise. */
    public static final int DEFAULT_TEXT_FEATURES = 256;

    private final Options options;
    private final String fileName;
    /** Fields per record, as in the first line. */
    private final int width;
    private final TableColumns columns;
    private final NominalColumns nominal;
    private final boolean regression;
    private final Map<String, Integer> classIndex;
    private final TableStream stream;
    /** The text columns' positions in the file, and their hashing (null without text columns). */
    private final int[] textColumns;
    private final TextHashing hashing;

    /**
     * Opens the file and reads its header (and, without explicit classes, scans it for labels).
     *
     * @throws DataException if the file is missing or unreadable, its header lacks a named column, or
     *     (with {@code onInvalid: fail}) the label scan meets an invalid row
     */
    public CsvSource(Options options) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.fileName = options.path().toString();
        DataFiles.requireRegularFile(options.path(), "a", "CSV file");
        this.regression = options.task() == Task.REGRESSION;
        CsvHeader header = TableStream.readHeader(options.path(),
                in -> CsvHeader.read(csvReader(in), fileName, options.header()));
        this.width = header.names().size();
        int labelColumn = options.label() == null ? -1 : header.column(options.label(), "label");
        this.textColumns = new int[options.text().size()];
        for (int t = 0; t < textColumns.length; t++) {
            textColumns[t] = header.column(options.text().get(t), "text");
        }
        this.hashing = textColumns.length == 0 ? null : new TextHashing(options.textFeatures());
        TableColumns numeric = TableColumns.choose(header, labelColumn, options.id(), options.timestamp(), options.features(),
                textColumns);
        this.nominal = NominalColumns.of(options.nominal(), header, numeric);
        if (hashing != null) {
            List<String> names = new ArrayList<>(numeric.featureNames());
            for (String t : options.text()) {
                names.addAll(hashing.names(t));
            }
            numeric = new TableColumns(numeric.label(), numeric.id(), numeric.timestamp(), numeric.features(), names);
        }
        this.columns = numeric;
        this.stream = new TableStream(options.path(), columns, options.task(), options.onInvalid(),
                options.length(), in -> new Records(csvReader(in)));
        List<String> classes;
        if (regression || options.task() == Task.UNLABELLED) {
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

    /**
     * Reads {@code path}, {@code label}, {@code features}, {@code id}, {@code timestamp},
     * {@code task}, {@code classes}, {@code delimiter}, {@code onInvalid}, {@code length},
     * {@code header}, {@code nominal}, {@code text} and {@code textFeatures}.
     */
    static CsvSource fromConfig(PluginConfig config, Path baseDir) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(baseDir, "baseDir is null");
        String pathText = required(config, "path", "the CSV file to read");
        String label = TableColumns.optionalColumn(config, "label");
        List<String> features = TableColumns.readFeatures(config, "column");
        String id = TableColumns.optionalColumn(config, "id");
        String timestamp = TableColumns.optionalColumn(config, "timestamp");
        Task task = label == null ? unlabelledTask(config) : config.getEnum("task", Task.CLASSIFICATION);
        if (label != null && task == Task.UNLABELLED) {
            throw config.invalid("task", "unlabelled, but label names the column '" + label + "'; remove label for a stream"
                    + " without labels, or set task: classification or regression");
        }
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
            StreamFactory.checkDistinct(config, "classes", classes);
        }
        char delimiter = readDelimiter(config);
        OnInvalid onInvalid = config.getEnum("onInvalid", OnInvalid.FAIL);
        long length = StreamFactory.readLength(config);
        boolean header = config.getBoolean("header", true);
        Map<String, List<String>> nominal = NominalColumns.read(config, label, id, timestamp);
        boolean missingLabels = readMissingLabels(config);
        if (label == null && config.has("missingLabels")) {
            throw config.invalid("missingLabels", "applies to a label column, and this stream has none (no label is set);"
                    + " remove missingLabels, or set label to the name of the label column");
        }
        List<String> text = config.getStringList("text", List.of());
        if (config.has("text") && text.isEmpty()) {
            throw config.invalid("text", "is empty; list the columns that hold free text, or leave text out");
        }
        StreamFactory.checkDistinct(config, "text", text);
        for (String t : text) {
            if (nominal.containsKey(t)) {
                throw config.invalid("text", "lists '" + t + "', which is also a nominal column; remove it from one of them");
            }
        }
        int textFeatures = config.getInt("textFeatures", DEFAULT_TEXT_FEATURES);
        if (textFeatures < 1 || textFeatures > TextHashing.MAX_BUCKETS) {
            throw config.invalid("textFeatures", "expected a whole number of features per text column in [1, "
                    + TextHashing.MAX_BUCKETS + "], e.g. " + DEFAULT_TEXT_FEATURES + ", got " + textFeatures);
        }
        if (text.isEmpty() && config.has("textFeatures")) {
            throw config.invalid("textFeatures", "applies to text columns, and this stream has none; remove textFeatures,"
                    + " or list the text columns under text");
        }
        // A folder is left to the constructor, whose message for it names no config key.
        Path path = DataFiles.resolveExisting(config, "path", pathText, baseDir, "CSV file");
        return new CsvSource(new Options(path, label, features, id, timestamp, task, classes, delimiter,
                onInvalid, length, header, nominal, missingLabels, text, textFeatures));
    }

    /**
     * The task of a table stream that names no label column: {@code unlabelled} (said or left out); a task that needs a
     * label column is refused, naming {@code label}.
     */
    static Task unlabelledTask(PluginConfig config) {
        Task task = config.getEnum("task", Task.UNLABELLED);
        if (task != Task.UNLABELLED) {
            throw config.invalid("label", "missing; task " + task.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs the name of the label column (leave out task, or set task: unlabelled, for a stream"
                    + " without labels)");
        }
        if (config.has("classes")) {
            throw config.invalid("classes", "a stream without labels has no classes; remove classes, or set label to the"
                    + " name of the label column");
        }
        return task;
    }

    /**
     * The {@code missingLabels} option of a file stream: {@code invalid} (the default: a row whose label is missing is
     * an invalid row, see {@code onInvalid}) or {@code unlabelled} (it is kept without a label).
     */
    static boolean readMissingLabels(PluginConfig config) {
        String missing = config.getString("missingLabels", "invalid");
        if (!missing.equals("invalid") && !missing.equals("unlabelled")) {
            throw config.invalid("missingLabels", "expected invalid (a row whose label is missing is an invalid row, see "
                    + "onInvalid) or unlabelled (the row is predicted and learned from without a label, and not scored), got '"
                    + missing + "'");
        }
        return missing.equals("unlabelled");
    }

    private static String required(PluginConfig config, String key, String what) {
        String v = config.getString(key, null);
        if (v == null || v.isBlank()) {
            throw config.invalid(key, "missing; set it to " + what);
        }
        return v;
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

    public Options options() {
        return options;
    }

    @Override
    TableStream stream() {
        return stream;
    }

    /** The order of discovered classes: numeric if every label is a number, else lexicographic. */
    static Comparator<String> naturalOrder(List<String> labels) {
        return TableStream.naturalOrder(labels);
    }

    private CsvReader csvReader(BufferedReader in) {
        return new CsvReader(in, options.delimiter(), fileName);
    }

    /** The records of an open CSV file, checked against the header's columns. */
    private final class Records extends TableStream.Records {
        private final CsvReader in;
        private final List<String> fields = new ArrayList<>();

        Records(CsvReader in) {
            this.in = in;
        }

        /** The header line, if there is one. */
        @Override
        void skipHeader() throws IOException {
            if (options.header()) {
                in.next(fields);
            }
        }

        @Override
        boolean next() throws IOException {
            return in.next(fields);
        }

        @Override
        long line() {
            return in.recordLine();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        /** The id, stripped of surrounding blanks. */
        @Override
        String group() {
            return columns.id() >= 0 ? fields.get(columns.id()).strip() : null;
        }

        @Override
        String check(double[] x, boolean lookUpLabel) {
            if (in.syntaxError() != null) {
                return in.syntaxError();
            }
            if (fields.size() != width) {
                return "expected " + width + " columns as in the header, got " + fields.size()
                        + (fields.size() == 1 && width > 1 ? " (is the delimiter right?)" : "");
            }
            int[] features = columns.features();
            for (int j = 0; j < features.length; j++) {
                String problem = feature(j, fields.get(features[j]), x);
                if (problem != null) {
                    return problem;
                }
            }
            for (int t = 0; t < textColumns.length; t++) {
                hashing.write(fields.get(textColumns[t]), x, features.length + t * hashing.buckets());
            }
            if (columns.label() < 0) { // a stream without labels
                return noLabel();
            }
            String raw = fields.get(columns.label()).strip();
            labelText = raw;
            if (raw.isEmpty()) {
                if (options.missingLabels()) {
                    return noLabel(); // a row without a label
                }
                return "the label column '" + options.label() + "' is empty; with missingLabels: unlabelled such a row "
                        + "is kept without a label";
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

        /** Writes feature {@code j}, whose field is {@code s}, to {@code x}; returns what is wrong, or null. */
        private String feature(int j, String s, double[] x) {
            String name = columns.featureNames().get(j);
            if (s.isBlank()) {
                return "feature column '" + name + "' is empty; fill in the value or drop the row";
            }
            if (nominal.has(j)) {
                Integer code = nominal.code(j, s.strip());
                if (code == null) {
                    return "nominal column '" + name + "' has the value '" + TableStream.shown(s.strip())
                            + "', which is not one of its declared values " + TableStream.shownList(nominal.declared(j))
                            + "; add it to nominal if it is valid";
                }
                x[j] = code;
                return null;
            }
            double v;
            try {
                v = DecimalParser.parse(s);
            } catch (NumberFormatException e) {
                return "feature column '" + name + "' has the non-numeric value '" + TableStream.shown(s)
                        + "'; features must be numbers";
            }
            if (Double.isNaN(v)) {
                return "feature column '" + name + "' is NaN; fill in the missing value or drop the row";
            }
            if (Double.isInfinite(v)) {
                return "feature column '" + name + "' is infinite ('" + TableStream.shown(s) + "')";
            }
            x[j] = v;
            return null;
        }
    }
}
