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
 * @param personal whether each client keeps, beside every gossipable predicting expert, a personal twin
 *        ({@code NAME@own}: the same plugin and options) that learns the same rows but never merges, and
 *        the mixture weighs the shared and the personal versions; so federation cannot leave a client much
 *        below what it would learn alone. Only where something merges (not in {@code local} mode)
 */
public record FederationConfig(String mode, boolean personal) {
    public static final List<String> MODES = List.of("federated", "local", "fedavg");

    public FederationConfig {
        if (mode == null || !MODES.contains(mode)) {
            throw new ConfigException("mode", "expected one of " + String.join(", ", MODES) + ", got '" + mode + "'");
        }
    }

    public boolean federated() {
        return mode.equals("federated");
    }

    /** Whether clients keep personal twins of their gossipable experts ({@code personal}, and something merges). */
    public boolean twins() {
        return personal && !mode.equals("local");
    }

    public boolean fedavg() {
        return mode.equals("fedavg");
    }
}
