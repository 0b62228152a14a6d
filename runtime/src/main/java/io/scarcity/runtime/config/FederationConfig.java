package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;
import java.util.List;

/**
 * How clients share what they learn.
 *
 * @param mode {@code federated} (insights to the coordinator, meta-parameters back, peer gossip: the
 *        Scarcity way), {@code local} (nothing shared: the local-only baseline) or {@code fedavg}
 *        (weight sharing: every round the coordinator averages each gossipable expert's weights over
 *        the domain's clients, sample-weighted, and sends the average back; no insights, no gossip)
 */
public record FederationConfig(String mode) {
    public static final List<String> MODES = List.of("federated", "local", "fedavg");

    public FederationConfig {
        if (mode == null || !MODES.contains(mode)) {
            throw new ConfigException("mode", "expected one of " + String.join(", ", MODES) + ", got '" + mode + "'");
        }
    }

    public boolean federated() {
        return mode.equals("federated");
    }

    public boolean fedavg() {
        return mode.equals("fedavg");
    }
}
