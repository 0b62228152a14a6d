package io.scarcity.plugins.hierarchical;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the hierarchical memory.
 *
 * @param workingSize rows in the working tier (the most recent labelled rows), >= 0; 0 disables it
 * @param episodicSize rows in the episodic tier (a uniform reservoir sample), >= 0; 0 disables it
 * @param mixWorking share of replayed rows drawn from the working tier, >= 0
 * @param mixEpisodic share drawn from the episodic tier, >= 0
 * @param mixSemantic share drawn from the semantic tier (class prototypes), >= 0
 */
record Options(int workingSize, int episodicSize, double mixWorking, double mixEpisodic, double mixSemantic) {
    static final int DEFAULT_WORKING_SIZE = 256;
    static final int DEFAULT_EPISODIC_SIZE = 512;
    static final double DEFAULT_MIX_WORKING = 0.25;
    static final double DEFAULT_MIX_EPISODIC = 0.5;
    static final double DEFAULT_MIX_SEMANTIC = 0.25;

    Options {
        if (workingSize < 0) {
            throw new InvalidOptionException("workingSize", "must be >= 0, got " + workingSize);
        }
        if (episodicSize < 0) {
            throw new InvalidOptionException("episodicSize", "must be >= 0, got " + episodicSize);
        }
        checkShare("mix.working", mixWorking);
        checkShare("mix.episodic", mixEpisodic);
        checkShare("mix.semantic", mixSemantic);
        if (mixWorking + mixEpisodic + mixSemantic <= 0) {
            throw new InvalidOptionException("mix", "working, episodic and semantic shares cannot all be 0");
        }
    }

    private static void checkShare(String key, double share) {
        if (!(share >= 0) || Double.isInfinite(share)) {
            throw new InvalidOptionException(key, "must be finite and >= 0, got " + share);
        }
    }

    static Options defaults() {
        return new Options(DEFAULT_WORKING_SIZE, DEFAULT_EPISODIC_SIZE, DEFAULT_MIX_WORKING, DEFAULT_MIX_EPISODIC,
                DEFAULT_MIX_SEMANTIC);
    }

    /** Reads the options (with the nested {@code mix:} mapping); a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int workingSize = config.getInt("workingSize", DEFAULT_WORKING_SIZE);
        int episodicSize = config.getInt("episodicSize", DEFAULT_EPISODIC_SIZE);
        PluginConfig mix = config.section("mix");
        double working = mix.getDouble("working", DEFAULT_MIX_WORKING);
        double episodic = mix.getDouble("episodic", DEFAULT_MIX_EPISODIC);
        double semantic = mix.getDouble("semantic", DEFAULT_MIX_SEMANTIC);
        try {
            return new Options(workingSize, episodicSize, working, episodic, semantic);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
