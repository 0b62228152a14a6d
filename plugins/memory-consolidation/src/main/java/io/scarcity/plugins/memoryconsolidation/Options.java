package io.scarcity.plugins.memoryconsolidation;

import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inClosed;
import static io.scarcity.api.OptionChecks.inRange;
import static io.scarcity.api.OptionChecks.oneOf;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.List;
import java.util.Objects;

/**
 * Validated options of the memory-consolidation expert.
 *
 * @param replayRows rows replayed from the client's memory into each chosen expert at each replay, in
 *        [0, {@value #MAX_REPLAY_ROWS}]; 0 = no replay
 * @param replayTo which supervised experts get replay: {@code active} (those the router activated on the
 *        batch just learned) or {@code all}; frozen experts never do
 * @param replayEvery replay after every {@code replayEvery}-th batch, >= 1
 * @param consolidateEvery a consolidation point after this many batches since the previous one, >= 0;
 *        0 = only on drift
 * @param onDrift whether a batch with {@code drift.detected} is a consolidation point
 * @param ewcStrength the EWC penalty's {@code lambda}, finite and >= 0; 0 = no consolidation (replay only)
 * @param importanceDecay online EWC's {@code gamma} in [0, 1]: at a consolidation point the importances
 *        become {@code gamma * F_previous + F_new}; 0 keeps only the latest
 */
record Options(int replayRows, String replayTo, int replayEvery, int consolidateEvery, boolean onDrift,
               double ewcStrength, double importanceDecay) {
    static final String ACTIVE = "active";
    static final String ALL = "all";
    static final List<String> REPLAY_TO = List.of(ACTIVE, ALL);
    static final int MAX_REPLAY_ROWS = 100_000;

    static final int DEFAULT_REPLAY_ROWS = 16;
    static final int DEFAULT_REPLAY_EVERY = 1;
    static final int DEFAULT_CONSOLIDATE_EVERY = 50;
    static final double DEFAULT_EWC_STRENGTH = 100;
    static final double DEFAULT_IMPORTANCE_DECAY = 0.5;

    Options {
        inRange("replayRows", replayRows, 0, MAX_REPLAY_ROWS);
        oneOf("replayTo", replayTo, REPLAY_TO);
        atLeast("replayEvery", replayEvery, 1);
        atLeast("consolidateEvery", consolidateEvery, 0);
        atLeast("ewcStrength", ewcStrength, 0);
        inClosed("importanceDecay", importanceDecay, 0, 1);
        if (ewcStrength > 0 && consolidateEvery == 0 && !onDrift) {
            throw new InvalidOptionException("consolidateEvery", "is 0 and onDrift is false, so EWC (ewcStrength "
                    + ewcStrength + ") would never consolidate; set consolidateEvery > 0, onDrift: true or ewcStrength: 0");
        }
        if (ewcStrength == 0 && replayRows == 0) {
            throw new InvalidOptionException("replayRows", "is 0 and ewcStrength is 0, so this expert would do nothing; "
                    + "set replayRows > 0 or ewcStrength > 0, or remove the expert");
        }
    }

    static Options defaults() {
        return new Options(DEFAULT_REPLAY_ROWS, ACTIVE, DEFAULT_REPLAY_EVERY, DEFAULT_CONSOLIDATE_EVERY, true,
                DEFAULT_EWC_STRENGTH, DEFAULT_IMPORTANCE_DECAY);
    }

    boolean replayToAll() {
        return replayTo.equals(ALL);
    }

    /** Whether the expert ever consolidates (takes anchors and importances, sets penalties). */
    boolean consolidates() {
        return ewcStrength > 0;
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int replayRows = config.getInt("replayRows", DEFAULT_REPLAY_ROWS);
        String replayTo = config.getString("replayTo", ACTIVE);
        int replayEvery = config.getInt("replayEvery", DEFAULT_REPLAY_EVERY);
        int consolidateEvery = config.getInt("consolidateEvery", DEFAULT_CONSOLIDATE_EVERY);
        boolean onDrift = config.getBoolean("onDrift", true);
        double ewcStrength = config.getDouble("ewcStrength", DEFAULT_EWC_STRENGTH);
        double importanceDecay = config.getDouble("importanceDecay", DEFAULT_IMPORTANCE_DECAY);
        try {
            return new Options(replayRows, replayTo, replayEvery, consolidateEvery, onDrift, ewcStrength, importanceDecay);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
