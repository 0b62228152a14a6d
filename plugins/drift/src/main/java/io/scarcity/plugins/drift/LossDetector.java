package io.scarcity.plugins.drift;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;

/**
 * A change detector on a stream of per-row losses that looks for an increase of the mean loss. Not
 * thread-safe; one instance per expert.
 */
interface LossDetector {
    /** Adds one finite loss; returns whether an increase was detected on this row. */
    boolean add(double loss);

    /** Evidence of an increase on a scale where 1 is the detection threshold, >= 0. */
    double level();

    /** Whether the detector is in its warning zone after the last value. */
    boolean warning();

    /** Writes every field that changes after construction. */
    void save(StateWriter out) throws IOException;

    /** Reads what {@link #save} wrote, on an instance built with the same options. */
    void restore(StateReader in) throws IOException;
}
