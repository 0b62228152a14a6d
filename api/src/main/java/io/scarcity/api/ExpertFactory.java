package io.scarcity.api;

import java.util.Optional;

/** Factory of {@link Expert} plugins; register implementations in {@code META-INF/services/io.scarcity.api.ExpertFactory}. */
public interface ExpertFactory extends PluginFactory<Expert> {
    /**
     * How this plugin's exported states merge in gossip and in weight-sharing meta-learners, for a plugin
     * whose state does not merge coherently by the element-wise weighted mean (a basis, a frame, trees).
     * The runtime applies it to every state whose {@link ExpertState#expert()} is this factory's
     * {@link #name()}, in place of the gossip strategy's {@link GossipStrategy#merge} and of the
     * meta-learner's mean. Must not depend on the configuration (states carry what it needs). Default:
     * none, the element-wise mean applies.
     *
     * @return never {@code null}
     */
    default Optional<MergeLaw> mergeLaw() {
        return Optional.empty();
    }
}
