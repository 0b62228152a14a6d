package io.scarcity.plugins.governance;

import static io.scarcity.api.OptionChecks.inClosed;
import static io.scarcity.api.OptionChecks.inRange;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Validated options of the governance expert.
 *
 * @param rules the compiled rules, inline ones first, then those of the constraints file; at least one,
 *        names unique
 * @param window rows over which violation rates are measured, in [1, 10,000,000]
 * @param maxViolationRate the largest share of quarantined rows in the window that raises no alert, in [0, 1]
 * @param minRows rows seen before any alert may fire, in [1, window]
 * @param sampleSize violating rows kept per rule for inspection, in [0, 1000]
 */
record Options(List<Rule> rules, int window, double maxViolationRate, int minRows, int sampleSize) {
    static final int DEFAULT_WINDOW = 1000;
    static final double DEFAULT_MAX_VIOLATION_RATE = 0.05;
    static final int DEFAULT_MIN_ROWS = 100;
    static final int DEFAULT_SAMPLE_SIZE = 10;
    static final int MAX_WINDOW = 10_000_000;
    static final int MAX_SAMPLE_SIZE = 1000;

    Options {
        rules = List.copyOf(Objects.requireNonNull(rules, "rules is null"));
        if (rules.isEmpty()) {
            throw new InvalidOptionException("rules", "no rules; list them under rules, or give a constraints file with file");
        }
        inRange("window", window, 1, MAX_WINDOW);
        inClosed("maxViolationRate", maxViolationRate, 0, 1);
        if (minRows < 1 || minRows > window) {
            throw new InvalidOptionException("minRows", "must be in [1, window = " + window + "], got " + minRows);
        }
        inRange("sampleSize", sampleSize, 0, MAX_SAMPLE_SIZE);
        Map<String, String> names = new HashMap<>();
        for (Rule r : rules) {
            String previous = names.putIfAbsent(r.name(), r.source());
            if (previous != null) {
                throw new InvalidOptionException(r.source() + ".name", "name '" + r.name() + "' is already used by "
                        + previous + "; rule names must be unique");
            }
        }
    }

    /**
     * Reads the options and compiles the rules against the stream's schema. A mistake fails with the
     * key's full path; one in the constraints file with the {@code file} key's path, the file and the
     * rule's path inside it.
     *
     * @param configDir folder against which a relative {@code file} resolves
     */
    static Options from(PluginConfig config, DataSchema schema, Path configDir) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(schema, "schema is null");
        Objects.requireNonNull(configDir, "configDir is null");
        int window = config.getInt("window", DEFAULT_WINDOW);
        double maxRate = config.getDouble("maxViolationRate", DEFAULT_MAX_VIOLATION_RATE);
        int minRows = config.getInt("minRows", Math.min(DEFAULT_MIN_ROWS, Math.max(1, window)));
        int sampleSize = config.getInt("sampleSize", DEFAULT_SAMPLE_SIZE);
        List<PluginConfig> inline = config.sectionList("rules");
        String fileName = config.getString("file", null);
        PluginConfig fileConfig = null;
        Path file = null;
        if (fileName != null) {
            file = configDir.resolve(fileName).normalize();
            try {
                fileConfig = ConstraintFile.read(file);
            } catch (ConfigException e) {
                throw config.invalid("file", file + ": " + e.getMessage());
            } catch (LinkageError e) {
                throw config.invalid("file", "reading a constraints file needs Jackson YAML (jackson-dataformat-yaml) "
                        + "on the runtime's class path, which this runtime lacks (" + e + "); put the rules inline under rules");
            }
        }
        List<PluginConfig> fromFile = fileConfig == null ? List.of() : fileRules(config, fileConfig, file);
        try {
            Set<String> used = new HashSet<>();
            Map<String, String> explicit = new HashMap<>();
            collectNames(inline, "rules", explicit, used, null);
            try {
                collectNames(fromFile, "rules", explicit, used, file);
            } catch (ConfigException e) {
                throw config.invalid("file", file + ": " + e.getMessage());
            }
            RuleReader reader = new RuleReader(schema);
            List<Rule> rules = new ArrayList<>();
            for (int i = 0; i < inline.size(); i++) {
                rules.add(reader.read(inline.get(i), "rules[" + i + "]", "", used));
            }
            for (int i = 0; i < fromFile.size(); i++) {
                try {
                    rules.add(reader.read(fromFile.get(i), "rules[" + i + "]", file.getFileName() + " ", used));
                } catch (InvalidOptionException e) {
                    throw inFile(file, e);
                } catch (ConfigException e) {
                    throw config.invalid("file", file + ": " + e.getMessage());
                }
            }
            if (fileConfig != null) {
                checkFileKeys(config, fileConfig, file);
            }
            return new Options(rules, window, maxRate, minRows, sampleSize);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }

    private static List<PluginConfig> fileRules(PluginConfig config, PluginConfig fileConfig, Path file) {
        try {
            List<PluginConfig> rules = fileConfig.sectionList("rules");
            if (!fileConfig.has("rules")) {
                throw new ConfigException("", "has no 'rules:'; list the rules under it");
            }
            return rules;
        } catch (ConfigException e) {
            throw config.invalid("file", file + ": " + e.getMessage());
        }
    }

    /** Names must be known before the first default name is chosen, so that a default never takes a later rule's name. */
    private static void collectNames(List<PluginConfig> rules, String key, Map<String, String> explicit, Set<String> used, Path file) {
        for (int i = 0; i < rules.size(); i++) {
            String source = key + "[" + i + "]";
            String name;
            try {
                name = RuleReader.explicitName(rules.get(i), source);
                if (name != null) {
                    String previous = explicit.putIfAbsent(name, (file == null ? "" : file.getFileName() + " ") + source);
                    if (previous != null) {
                        throw new InvalidOptionException(source + ".name", "name '" + name + "' is already used by "
                                + previous + "; rule names must be unique");
                    }
                    used.add(name);
                }
            } catch (InvalidOptionException e) {
                throw file == null ? e : inFile(file, e);
            }
        }
    }

    /** A rule of the constraints file: reported under {@code file}, naming the file and the rule's key in it. */
    private static InvalidOptionException inFile(Path file, InvalidOptionException e) {
        return new InvalidOptionException("file", file + ": " + e.key() + ": " + e.reason());
    }

    /**
     * The runtime checks for unknown keys in the config only; in the constraints file this does, once
     * every rule was read.
     */
    private static void checkFileKeys(PluginConfig config, PluginConfig fileConfig, Path file) {
        Set<String> unread = fileConfig.unreadKeys();
        if (unread.isEmpty()) {
            return;
        }
        String first = unread.iterator().next();
        Set<String> asked = fileConfig.askedKeysAround(first);
        throw config.invalid("file", file + ": " + first + ": unknown key"
                + (unread.size() > 1 ? " (also unknown: " + String.join(", ", unread.stream().skip(1).toList()) + ")" : "")
                + "; keys read here: " + String.join(", ", asked));
    }
}
