package io.scarcity.api;

/** Factory of {@link Memory} plugins; register implementations in {@code META-INF/services/io.scarcity.api.MemoryFactory}. */
public interface MemoryFactory extends PluginFactory<Memory> {
}
