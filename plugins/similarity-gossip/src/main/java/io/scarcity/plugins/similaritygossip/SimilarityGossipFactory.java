package io.scarcity.plugins.similaritygossip;

import io.scarcity.api.GossipStrategy;
import io.scarcity.api.GossipStrategyFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/** Creates {@link SimilarityGossip}: peers paired by the similarity of their peer-selection signatures. */
public final class SimilarityGossipFactory implements GossipStrategyFactory {
    public SimilarityGossipFactory() {
    }

    @Override
    public String name() {
        return "similarity";
    }

    @Override
    public String description() {
        return "Gossip between the most similar peers: distance between peer-selection signatures (peer.sig.*) "
                + "standardised across peers, greedy matching";
    }

    @Override
    public GossipStrategy create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new SimilarityGossip(Options.from(config), context.random(), context.metrics());
    }
}
