package io.scarcity.api;

import java.util.Objects;
import java.util.Set;

/**
 * What an expert declares about itself, so that the runtime never has to probe (no catching of
 * {@code UnsupportedOperationException}).
 *
 * @param predicts whether {@link Expert#predict} gives predictions; non-predicting experts are
 *        analysers that the router does not choose between and that run on every batch
 * @param gossipable whether {@link Expert#exportState} and {@link Expert#mergeState} are supported
 * @param reads signals the expert reads from the {@link SignalBoard}
 * @param writes signals the expert publishes
 */
public record ExpertCapabilities(boolean predicts, boolean gossipable, Set<String> reads, Set<String> writes) {
    public ExpertCapabilities {
        reads = Set.copyOf(Objects.requireNonNull(reads, "reads is null"));
        writes = Set.copyOf(Objects.requireNonNull(writes, "writes is null"));
    }
}
