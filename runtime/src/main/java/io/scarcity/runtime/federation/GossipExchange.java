package io.scarcity.runtime.federation;

import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import java.util.List;

/**
 * A fleet that carries out a round's gossip itself, instead of the {@link RoundProtocol} exporting and merging
 * states through the clients' handles: e.g. a networked fleet whose hosts exchange states sealed end to end, so
 * that the coordinator relays bytes it cannot read. It must do what the protocol's own exchange does: for each
 * pair, in the given order, both peers merge {@link io.scarcity.api.GossipStrategy#merge merge(first's, second's)}
 * for each of the first peer's {@code gossipableExperts(expertsPerExchange)}, every exchange seeing the states
 * the pairs before it left. The protocol still skips pairs of incompatible shapes (before calling) and counts
 * bytes and partners from the outcomes. {@code merge} may run elsewhere (on the clients' hosts, with instances of
 * the strategy built there): it is side-effect free, so every instance merges alike.
 */
public interface GossipExchange {
    /**
     * What one pair's exchange moved.
     *
     * @param firstBytes plaintext size ({@link io.scarcity.api.ExpertState#sizeBytes}) of the states the first
     *        peer sent, summed over the experts exchanged
     * @param secondBytes the same for the second peer
     * @param skipped {@code null} when the pair exchanged; else why it did not (nothing merged, nothing counted
     *        but the protocol's counter {@code gossip.skipped-<skipped>}), e.g. {@code refused}
     */
    record Outcome(long firstBytes, long secondBytes, String skipped) {
        /** A pair that exchanged states of these sizes. */
        public static Outcome exchanged(long firstBytes, long secondBytes) {
            return new Outcome(firstBytes, secondBytes, null);
        }

        /** A pair that did not exchange, for the reason {@code why} (a counter name's end, e.g. {@code refused}). */
        public static Outcome skipped(String why) {
            return new Outcome(0, 0, java.util.Objects.requireNonNull(why, "why is null"));
        }

        public boolean done() {
            return skipped == null;
        }
    }

    /**
     * Carries out the round's gossip.
     *
     * @param round the round that just ended
     * @param pairs the pairs, in the strategy's order, all of compatible shapes
     * @param gossip the run's strategy (the coordinator's instance): its {@code expertsPerExchange}, and {@code merge}
     * @return one outcome per pair, in the same order
     */
    List<Outcome> exchange(int round, List<GossipPair> pairs, GossipStrategy gossip);
}
