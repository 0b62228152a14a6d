package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;

/**
 * What a client may reveal in its insights.
 *
 * @param minMomentRows a client sends feature moments only once they pool at least this many rows
 *        (held back and carried over until then), so that a round with one or two rows never reveals
 *        those rows' values through their mean and variance
 * @param dp differential privacy on the insights ({@link DpConfig}), or {@code null} for none
 * @param audit the coordinator's tamper-evident audit log ({@link AuditConfig}; on by default)
 * @param secureAggregation feature moments pooled by secure aggregation ({@link SecureAggregationConfig}; off by default)
 */
public record PrivacyConfig(int minMomentRows, DpConfig dp, AuditConfig audit, SecureAggregationConfig secureAggregation) {
    public PrivacyConfig {
        audit = audit == null ? AuditConfig.DEFAULT : audit;
        secureAggregation = secureAggregation == null ? SecureAggregationConfig.OFF : secureAggregation;
        if (minMomentRows < 2) {
            throw new ConfigException("minMomentRows", "expected a whole number >= 2 (moments of fewer rows reveal the rows), got "
                    + minMomentRows);
        }
    }
}
