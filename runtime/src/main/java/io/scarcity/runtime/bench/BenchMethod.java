package io.scarcity.runtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.scarcity.api.ConfigException;
import io.scarcity.runtime.config.FederationConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One method of a suite: the suite's run config, changed by {@code set} (dotted paths to YAML values),
 * run in a federation mode, optionally centralised (each domain's clients merged into one learner that
 * sees all their rows in stream order: the upper bound).
 *
 * @param name shown in tables and plots
 * @param federation {@code federated} (default), {@code local} or {@code fedavg}
 * @param centralised one client per domain, nothing shared
 * @param set changes to the suite's run config, e.g. {@code experts: [{plugin: moa-ht}]}
 */
public record BenchMethod(String name, String federation, Boolean centralised, Map<String, JsonNode> set) {
    public BenchMethod {
        if (name == null || name.isBlank()) {
            throw new ConfigException("name", "each method needs a name");
        }
        federation = federation == null ? "federated" : federation;
        if (!FederationConfig.MODES.contains(federation)) {
            throw new ConfigException("federation", "expected one of " + String.join(", ", FederationConfig.MODES)
                    + ", got '" + federation + "'");
        }
        centralised = centralised != null && centralised;
        set = set == null ? Map.of() : new LinkedHashMap<>(set);
    }
}
