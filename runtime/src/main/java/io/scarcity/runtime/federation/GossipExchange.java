package io.scarcity.runtime.federation;

import io.scarcity.api.ExpertState;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.runtime.client.ClientHandle;
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

    /**
     * One pair's exchange through its clients' handles, as the round protocol does it in process: for each of
     * {@code a}'s first {@code expertsPerExchange} gossipable experts, both states exported, merged
     * ({@code merge(a's, b's)}), and the result merged into both.
     */
    static Outcome directly(ClientHandle a, ClientHandle b, GossipStrategy gossip) {
        long first = 0;
        long second = 0;
        for (String expert : a.gossipableExperts(gossip.expertsPerExchange())) {
            ExpertState sa = a.exportState(expert);
            ExpertState sb = b.exportState(expert);
            ExpertState merged = gossip.merge(sa, sb);
            a.mergeState(expert, merged);
            b.mergeState(expert, merged);
            first += sa.sizeBytes();
            second += sb.sizeBytes();
        }
        return Outcome.exchanged(first, second);
    }
}
