package io.scarcity.api;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a client reports of one expert instance over a round: its own prequential loss on the batches
 * where it was active (NaN if it never predicted), the samples it learned from, how many batches it was
 * active on, its learning rate (NaN if none) and the latest values of the signals it writes.
 */
public record ExpertReport(String expert, String plugin, double loss, long samples, long activations,
                           double learningRate, Map<String, Double> signals) {
    public ExpertReport {
        Objects.requireNonNull(expert, "expert is null");
        Objects.requireNonNull(plugin, "plugin is null");
        signals = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(signals, "signals is null")));
    }
}
