package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;

/**
 * Clients that join a domain late: the last {@code clients} clients of the domain take part only from
 * round {@code round} on (before, their share of the stream goes by unseen). With {@code warm} they
 * start from what the coordinator has learned (its meta-parameters, or a weight-sharing
 * meta-learner's states); without, they start cold, as if there were no federation, and join it from
 * their first report on. Used to measure cold start.
 */
public record LateJoin(Integer clients, Integer round, Boolean warm) {
    public LateJoin {
        if (clients == null || clients < 1) {
            throw new ConfigException("clients", "expected how many of the domain's clients join late (>= 1), got " + clients);
        }
        if (round == null || round < 2) {
            throw new ConfigException("round", "expected the round they join in (>= 2), got " + round);
        }
        warm = warm == null || warm;
    }
}
