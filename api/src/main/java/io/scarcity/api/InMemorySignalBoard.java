package io.scarcity.api;

import java.util.Map;
import java.util.TreeMap;

/** The plain signal board: a sorted map of latest values. Not thread-safe (one per client). */
public final class InMemorySignalBoard implements SignalBoard {
    private final Map<String, Double> values = new TreeMap<>();

    @Override
    public double get(String name, double defaultValue) {
        Double v = values.get(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public void publish(String name, double value) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("signal name is empty");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("signal " + name + " must be finite, got " + value);
        }
        values.put(name, value);
    }

    /** Removes every signal (a board restored from a checkpoint holds exactly what was saved). */
    public void clear() {
        values.clear();
    }

    @Override
    public Map<String, Double> snapshot() {
        return new TreeMap<>(values);
    }
}
