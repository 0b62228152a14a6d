package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;

/**
 * Secure aggregation of the feature moments the coordinator pools ({@code privacy.secureAggregation}; see
 * {@code docs/privacy.md}): the clients of a domain that report in a round add their moments under masks that cancel
 * in the sum, so that the coordinator learns the domain's pooled moments and no client's own.
 *
 * @param enabled off by default
 * @param threshold how many of a client's neighbourhood (itself included) must remain to the end of a round for the
 *        sum to be recovered; default: two thirds of the neighbourhood, at least 2. At most the clients of the
 *        smallest domain
 * @param neighbours each client's neighbours (SecAgg+; even); 0 (the default): every other client of its domain
 * @param insights whether the whole insight is summed, not only its moments (off by default): the coordinator then
 *        gets each domain's means over its clients and, per client, only its id, round and row count
 */
public record SecureAggregationConfig(Boolean enabled, Integer threshold, Integer neighbours, Boolean insights) {
    public static final SecureAggregationConfig OFF = new SecureAggregationConfig(false, null, null, null);

    public SecureAggregationConfig {
        if (insights != null && insights && (enabled == null || !enabled)) {
            throw new ConfigException("insights", "applies only with enabled: true");
        }
        insights = insights != null && insights;
        enabled = enabled != null && enabled;
        if (neighbours == null) {
            neighbours = 0;
        }
        if (neighbours < 0 || neighbours % 2 != 0) {
            throw new ConfigException("neighbours", "expected an even number of neighbours per client (e.g. 20), or 0 for every"
                    + " other client of the domain, got " + neighbours);
        }
        if (threshold != null && threshold < 2) {
            throw new ConfigException("threshold", "expected at least 2 clients that must remain for a sum to be recovered (1"
                    + " would let a single client's input be unmasked), got " + threshold);
        }
        if (!enabled && (threshold != null || neighbours != 0)) {
            throw new ConfigException(threshold != null ? "threshold" : "neighbours", "applies only with enabled: true");
        }
    }

    /** The neighbourhood size in a domain of {@code clients}: every other client, or the configured number. */
    public int degree(int clients) {
        return neighbours == 0 || neighbours >= clients - 1 ? clients - 1 : neighbours;
    }

    /** The threshold in a domain of {@code clients}: the configured one, or two thirds of a neighbourhood (at least 2). */
    public int thresholdFor(int clients) {
        int hood = degree(clients) + 1;
        return threshold != null ? threshold : Math.max(2, (int) Math.ceil(2.0 * hood / 3));
    }

    /** The smallest threshold clients accept in a domain of {@code clients}: more than half of a neighbourhood, at least 2. */
    public int minimumThreshold(int clients) {
        return Math.max(2, (degree(clients) + 1) / 2 + 1);
    }
}
