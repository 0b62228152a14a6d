package io.scarcity.api;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An expert's learnable state as named weight arrays plus the number of samples it was learned from,
 * the unit that peers exchange by gossip and that weight-sharing meta-learners average. Arrays are
 * copied in and out, so the record is immutable.
 */
public record ExpertState(String expert, Map<String, double[]> weights, long samples) {
    public ExpertState {
        Objects.requireNonNull(expert, "expert is null");
        Objects.requireNonNull(weights, "weights is null");
        if (samples < 0) {
            throw new IllegalArgumentException("samples must be >= 0, got " + samples);
        }
        Map<String, double[]> copy = new TreeMap<>();
        weights.forEach((k, v) -> copy.put(k, v.clone()));
        weights = Collections.unmodifiableMap(copy);
    }

    /** A copy of one weight array, or {@code null} if absent. */
    public double[] weight(String name) {
        double[] w = weights.get(name);
        return w == null ? null : w.clone();
    }

    /** Bytes this state takes on the wire: 8 per value plus the names (an estimate for accounting). */
    public long sizeBytes() {
        long bytes = 8 + expert.length();
        for (Map.Entry<String, double[]> e : weights.entrySet()) {
            bytes += e.getKey().length() + 4 + 8L * e.getValue().length;
        }
        return bytes;
    }

    /**
     * Sample-weighted average of two states of the same expert: arrays present in both with the same
     * length are averaged with weights {@code samples}; others are taken from the state with more
     * samples. With zero samples on both sides the plain mean is used.
     */
    public static ExpertState sampleWeightedMean(ExpertState a, ExpertState b) {
        Objects.requireNonNull(a, "a is null");
        Objects.requireNonNull(b, "b is null");
        double total = (double) a.samples + b.samples;
        double wa = total == 0 ? 0.5 : a.samples / total;
        Map<String, double[]> out = new TreeMap<>();
        ExpertState major = a.samples >= b.samples ? a : b;
        out.putAll(major.weights);
        for (Map.Entry<String, double[]> e : a.weights.entrySet()) {
            double[] wb = b.weights.get(e.getKey());
            double[] x = e.getValue();
            if (wb != null && wb.length == x.length) {
                double[] m = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    m[i] = wa * x[i] + (1 - wa) * wb[i];
                }
                out.put(e.getKey(), m);
            }
        }
        return new ExpertState(a.expert, out, Math.max(a.samples, b.samples));
    }
}
