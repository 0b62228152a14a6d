package io.scarcity.api;

import java.util.Map;
import java.util.Objects;

/**
 * A client as gossip strategies see it: an opaque id, its domain, and the latest values of its public
 * signals (e.g. a data signature published by a peer-selection expert).
 */
public record Peer(String id, String domain, Map<String, Double> signals) {
    public Peer {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(domain, "domain is null");
        signals = Map.copyOf(Objects.requireNonNull(signals, "signals is null"));
    }
}
