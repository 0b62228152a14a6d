package io.scarcity.plugins.thompson;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.RouterFactory;
import java.util.Objects;

/** Creates {@link ThompsonRouter}s: Thompson sampling over the experts with top-k activation. */
public final class ThompsonRouterFactory implements RouterFactory {
    public ThompsonRouterFactory() {
    }

    @Override
    public String name() {
        return "thompson";
    }

    @Override
    public String description() {
        return "Thompson-sampling router over experts (Beta or Gaussian posteriors), top-k, discounting for drift, "
                + "optional per-context-cluster posteriors";
    }

    @Override
    public Router create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new ThompsonRouter(Options.from(config), context.random(), context.metrics());
    }
}
