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
 * @param learnsWithoutLabels whether the expert learns something from rows without labels (structure: moments,
 *        outliers, a subspace, reconstructions, forecasts of the features, a graph, drift), so that it has work on a
 *        stream without labels ({@link Task#UNLABELLED}); an expert that only learns from labels says false, and a
 *        run whose every expert says so on a stream without labels is refused at start-up
 */
public record ExpertCapabilities(boolean predicts, boolean gossipable, Set<String> reads, Set<String> writes,
                                 boolean learnsWithoutLabels) {
    public ExpertCapabilities {
        reads = Set.copyOf(Objects.requireNonNull(reads, "reads is null"));
        writes = Set.copyOf(Objects.requireNonNull(writes, "writes is null"));
    }

    /**
     * Capabilities of an expert that does not say whether it learns without labels: an analyser (not predicting) is
     * taken to, a predictor not to.
     */
    public ExpertCapabilities(boolean predicts, boolean gossipable, Set<String> reads, Set<String> writes) {
        this(predicts, gossipable, reads, writes, !predicts);
    }

    /** These capabilities, saying whether the expert learns without labels. */
    public ExpertCapabilities learningWithoutLabels(boolean learns) {
        return new ExpertCapabilities(predicts, gossipable, reads, writes, learns);
    }
}
