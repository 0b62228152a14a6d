package io.scarcity.api;

/** Factory of {@link Expert} plugins; register implementations in {@code META-INF/services/io.scarcity.api.ExpertFactory}. */
public interface ExpertFactory extends PluginFactory<Expert> {
}
