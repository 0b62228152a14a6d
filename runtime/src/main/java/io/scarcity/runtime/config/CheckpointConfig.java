package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;

/**
 * Checkpoints in the run folder, from which {@code scarcity run --resume RUN_DIR} continues.
 *
 * @param every a checkpoint after every {@code every} completed rounds; 0 = none
 * @param keep how many of the most recent checkpoints to keep (older ones are deleted)
 */
public record CheckpointConfig(int every, int keep) {
    public CheckpointConfig {
        if (every < 0) {
            throw new ConfigException("every", "expected a whole number of rounds >= 0 (0 = no checkpoints), got " + every);
        }
        if (keep < 1) {
            throw new ConfigException("keep", "expected a whole number >= 1 (checkpoints kept), got " + keep);
        }
    }

    /** Whether a checkpoint is due after {@code round}. */
    public boolean dueAfter(int round) {
        return every > 0 && round % every == 0;
    }
}
