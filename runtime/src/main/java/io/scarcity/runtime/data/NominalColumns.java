package io.scarcity.runtime.data;

import io.scarcity.api.PluginConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The categorical features of a CSV file, declared under {@code nominal}: a value is encoded as its
 * 0-based index in its column's list, and any other value makes the row invalid. (ARFF declares its
 * categories in its header instead.)
 */
final class NominalColumns {
    /** Per feature: value to code, or null for a numeric feature. */
    private final List<Map<String, Integer>> codes;
    /** Per feature: the declared values, or null for a numeric feature. */
    private final List<List<String>> declared;

    private NominalColumns(List<Map<String, Integer>> codes, List<List<String>> declared) {
        this.codes = codes;
        this.declared = declared;
    }

    /**
     * Finds the feature each declared column is.
     *
     * @param nominal declared values by column name (or, without a header line, by index)
     * @throws DataException if a declared column is missing, is the label, id or timestamp, is not among
     *     the features, or is declared twice
     */
    static NominalColumns of(Map<String, List<String>> nominal, CsvHeader header, TableColumns columns) {
        int n = columns.features().length;
        List<Map<String, Integer>> codes = new ArrayList<>(Collections.nCopies(n, null));
        List<List<String>> declared = new ArrayList<>(Collections.nCopies(n, null));
        for (Map.Entry<String, List<String>> e : nominal.entrySet()) {
            int col = header.column(e.getKey(), "nominal");
            String problem = header.where() + ": column '" + e.getKey() + "' is declared nominal";
            if (columns.setAside(col)) {
                throw new DataException(problem + " but is the label, id or timestamp column; nominal lists"
                        + " categorical features (class names go in classes)");
            }
            int j = featureIndex(columns, col);
            if (j < 0) {
                throw new DataException(problem + " but is not among the features; add it to features or remove"
                        + " it from nominal");
            }
            if (codes.get(j) != null) {
                throw new DataException(problem + " twice (by name and by index)");
            }
            Map<String, Integer> m = new HashMap<>();
            List<String> values = e.getValue();
            for (int v = 0; v < values.size(); v++) {
                m.put(values.get(v), v);
            }
            codes.set(j, m);
            declared.set(j, values);
        }
        return new NominalColumns(codes, declared);
    }

    private static int featureIndex(TableColumns columns, int col) {
        int[] features = columns.features();
        for (int j = 0; j < features.length; j++) {
            if (features[j] == col) {
                return j;
            }
        }
        return -1;
    }

    /** Whether feature {@code j} is nominal. */
    boolean has(int j) {
        return codes.get(j) != null;
    }

    /** The code of {@code value} in nominal feature {@code j}, or null if it is not declared. */
    Integer code(int j, String value) {
        return codes.get(j).get(value);
    }

    /** The declared values of nominal feature {@code j}. */
    List<String> declared(int j) {
        return declared.get(j);
    }

    /** The {@code nominal} option: column name to its declared values, each list non-empty and distinct. */
    static Map<String, List<String>> read(PluginConfig config, String label, String id, String timestamp) {
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
            StreamFactory.checkDistinct(section, column, values);
            out.put(column, values);
        }
        return out;
    }
}
