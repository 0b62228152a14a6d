package io.scarcity.runtime;

/**
 * An unexpected failure (not a user error) while a round was played, with where it happened: the client
 * whose round it was, or the coordinator's side ({@code client} null). The run turns it into a message
 * that names the plugin at fault, if the failure came from one.
 */
public final class RoundFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int round;
    private final String client;

    private RoundFailure(int round, String client, Throwable cause) {
        super((client == null ? "the coordinator" : "client " + client) + " failed in round " + round + ": " + cause, cause);
        this.round = round;
        this.client = client;
    }

    /**
     * Wraps {@code e} with its round and client, unless it is a user error (rethrown as it is) or already
     * wrapped.
     */
    public static RuntimeException wrap(Throwable e, int round, String client) {
        if (e instanceof UserException || e instanceof io.scarcity.api.ConfigException || e instanceof RoundFailure) {
            return (RuntimeException) e;
        }
        return new RoundFailure(round, client, e);
    }

    public int round() {
        return round;
    }

    /** The client whose round failed, or null for the coordinator's side of the round. */
    public String client() {
        return client;
    }

    /** "on client X in round N" or "in the coordinator in round N". */
    public String where() {
        return client == null ? "in round " + round + " (the coordinator's decision, or its delivery to the clients and gossip)"
                : "on client " + client + " in round " + round;
    }
}
