package io.scarcity.plugins.randompairs;

import io.scarcity.api.GossipStrategy;
import io.scarcity.api.GossipStrategyFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/** Creates {@link RandomPairs}: gossip in disjoint random pairs, states averaged by sample counts. */
public final class RandomPairsFactory implements GossipStrategyFactory {
    public RandomPairsFactory() {
    }

    @Override
    public String name() {
        return "random-pairs";
    }

    @Override
    public String description() {
        return "Gossip in disjoint random pairs (optionally within a domain), states averaged by sample counts";
    }

    @Override
    public GossipStrategy create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new RandomPairs(Options.from(config), context.random());
    }
}
