package io.scarcity.runtime.client;

import io.scarcity.api.MetricsSink;
import java.util.Map;
import java.util.TreeMap;

/** Collects a component's metrics for the current round; {@link #drain()} hands them over and resets. */
public final class RunMetricsSink implements MetricsSink, io.scarcity.api.Checkpointable {
    private final Map<String, Double> values = new TreeMap<>();
    private final Map<String, Double> totals = new TreeMap<>();

    @Override
    public synchronized void gauge(String name, double value) {
        if (Double.isFinite(value)) {
            values.put(name, value);
        }
    }

    @Override
    public synchronized void count(String name, long delta) {
        values.merge(name, (double) delta, Double::sum);
        totals.merge(name, (double) delta, Double::sum);
    }

    @Override
    public synchronized void saveState(io.scarcity.api.StateWriter out) throws java.io.IOException {
        out.writeDoubleMap(values);
        out.writeDoubleMap(totals);
    }

    @Override
    public synchronized void restoreState(io.scarcity.api.StateReader in) throws java.io.IOException {
        values.clear();
        values.putAll(in.readDoubleMap());
        totals.clear();
        totals.putAll(in.readDoubleMap());
    }

    /** Every counter summed over the whole run (gauges are not included). */
    public synchronized Map<String, Double> totals() {
        return new TreeMap<>(totals);
    }

    /** This round's values (sorted) and a fresh start. */
    public synchronized Map<String, Double> drain() {
        Map<String, Double> out = new TreeMap<>(values);
        values.clear();
        return out;
    }
}
