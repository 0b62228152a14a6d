package io.scarcity.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.GossipStrategyFactory;
import io.scarcity.api.MemoryFactory;
import io.scarcity.api.MetaLearnerFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.PluginFactory;
import io.scarcity.api.RouterFactory;
import io.scarcity.api.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md against the shipped plugins themselves: every option a plugin's section lists
 * must be one the plugin reads, and every option the plugin reads (with its defaults, and with each
 * documented option set) must be listed. A new option without its line in the reference fails here, as
 * does a line for an option that was removed or misspelt.
 */
class ConfigurationReferenceTest {
    /** A row of an option table: | `key` | default | meaning |. */
    private static final Pattern OPTION_ROW = Pattern.compile("^\\|\\s*`([A-Za-z0-9_.]+)`\\s*\\|\\s*([^|]*)\\|");
    /** Options some plugins need to start at all; the value is only a way in. */
    private static final Map<String, Map<String, Object>> NEEDED = Map.of(
            "governance", Map.of("rules", List.of(Map.of("name", "r", "type", "range", "feature", "x0", "min", 0, "max", 1))));

    record Documented(String kind, Map<String, String> options) {
    }

    static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("docs")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no repository root with docs/ above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /** Per plugin section ({@code ### name} under "Shipped plugins"), the option keys and their default cells. */
    static Map<String, Map<String, String>> documented() throws IOException {
        List<String> lines = Files.readAllLines(repositoryRoot().resolve("docs/configuration.md"), StandardCharsets.UTF_8);
        Map<String, Map<String, String>> out = new TreeMap<>();
        boolean inPlugins = false;
        Map<String, String> current = null;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                inPlugins = line.startsWith("## Shipped plugins") || inPlugins && !line.startsWith("## Governance")
                        && !line.startsWith("## Benchmark");
                current = null;
                continue;
            }
            if (inPlugins && line.startsWith("### ")) {
                current = new LinkedHashMap<>();
                out.put(line.substring(4).trim(), current);
                continue;
            }
            Matcher m = OPTION_ROW.matcher(line);
            if (current != null && m.find()) {
                current.put(m.group(1), m.group(2).trim());
            }
        }
        return out;
    }

    static List<PluginFactory<?>> shippedFactories() {
        List<PluginFactory<?>> out = new ArrayList<>();
        for (Class<? extends PluginFactory<?>> type : List.<Class<? extends PluginFactory<?>>>of(ExpertFactory.class,
                RouterFactory.class, MemoryFactory.class, MetaLearnerFactory.class, GossipStrategyFactory.class)) {
            ServiceLoader.load(type).forEach(out::add);
        }
        return out;
    }

    static PluginContext context() {
        DataSchema schema = new DataSchema(List.of("x0", "x1", "x2", "x3", "x4", "x5"), Task.CLASSIFICATION, List.of("a", "b", "c"));
        return new PluginContext() {
            @Override
            public long seed() {
                return 7;
            }

            @Override
            public Optional<String> clientId() {
                return Optional.of("c-0");
            }

            @Override
            public Optional<String> domain() {
                return Optional.of("d");
            }

            @Override
            public Optional<DataSchema> schema() {
                return Optional.of(schema);
            }

            @Override
            public String instanceName() {
                return "instance";
            }
        };
    }

    /** The default cell as a YAML scalar would read it: a number, a boolean or text. */
    static Object value(String cell) {
        String v = cell.replace("`", "").trim();
        if (v.matches("-?\\d+")) {
            return Integer.parseInt(v);
        }
        if (v.matches("-?\\d*\\.\\d+(e-?\\d+)?|-?\\d+e-?\\d+")) {
            return Double.parseDouble(v);
        }
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static void put(Map<String, Object> config, String dotted, Object value) {
        int dot = dotted.indexOf('.');
        if (dot < 0) {
            config.put(dotted, value);
            return;
        }
        Object inner = config.computeIfAbsent(dotted.substring(0, dot), k -> new LinkedHashMap<String, Object>());
        put((Map<String, Object>) inner, dotted.substring(dot + 1), value);
    }

    /** Creates the plugin; returns the view it read (whatever the outcome) and the error if it refused. */
    record Attempt(PluginConfig config, RuntimeException error) {
    }

    static Attempt attempt(PluginFactory<?> f, Map<String, Object> raw) {
        PluginConfig pc = PluginConfig.of("plugin.config", raw);
        try {
            f.create(pc, context());
            return new Attempt(pc, null);
        } catch (RuntimeException e) {
            return new Attempt(pc, e);
        }
    }

    /** Every key the plugin asked for, as documented keys are written (nested ones dotted). */
    static Set<String> asked(PluginConfig pc, Set<String> documented) {
        Set<String> out = new TreeSet<>();
        for (String k : pc.askedKeys()) {
            boolean nested = documented.stream().anyMatch(d -> d.startsWith(k + "."));
            if (!nested) {
                out.add(k);
                continue;
            }
            for (String inner : pc.askedKeysAround(pc.pathOf(k) + ".?")) {
                out.add(k + "." + inner);
            }
        }
        return out;
    }

    @Test
    void everyShippedPluginsOptionsAreExactlyTheOnesItsSectionLists() throws IOException {
        Map<String, Map<String, String>> docs = documented();
        List<PluginFactory<?>> factories = shippedFactories();
        assertEquals(26, factories.size(), "shipped plugin factories on the test class path: " + factories);
        List<String> problems = new ArrayList<>();
        for (PluginFactory<?> f : factories) {
            Map<String, String> options = docs.get(f.name());
            if (options == null) {
                problems.add("### " + f.name() + ": no section in docs/configuration.md");
                continue;
            }
            Map<String, Object> base = NEEDED.getOrDefault(f.name(), Map.of());
            Attempt plain = attempt(f, new LinkedHashMap<>(base));
            if (plain.error() != null) {
                problems.add(f.name() + ": does not start with its documented defaults: " + plain.error().getMessage());
                continue;
            }
            Set<String> read = new TreeSet<>(asked(plain.config(), options.keySet()));
            for (Map.Entry<String, String> o : options.entrySet()) {
                if (base.containsKey(o.getKey())) {
                    read.add(o.getKey());
                    continue;
                }
                Map<String, Object> raw = new LinkedHashMap<>(base);
                put(raw, o.getKey(), value(o.getValue()));
                Attempt a = attempt(f, raw);
                Set<String> askedHere = asked(a.config(), options.keySet());
                read.addAll(askedHere);
                boolean unread = a.config().unreadKeys().contains(a.config().pathOf(o.getKey()));
                if (a.error() == null ? unread : !askedHere.contains(o.getKey())
                        && !(a.error() instanceof ConfigException ce && ce.path().endsWith(o.getKey()))) {
                    problems.add(f.name() + ": documents `" + o.getKey() + "`, which the plugin does not read"
                            + (a.error() == null ? "" : " (it failed: " + a.error().getMessage() + ")"));
                }
            }
            Set<String> undocumented = new TreeSet<>(read);
            undocumented.removeAll(options.keySet());
            for (String k : undocumented) {
                problems.add(f.name() + ": reads option `" + k + "`, which its section in docs/configuration.md does not list");
            }
        }
        if (!problems.isEmpty()) {
            fail("docs/configuration.md and the plugins disagree:\n  " + String.join("\n  ", problems));
        }
    }

    @Test
    void theReferenceParserFindsTheOptionTables() throws IOException {
        Map<String, Map<String, String>> docs = documented();
        assertTrue(docs.get("ucb").containsKey("exploration"), docs.get("ucb").toString());
        assertTrue(docs.get("hierarchical").containsKey("mix.working"), docs.get("hierarchical").toString());
        assertEquals(1, value("1"));
        assertEquals(0.25, value("0.25"));
        assertEquals("reward", value("`reward`"));
    }
}
