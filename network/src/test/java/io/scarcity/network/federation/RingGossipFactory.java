package io.scarcity.network.federation;

import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.GossipStrategyFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Peer;
import java.util.ArrayList;
import java.util.List;

/**
 * A gossip strategy for tests only ({@code test-ring}): every round each live peer gossips with the next one in
 * peer order, and the last with the first, so that every client is in two pairs of a round and pairs cross hosts
 * in both orders. The order of a round's exchanges then matters (a client's second exchange starts from what its
 * first left), which is what sealed gossip must keep.
 */
public final class RingGossipFactory implements GossipStrategyFactory {
    public RingGossipFactory() {
    }

    @Override
    public String name() {
        return "test-ring";
    }

    @Override
    public GossipStrategy create(PluginConfig config, PluginContext context) {
        return (round, peers) -> {
            List<GossipPair> pairs = new ArrayList<>();
            for (int i = 0; i + 1 < peers.size(); i++) {
                pairs.add(new GossipPair(peers.get(i).id(), peers.get(i + 1).id()));
            }
            if (peers.size() > 2) {
                Peer last = peers.get(peers.size() - 1);
                pairs.add(new GossipPair(last.id(), peers.get(0).id()));
            }
            return pairs;
        };
    }
}
