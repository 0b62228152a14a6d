package io.scarcity.runtime.bench;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scarcity.api.ConfigException;
import io.scarcity.runtime.config.ConfigLoader;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A benchmark suite: one run config and the methods that run it, each over the same seeds, so that
 * every method sees the identical streams and partitions.
 *
 * @param suite the suite's name (names the output folder)
 * @param description one paragraph for the report
 * @param seeds run seeds; each method runs once per seed
 * @param run a run config (same keys as {@code scarcity run} files); relative paths resolve against the suite file
 * @param methods what to compare
 * @param recoveryTolerance accuracy points within which a drift counts as recovered (default 0.02)
 * @param coldStartTarget per-round accuracy a late-joining client must reach for "rows to target" (default 0.8)
 * @param datasets cached data sets the suite reads ({@code scripts/fetch-datasets.sh} names); fetched
 *        on first use
 * @param positiveClass the index of a class (e.g. 1, the anomalies of the sensor motes, or of the anomaly flags
 *        when labels are withheld) whose precision and recall the tables report; none by default
 */
public record BenchSuite(String suite, String description, List<Long> seeds, ObjectNode run, List<BenchMethod> methods,
                         Double recoveryTolerance, List<String> datasets, Double coldStartTarget, Integer positiveClass) {
    public BenchSuite {
        if (suite == null || !suite.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigException("suite", "expected a name of letters, digits, '.', '_' or '-', got '" + suite + "'");
        }
        description = description == null ? "" : description;
        if (seeds == null || seeds.isEmpty()) {
            throw new ConfigException("seeds", "give at least one seed, e.g. seeds: [1, 2, 3]");
        }
        seeds = List.copyOf(seeds);
        for (int i = 0; i < seeds.size(); i++) {
            if (seeds.indexOf(seeds.get(i)) != i) {
                throw new ConfigException("seeds[" + i + "]", "seed " + seeds.get(i) + " is listed twice; a spread over "
                        + "repeated seeds would look like a measurement");
            }
        }
        if (run == null) {
            throw new ConfigException("run", "the run config the methods share is required");
        }
        if (methods == null || methods.isEmpty()) {
            throw new ConfigException("methods", "give at least one method, e.g. methods: [{name: scarcity}]");
        }
        methods = List.copyOf(methods);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < methods.size(); i++) {
            if (!names.add(methods.get(i).name())) {
                throw new ConfigException("methods[" + i + "].name", "method '" + methods.get(i).name() + "' is listed twice");
            }
        }
        datasets = datasets == null ? List.of() : List.copyOf(datasets);
        for (int i = 0; i < datasets.size(); i++) {
            if (!datasets.get(i).matches("[a-z][a-z0-9-]*")) {
                throw new ConfigException("datasets[" + i + "]", "expected a data set name such as sensors, got '" + datasets.get(i) + "'");
            }
        }
        recoveryTolerance = recoveryTolerance == null ? 0.02 : recoveryTolerance;
        coldStartTarget = coldStartTarget == null ? 0.8 : coldStartTarget;
        if (!(coldStartTarget > 0 && coldStartTarget <= 1)) {
            throw new ConfigException("coldStartTarget", "expected an accuracy in (0, 1], got " + coldStartTarget);
        }
        if (positiveClass != null && positiveClass < 0) {
            throw new ConfigException("positiveClass", "expected the index of a class (>= 0), got " + positiveClass);
        }
        if (!(recoveryTolerance > 0 && recoveryTolerance < 1)) {
            throw new ConfigException("recoveryTolerance", "expected a number in (0, 1), got " + recoveryTolerance);
        }
    }

    /** Reads and validates a suite file strictly (unknown keys, wrong types: errors with the key's path). */
    public static BenchSuite load(Path file) {
        JsonNode tree = ConfigLoader.readFile(file);
        try {
            ConfigLoader.rejectUnknownKeys(tree, BenchSuite.class, "", java.util.Map.of());
        } catch (ConfigException e) {
            throw new ConfigException(e.path(), file + ": " + e.reason());
        }
        try {
            return ConfigLoader.strictMapper().treeToValue(tree, BenchSuite.class);
        } catch (JsonMappingException e) {
            ConfigException c = ConfigLoader.explain(e, tree);
            throw new ConfigException(c.path(), file + ": " + c.reason());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException("", file + ": " + e.getOriginalMessage());
        }
    }
}
