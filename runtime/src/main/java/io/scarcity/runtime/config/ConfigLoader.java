package io.scarcity.runtime.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.scarcity.api.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;

/**
 * Reads a run config strictly: the YAML file is laid over the embedded defaults, then overridden by
 * environment variables ({@code SCARCITY_ROUNDS=10}, {@code SCARCITY_DOMAINS__0__CLIENTS=4}: prefix
 * {@code SCARCITY_}, {@code __} between levels) and then by {@code --set path.to.key=value}, in that
 * precedence. Unknown keys, wrong types and bad values fail with the key's path, the bad value and
 * what is accepted.
 */
public final class ConfigLoader {
    /** Environment variables with the prefix that are not overrides (used by the launcher). */
    public static final Set<String> RESERVED_ENV = Set.of("SCARCITY_HOME", "SCARCITY_PLUGINS_DIR", "SCARCITY_OPTS",
            "SCARCITY_JAVA_OPTS", "SCARCITY_REBUILD");
    private static final String ENV_PREFIX = "SCARCITY_";
    /** Environment variables for the project's own tests (e.g. SCARCITY_TEST_PG_URL), never overrides. */
    public static final String TEST_ENV_PREFIX = "SCARCITY_TEST_";

    private static final ObjectMapper YAML = JsonMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            // A number or true/false where text is expected is a mistake, not a name: `name: 007`
            // would silently become "7" and `name: yes` "true".
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private ConfigLoader() {
    }

    /**
     * Loads a config file with overrides.
     *
     * @param env environment variables (only {@code SCARCITY_*} ones are used)
     * @param sets {@code path.to.key=value} overrides, applied last
     * @throws ConfigException on any problem, naming the key (or the file and line for malformed YAML)
     */
    public static LoadedConfig load(Path file, Map<String, String> env, List<String> sets) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("", "config file " + file + " does not exist; check the path (configs/quickstart.yaml is a ready example)");
        } catch (IOException e) {
            throw new ConfigException("", "cannot read config file " + file + ": " + e.getMessage());
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), base, env, sets);
    }

    /** Loads config text (for tests and embedding); relative paths resolve against {@code baseDir}. */
    public static LoadedConfig parse(String text, String source, Path baseDir, Map<String, String> env, List<String> sets) {
        JsonNode user = readYaml(text, source);
        ObjectNode tree = defaults();
        merge(tree, user);
        Map<String, String> origins = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || RESERVED_ENV.contains(name) || name.startsWith(TEST_ENV_PREFIX)) {
                continue;
            }
            List<String> segments = List.of(name.substring(ENV_PREFIX.length()).split("__"));
            String path = apply(tree, segments, scalar(e.getValue()), "environment variable " + name, true);
            origins.put(path, "environment variable " + name + "=" + (secret(name) ? "***" : e.getValue()));
        }
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set", "expected path.to.key=value, got '" + set + "'");
            }
            String key = set.substring(0, eq).trim();
            List<String> segments = KeyPath.segments(key, "--set", set);
            String path = apply(tree, segments, scalar(set.substring(eq + 1)), "--set " + set, false);
            origins.put(path, "--set " + (secret(key) ? key + "=***" : set));
        }
        RunConfig config = bind(tree, origins);
        return new LoadedConfig(config, tree, baseDir, source);
    }

    /**
     * Binds a run config given as a tree (e.g. the {@code run:} part of a benchmark suite, with a
     * method's changes applied): laid over the defaults, no overrides.
     */
    public static LoadedConfig bindTree(ObjectNode user, String source, Path baseDir) {
        ObjectNode tree = defaults();
        merge(tree, user);
        return new LoadedConfig(bind(tree, Map.of()), tree, baseDir, source);
    }

    /**
     * Sets the value at a dotted path ({@code experts[0].config.k}, {@code federation.mode}) in a tree,
     * creating mappings on the way.
     *
     * @param origin what asked for it, for error messages
     */
    public static void set(ObjectNode tree, String path, JsonNode value, String origin) {
        apply(tree, KeyPath.segments(path, origin, path), value.deepCopy(), origin, false);
    }


    /** A YAML mapper as strict as the one for run configs, for other config files (benchmark suites). */
    public static ObjectMapper strictMapper() {
        return YAML;
    }

    /**
     * Reads a YAML file into a tree with the same rules and messages as run configs (malformed YAML
     * with its line, no aliases, a mapping at the top).
     */
    public static JsonNode readFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("", "file " + file + " does not exist; check the path");
        } catch (IOException e) {
            throw new ConfigException("", "cannot read " + file + ": " + e.getMessage());
        }
        return readYaml(text, file.toString());
    }

    /**
     * Reports a key that no record component takes before binding, so that a typo is named as such even
     * when the same mapping also lacks a required key (the binder would report the missing one first).
     * Descends into record-typed components and lists of records; plugin subtrees (maps) are left to
     * their plugins.
     */
    public static void rejectUnknownKeys(JsonNode node, Class<?> type, String path, Map<String, String> origins) {
        if (!type.isRecord() || !(node instanceof ObjectNode object)) {
            return;
        }
        Map<String, java.lang.reflect.RecordComponent> components = new java.util.LinkedHashMap<>();
        for (java.lang.reflect.RecordComponent c : type.getRecordComponents()) {
            components.put(c.getName(), c);
        }
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String p = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
            java.lang.reflect.RecordComponent c = components.get(f.getKey());
            if (c == null) {
                String origin = origins.get(p);
                throw new ConfigException(p, "unknown key '" + f.getKey() + "'; valid keys here: "
                        + String.join(", ", new TreeSet<>(components.keySet())) + (origin == null ? "" : " (from " + origin + ")"));
            }
            if (c.getType().isRecord()) {
                rejectUnknownKeys(f.getValue(), c.getType(), p, origins);
            } else if (List.class.isAssignableFrom(c.getType()) && f.getValue().isArray()
                    && c.getGenericType() instanceof java.lang.reflect.ParameterizedType pt
                    && pt.getActualTypeArguments()[0] instanceof Class<?> element && element.isRecord()) {
                for (int i = 0; i < f.getValue().size(); i++) {
                    rejectUnknownKeys(f.getValue().get(i), element, p + "[" + i + "]", origins);
                }
            }
        }
    }

    /** Turns a Jackson binding error into a ConfigException with the key's path. */
    public static ConfigException explain(JsonMappingException e, JsonNode tree) {
        return translate(e, tree, Map.of());
    }

    /** Whether a key holds a secret whose value must not appear in messages. */
    private static boolean secret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("token");
    }

    /** The embedded defaults as a fresh tree. */
    public static ObjectNode defaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("defaults.yaml")) {
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded defaults.yaml is unreadable", e);
        }
    }

    static String toYaml(JsonNode node) {
        try {
            return YAML.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write config as YAML", e);
        }
    }

    /** A plain Java view (maps, lists, scalars) of a subtree, as plugins receive it. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> plain(JsonNode node) {
        return node == null || node.isNull() ? new LinkedHashMap<>() : YAML.convertValue(node, LinkedHashMap.class);
    }

    private static JsonNode readYaml(String text, String source) {
        rejectAliases(text, source);
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String indent = lines[i].substring(0, lines[i].length() - lines[i].stripLeading().length());
                if (indent.indexOf('\t') >= 0) {
                    throw new ConfigException("", source + ": line " + (i + 1) + " is indented with a tab; YAML allows only "
                            + "spaces for indentation: replace the tab with spaces");
                }
            }
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            String problem = e.getOriginalMessage().split("\n")[0];
            throw new ConfigException("", source + ": malformed YAML" + where + ": " + problem
                    + "; check the indentation and the ':' after each key");
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw new ConfigException("", source + " is empty; see configs/quickstart.yaml for a complete example");
        }
        if (!node.isObject()) {
            throw new ConfigException("", source + ": expected a mapping of keys (name, rounds, domains, experts, ...) at the top, got "
                    + describe(node));
        }
        return node;
    }

    /**
     * YAML anchors and aliases ({@code &x}, {@code *x}) would reach the binder as plain text, so a
     * config using them is refused with the line of the first alias.
     */
    private static void rejectAliases(String text, String source) {
        try {
            for (Event e : new Yaml().parse(new StringReader(text))) {
                if (e instanceof AliasEvent a) {
                    throw new ConfigException("", source + ": YAML aliases (*" + a.getAnchor() + " at line "
                            + (a.getStartMark().getLine() + 1) + ") are not supported; write the value out in full");
                }
            }
        } catch (YAMLException e) {
            // malformed YAML: reported with its position by the main parser
        }
    }

    /** Lays {@code over} onto {@code base}: mappings merge key by key, except plugin selections and lists, which replace. */
    private static void merge(ObjectNode base, JsonNode over) {
        Iterator<Map.Entry<String, JsonNode>> fields = over.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode existing = base.get(f.getKey());
            if (existing != null && existing.isObject() && f.getValue().isObject() && !f.getValue().has("plugin")) {
                merge((ObjectNode) existing, f.getValue());
            } else {
                base.set(f.getKey(), f.getValue().deepCopy());
            }
        }
    }

    private static String apply(ObjectNode root, List<String> segments, JsonNode value, String origin, boolean fromEnv) {
        JsonNode node = root;
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < segments.size(); i++) {
            String seg = segments.get(i);
            boolean last = i == segments.size() - 1;
            if (node instanceof ArrayNode array) {
                int index;
                try {
                    index = Integer.parseInt(seg);
                } catch (NumberFormatException e) {
                    throw new ConfigException(path.toString(), "is a list; " + origin + " must give an index (0.." + (array.size() - 1) + ") here, got '" + seg + "'");
                }
                if (index < 0 || index >= array.size()) {
                    throw new ConfigException(path.toString(), "has " + array.size() + " entries; index " + index + " from " + origin + " is out of range");
                }
                path.append('[').append(index).append(']');
                if (last) {
                    array.set(index, value);
                } else {
                    node = array.get(index);
                }
            } else if (node instanceof ObjectNode object) {
                String key = resolveKey(object, seg, fromEnv);
                path.append(path.length() == 0 ? "" : ".").append(key);
                if (last) {
                    object.set(key, value);
                } else {
                    JsonNode child = object.get(key);
                    if (child == null || child.isNull()) {
                        child = object.putObject(key);
                    }
                    node = child;
                }
            } else {
                throw new ConfigException(path.toString(), "is a single value, so " + origin + " cannot set a key below it");
            }
        }
        return path.toString();
    }

    private static String resolveKey(ObjectNode object, String segment, boolean fromEnv) {
        String squashed = segment.replace("_", "").replace("-", "");
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (n.equals(segment) || (fromEnv && n.replace("-", "").equalsIgnoreCase(squashed))) {
                return n;
            }
        }
        if (!fromEnv) {
            return segment;
        }
        // UPPER_SNAKE -> camelCase, the convention of every built-in key
        String[] parts = segment.toLowerCase(Locale.ROOT).split("_");
        StringBuilder b = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].isEmpty()) {
                b.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
            }
        }
        return b.toString();
    }

    /**
     * The value a {@code --set KEY=VALUE} applies: {@code raw} read as YAML by the loader's own strict parser (a
     * number, a list, a map), or the text itself when it is not one YAML value. For callers that must judge an override
     * exactly as it will be applied (the dashboard).
     */
    public static JsonNode overrideValue(String raw) {
        return scalar(raw);
    }

    private static JsonNode scalar(String raw) {
        if (raw.isEmpty()) {
            return TextNode.valueOf("");
        }
        try {
            JsonNode n = YAML.readTree(raw);
            return n == null || n.isMissingNode() ? TextNode.valueOf(raw) : n;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(raw);
        }
    }

    private static RunConfig bind(ObjectNode tree, Map<String, String> origins) {
        rejectUnknownKeys(tree, RunConfig.class, "", origins);
        try {
            return YAML.treeToValue(tree, RunConfig.class);
        } catch (JsonMappingException e) {
            throw translate(e, tree, origins);
        } catch (JsonProcessingException e) {
            throw new ConfigException("", e.getOriginalMessage());
        }
    }

    private static ConfigException translate(JsonMappingException e, JsonNode tree, Map<String, String> origins) {
        List<JsonMappingException.Reference> refs = e.getPath();
        String path = formatPath(refs);
        String reason;
        if (e instanceof UnrecognizedPropertyException u) {
            Set<String> known = new TreeSet<>();
            for (Object k : u.getKnownPropertyIds()) {
                known.add(String.valueOf(k));
            }
            reason = "unknown key '" + u.getPropertyName() + "'; valid keys here: " + String.join(", ", known);
        } else if (e instanceof ValueInstantiationException v && v.getCause() instanceof ConfigException c) {
            path = c.path().isEmpty() ? path : (path.isEmpty() ? c.path() : path + "." + c.path());
            reason = c.reason();
        } else if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            reason = v.getCause().getMessage();
        } else if (e instanceof InvalidFormatException f) {
            reason = "expected " + typeName(f.getTargetType()) + ", got " + show(f.getValue());
        } else if (e instanceof MismatchedInputException m) {
            JsonNode bad = lookup(tree, refs);
            reason = "expected " + typeName(m.getTargetType()) + ", got " + (bad == null ? "nothing" : describe(bad));
        } else {
            reason = e.getOriginalMessage();
        }
        String origin = origins.get(path);
        return new ConfigException(path, reason + (origin == null ? "" : " (from " + origin + ")"));
    }

    private static String formatPath(List<JsonMappingException.Reference> refs) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static JsonNode lookup(JsonNode root, List<JsonMappingException.Reference> refs) {
        JsonNode n = root;
        for (JsonMappingException.Reference r : refs) {
            if (n == null) {
                return null;
            }
            n = r.getFieldName() != null ? n.get(r.getFieldName()) : n.get(r.getIndex());
        }
        return n;
    }

    private static String typeName(Class<?> t) {
        if (t == null) {
            return "a different value";
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "a whole number";
        }
        if (t == double.class || t == Double.class || t == float.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a text value";
        }
        if (List.class.isAssignableFrom(t)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(t) || t.isRecord()) {
            return "a mapping of keys to values";
        }
        return "a " + t.getSimpleName();
    }

    private static String show(Object value) {
        return value instanceof String ? "'" + value + "'" : String.valueOf(value);
    }

    private static String describe(JsonNode node) {
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isTextual()) {
            return "'" + node.asText() + "'";
        }
        return node.toString();
    }

    /** Builds an empty object node (for callers composing trees). */
    public static ObjectNode newObject() {
        return JsonNodeFactory.instance.objectNode();
    }
}
