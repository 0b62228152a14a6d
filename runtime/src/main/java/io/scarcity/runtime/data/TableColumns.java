package io.scarcity.runtime.data;

import io.scarcity.api.PluginConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns a table file source reads, by 0-based position in the file: the label, the id and the
 * timestamp (-1 where there is none) and the features, with the features' names for the schema. Chosen
 * the same way for every format, so that CSV and ARFF take the same options and fail alike.
 */
record TableColumns(int label, int id, int timestamp, int[] features, List<String> featureNames) {
    TableColumns {
        featureNames = List.copyOf(featureNames);
    }

    /** A format's header: the names of its columns, and where its messages point. */
    interface Header {
        /** The column names, in file order. */
        List<String> names();

        /** What the format calls a column, e.g. "column" or "attribute". */
        String noun();

        /**
         * The column called {@code name}.
         *
         * @param role what the column is for, e.g. "label" or "feature", for the message
         * @throws DataException if there is none, saying what there is
         */
        int column(String name, String role);

        /** The file, or file:line, that a message about the header as a whole starts with. */
        String where();

        /** The file:line that a message about column {@code col} starts with. */
        default String where(int col) {
            return where();
        }

        /** What follows the message that no feature is left, e.g. the names there are. */
        default String namesHint() {
            return "";
        }
    }

    /**
     * Sets the label, id and timestamp columns aside and takes the listed features, or all other columns.
     *
     * @param label the label column, already looked up
     * @param id name of the id column, or null
     * @param timestamp name of the timestamp column, or null
     * @param features names of the feature columns; empty for all but the label, id and timestamp
     * @throws DataException if a named column is missing, a feature is listed twice or is also the
     *     label, id or timestamp, or no feature is left
     */
    static TableColumns choose(Header header, int label, String id, String timestamp, List<String> features) {
        return choose(header, label, id, timestamp, features, new int[0]);
    }

    /**
     * {@link #choose(Header, int, String, String, List)} beside free-text columns ({@code text}, positions in the
     * file), which are not numeric features: they are left out of the default features, may not be listed among
     * them nor be the label, id or timestamp, and with them no numeric feature need be left.
     */
    static TableColumns choose(Header header, int label, String id, String timestamp, List<String> features, int[] text) {
        int idColumn = id == null ? -1 : header.column(id, "id");
        int timestampColumn = timestamp == null ? -1 : header.column(timestamp, "timestamp");
        List<String> names = header.names();
        List<Integer> cols = new ArrayList<>();
        String noun = header.noun();
        for (int t : text) {
            if (t == label || t == idColumn || t == timestampColumn) {
                throw new DataException(header.where(t) + ": " + noun + " '" + names.get(t) + "' is listed as text but is"
                        + " also the label, id or timestamp " + noun + "; remove it from text");
            }
        }
        if (features.isEmpty()) {
            for (int col = 0; col < names.size(); col++) {
                if (col != label && col != idColumn && col != timestampColumn && !contains(text, col)) {
                    cols.add(col);
                }
            }
            if (cols.isEmpty() && text.length == 0) {
                throw new DataException(header.where() + ": no feature " + noun + "s are left once the label"
                        + (id != null ? ", id" : "") + (timestamp != null ? ", timestamp" : "") + " " + noun
                        + "s are set aside" + header.namesHint());
            }
        } else {
            for (String name : features) {
                int col = header.column(name, "feature");
                if (col == label || col == idColumn || col == timestampColumn) {
                    throw new DataException(header.where(col) + ": " + noun + " '" + name + "' is listed as a"
                            + " feature but is also the label, id or timestamp " + noun + "; remove it from features");
                }
                if (contains(text, col)) {
                    throw new DataException(header.where(col) + ": " + noun + " '" + name + "' is listed both as a"
                            + " feature and as text; remove it from one of features and text");
                }
                if (cols.contains(col)) {
                    throw new DataException(header.where() + ": " + noun + " '" + name + "' is listed twice among"
                            + " the features");
                }
                cols.add(col);
            }
        }
        return new TableColumns(label, idColumn, timestampColumn, cols.stream().mapToInt(Integer::intValue).toArray(),
                cols.stream().map(names::get).toList());
    }

    private static boolean contains(int[] columns, int col) {
        for (int c : columns) {
            if (c == col) {
                return true;
            }
        }
        return false;
    }

    /** Whether column {@code col} is the label, id or timestamp. */
    boolean setAside(int col) {
        return col == label || col == id || col == timestamp;
    }

    /**
     * The optional {@code features} list of a config.
     *
     * @param noun what the format calls a column, for the message
     */
    static List<String> readFeatures(PluginConfig config, String noun) {
        List<String> features = config.getStringList("features", List.of());
        if (config.has("features") && features.isEmpty()) {
            throw config.invalid("features", "is empty; list the feature " + noun + "s, or leave features out to"
                    + " use every " + noun + " but the label");
        }
        StreamFactory.checkDistinct(config, "features", features);
        return features;
    }

    /** An optional column name: absent is null, blank is a mistake. */
    static String optionalColumn(PluginConfig config, String key) {
        String v = config.getString(key, null);
        if (v != null && v.isBlank()) {
            throw config.invalid(key, "is empty; name the column, or leave " + key + " out");
        }
        return v;
    }
}
