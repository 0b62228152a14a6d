package io.scarcity.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A typed, read-only view of one plugin's YAML subtree.
 *
 * <p>Values are plain Java objects as a YAML parser produces them: {@link String}, {@link Number},
 * {@link Boolean}, {@link List} and {@link Map}. Every getter takes a default that is returned when the
 * key is absent; a present value of the wrong type or out of range throws a {@link ConfigException}
 * naming the key's full path. The view records which keys were read, so the runtime can report keys the
 * plugin never asked for ({@link #unreadKeys()}) as errors: a typo in a plugin's config never passes
 * silently.
 *
 * <p>Thread-safe: the view is immutable apart from the set of read keys, which is concurrent.
 */
public final class PluginConfig {
    private final String path;
    private final Map<String, Object> values;
    private final Set<String> read = ConcurrentHashMap.newKeySet();
    private final Map<String, PluginConfig> sections = new ConcurrentHashMap<>();

    private PluginConfig(String path, Map<String, Object> values) {
        this.path = Objects.requireNonNull(path, "path is null");
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * A view of {@code values} whose keys are reported under {@code path}.
     *
     * @param path the subtree's path in the whole config, e.g. {@code experts[0].config}; may be empty
     * @param values the subtree; {@code null} means empty
     */
    public static PluginConfig of(String path, Map<String, ?> values) {
        Map<String, Object> copy = new LinkedHashMap<>();
        if (values != null) {
            values.forEach((k, v) -> copy.put(String.valueOf(k), v));
        }
        return new PluginConfig(path == null ? "" : path, copy);
    }

    /** An empty view, for plugins created without configuration. */
    public static PluginConfig empty() {
        return of("", Map.of());
    }

    /** The subtree's path in the whole configuration. */
    public String path() {
        return path;
    }

    /** Full path of a key of this subtree, as used in error messages. */
    public String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Whether the key is present (does not count as reading it). */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** Keys present in this subtree, in file order. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public String getString(String key, String defaultValue) {
        Object v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Map || v instanceof List) {
            throw bad(key, v, "a text value");
        }
        if (v instanceof Boolean) {
            // YAML reads bare yes/no/on/off/true/false as booleans
            throw bad(key, v, "a text value (put it in quotes if you mean the word)");
        }
        return String.valueOf(v);
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        Object v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw bad(key, v, "true or false");
    }

    public int getInt(String key, int defaultValue) {
        Object v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            long l = ((Number) v).longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return (int) l;
            }
        }
        throw bad(key, v, "a whole number");
    }

    public long getLong(String key, long defaultValue) {
        Object v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        throw bad(key, v, "a whole number");
    }

    /** A finite number; NaN and infinities are rejected. */
    public double getDouble(String key, double defaultValue) {
        Object v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) {
                return d;
            }
        }
        throw bad(key, v, "a finite number");
    }

    /** An integer that must be at least {@code min}. */
    public int getInt(String key, int defaultValue, int min) {
        int v = getInt(key, defaultValue);
        if (v < min) {
            throw bad(key, v, "a whole number >= " + min);
        }
        return v;
    }

    /** A finite number in the closed range [{@code min}, {@code max}]. */
    public double getDouble(String key, double defaultValue, double min, double max) {
        double v = getDouble(key, defaultValue);
        if (v < min || v > max) {
            throw bad(key, v, "a number between " + min + " and " + max);
        }
        return v;
    }

    /** One of the given choices (case-insensitive); the error lists them. */
    public String getChoice(String key, String defaultValue, List<String> choices) {
        String v = getString(key, defaultValue);
        for (String c : choices) {
            if (c.equalsIgnoreCase(v)) {
                return c;
            }
        }
        throw bad(key, v, "one of " + String.join(", ", choices));
    }

    public <E extends Enum<E>> E getEnum(String key, E defaultValue) {
        Class<E> type = defaultValue.getDeclaringClass();
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        String choice = getChoice(key, defaultValue.name().toLowerCase(Locale.ROOT).replace('_', '-'), names);
        return Enum.valueOf(type, choice.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public List<String> getStringList(String key, List<String> defaultValue) {
        Object v = take(key);
        if (v == null) {
            return defaultValue;
        }
        if (!(v instanceof List<?> list)) {
            throw bad(key, v, "a list of text values");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (o == null || o instanceof Map || o instanceof List || o instanceof Boolean) {
                throw bad(key, v, "a list of text values (quote words such as 'yes' or 'no')");
            }
            out.add(String.valueOf(o));
        }
        return List.copyOf(out);
    }

    public double[] getDoubleArray(String key, double[] defaultValue) {
        Object v = take(key);
        if (v == null) {
            return defaultValue == null ? null : defaultValue.clone();
        }
        if (!(v instanceof List<?> list)) {
            throw bad(key, v, "a list of numbers");
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw bad(key, v, "a list of finite numbers");
            }
            out[i] = n.doubleValue();
        }
        return out;
    }

    /**
     * A nested subtree as its own view (empty when absent). Keys of the section count as read only
     * when read through the returned view.
     */
    @SuppressWarnings("unchecked")
    public PluginConfig section(String key) {
        return sections.computeIfAbsent(key, k -> {
            Object v = take(k);
            if (v == null) {
                return of(pathOf(k), Map.of());
            }
            if (!(v instanceof Map<?, ?> m)) {
                throw bad(k, v, "a mapping of keys to values");
            }
            return of(pathOf(k), (Map<String, ?>) m);
        });
    }

    /**
     * A nested list of mappings, each as its own view with path {@code key[i]}.
     */
    @SuppressWarnings("unchecked")
    public List<PluginConfig> sectionList(String key) {
        Object v = take(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw bad(key, v, "a list of mappings");
        }
        List<PluginConfig> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (!(item instanceof Map<?, ?> m)) {
                throw bad(key + "[" + i + "]", item, "a mapping of keys to values");
            }
            String p = pathOf(key) + "[" + i + "]";
            PluginConfig section = of(p, (Map<String, ?>) m);
            sections.put(key + "[" + i + "]", section);
            out.add(section);
        }
        return out;
    }

    /**
     * Full paths of keys present in the subtree (including nested sections that were read) that no
     * getter asked for: almost always typos. Sorted.
     */
    public Set<String> unreadKeys() {
        Set<String> out = new TreeSet<>();
        for (String k : values.keySet()) {
            if (!read.contains(k)) {
                out.add(pathOf(k));
            }
        }
        for (PluginConfig s : sections.values()) {
            out.addAll(s.unreadKeys());
        }
        return out;
    }

    /**
     * Keys of this subtree that were asked for (present or not), sorted: the options the plugin
     * understands, for error messages about unknown keys.
     */
    public Set<String> askedKeys() {
        return new TreeSet<>(read);
    }

    /**
     * The asked keys of the (nested) section that holds the key at {@code fullKeyPath}, e.g. the keys
     * of {@code mix} for {@code memory.config.mix.foo}.
     */
    public Set<String> askedKeysAround(String fullKeyPath) {
        for (PluginConfig s : sections.values()) {
            if (fullKeyPath.startsWith(s.path + ".")) {
                return s.askedKeysAround(fullKeyPath);
            }
        }
        return askedKeys();
    }

    /** An error for {@code key} of this subtree, for plugins that validate values themselves. */
    public ConfigException invalid(String key, String message) {
        return new ConfigException(pathOf(key), message);
    }

    /** The {@link ConfigException} for an option record's validation failure, with the full path. */
    public ConfigException invalid(InvalidOptionException e) {
        return new ConfigException(pathOf(e.key()), e.reason());
    }

    private Object take(String key) {
        read.add(key);
        return values.get(key);
    }

    private ConfigException bad(String key, Object value, String expected) {
        String shown = value instanceof String ? "'" + value + "'" : String.valueOf(value);
        return new ConfigException(pathOf(key), "expected " + expected + ", got " + shown);
    }

    @Override
    public String toString() {
        return "PluginConfig[" + path + "=" + values + "]";
    }
}
