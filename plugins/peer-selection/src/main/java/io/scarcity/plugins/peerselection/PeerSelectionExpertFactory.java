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
        return "Noisy random-projection sketch of the client's data (and label distribution), published as peer.sig.* "
                + "for similarity gossip";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        Options options = Options.from(config);
        var schema = context.schema().orElseThrow(() -> new IllegalStateException(
                "peer-selection runs on a client and needs its data schema; the context has none"));
        return new PeerSelectionExpert(options, schema, PeerSelectionExpert.projectionSeed(context.seed(),
                context.instanceName()), context.random(), context.metrics());
    }
}
