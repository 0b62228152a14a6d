package io.scarcity.api;

import java.io.IOException;

/**
 * A plugin object (expert, router, memory, meta-learner, gossip strategy) whose state can be saved in a
 * run's checkpoint and restored, so that {@code scarcity run --resume} continues exactly where the run
 * stopped. Implement it on the object the factory returns; a run whose plugins do not all implement it
 * runs without checkpoints (and says so in its log).
 *
 * <p>Contract: {@link #restoreState} is called on a fresh instance created by the same factory, with the
 * same options and context (seed, schema, instance name) as the instance that saved, before any other
 * call. After it, the instance must behave exactly as the saved one would have: same predictions, same
 * random draws, same outputs, bit for bit. Save every field that changes after construction, including
 * the state of random generators ({@link StateWriter#writeRandom}). Both methods are called between
 * rounds, from one thread, never concurrently with other calls.
 *
 * <p>The format is the plugin's own: read back exactly what was written, in the same order. A reader that
 * finds something it cannot accept (a wrong array length, a version it does not know) throws an
 * {@link IOException} with a message that says what; the runtime reports it as a checkpoint that does not
 * fit the run. Write a version number first if the format may change.
 */
public interface Checkpointable {
    /**
     * Writes everything needed to continue exactly.
     *
     * @param out never {@code null}; do not close it
     */
    void saveState(StateWriter out) throws IOException;

    /**
     * Restores what {@link #saveState} wrote, on a fresh instance.
     *
     * @param in never {@code null}; do not close it
     */
    void restoreState(StateReader in) throws IOException;
}
