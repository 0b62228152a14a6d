package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A whole experiment, as bound from YAML (over the embedded defaults). Plugin subtrees stay raw maps
 * here; each plugin turns its own subtree into typed options.
 */
public record RunConfig(String name, long seed, int rounds, int threads, int batchSize, int batchesPerRound,
                        int replayRows, List<DomainConfig> domains, List<ExpertSelection> experts,
                        PluginSelection router, PluginSelection memory, PluginSelection metaLearner,
                        PluginSelection gossip, FederationConfig federation, CoordinatorConfig coordinator,
                        MixtureConfig mixture, PrivacyConfig privacy, FaultsConfig faults, CheckpointConfig checkpoint,
                        OutputConfig output) {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public RunConfig {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigException("name", "expected letters, digits, '.', '_' or '-' (it names the run folder), got '" + name + "'");
        }
        positive("rounds", rounds);
        positive("batchSize", batchSize);
        positive("batchesPerRound", batchesPerRound);
        if (threads < 0) {
            throw new ConfigException("threads", "expected a whole number >= 0 (0 = one per core), got " + threads);
        }
        if (replayRows < 0) {
            throw new ConfigException("replayRows", "expected a whole number >= 0 (0 = no replay), got " + replayRows);
        }
        if (domains == null || domains.isEmpty()) {
            throw new ConfigException("domains", "at least one domain is needed, e.g.\n  domains:\n    - name: a\n      clients: 3\n      stream: {type: sea}");
        }
        if (experts == null || experts.isEmpty()) {
            throw new ConfigException("experts", "at least one expert is needed, e.g.\n  experts:\n    - plugin: statistical");
        }
        domains = List.copyOf(domains);
        experts = List.copyOf(experts);
        for (int i = 0; i < domains.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (domains.get(i).name().equals(domains.get(j).name())) {
                    throw new ConfigException("domains[" + i + "].name", "domain '" + domains.get(i).name()
                            + "' is defined twice (also domains[" + j + "]); domain names must be unique");
                }
            }
        }
        for (int i = 1; i < domains.size(); i++) {
            if (domains.get(i).remote() != domains.get(0).remote()) {
                DomainConfig remote = domains.get(i).remote() ? domains.get(i) : domains.get(0);
                DomainConfig simulated = domains.get(i).remote() ? domains.get(0) : domains.get(i);
                throw new ConfigException("domains[" + i + "].stream.type", "domain '" + remote.name() + "' has real clients "
                        + "(stream type remote) and domain '" + simulated.name() + "' simulated ones (stream type "
                        + simulated.stream().get("type") + "); a run has one kind or the other: make every domain remote, "
                        + "or none, and run the others in a run of their own");
            }
        }
        for (int i = 0; i < experts.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (experts.get(i).instanceName().equals(experts.get(j).instanceName())) {
                    throw new ConfigException("experts[" + i + "].name", "expert name '" + experts.get(i).instanceName()
                            + "' is used twice (also experts[" + j + "]); give each instance of a plugin its own name");
                }
            }
        }
        require("router", router);
        require("memory", memory);
        require("metaLearner", metaLearner);
        require("gossip", gossip);
        require("coordinator", coordinator);
        require("mixture", mixture);
        require("privacy", privacy);
        require("federation", federation);
        require("faults", faults);
        require("checkpoint", checkpoint);
        for (int i = 0; i < domains.size(); i++) {
            LateJoin late = domains.get(i).late();
            if (late != null && late.round() > rounds) {
                throw new ConfigException("domains[" + i + "].late.round", "late clients would join in round " + late.round()
                        + " but the run has " + rounds + " rounds; join earlier or run longer");
            }
            long perRound = (long) domains.get(i).clients() * domains.get(i).batchesPerRound(batchesPerRound) * batchSize;
            if (perRound > 50_000_000L) {
                throw new ConfigException("domains[" + i + "].clients", "clients x batchesPerRound x batchSize = " + perRound
                        + " rows per round for domain '" + domains.get(i).name() + "' is more than 50,000,000; use smaller batches or more rounds");
            }
        }
        require("output", output);
        if (privacy.dp() != null && privacy.dp().noisesGossip()) {
            for (int i = 0; i < domains.size(); i++) {
                if (domains.get(i).labels() != null && domains.get(i).labels().selfTraining() != null) {
                    // a pseudo-label follows the model, so one row would change what other rows add to the sums
                    throw new ConfigException("domains[" + i + "].labels.selfTraining", "cannot be used with privacy.dp.outputs: "
                            + privacy.dp().outputs() + ": a self-trained row's label follows what the client learned from its "
                            + "other rows, so one row's sensitivity would no longer be bounded; remove selfTraining or use outputs: "
                            + "insights");
                }
            }
        }
        SecureAggregationConfig secure = privacy.secureAggregation();
        if (secure.enabled()) {
            if (!federation.federated() && !federation.fedavg()) {
                throw new ConfigException("privacy.secureAggregation.enabled", "sums what clients send the coordinator: the"
                        + " moments of their insights (federation.mode: federated) or their states (fedavg); this run's mode, "
                        + federation.mode() + ", sends nothing; set the mode or remove it");
            }
            if (secure.insights() && !federation.federated()) {
                throw new ConfigException("privacy.secureAggregation.insights", "sums the insights the coordinator"
                        + " meta-learns from, which it does under federation.mode: federated; this run's mode, "
                        + federation.mode() + ", meta-learns from none; set the mode or remove insights");
            }
            for (DomainConfig d : domains) {
                if (d.clients() < 2 || secure.thresholdFor(d.clients()) > d.clients()) {
                    throw new ConfigException("privacy.secureAggregation.threshold", "is " + secure.thresholdFor(d.clients())
                            + ", more than the " + d.clients() + " client(s) of domain '" + d.name() + "': no round could be "
                            + "aggregated; lower it (at least 2, at most the clients of the smallest domain) or add clients");
                }
                if (secure.thresholdFor(d.clients()) < secure.minimumThreshold(d.clients())) {
                    throw new ConfigException("privacy.secureAggregation.threshold", "is " + secure.thresholdFor(d.clients())
                            + ", not more than half of a neighbourhood of " + (secure.degree(d.clients()) + 1) + " in domain '"
                            + d.name() + "': clients refuse it (a coordinator could get both secrets of a client); use at least "
                            + secure.minimumThreshold(d.clients()));
                }
                if (secure.threshold() != null && secure.threshold() > secure.degree(d.clients()) + 1) {
                    throw new ConfigException("privacy.secureAggregation.threshold", "is " + secure.threshold() + ", more than a"
                            + " client and its " + secure.degree(d.clients()) + " neighbours in domain '" + d.name() + "'; lower it"
                            + " or raise neighbours");
                }
            }
        }
    }

    /** The domain of that name, if the run has one. */
    public java.util.Optional<DomainConfig> domain(String name) {
        return domains.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** Total number of clients over all domains. */
    public int totalClients() {
        return domains.stream().mapToInt(DomainConfig::clients).sum();
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new ConfigException(key, "expected a whole number >= 1, got " + value);
        }
    }

    private static void require(String key, Object value) {
        if (value == null) {
            throw new ConfigException(key, "is required");
        }
    }
}
