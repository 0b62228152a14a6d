package io.scarcity.runtime.data;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import io.scarcity.runtime.data.ArffHeader.Attribute;
import io.scarcity.runtime.data.ArffHeader.Kind;
import io.scarcity.runtime.data.CsvSource.OnInvalid;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

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
public final class ArffSource extends TableSource {
    /**
     * @param path the file
     * @param label name of the label (or regression target) attribute; null for the last attribute (none when
     *     {@code task} is unlabelled)
     * @param features names of the feature attributes; empty for all but the label, id and timestamp
     * @param id name of an identifier attribute (any type) to leave out of the features and to group rows by, or null
     * @param timestamp name of a timestamp attribute (any type) to leave out of the features, or null
     * @param task classification (nominal label), regression (numeric label) or unlabelled (every attribute but
     *     the id and timestamp is a feature)
     * @param onInvalid whether an invalid row stops the run or is skipped and counted
     * @param length maximum number of rows to emit, {@link Long#MAX_VALUE} for all
     */
    public record Options(Path path, String label, List<String> features, String id, String timestamp, Task task,
            OnInvalid onInvalid, long length, boolean missingLabels) {
        /** A missing label ('?') makes the row invalid. */
        public Options(Path path, String label, List<String> features, String id, String timestamp, Task task,
                OnInvalid onInvalid, long length) {
            this(path, label, features, id, timestamp, task, onInvalid, length, false);
        }

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
    private final ArffHeader header;
    private final TableColumns columns;
    private final boolean regression;
    private final TableStream stream;

    /**
     * Opens the file and reads its header.
     *
     * @throws DataException if the file is missing, unreadable or its header is malformed, names no such
     *     label, id, timestamp or feature attribute, or has a string or date attribute among the features
     */
    public ArffSource(Options options) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.fileName = options.path().toString();
        DataFiles.requireRegularFile(options.path(), "an", "ARFF file");
        this.regression = options.task() == Task.REGRESSION;
        this.header = TableStream.readHeader(options.path(), in -> ArffHeader.read(in, fileName));
        int label = options.task() == Task.UNLABELLED ? -1
                : options.label() == null ? header.attributes().size() - 1 : header.column(options.label(), "label");
        this.columns = TableColumns.choose(header, label, options.id(), options.timestamp(), options.features());
        for (int col : columns.features()) {
            header.requireFeature(col);
        }
        List<String> classes = label < 0 ? List.of() : header.classes(label, options.task(), options.label() == null);
        this.stream = new TableStream(options.path(), columns, options.task(), options.onInvalid(),
                options.length(), Records::new);
        stream.start(classes);
    }

    /**
     * Reads {@code path}, {@code label}, {@code features}, {@code id}, {@code timestamp}, {@code task},
     * {@code onInvalid} and {@code length}.
     */
    static ArffSource fromConfig(PluginConfig config, Path baseDir) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(baseDir, "baseDir is null");
        String label = TableColumns.optionalColumn(config, "label");
        List<String> features = TableColumns.readFeatures(config, "attribute");
        String id = TableColumns.optionalColumn(config, "id");
        String timestamp = TableColumns.optionalColumn(config, "timestamp");
        Task task = config.getEnum("task", Task.CLASSIFICATION);
        if (task == Task.UNLABELLED && label != null) {
            throw config.invalid("task", "unlabelled, but label names the attribute '" + label + "'; remove label for a"
                    + " stream without labels, or set task: classification or regression");
        }
        if (task == Task.UNLABELLED && config.has("missingLabels")) {
            throw config.invalid("missingLabels", "applies to a label attribute, and task: unlabelled has none; remove"
                    + " missingLabels");
        }
        OnInvalid onInvalid = config.getEnum("onInvalid", OnInvalid.FAIL);
        long length = StreamFactory.readLength(config);
        Path path = DataFiles.resolve(config, "path", baseDir, "ARFF file");
        return new ArffSource(new Options(path, label, features, id, timestamp, task, onInvalid, length,
                CsvSource.readMissingLabels(config)));
    }

    public Options options() {
        return options;
    }

    /** The {@code @relation} name. */
    public String relation() {
        return header.relation();
    }

    /** The declared attributes, in file order. */
    List<Attribute> attributes() {
        return header.attributes();
    }

    @Override
    TableStream stream() {
        return stream;
    }

    /** The rows of an open ARFF data section, checked against the declared attributes. */
    private final class Records extends TableStream.Records {
        private final BufferedReader in;
        private final List<String> values = new ArrayList<>();
        private final BitSet missing = new BitSet();
        private long line;
        private String text;
        /** What {@link #split} found wrong with the line just read, or null. */
        private String error;

        Records(BufferedReader in) {
            this.in = in;
        }

        /** The lines up to and including {@code @data}. */
        @Override
        void skipHeader() throws IOException {
            for (long n = 0; n < header.dataLine(); n++) {
                if (in.readLine() == null) {
                    throw new DataException(fileName + ": the file became shorter while it was read");
                }
            }
            line = header.dataLine();
        }

        /** Reads the next line that is not blank or a comment. */
        @Override
        boolean next() throws IOException {
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
        long line() {
            return line;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        @Override
        String group() {
            return columns.id() >= 0 ? values.get(columns.id()) : null;
        }

        /** Labels are always looked up: the declaration lists the classes. */
        @Override
        String check(double[] x, boolean lookUpLabel) {
            if (error != null) {
                return error;
            }
            if (text.strip().startsWith("{")) {
                return "sparse rows ({index value, ...}) are not supported; write the row densely";
            }
            List<Attribute> attributes = header.attributes();
            if (values.size() != attributes.size()) {
                return "expected " + attributes.size() + " values, one per @attribute, got " + values.size();
            }
            int[] features = columns.features();
            for (int j = 0; j < features.length; j++) {
                int col = features[j];
                Attribute a = attributes.get(col);
                if (missing.get(col)) {
                    return "attribute '" + a.name() + "' is missing ('?')";
                }
                String s = values.get(col);
                if (a.kind() == Kind.NOMINAL) {
                    Integer code = header.code(col, s);
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
            if (columns.label() < 0) { // task: unlabelled
                return noLabel();
            }
            Attribute labelAttribute = attributes.get(columns.label());
            if (missing.get(columns.label())) {
                if (options.missingLabels()) {
                    return noLabel(); // a row without a label
                }
                return "the label attribute '" + labelAttribute.name() + "' is missing ('?'); with missingLabels: "
                        + "unlabelled such a row is kept without a label";
            }
            String raw = values.get(columns.label());
            labelText = raw;
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
            Integer c = header.code(columns.label(), raw);
            if (c == null) {
                return undeclared(labelAttribute, raw);
            }
            label = c;
            target = Double.NaN;
            return null;
        }
    }

    private static String undeclared(Attribute a, String value) {
        return "attribute '" + a.name() + "' has the value '" + TableStream.shown(value) + "', which is not one of"
                + " its declared values " + TableStream.shownList(a.values()) + " (declared on line " + a.line()
                + "); add it to the declaration if it is valid";
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
    static int readQuoted(String text, int start, StringBuilder out) {
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
}
