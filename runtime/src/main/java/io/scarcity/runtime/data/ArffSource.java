package io.scarcity.runtime.data;

import io.scarcity.api.DataSchema;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import io.scarcity.runtime.data.CsvSource.OnInvalid;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Rows of a Weka ARFF file (UTF-8, plain or gzipped), streamed: {@code @relation}, {@code @attribute}
 * lines, then dense {@code @data} rows. Keywords are case-insensitive; {@code %} starts a comment (outside
 * quotes); names and values may be quoted with {@code '} or {@code "} (backslash escapes a quote).
 *
 * <p>Attribute types: {@code numeric}, {@code real} and {@code integer} are read as numbers; a nominal
 * attribute {@code {a, b, c}} used as a feature is <b>encoded as the 0-based index of its value in the
 * declaration</b> (a = 0, b = 1, c = 2), and as the label its declared values are the classes, in
 * declared order. {@code string} and {@code date} attributes cannot be features: they are accepted only
 * as the {@code id} or {@code timestamp} attribute, or when {@code features} leaves them out; otherwise
 * opening the file fails naming the attribute. {@code relational} attributes and sparse rows
 * ({@code {0 x, 3 y}}) are not supported.
 *
 * <p>A missing value {@code ?} (unquoted), an undeclared nominal value, a wrong number of values or a
 * non-numeric number makes a row invalid: it stops the run, or with {@code onInvalid: quarantine} is
 * skipped and counted, the message naming the file and line.
 */
public final class ArffSource implements RowSource {
    /** The kinds of attribute. */
    enum Kind { NUMERIC, NOMINAL, STRING, DATE }

    /** One {@code @attribute} declaration. */
    record Attribute(String name, Kind kind, List<String> values, long line) {
    }

    /**
     * @param path the file
     * @param label name of the label (or regression target) attribute; null for the last attribute
     * @param features names of the feature attributes; empty for all but the label, id and timestamp
     * @param id name of an identifier attribute (any type) to leave out of the features and to group rows by, or null
     * @param timestamp name of a timestamp attribute (any type) to leave out of the features, or null
     * @param task classification (nominal label) or regression (numeric label)
     * @param onInvalid whether an invalid row stops the run or is skipped and counted
     * @param length maximum number of rows to emit, {@link Long#MAX_VALUE} for all
     */
    public record Options(Path path, String label, List<String> features, String id, String timestamp, Task task,
            OnInvalid onInvalid, long length) {
        public Options {
            Objects.requireNonNull(path, "path is null");
            features = List.copyOf(Objects.requireNonNull(features, "features is null"));
            Objects.requireNonNull(task, "task is null");
            Objects.requireNonNull(onInvalid, "onInvalid is null");
            if (length < 1) {
                throw new IllegalArgumentException("length must be >= 1, got " + length);
            }
        }
    }

    private final Options options;
    private final String fileName;
    private final List<Attribute> attributes;
    private final String relation;
    private final int labelColumn;
    private final int idColumn;
    private final int[] featureColumns;
    private final boolean regression;
    /** Value-to-index maps of the nominal attributes, by column; null for the others. */
    private final Map<String, Integer>[] codes;
    /** Line of {@code @data}. */
    private final long dataLine;
    private final TableStream stream;

    /**
     * Opens the file and reads its header.
     *
     * @throws DataException if the file is missing, unreadable or its header is malformed, names no such
     *     label, id, timestamp or feature attribute, or has a string or date attribute among the features
     */
    @SuppressWarnings("unchecked")
    public ArffSource(Options options) {
        this.options = Objects.requireNonNull(options, "options is null");
        Path path = options.path();
        this.fileName = path.toString();
        DataFiles.requireRegularFile(path, "an", "ARFF file");
        this.regression = options.task() == Task.REGRESSION;
        List<Attribute> attrs = new ArrayList<>();
        String[] rel = new String[1];
        BufferedReader r = open();
        try {
            this.dataLine = readHeader(r, attrs, rel);
        } catch (IOException e) {
            DataFiles.closeQuietly(r);
            throw unreadable(e);
        } catch (RuntimeException e) {
            DataFiles.closeQuietly(r);
            throw e;
        }
        DataFiles.closeQuietly(r);
        this.attributes = List.copyOf(attrs);
        this.relation = rel[0];
        Map<String, Integer> byName = new LinkedHashMap<>();
        for (int i = 0; i < attrs.size(); i++) {
            Attribute a = attrs.get(i);
            Integer previous = byName.putIfAbsent(a.name(), i);
            if (previous != null) {
                throw new DataException(fileName + ":" + a.line() + ": attribute '" + a.name() + "' is declared twice"
                        + " (also on line " + attrs.get(previous).line() + "); rename one");
            }
        }
        this.labelColumn = options.label() == null ? attrs.size() - 1 : column(byName, options.label(), "label");
        Set<Integer> excluded = new HashSet<>();
        excluded.add(labelColumn);
        this.idColumn = options.id() == null ? -1 : column(byName, options.id(), "id");
        if (idColumn >= 0) {
            excluded.add(idColumn);
        }
        if (options.timestamp() != null) {
            excluded.add(column(byName, options.timestamp(), "timestamp"));
        }
        List<Integer> cols = new ArrayList<>();
        if (options.features().isEmpty()) {
            for (int i = 0; i < attrs.size(); i++) {
                if (!excluded.contains(i)) {
                    cols.add(i);
                }
            }
            if (cols.isEmpty()) {
                throw new DataException(fileName + ": no feature attributes are left once the label"
                        + (options.id() != null ? ", id" : "") + (options.timestamp() != null ? ", timestamp" : "")
                        + " attributes are set aside");
            }
        } else {
            for (String name : options.features()) {
                int col = column(byName, name, "feature");
                if (excluded.contains(col)) {
                    throw new DataException(fileName + ":" + attrs.get(col).line() + ": attribute '" + name + "' is"
                            + " listed as a feature but is also the label, id or timestamp attribute; remove it from"
                            + " features");
                }
                if (cols.contains(col)) {
                    throw new DataException(fileName + ": attribute '" + name + "' is listed twice among the features");
                }
                cols.add(col);
            }
        }
        List<String> featureNames = new ArrayList<>();
        for (int col : cols) {
            Attribute a = attrs.get(col);
            if (a.kind() == Kind.STRING || a.kind() == Kind.DATE) {
                String type = a.kind().name().toLowerCase(Locale.ROOT);
                throw new DataException(fileName + ":" + a.line() + ": attribute '" + a.name() + "' is of type " + type
                        + ", which cannot be a feature (features are numeric or nominal); make it the id or"
                        + " timestamp, list the other attributes in features, or declare it numeric or nominal");
            }
            featureNames.add(a.name());
        }
        this.featureColumns = cols.stream().mapToInt(Integer::intValue).toArray();
        Attribute label = attrs.get(labelColumn);
        List<String> classes;
        if (regression) {
            if (label.kind() != Kind.NUMERIC) {
                throw new DataException(fileName + ":" + label.line() + ": the label attribute '" + label.name()
                        + "' is " + label.kind().name().toLowerCase(Locale.ROOT) + ", but task: regression needs a"
                        + " numeric target; set task: classification for a nominal label, or choose another label");
            }
            classes = List.of();
        } else {
            if (label.kind() != Kind.NOMINAL) {
                throw new DataException(fileName + ":" + label.line() + ": the label attribute '" + label.name()
                        + "' is " + label.kind().name().toLowerCase(Locale.ROOT) + ", but classification needs a"
                        + " nominal label {a, b, ...}; set task: regression for a numeric target, or choose another"
                        + " label" + (options.label() == null ? " (the label defaults to the last attribute)" : ""));
            }
            if (label.values().size() < 2) {
                throw new DataException(fileName + ":" + label.line() + ": the label attribute '" + label.name()
                        + "' declares " + label.values().size() + " value(s); classification needs at least two classes");
            }
            classes = label.values();
        }
        this.codes = new Map[attrs.size()];
        for (int i = 0; i < attrs.size(); i++) {
            Attribute a = attrs.get(i);
            if (a.kind() == Kind.NOMINAL) {
                Map<String, Integer> m = new HashMap<>();
                for (int v = 0; v < a.values().size(); v++) {
                    m.putIfAbsent(a.values().get(v), v);
                }
                codes[i] = m;
            }
        }
        this.stream = new TableStream(fileName, featureNames, idColumn >= 0, options.task(), options.onInvalid(),
                options.length(), this::openAtData);
        stream.start(classes);
    }

    /**
     * Reads {@code path}, {@code label}, {@code features}, {@code id}, {@code timestamp}, {@code task},
     * {@code onInvalid} and {@code length}.
     */
    static ArffSource fromConfig(PluginConfig config, Path baseDir) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(baseDir, "baseDir is null");
        String label = CsvSource.optionalColumn(config, "label");
        List<String> features = config.getStringList("features", List.of());
        if (config.has("features") && features.isEmpty()) {
            throw config.invalid("features", "is empty; list the feature attributes, or leave features out to use"
                    + " every attribute but the label");
        }
        CsvSource.checkDistinct(config, "features", features);
        String id = CsvSource.optionalColumn(config, "id");
        String timestamp = CsvSource.optionalColumn(config, "timestamp");
        Task task = config.getEnum("task", Task.CLASSIFICATION);
        OnInvalid onInvalid = config.getEnum("onInvalid", OnInvalid.FAIL);
        long length = StreamFactory.readLength(config);
        Path path = DataFiles.resolve(config, "path", baseDir, "ARFF file");
        return new ArffSource(new Options(path, label, features, id, timestamp, task, onInvalid, length));
    }

    public Options options() {
        return options;
    }

    /** The {@code @relation} name. */
    public String relation() {
        return relation;
    }

    /** The declared attributes, in file order. */
    List<Attribute> attributes() {
        return attributes;
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

    @Override
    public List<String> quarantineSamples() {
        return stream.quarantineSamples();
    }

    /**
     * With an {@code id} attribute, its distinct values over the rows this source will emit, sorted
     * numerically if all are numbers; found by one pass over the data section.
     */
    @Override
    public Optional<List<String>> groups() {
        return stream.groups();
    }

    @Override
    public void close() {
        stream.close();
    }

    /** The rows of an open ARFF data section, checked against the declared attributes. */
    private final class Records implements TableStream.Records {
        private final BufferedReader in;
        private final List<String> values = new ArrayList<>();
        private final BitSet missing = new BitSet();
        private long line;
        private String text;
        /** What {@link #split} found wrong with the line just read, or null. */
        private String error;
        private int label;
        private double target;

        Records(BufferedReader in, long line) {
            this.in = in;
            this.line = line;
        }

        /** Reads the next line that is not blank or a comment. */
        @Override
        public boolean next() throws IOException {
            while ((text = in.readLine()) != null) {
                line++;
                error = split(text, values, missing);
                if (error != null || !values.isEmpty()) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public long line() {
            return line;
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
            return values.get(labelColumn);
        }

        @Override
        public String group() {
            return idColumn >= 0 ? values.get(idColumn) : null;
        }

        /** Labels are always looked up: the declaration lists the classes. */
        @Override
        public String check(double[] x, boolean lookUpLabel) {
            if (error != null) {
                return error;
            }
            if (text.strip().startsWith("{")) {
                return "sparse rows ({index value, ...}) are not supported; write the row densely";
            }
            if (values.size() != attributes.size()) {
                return "expected " + attributes.size() + " values, one per @attribute, got " + values.size();
            }
            for (int j = 0; j < featureColumns.length; j++) {
                int col = featureColumns[j];
                Attribute a = attributes.get(col);
                if (missing.get(col)) {
                    return "attribute '" + a.name() + "' is missing ('?')";
                }
                String s = values.get(col);
                if (a.kind() == Kind.NOMINAL) {
                    Integer code = codes[col].get(s);
                    if (code == null) {
                        return undeclared(a, s);
                    }
                    x[j] = code;
                    continue;
                }
                double v = FiniteNumber.parse(s);
                if (Double.isNaN(v)) {
                    return FiniteNumber.problem("attribute '" + a.name() + "'", s, ", but it is declared numeric",
                            "features");
                }
                x[j] = v;
            }
            Attribute labelAttribute = attributes.get(labelColumn);
            if (missing.get(labelColumn)) {
                return "the label attribute '" + labelAttribute.name() + "' is missing ('?')";
            }
            String raw = values.get(labelColumn);
            if (regression) {
                double t = FiniteNumber.parse(raw);
                if (Double.isNaN(t)) {
                    return FiniteNumber.problem("the target attribute '" + labelAttribute.name() + "'", raw, "",
                            "targets");
                }
                label = -1;
                target = t;
                return null;
            }
            Integer c = codes[labelColumn].get(raw);
            if (c == null) {
                return undeclared(labelAttribute, raw);
            }
            label = c;
            target = Double.NaN;
            return null;
        }
    }

    private static String undeclared(Attribute a, String value) {
        return "attribute '" + a.name() + "' has the value '" + TableStream.shown(value) + "', which is not one of its"
                + " declared values " + TableStream.shownList(a.values()) + " (declared on line " + a.line()
                + "); add it to the declaration if it is valid";
    }

    /** Reads the header up to and including {@code @data}; returns the line of {@code @data}. */
    private long readHeader(BufferedReader r, List<Attribute> attrs, String[] relation) throws IOException {
        long n = 0;
        String text;
        while ((text = r.readLine()) != null) {
            n++;
            String s = stripComment(text).strip();
            if (n == 1 && s.startsWith("\uFEFF")) {
                s = s.substring(1).strip();
            }
            if (s.isEmpty()) {
                continue;
            }
            String lower = s.toLowerCase(Locale.ROOT);
            if (keyword(lower, "@relation")) {
                if (relation[0] != null) {
                    throw new DataException(fileName + ":" + n + ": a second @relation line; an ARFF file has one");
                }
                List<String> name = new ArrayList<>();
                String error = split(s.substring("@relation".length()).strip(), name, new BitSet());
                relation[0] = error == null && !name.isEmpty() ? name.get(0) : s.substring("@relation".length()).strip();
                continue;
            }
            if (keyword(lower, "@attribute")) {
                if (relation[0] == null) {
                    relation[0] = "";
                }
                attrs.add(attribute(s.substring("@attribute".length()), n));
                continue;
            }
            if (keyword(lower, "@data")) {
                if (attrs.size() < 2) {
                    throw new DataException(fileName + ":" + n + ": @data after " + attrs.size() + " @attribute line(s);"
                            + " a stream needs at least a feature and a label");
                }
                return n;
            }
            if (keyword(lower, "@end")) {
                throw new DataException(fileName + ":" + n + ": '" + TableStream.shown(s) + "': relational attributes are"
                        + " not supported");
            }
            throw new DataException(fileName + ":" + n + ": expected @relation, @attribute or @data, got '"
                    + TableStream.shown(s) + "'" + (attrs.isEmpty() && relation[0] == null
                            ? "; is this an ARFF file?" : ""));
        }
        throw new DataException(fileName + ": the file ends before its @data line"
                + (n == 0 ? " (it is empty)" : "") + "; an ARFF file declares @attribute lines, then @data and the rows");
    }

    private static boolean keyword(String lower, String word) {
        return lower.startsWith(word) && (lower.length() == word.length()
                || Character.isWhitespace(lower.charAt(word.length())) || lower.charAt(word.length()) == '{'
                || lower.charAt(word.length()) == '\'' || lower.charAt(word.length()) == '"');
    }

    /** Parses what follows {@code @attribute}: a (possibly quoted) name and a type. */
    private Attribute attribute(String rest, long n) {
        String s = rest.strip();
        String name;
        int i;
        if (s.isEmpty()) {
            throw new DataException(fileName + ":" + n + ": @attribute without a name and type");
        }
        char q = s.charAt(0);
        if (q == '\'' || q == '"') {
            StringBuilder sb = new StringBuilder();
            i = readQuoted(s, 0, sb);
            if (i < 0) {
                throw new DataException(fileName + ":" + n + ": the attribute name's quote " + q + " is never closed");
            }
            name = sb.toString();
        } else {
            i = 0;
            while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != '{') {
                i++;
            }
            name = s.substring(0, i);
        }
        String type = s.substring(i).strip();
        if (name.isEmpty()) {
            throw new DataException(fileName + ":" + n + ": an attribute has an empty name");
        }
        if (type.isEmpty()) {
            throw new DataException(fileName + ":" + n + ": attribute '" + name + "' has no type; give numeric, real,"
                    + " integer or a list of values {a, b, c}");
        }
        String lower = type.toLowerCase(Locale.ROOT);
        if (type.startsWith("{")) {
            if (!type.endsWith("}")) {
                throw new DataException(fileName + ":" + n + ": the values of attribute '" + name + "' open with '{'"
                        + " but do not end with '}' on the same line");
            }
            List<String> declared = new ArrayList<>();
            BitSet unused = new BitSet();
            String error = split(type.substring(1, type.length() - 1), declared, unused);
            if (error != null) {
                throw new DataException(fileName + ":" + n + ": the values of attribute '" + name + "': " + error);
            }
            if (declared.isEmpty()) {
                throw new DataException(fileName + ":" + n + ": nominal attribute '" + name + "' declares no values");
            }
            Set<String> distinct = new HashSet<>();
            for (String v : declared) {
                if (!distinct.add(v)) {
                    throw new DataException(fileName + ":" + n + ": nominal attribute '" + name + "' declares the value '"
                            + TableStream.shown(v) + "' twice");
                }
            }
            return new Attribute(name, Kind.NOMINAL, List.copyOf(declared), n);
        }
        if (lower.equals("numeric") || lower.equals("real") || lower.equals("integer")) {
            return new Attribute(name, Kind.NUMERIC, List.of(), n);
        }
        if (lower.equals("string")) {
            return new Attribute(name, Kind.STRING, List.of(), n);
        }
        if (lower.equals("date") || lower.startsWith("date ") || lower.startsWith("date\t")) {
            return new Attribute(name, Kind.DATE, List.of(), n);
        }
        if (lower.startsWith("relational")) {
            throw new DataException(fileName + ":" + n + ": attribute '" + name + "' is relational, which is not"
                    + " supported");
        }
        throw new DataException(fileName + ":" + n + ": attribute '" + name + "' has the unknown type '"
                + TableStream.shown(type) + "'; ARFF types are numeric, real, integer, {a, b, c}, string and date");
    }

    /**
     * Splits a comma-separated ARFF line into values, unquoting them; an unquoted {@code ?} is recorded in
     * {@code missing}. A {@code %} outside quotes ends the line.
     *
     * @return null, or what is wrong with the line
     */
    static String split(String text, List<String> out, BitSet missing) {
        out.clear();
        missing.clear();
        int n = text.length();
        int i = 0;
        StringBuilder sb = new StringBuilder();
        // Skip a blank or comment-only line.
        int first = 0;
        while (first < n && Character.isWhitespace(text.charAt(first))) {
            first++;
        }
        if (first == n || text.charAt(first) == '%') {
            return null;
        }
        while (true) {
            while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                i++;
            }
            sb.setLength(0);
            boolean quoted = false;
            if (i < n && (text.charAt(i) == '\'' || text.charAt(i) == '"')) {
                char q = text.charAt(i);
                i = readQuoted(text, i, sb);
                if (i < 0) {
                    return "value " + (out.size() + 1) + " opens a quote " + q + " that is never closed on this line";
                }
                quoted = true;
                while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                    i++;
                }
                if (i < n && text.charAt(i) != ',' && text.charAt(i) != '%') {
                    return "unexpected text after the closing quote of value " + (out.size() + 1);
                }
            } else {
                while (i < n && text.charAt(i) != ',' && text.charAt(i) != '%') {
                    sb.append(text.charAt(i++));
                }
            }
            String v = quoted ? sb.toString() : sb.toString().strip();
            if (!quoted && v.equals("?")) {
                missing.set(out.size());
            }
            out.add(v);
            if (i < n && text.charAt(i) == ',') {
                i++;
                continue;
            }
            return null;
        }
    }

    /**
     * Reads the quoted name or value whose opening quote ({@code '} or {@code "}) is at {@code start},
     * appending it to {@code out} without the quotes and with backslash escapes undone.
     *
     * @return the index just past the closing quote, or -1 if the quote is never closed
     */
    private static int readQuoted(String text, int start, StringBuilder out) {
        char q = text.charAt(start);
        int n = text.length();
        int i = start + 1;
        while (i < n) {
            char c = text.charAt(i++);
            if (c == '\\' && i < n) {
                out.append(text.charAt(i++));
            } else if (c == q) {
                return i;
            } else {
                out.append(c);
            }
        }
        return -1;
    }

    private static String stripComment(String text) {
        // Header lines: a % outside quotes starts a comment.
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '%') {
                return text.substring(0, i);
            }
        }
        return text;
    }

    private int column(Map<String, Integer> byName, String name, String role) {
        Integer col = byName.get(name);
        if (col == null) {
            throw new DataException(fileName + ": there is no " + role + " attribute named '" + name
                    + "'; the file declares " + TableStream.shownList(new ArrayList<>(byName.keySet())));
        }
        return col;
    }

    private BufferedReader open() {
        try {
            return DataFiles.openText(options.path());
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** The records of the file after its {@code @data} line. */
    private Records openAtData() {
        BufferedReader r = open();
        try {
            for (long n = 0; n < dataLine; n++) {
                if (r.readLine() == null) {
                    throw new DataException(fileName + ": the file became shorter while it was read");
                }
            }
        } catch (IOException e) {
            DataFiles.closeQuietly(r);
            throw unreadable(e);
        } catch (RuntimeException e) {
            DataFiles.closeQuietly(r);
            throw e;
        }
        return new Records(r, dataLine);
    }

    private DataException unreadable(IOException e) {
        return DataFiles.unreadable(fileName, e);
    }
}
