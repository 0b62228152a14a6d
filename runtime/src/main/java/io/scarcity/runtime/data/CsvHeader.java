package io.scarcity.runtime.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of a CSV file: named by its first line, or, with {@code header: false}, called
 * {@code c0, c1, ...} and also reachable by their 0-based index {@code N}. A name that is not there is
 * reported with what might be wrong: a typo, a missing header line, or the wrong delimiter.
 */
final class CsvHeader implements TableColumns.Header {
    private final String fileName;
    private final boolean named;
    /** Column by name, in file order. */
    private final Map<String, Integer> columns;
    private final List<String> names;
    private final long line;

    private CsvHeader(String fileName, boolean named, Map<String, Integer> columns, long line) {
        this.fileName = fileName;
        this.named = named;
        this.columns = columns;
        this.names = List.copyOf(columns.keySet());
        this.line = line;
    }

    /**
     * Reads the first record of {@code r}: the header line, or with {@code named} false the first row,
     * which only gives the number of columns.
     *
     * @throws DataException if the file is empty, or a header column is unnamed or named twice
     */
    static CsvHeader read(CsvReader r, String fileName, boolean named) throws IOException {
        List<String> fields = new ArrayList<>();
        if (!r.next(fields)) {
            throw new DataException(fileName + ": the file is empty; " + (named
                    ? "it needs a header line naming the columns" : "it needs at least one row"));
        }
        long line = r.recordLine();
        Map<String, Integer> columns = new LinkedHashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            if (!named) {
                columns.put("c" + i, i);
                continue;
            }
            String name = fields.get(i).strip();
            if (i == 0 && name.startsWith("\uFEFF")) {
                name = name.substring(1).strip();
            }
            if (name.isEmpty()) {
                throw new DataException(fileName + ":" + line + ": column " + (i + 1) + " of the header has no name;"
                        + " name every column (a trailing delimiter adds an empty column)");
            }
            Integer previous = columns.putIfAbsent(name, i);
            if (previous != null) {
                throw new DataException(fileName + ":" + line + ": the header names column '" + name + "' twice"
                        + " (columns " + (previous + 1) + " and " + (i + 1) + "); rename one");
            }
        }
        return new CsvHeader(fileName, named, columns, line);
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public String noun() {
        return "column";
    }

    @Override
    public int column(String name, String role) {
        Integer col = columns.get(name);
        if (col != null) {
            return col;
        }
        int n = columns.size();
        if (!named) {
            if (name.matches("[0-9]{1,9}") && Integer.parseInt(name) < n) {
                return Integer.parseInt(name);
            }
            throw new DataException(where() + ": there is no " + role + " column '" + name + "'; the file has no"
                    + " header line (header: false) and " + n + " columns, so name them c0 to c" + (n - 1)
                    + " or by index 0 to " + (n - 1));
        }
        String hint = "";
        if (n == 1) {
            String only = columns.keySet().iterator().next();
            if (only.contains(";") || only.contains("\t") || only.contains("|")) {
                hint = "; the header was read as a single column, so the file may use another delimiter (set"
                        + " delimiter)";
            }
        }
        if (hint.isEmpty()) {
            hint = "; fix the " + role + " name in the config, or add a header line if the file has none";
        }
        throw new DataException(where() + ": there is no " + role + " column named '" + name + "'" + namesHint()
                + hint);
    }

    /** The header's line: every message about the columns points there. */
    @Override
    public String where() {
        return fileName + ":" + line;
    }

    @Override
    public String namesHint() {
        return "; the header's columns are " + String.join(", ", names);
    }
}
