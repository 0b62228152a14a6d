package io.scarcity.plugins.peerselection;

import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/**
 * Creates {@link PeerSelectionExpert}s: a noisy random-projection sketch of the client's data, published as
 * {@code peer.sig.*} signals for the {@code similarity} gossip strategy.
 */
public final class PeerSelectionExpertFactory implements ExpertFactory {
    public PeerSelectionExpertFactory() {
    }

    @Override
    public String name() {
        return "peer-selection";
    }

    @Override
    public String description() {
        return "Noisy random-projection sketch of the client's data (and label distribution, optionally per-class means), "
                + "published as peer.sig.* for similarity gossip";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        Options options = Options.from(config);
        var schema = context.requireSchema(config, "peer-selection");
        if (options.classMeans() && schema.task() == io.scarcity.api.Task.CLASSIFICATION
                && (long) schema.numClasses() * options.dimensions() > PeerSelectionExpert.MAX_CLASS_MEAN_COORDINATES) {
            throw config.invalid("classMeans", "publishes classes x dimensions = " + schema.numClasses() + " x "
                    + options.dimensions() + " coordinates, at most " + PeerSelectionExpert.MAX_CLASS_MEAN_COORDINATES
                    + "; lower dimensions");
        }
        return new PeerSelectionExpert(options, schema, PeerSelectionExpert.projectionSeed(context.seed(),
                context.instanceName()), context.random(), context.metrics());
    }
}
