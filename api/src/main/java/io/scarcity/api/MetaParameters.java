package io.scarcity.api;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the coordinator sends the clients of one domain after a round, learned from insights alone.
 *
 * @param domain the domain these parameters are for
 * @param round the round they were learned after (0 = before any insight)
 * @param learningRates suggested learning rate per expert instance name
 * @param routerPriors expected reward in [0, 1] per expert instance name
 * @param normalisation pooled feature moments of the domain (count 0 if unknown)
 * @param values further named parameters (e.g. drift thresholds), free for meta-learners to add
 */
public record MetaParameters(String domain, int round, Map<String, Double> learningRates,
                             Map<String, Double> routerPriors, FeatureMoments normalisation,
                             Map<String, Double> values) {
    public MetaParameters {
        Objects.requireNonNull(domain, "domain is null");
        Objects.requireNonNull(normalisation, "normalisation is null");
        learningRates = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(learningRates, "learningRates is null")));
        routerPriors = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(routerPriors, "routerPriors is null")));
        values = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(values, "values is null")));
    }

    /**
     * The key in {@link #values} under which the runtime tells a domain's clients how many of the domain's clients the
     * round reached (online and not dropped): how many clients' rows were learned since the last merges. A merge of
     * fewer states than that (a gossip pair) may use it to stand for the whole domain, as the statistical expert's
     * union law does. Absent when unknown (before the first round, after a late join's welcome).
     */
    public static final String CLIENTS = "federation.clients";

    /**
     * These parameters with {@code value} under {@code key} in {@link #values}, replacing any value there.
     *
     * @throws NullPointerException if {@code key} is null
     */
    public MetaParameters with(String key, double value) {
        Map<String, Double> more = new TreeMap<>(values);
        more.put(Objects.requireNonNull(key, "key is null"), value);
        return new MetaParameters(domain, round, learningRates, routerPriors, normalisation, more);
    }

    /** Parameters that say nothing: what a client gets before the coordinator has learned anything. */
    public static MetaParameters none(String domain, int features) {
        return new MetaParameters(domain, 0, Map.of(), Map.of(),
                new FeatureMoments(0, new double[features], new double[features]), Map.of());
    }
}
