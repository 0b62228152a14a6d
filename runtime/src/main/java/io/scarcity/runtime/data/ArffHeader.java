package io.scarcity.runtime.data;

import io.scarcity.api.Task;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The header of an ARFF file: the {@code @relation} name and the {@code @attribute} declarations, read
 * up to the {@code @data} line. Names and nominal values use the syntax of data values
 * ({@link ArffSource#split}); {@code %} starts a comment outside quotes.
 */
final class ArffHeader implements TableColumns.Header {
    /** The kinds of attribute. */
    enum Kind { NUMERIC, NOMINAL, STRING, DATE }

    /** One {@code @attribute} declaration. */
    record Attribute(String name, Kind kind, List<String> values, long line) {
    }

    private final String fileName;
    private final String relation;
    private final List<Attribute> attributes;
    /** Attribute by name, in file order. */
    private final Map<String, Integer> byName;
    /** Value-to-index maps of the nominal attributes, by column; null for the others. */
    private final List<Map<String, Integer>> codes = new ArrayList<>();
    private final long dataLine;

    private ArffHeader(String fileName, String relation, List<Attribute> attributes, Map<String, Integer> byName,
            long dataLine) {
        this.fileName = fileName;
        this.relation = relation;
        this.attributes = attributes;
        this.byName = byName;
        this.dataLine = dataLine;
        for (Attribute a : attributes) {
            Map<String, Integer> m = null;
            if (a.kind() == Kind.NOMINAL) {
                m = new HashMap<>();
                for (int v = 0; v < a.values().size(); v++) {
                    m.putIfAbsent(a.values().get(v), v);
                }
            }
            codes.add(m);
        }
    }

    /**
     * Reads {@code r} up to and including its {@code @data} line.
     *
     * @throws DataException if the header is malformed or declares an attribute twice
     */
    static ArffHeader read(BufferedReader r, String fileName) throws IOException {
        List<Attribute> attrs = new ArrayList<>();
        String[] relation = new String[1];
        long dataLine = readDeclarations(r, fileName, attrs, relation);
        Map<String, Integer> byName = new LinkedHashMap<>();
        for (int i = 0; i < attrs.size(); i++) {
            Attribute a = attrs.get(i);
            Integer previous = byName.putIfAbsent(a.name(), i);
            if (previous != null) {
                throw new DataException(fileName + ":" + a.line() + ": attribute '" + a.name() + "' is declared twice"
                        + " (also on line " + attrs.get(previous).line() + "); rename one");
            }
        }
        return new ArffHeader(fileName, relation[0], List.copyOf(attrs), byName, dataLine);
    }

    /** The {@code @relation} name. */
    String relation() {
        return relation;
    }

    /** The declared attributes, in file order. */
    List<Attribute> attributes() {
        return attributes;
    }

    /** Line of {@code @data}: the data start on the next one. */
    long dataLine() {
        return dataLine;
    }

    /**
     * Checks that attribute {@code col} can be a feature: features are numbers, so string and date
     * attributes cannot.
     *
     * @throws DataException naming the attribute and what to do instead
     */
    void requireFeature(int col) {
        Attribute a = attributes.get(col);
        if (a.kind() == Kind.STRING || a.kind() == Kind.DATE) {
            String type = a.kind().name().toLowerCase(Locale.ROOT);
            throw new DataException(fileName + ":" + a.line() + ": attribute '" + a.name() + "' is of type " + type
                    + ", which cannot be a feature (features are numeric or nominal); make it the id or"
                    + " timestamp, list the other attributes in features, or declare it numeric or nominal");
        }
    }

    /**
     * The classes of label attribute {@code col}: its declared values for classification, none for
     * regression.
     *
     * @param defaulted whether the label was not named, so defaults to the last attribute
     * @throws DataException if the label's type does not fit the task, or it declares fewer than two classes
     */
    List<String> classes(int col, Task task, boolean defaulted) {
        Attribute label = attributes.get(col);
        String kind = label.kind().name().toLowerCase(Locale.ROOT);
        if (task == Task.REGRESSION) {
            if (label.kind() != Kind.NUMERIC) {
                throw new DataException(fileName + ":" + label.line() + ": the label attribute '" + label.name()
                        + "' is " + kind + ", but task: regression needs a numeric target; set task: classification"
                        + " for a nominal label, or choose another label");
            }
            return List.of();
        }
        if (label.kind() != Kind.NOMINAL) {
            throw new DataException(fileName + ":" + label.line() + ": the label attribute '" + label.name()
                    + "' is " + kind + ", but classification needs a nominal label {a, b, ...}; set task: regression"
                    + " for a numeric target, or choose another label"
                    + (defaulted ? " (the label defaults to the last attribute)" : ""));
        }
        if (label.values().size() < 2) {
            throw new DataException(fileName + ":" + label.line() + ": the label attribute '" + label.name()
                    + "' declares " + label.values().size() + " value(s); classification needs at least two classes");
        }
        return label.values();
    }

    /** The index of {@code value} among the declared values of nominal attribute {@code col}, or null. */
    Integer code(int col, String value) {
        return codes.get(col).get(value);
    }

    @Override
    public List<String> names() {
        return attributes.stream().map(Attribute::name).toList();
    }

    @Override
    public String noun() {
        return "attribute";
    }

    @Override
    public int column(String name, String role) {
        Integer col = byName.get(name);
        if (col == null) {
            throw new DataException(fileName + ": there is no " + role + " attribute named '" + name
                    + "'; the file declares " + TableStream.shownList(new ArrayList<>(byName.keySet())));
        }
        return col;
    }

    @Override
    public String where() {
        return fileName;
    }

    /** The line that declares the attribute. */
    @Override
    public String where(int col) {
        return fileName + ":" + attributes.get(col).line();
    }

    /** Reads the header up to and including {@code @data}; returns the line of {@code @data}. */
    private static long readDeclarations(BufferedReader r, String fileName, List<Attribute> attrs, String[] relation)
            throws IOException {
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
                String error = ArffSource.split(s.substring("@relation".length()).strip(), name, new BitSet());
                relation[0] = error == null && !name.isEmpty() ? name.get(0) : s.substring("@relation".length()).strip();
                continue;
            }
            if (keyword(lower, "@attribute")) {
                if (relation[0] == null) {
                    relation[0] = "";
                }
                attrs.add(attribute(s.substring("@attribute".length()), n, fileName));
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
                throw new DataException(fileName + ":" + n + ": '" + TableStream.shown(s) + "': relational attributes"
                        + " are not supported");
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
    private static Attribute attribute(String rest, long n, String fileName) {
        String s = rest.strip();
        String name;
        int i;
        if (s.isEmpty()) {
            throw new DataException(fileName + ":" + n + ": @attribute without a name and type");
        }
        char q = s.charAt(0);
        if (q == '\'' || q == '"') {
            StringBuilder sb = new StringBuilder();
            i = ArffSource.readQuoted(s, 0, sb);
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
            String error = ArffSource.split(type.substring(1, type.length() - 1), declared, unused);
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
}
