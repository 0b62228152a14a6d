package io.scarcity.api;

import java.util.Map;

/**
 * A client's blackboard of named numeric signals (drift score, outlier rate, learning-rate scale,
 * ...). Experts publish what they declare in {@link ExpertCapabilities#writes()} and read what they
 * declare in {@link ExpertCapabilities#reads()}; the router and the runtime read them too. A new expert
 * adds a signal without any change to the API. Names are dotted, lower-case, prefixed by the writer,
 * e.g. {@code drift.score}; see {@link StandardSignals}.
 *
 * <p>Values persist until overwritten. One board per client; it is only used from the thread that
 * runs that client, so implementations need not be thread-safe.
 */
public interface SignalBoard {
    /** The latest value of a signal, or {@code defaultValue} if it was never published. */
    double get(String name, double defaultValue);

    /** Publishes a finite value; non-finite values are rejected with {@link IllegalArgumentException}. */
    void publish(String name, double value);

    /** A sorted copy of every signal's latest value. */
    Map<String, Double> snapshot();
}
