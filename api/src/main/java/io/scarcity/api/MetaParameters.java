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

    /** Parameters that say nothing: what a client gets before the coordinator has learned anything. */
    public static MetaParameters none(String domain, int features) {
        return new MetaParameters(domain, 0, Map.of(), Map.of(),
                new FeatureMoments(0, new double[features], new double[features]), Map.of());
    }
}
