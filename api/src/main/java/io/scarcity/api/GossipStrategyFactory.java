package io.scarcity.api;

/** Factory of {@link GossipStrategy} plugins; register implementations in {@code META-INF/services/io.scarcity.api.GossipStrategyFactory}. */
public interface GossipStrategyFactory extends PluginFactory<GossipStrategy> {
}
