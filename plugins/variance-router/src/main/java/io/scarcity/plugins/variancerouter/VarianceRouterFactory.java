package io.scarcity.plugins.variancerouter;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.RouterFactory;
import java.util.Objects;

/** Creates {@link VarianceRouter}s: high-variance batches to some experts, low-variance ones to others. */
public final class VarianceRouterFactory implements RouterFactory {
    public VarianceRouterFactory() {
    }

    @Override
    public String name() {
        return "variance";
    }

    @Override
    public String description() {
        return "Rule router: batches whose spread (variance vs the stream's) reaches a threshold go to the 'high' experts, "
                + "others to the 'low' experts; equal weights";
    }

    @Override
    public Router create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new VarianceRouter(Options.from(config), context.metrics());
    }
}
