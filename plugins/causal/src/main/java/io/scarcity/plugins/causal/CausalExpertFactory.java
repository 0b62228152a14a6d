package io.scarcity.plugins.causal;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/**
 * Creates {@link CausalExpert}s: a PC search with Fisher-z partial-correlation tests on a running
 * covariance of the features and the target, and predictions from the target's Markov blanket.
 */
public final class CausalExpertFactory implements ExpertFactory {
    public CausalExpertFactory() {
    }

    @Override
    public String name() {
        return "causal";
    }

    @Override
    public String description() {
        return "Online causal structure discovery (PC search, Fisher-z partial-correlation tests on a running covariance);"
                + " predicts from the target's Markov blanket; signals causal.edges, causal.structural-change, causal.blanket-size";
    }

    /** Reads and validates the options; every bad value fails with a {@link ConfigException} naming its full path. */
    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        Options options = Options.from(config);
        DataSchema schema = context.requireSchema(config, "the causal expert");
        return new CausalExpert(options, schema, context.metrics());
    }
}
