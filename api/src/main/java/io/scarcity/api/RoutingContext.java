package io.scarcity.api;

import java.util.List;
import java.util.Objects;

/**
 * What a router sees when it routes a batch: the candidate (predicting) experts by instance name in
 * a stable order, the batch, the client's signals and the round.
 */
public record RoutingContext(List<String> candidates, Batch batch, SignalBoard signals, int round) {
    public RoutingContext {
        candidates = List.copyOf(Objects.requireNonNull(candidates, "candidates is null"));
        Objects.requireNonNull(batch, "batch is null");
        Objects.requireNonNull(signals, "signals is null");
    }
}
