package io.scarcity.api;

/** Factory of {@link Router} plugins; register implementations in {@code META-INF/services/io.scarcity.api.RouterFactory}. */
public interface RouterFactory extends PluginFactory<Router> {
}
