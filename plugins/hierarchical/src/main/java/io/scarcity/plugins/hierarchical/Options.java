package io.scarcity.plugins.hierarchical;

import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.notNull;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of the hierarchical memory.
 *
 * @param workingSize rows in the working tier (the most recent labelled rows), >= 0; 0 disables it
 * @param episodicSize rows in the episodic tier, >= 0; 0 disables it
 * @param mixWorking share of replayed rows drawn from the working tier, >= 0
 * @param mixEpisodic share drawn from the episodic tier, >= 0
 * @param mixSemantic share drawn from the semantic tier (class prototypes or codes), >= 0
 * @param episodicPolicy how the episodic tier samples the stream
 * @param promotion what moves rows into the episodic tier besides its sampling
 * @param importanceFactor a batch is important when its {@code mixture.loss} exceeds this factor times the
 *        running mean of that loss, >= 1
 * @param semantic what the semantic tier holds
 * @param semanticSize entries in the semantic tier (prototypes or codes), >= 0; 0 disables it
 * @param codesPerClass codes kept per class (per stream for regression) when {@code semantic: codes}, >= 1
 * @param replayPolicy how rows are drawn within a tier
 */
record Options(int workingSize, int episodicSize, double mixWorking, double mixEpisodic, double mixSemantic,
               EpisodicPolicy episodicPolicy, Promotion promotion, double importanceFactor, Semantic semantic,
               int semanticSize, int codesPerClass, ReplayPolicy replayPolicy) {
    static final int DEFAULT_WORKING_SIZE = 256;
    static final int DEFAULT_EPISODIC_SIZE = 512;
    static final double DEFAULT_MIX_WORKING = 0.25;
    static final double DEFAULT_MIX_EPISODIC = 0.5;
    static final double DEFAULT_MIX_SEMANTIC = 0.25;
    static final double DEFAULT_IMPORTANCE_FACTOR = 1.5;
    static final int DEFAULT_SEMANTIC_SIZE = 256;
    static final int DEFAULT_CODES_PER_CLASS = 16;

    /** How the episodic tier samples the labelled rows of the stream. */
    enum EpisodicPolicy {
        /** One uniform reservoir over all rows (Vitter's Algorithm R). */
        RESERVOIR,
        /** Per-class reservoirs sharing the capacity: a row of a smaller class evicts one of the largest. */
        CLASS_BALANCED
    }

    /** What promotes rows into the episodic tier, on top of its sampling. */
    enum Promotion {
        /** On {@code drift.detected} the working window (the old concept) is promoted. */
        DRIFT,
        /** The rows of a batch whose mixture loss is high are promoted instead of sampled. */
        IMPORTANCE,
        BOTH;

        boolean onDrift() {
            return this != IMPORTANCE;
        }

        boolean onImportance() {
            return this != DRIFT;
        }
    }

    /** What the semantic tier holds. */
    enum Semantic {
        /** The running mean of each class's rows (classification only). */
        PROTOTYPES,
        /** Recent rows of each class compressed by an expert's codec; prototypes when no codec is offered. */
        CODES
    }

    /** How rows are drawn within a tier. */
    enum ReplayPolicy {
        UNIFORM,
        /** Every class present in the tier gets as equal a share as its rows allow (uniform for regression). */
        CLASS_BALANCED
    }

    Options {
        atLeast("workingSize", workingSize, 0);
        atLeast("episodicSize", episodicSize, 0);
        atLeast("mix.working", mixWorking, 0);
        atLeast("mix.episodic", mixEpisodic, 0);
        atLeast("mix.semantic", mixSemantic, 0);
        if (mixWorking + mixEpisodic + mixSemantic <= 0) {
            throw new InvalidOptionException("mix", "working, episodic and semantic shares cannot all be 0");
        }
        notNull("episodicPolicy", episodicPolicy, EpisodicPolicy.class);
        notNull("promotion", promotion, Promotion.class);
        notNull("semantic", semantic, Semantic.class);
        notNull("replayPolicy", replayPolicy, ReplayPolicy.class);
        atLeast("importanceFactor", importanceFactor, 1);
        atLeast("semanticSize", semanticSize, 0);
        atLeast("codesPerClass", codesPerClass, 1);
    }

    /** The tier sizes and mix with every policy at its default. */
    Options(int workingSize, int episodicSize, double mixWorking, double mixEpisodic, double mixSemantic) {
        this(workingSize, episodicSize, mixWorking, mixEpisodic, mixSemantic, EpisodicPolicy.RESERVOIR, Promotion.DRIFT,
                DEFAULT_IMPORTANCE_FACTOR, Semantic.PROTOTYPES, DEFAULT_SEMANTIC_SIZE, DEFAULT_CODES_PER_CLASS,
                ReplayPolicy.UNIFORM);
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
        EpisodicPolicy episodicPolicy = config.getEnum("episodicPolicy", EpisodicPolicy.RESERVOIR);
        Promotion promotion = config.getEnum("promotion", Promotion.DRIFT);
        double importanceFactor = config.getDouble("importanceFactor", DEFAULT_IMPORTANCE_FACTOR);
        Semantic semanticKind = config.getEnum("semantic", Semantic.PROTOTYPES);
        int semanticSize = config.getInt("semanticSize", DEFAULT_SEMANTIC_SIZE);
        int codesPerClass = config.getInt("codesPerClass", DEFAULT_CODES_PER_CLASS);
        ReplayPolicy replayPolicy = config.getEnum("replayPolicy", ReplayPolicy.UNIFORM);
        try {
            return new Options(workingSize, episodicSize, working, episodic, semantic, episodicPolicy, promotion,
                    importanceFactor, semanticKind, semanticSize, codesPerClass, replayPolicy);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
