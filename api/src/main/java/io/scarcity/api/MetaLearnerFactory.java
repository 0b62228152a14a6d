package io.scarcity.api;

/** Factory of {@link MetaLearner} plugins; register implementations in {@code META-INF/services/io.scarcity.api.MetaLearnerFactory}. */
public interface MetaLearnerFactory extends PluginFactory<MetaLearner> {
}
