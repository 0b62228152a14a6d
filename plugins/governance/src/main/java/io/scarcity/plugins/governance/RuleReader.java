package io.scarcity.plugins.governance;

import io.scarcity.api.DataSchema;
import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one rule's YAML mapping and compiles it against the stream's schema. Every mistake (unknown
 * type, feature, class or operator, min > max, a missing or contradictory key) is an
 * {@link InvalidOptionException} whose key is the rule's path, e.g. {@code rules[2].feature}, and whose
 * message names the rule when it has a name.
 */
final class RuleReader {
    static final List<String> TYPES = List.of("range", "required", "allowed", "compare");
    /** Names become metric names ({@code governance.violations.<name>}): no spaces, no surprises. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    /** At most this many feature names are listed in an error message. */
    private static final int LISTED = 30;

    private final DataSchema schema;
    private final Map<String, Integer> features = new HashMap<>();

    RuleReader(DataSchema schema) {
        this.schema = schema;
        for (int j = 0; j < schema.numFeatures(); j++) {
            features.putIfAbsent(schema.featureNames().get(j), j);
        }
    }

    /** The name the user gave the rule, or {@code null}; checked for its form. */
    static String explicitName(PluginConfig rule, String source) {
        String name = rule.getString("name", null);
        if (name != null && !NAME.matcher(name).matches()) {
            throw new InvalidOptionException(source + ".name", "rule name '" + name + "' must start with a letter or digit "
                    + "and hold only letters, digits, '_', '.' and '-' (it becomes the metric governance.violations.<name>)");
        }
        return name;
    }

    /**
     * Compiles a rule.
     *
     * @param source the rule's path relative to where it was written, e.g. {@code rules[2]}
     * @param origin what to put before {@code source} when the rule is named in later messages, e.g. the
     *        constraints file's name and a space; empty for inline rules
     * @param used names already taken (explicit names of every rule and the rules compiled so far); an
     *        unnamed rule gets a default name not in it
     */
    Rule read(PluginConfig rule, String source, String origin, Set<String> used) {
        String explicit = explicitName(rule, source);
        Context c = new Context(rule, source, origin + source, explicit == null ? "" : "rule '" + explicit + "': ");
        String type = rule.getString("type", null);
        if (type == null) {
            throw c.error("type", "missing; set type to one of " + String.join(", ", TYPES));
        }
        double maxRate = rule.getDouble("maxViolationRate", Double.NaN);
        if (!Double.isNaN(maxRate) && !(maxRate >= 0 && maxRate <= 1)) {
            throw c.error("maxViolationRate", "must be in [0, 1], got " + maxRate);
        }
        return switch (type) {
            case "range" -> range(c, explicit, used, maxRate);
            case "required" -> required(c, explicit, used, maxRate);
            case "allowed" -> allowed(c, explicit, used, maxRate);
            case "compare" -> compare(c, explicit, used, maxRate);
            default -> throw c.error("type", "unknown rule type '" + type + "'; known: " + String.join(", ", TYPES));
        };
    }

    private Rule range(Context c, String explicit, Set<String> used, double maxRate) {
        String feature = c.feature("feature");
        double min = c.rule.getDouble("min", Double.NaN);
        double max = c.rule.getDouble("max", Double.NaN);
        if (Double.isNaN(min) && Double.isNaN(max)) {
            throw c.error("min", "a range needs min, max or both");
        }
        if (min > max) {
            throw c.error("min", "min " + min + " > max " + max + "; swap them or fix one");
        }
        String name = name(explicit, "range-" + feature, used);
        return new RangeRule(name, c.label, maxRate, features.get(feature), feature,
                Double.isNaN(min) ? Double.NEGATIVE_INFINITY : min, Double.isNaN(max) ? Double.POSITIVE_INFINITY : max);
    }

    private Rule required(Context c, String explicit, Set<String> used, double maxRate) {
        List<String> names;
        if (c.rule.has("features")) {
            if (c.rule.has("feature")) {
                throw c.error("features", "give feature (one) or features (a list), not both");
            }
            names = c.rule.getStringList("features", List.of());
            if (names.isEmpty()) {
                throw c.error("features", "is empty; list the features that must be present");
            }
            List<String> seen = new ArrayList<>();
            for (String f : names) {
                c.known("features", f);
                if (seen.contains(f)) {
                    throw c.error("features", "lists '" + f + "' twice");
                }
                seen.add(f);
            }
        } else {
            c.rule.getStringList("features", null); // asked, so that error messages list it as an option
            names = List.of(c.feature("feature"));
        }
        int[] idx = names.stream().mapToInt(features::get).toArray();
        String name = name(explicit, "required-" + String.join("-", names), used);
        return new RequiredRule(name, c.label, maxRate, idx, names.toArray(String[]::new));
    }

    private Rule allowed(Context c, String explicit, Set<String> used, double maxRate) {
        if (c.rule.has("label")) {
            if (c.rule.has("feature")) {
                throw c.error("label", "give feature (with values) or label (with class names), not both");
            }
            if (schema.task() != Task.CLASSIFICATION) {
                throw c.error("label", "the stream's task is " + schema.task().toString().toLowerCase(java.util.Locale.ROOT)
                        + ", which has no classes; label rules need a classification stream");
            }
            List<String> classes = c.rule.getStringList("label", List.of());
            if (classes.isEmpty()) {
                throw c.error("label", "is empty; list the allowed class names");
            }
            boolean[] allowed = new boolean[schema.numClasses()];
            for (String k : classes) {
                int i = schema.classNames().indexOf(k);
                if (i < 0) {
                    throw c.error("label", "unknown class '" + k + "'; classes are: " + String.join(", ", schema.classNames()));
                }
                allowed[i] = true;
            }
            return new AllowedLabelRule(name(explicit, "allowed-label", used), c.label, maxRate, allowed, schema.classNames());
        }
        c.rule.getStringList("label", null); // asked: listed as an option in messages
        String feature = c.feature("feature");
        double[] values = c.rule.getDoubleArray("values", null);
        if (values == null) {
            throw c.error("values", "missing; list the allowed values of '" + feature + "'");
        }
        if (values.length == 0) {
            throw c.error("values", "is empty; list the allowed values of '" + feature + "'");
        }
        return new AllowedValuesRule(name(explicit, "allowed-" + feature, used), c.label, maxRate, features.get(feature),
                feature, values);
    }

    private Rule compare(Context c, String explicit, Set<String> used, double maxRate) {
        String left = c.feature("left");
        String opText = c.rule.getString("op", null);
        if (opText == null) {
            throw c.error("op", "missing; set op to one of " + Operator.known());
        }
        Operator op = Operator.parse(opText);
        if (op == null) {
            throw c.error("op", "unknown operator '" + opText + "'; known: " + Operator.known()
                    + " (quote symbols in YAML: op: \">=\")");
        }
        boolean hasRight = c.rule.has("right");
        boolean hasValue = c.rule.has("value");
        if (hasRight == hasValue) {
            c.rule.getString("right", null);
            c.rule.getDouble("value", 0);
            throw c.error(hasRight ? "value" : "right", hasRight ? "give right (a feature) or value (a number), not both"
                    : "missing; compare '" + left + "' with a feature (right: name) or a number (value: 5)");
        }
        if (hasValue) {
            c.rule.getString("right", null);
            double value = c.rule.getDouble("value", 0);
            return new CompareRule(name(explicit, "compare-" + left + "-" + op.name().toLowerCase(java.util.Locale.ROOT)
                    + "-" + value, used), c.label, maxRate, features.get(left), left, op, -1, null, value);
        }
        c.rule.getDouble("value", 0);
        String right = c.feature("right");
        if (right.equals(left)) {
            throw c.error("right", "compares '" + left + "' with itself; compare two different features, or use value");
        }
        return new CompareRule(name(explicit, "compare-" + left + "-" + op.name().toLowerCase(java.util.Locale.ROOT)
                + "-" + right, used), c.label, maxRate, features.get(left), left, op, features.get(right), right, Double.NaN);
    }

    /** The explicit name, or a default derived from the rule, made unique against {@code used}. */
    private static String name(String explicit, String base, Set<String> used) {
        if (explicit != null) {
            used.add(explicit);
            return explicit;
        }
        String clean = base.replaceAll("[^A-Za-z0-9_.-]", "_");
        String name = clean;
        for (int i = 2; used.contains(name); i++) {
            name = clean + "-" + i;
        }
        used.add(name);
        return name;
    }

    /** One rule being read: its section, where it was written and how messages name it. */
    private final class Context {
        final PluginConfig rule;
        final String source;
        final String label;
        final String prefix;

        Context(PluginConfig rule, String source, String label, String prefix) {
            this.rule = rule;
            this.source = source;
            this.label = label;
            this.prefix = prefix;
        }

        InvalidOptionException error(String key, String message) {
            return new InvalidOptionException(source + "." + key, prefix + message);
        }

        /** A feature name that must be given under {@code key} and be in the schema. */
        String feature(String key) {
            String f = rule.getString(key, null);
            if (f == null) {
                throw error(key, "missing; name a feature (features are: " + listed() + ")");
            }
            known(key, f);
            return f;
        }

        void known(String key, String f) {
            if (!features.containsKey(f)) {
                throw error(key, "unknown feature '" + f + "'; features are: " + listed());
            }
        }

        private String listed() {
            List<String> names = schema.featureNames();
            if (names.size() <= LISTED) {
                return String.join(", ", names);
            }
            return String.join(", ", names.subList(0, LISTED)) + ", ... (" + names.size() + " in all)";
        }
    }
}
