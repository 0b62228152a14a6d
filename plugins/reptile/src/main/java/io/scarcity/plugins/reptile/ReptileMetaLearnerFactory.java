package io.scarcity.plugins.reptile;

import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaLearnerFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/** Creates {@link ReptileMetaLearner}s: the Reptile weight sharing baseline. */
public final class ReptileMetaLearnerFactory implements MetaLearnerFactory {
    public ReptileMetaLearnerFactory() {
    }

    @Override
    public String name() {
        return "reptile";
    }

    @Override
    public String description() {
        return "Reptile, a weight sharing baseline: moves an initialisation of each expert toward the clients' mean state; clients start from it";
    }

    @Override
    public MetaLearner create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new ReptileMetaLearner(Options.from(config));
    }
}
