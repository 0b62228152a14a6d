package io.scarcity.network.seal;

import java.util.Objects;

/**
 * What one sealed state is for: the run, the round, the gossip pair (its first and second client, in the
 * strategy's order), the expert, and which way it goes. The key a state is sealed under is derived from it and
 * the authentication covers it, so a state sealed for one pair, round, expert or direction does not open as
 * another's.
 *
 * @param runId the run's id (the coordinator's Welcome)
 * @param round the round whose gossip this is
 * @param first the pair's first client
 * @param second the pair's second client
 * @param expert the expert instance whose state it is
 * @param fromFirst whether the first client's state goes to the second ({@code false}: the second's to the first)
 */
public record SealContext(String runId, int round, String first, String second, String expert, boolean fromFirst) {
    private static final String LABEL = "scarcity sealed gossip v1";

    public SealContext {
        Objects.requireNonNull(runId, "runId is null");
        Objects.requireNonNull(first, "first is null");
        Objects.requireNonNull(second, "second is null");
        Objects.requireNonNull(expert, "expert is null");
    }

    /** The client whose state is sealed. */
    public String sender() {
        return fromFirst ? first : second;
    }

    /** The client the state is sealed for. */
    public String receiver() {
        return fromFirst ? second : first;
    }

    /** The same exchange the other way. */
    public SealContext reversed() {
        return new SealContext(runId, round, first, second, expert, !fromFirst);
    }

    /** The authenticated associated data (and the start of the key derivation's info). */
    byte[] associatedData() {
        return new Fields(LABEL).text(runId).integer(round).text(first).text(second).text(expert)
                .integer(fromFirst ? 1 : 2).toByteArray();
    }

    @Override
    public String toString() {
        return "round " + round + ", " + sender() + " -> " + receiver() + ", expert " + expert;
    }
}
