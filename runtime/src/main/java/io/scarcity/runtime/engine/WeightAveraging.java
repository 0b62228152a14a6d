package io.scarcity.runtime.engine;

import io.scarcity.api.ExpertState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * FedAvg's aggregation: the sample-weighted mean of several states of one expert. Arrays present in
 * every state with one length are averaged; others are taken from the state with the most samples.
 * The result carries the mean sample count, so that a client's weight in the next average stays on
 * the scale of its own data.
 */
final class WeightAveraging {
    private WeightAveraging() {
    }

    static ExpertState average(List<ExpertState> states) {
        if (states.isEmpty()) {
            throw new IllegalArgumentException("nothing to average");
        }
        ExpertState major = states.get(0);
        long total = 0;
        for (ExpertState s : states) {
            total += s.samples();
            if (s.samples() > major.samples()) {
                major = s;
            }
        }
        Map<String, double[]> out = new TreeMap<>(major.weights());
        for (Map.Entry<String, double[]> e : major.weights().entrySet()) {
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
            for (ExpertState s : states) {
                double weight = total == 0 ? 1.0 / states.size() : (double) s.samples() / total;
                double[] w = s.weights().get(e.getKey());
                for (int i = 0; i < length; i++) {
                    mean[i] += weight * w[i];
                }
            }
            out.put(e.getKey(), mean);
        }
        return new ExpertState(major.expert(), out, Math.round((double) total / states.size()));
    }
}
