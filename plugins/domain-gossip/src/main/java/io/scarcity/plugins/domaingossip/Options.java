package io.scarcity.plugins.domaingossip;

import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.notNull;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Validated options of domain gossip.
 *
 * @param every gossip on rounds that are a multiple of this, >= 1
 * @param experts how many of a client's most active experts are exchanged, >= 0; 0 = all gossipable
 * @param schedule how partners are chosen within a domain
 */
record Options(int every, int experts, Schedule schedule) {
    static final int DEFAULT_EVERY = 1;
    static final int DEFAULT_EXPERTS = 3;
    static final Schedule DEFAULT_SCHEDULE = Schedule.ROUND_ROBIN;

    /** How partners are chosen within a domain. */
    enum Schedule {
        /** The circle method over the domain's peers sorted by id: every pair meets once in n - 1 gossip rounds. */
        ROUND_ROBIN,
        /** Disjoint random pairs drawn from the component's generator each gossip round. */
        RANDOM
    }

    Options {
        atLeast("every", every, 1);
        atLeast("experts", experts, 0);
        notNull("schedule", schedule, Schedule.class);
    }

    static Options defaults() {
        return new Options(DEFAULT_EVERY, DEFAULT_EXPERTS, DEFAULT_SCHEDULE);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int every = config.getInt("every", DEFAULT_EVERY);
        int experts = config.getInt("experts", DEFAULT_EXPERTS);
        String schedule = config.getChoice("schedule", "round-robin", List.of("round-robin", "random"));
        try {
            return new Options(every, experts, Schedule.valueOf(schedule.toUpperCase(Locale.ROOT).replace('-', '_')));
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
