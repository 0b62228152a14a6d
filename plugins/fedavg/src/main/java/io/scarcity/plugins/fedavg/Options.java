package io.scarcity.plugins.fedavg;

import static io.scarcity.api.OptionChecks.notNull;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.List;
import java.util.Objects;

/**
 * Validated options of the FedAvg meta-learner.
 *
 * @param weighting how a client's state weighs in the average: {@code samples} (its sample count, the
 *        classic FedAvg) or {@code consensus} (sample count x the coordinator's consensus weight of the
 *        client)
 */
record Options(Weighting weighting) {
    /** How clients' states are weighed. */
    enum Weighting {
        SAMPLES, CONSENSUS;

        String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final Weighting DEFAULT_WEIGHTING = Weighting.SAMPLES;

    Options {
        notNull("weighting", weighting, Weighting.class);
    }

    static Options defaults() {
        return new Options(DEFAULT_WEIGHTING);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        String weighting = config.getChoice("weighting", DEFAULT_WEIGHTING.key(),
                List.of(Weighting.SAMPLES.key(), Weighting.CONSENSUS.key()));
        try {
            return new Options(Weighting.valueOf(weighting.toUpperCase(java.util.Locale.ROOT)));
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
