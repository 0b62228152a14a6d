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

    /**
     * A copy of one weight array, checked for use in {@link Expert#mergeState}: present, of the
     * expected length and finite.
     *
     * @throws IllegalArgumentException naming the array and what is wrong with it
     */
    public double[] requireWeight(String name, int length) {
        double[] v = weight(name);
        if (v == null) {
            throw new IllegalArgumentException("merged state lacks '" + name + "'");
        }
        if (v.length != length) {
            throw new IllegalArgumentException("merged state's '" + name + "' has " + v.length + " values, expected " + length);
        }
        for (double x : v) {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("merged state's '" + name + "' has a non-finite value");
            }
        }
        return v;
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
     * The weighted mean of several states of one expert instance (FedAvg's aggregation, Reptile's
     * target). Arrays present in every state with one length are averaged element-wise, state
     * {@code k} weighing {@code weights[k] / sum(weights)} (all equal if the weights sum to 0),
     * accumulated in the states' order; every other array is taken from the <em>major</em> state, the
     * first with the most samples. The result carries the major state's expert name and the mean of the
     * inputs' sample counts (rounded), so that a client's weight in the next average stays on the scale
     * of its own data.
     *
     * @param states at least one, all of one expert instance
     * @param weights one finite weight >= 0 per state
     */
    public static ExpertState weightedMean(java.util.List<ExpertState> states, double[] weights) {
        Objects.requireNonNull(states, "states is null");
        Objects.requireNonNull(weights, "weights is null");
        if (states.isEmpty()) {
            throw new IllegalArgumentException("nothing to average");
        }
        if (weights.length != states.size()) {
            throw new IllegalArgumentException(states.size() + " states but " + weights.length + " weights");
        }
        double[] share = normalisedWeights(weights);
        ExpertState major = states.get(0);
        long samples = 0;
        for (ExpertState s : states) {
            samples += s.samples();
            if (s.samples() > major.samples()) {
                major = s;
            }
        }
        Map<String, double[]> out = new TreeMap<>(major.weights);
        for (Map.Entry<String, double[]> e : major.weights.entrySet()) {
            int length = e.getValue().length;
            boolean everywhere = true;
            for (ExpertState s : states) {
                double[] w = s.weights().get(e.getKey());
                everywhere &= w != null && w.length == length;
            }
            if (!everywhere) {
                continue;
            }
            double[] mean = new double[length];
            for (int k = 0; k < states.size(); k++) {
                double weight = share[k];
                double[] w = states.get(k).weights().get(e.getKey());
                for (int i = 0; i < length; i++) {
                    mean[i] += weight * w[i];
                }
            }
            out.put(e.getKey(), mean);
        }
        return new ExpertState(major.expert(), out, Math.round((double) samples / states.size()));
    }

    /**
     * Weights scaled to sum to 1 ({@code weights[k] / sum}), all equal if they sum to 0: how
     * {@link #weightedMean} and merge laws weigh states.
     *
     * @param weights each finite and {@code >= 0}
     * @throws IllegalArgumentException naming a weight that is not
     */
    public static double[] normalisedWeights(double[] weights) {
        double total = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights must be finite and >= 0, got " + w);
            }
            total += w;
        }
        double[] out = new double[weights.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = total == 0 ? 1.0 / out.length : weights[k] / total;
        }
        return out;
    }

    /** Whether {@code other} is of the same expert with the same array names and lengths. */
    public boolean sameShapes(ExpertState other) {
        if (!expert.equals(other.expert) || !weights.keySet().equals(other.weights.keySet())) {
            return false;
        }
        for (Map.Entry<String, double[]> e : weights.entrySet()) {
            if (e.getValue().length != other.weights.get(e.getKey()).length) {
                return false;
            }
        }
        return true;
    }

    /** Whether every value of every array is finite. */
    public boolean isFinite() {
        for (double[] w : weights.values()) {
            for (double x : w) {
                if (!Double.isFinite(x)) {
                    return false;
                }
            }
        }
        return true;
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
