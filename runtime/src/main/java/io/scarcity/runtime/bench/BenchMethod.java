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
 * <p>A centralised learner's {@code cadence}: {@code batch} (the default) learns from every client's batch in
 * turn, so within a round it predicts later clients' rows with what it learned from earlier clients' rows
 * of the same round; {@code round} merges the clients' batches of one step into one batch
 * ({@code clients x batchSize} rows), predicting all of them before it learns any, so it learns as often as
 * each client does (with equal shares of the rows), from every client's rows: one global learner at the
 * clients' cadence, a reference for what sharing at round ends is up against, not a bound (clients that keep
 * their own class priors can beat it under label skew).
 *
 * @param name shown in tables and plots
 * @param federation {@code federated} (default), {@code local} or {@code fedavg}
 * @param centralised one client per domain, nothing shared
 * @param cadence {@code batch} (default) or {@code round}; only with {@code centralised}
 * @param set changes to the suite's run config, e.g. {@code experts: [{plugin: moa-ht}]}
 */
public record BenchMethod(String name, String federation, Boolean centralised, String cadence, Map<String, JsonNode> set) {
    /** The centralised learner's cadences (see the class description). */
    public static final java.util.List<String> CADENCES = java.util.List.of("batch", "round");

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
        if (cadence != null && !centralised) {
            throw new ConfigException("cadence", "method '" + name + "': cadence applies only to a centralised method;"
                    + " add centralised: true or remove cadence");
        }
        cadence = cadence == null ? "batch" : cadence;
        if (!CADENCES.contains(cadence)) {
            throw new ConfigException("cadence", "method '" + name + "': expected batch (the centralised learner learns"
                    + " from each client's batch in turn) or round (from all clients' batches of a step merged into one),"
                    + " got '" + cadence + "'");
        }
        set = set == null ? Map.of() : new LinkedHashMap<>(set);
    }
}
