package io.scarcity.plugins.domaingossip;

import io.scarcity.api.GossipStrategy;
import io.scarcity.api.GossipStrategyFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/** Creates {@link DomainGossip}: gossip only between peers of the same domain. */
public final class DomainGossipFactory implements GossipStrategyFactory {
    public DomainGossipFactory() {
    }

    @Override
    public String name() {
        return "domain";
    }

    @Override
    public String description() {
        return "Gossip only within a domain (round-robin schedule covering every pair, or random pairs); "
                + "a client alone in its domain waits";
    }

    @Override
    public GossipStrategy create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new DomainGossip(Options.from(config), context.random());
    }
}
