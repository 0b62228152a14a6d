package io.scarcity.api;

import java.util.List;

/**
 * Decides who exchanges expert states with whom after a round, and how two states merge. Gossip is
 * peer to peer: states never pass through the coordinator.
 *
 * <p>Call order: {@link #plan} once per round, then {@link #merge} for every gossipable expert that
 * both peers of a pair have. Threading: {@code plan} is called from one thread; {@code merge} may be
 * called concurrently for different pairs and must be side-effect free.
 */
public interface GossipStrategy {
    /**
     * Plans the round's exchanges.
     *
     * @param round the round that just ended
     * @param peers every live client, in a stable order, never {@code null}
     * @return pairs of peer ids (a peer may appear in several pairs if the strategy wants), never {@code null}
     */
    List<GossipPair> plan(int round, List<Peer> peers);

    /**
     * Merges two states of the same expert instance; both peers adopt the result. Default: the
     * sample-weighted mean.
     *
     * @param mine the state of the pair's first peer, never {@code null}
     * @param theirs the state of the pair's second peer, never {@code null}
     * @return the merged state, never {@code null}, with the arrays' shapes unchanged
     */
    default ExpertState merge(ExpertState mine, ExpertState theirs) {
        return ExpertState.sampleWeightedMean(mine, theirs);
    }

    /**
     * How many of a client's experts (most active first) are exchanged per pair; 0 = all gossipable.
     * Must not change over the strategy's life.
     */
    default int expertsPerExchange() {
        return 0;
    }
}
