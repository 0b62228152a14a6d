package io.scarcity.api;

/**
 * Where a plugin reports its own numbers (e.g. {@code ucb.explorations}). The runtime adds them to the
 * client's metrics line of the round. Thread-safety: a sink is used only from the thread that runs the
 * plugin's client (or the coordinator).
 */
public interface MetricsSink {
    /** A sink that drops everything. */
    MetricsSink NONE = new MetricsSink() {
        @Override
        public void gauge(String name, double value) {
        }

        @Override
        public void count(String name, long delta) {
        }
    };

    /** Sets a value; the last value in a round is reported. */
    void gauge(String name, double value);

    /** Adds to a counter; the round's total is reported. */
    void count(String name, long delta);
}
