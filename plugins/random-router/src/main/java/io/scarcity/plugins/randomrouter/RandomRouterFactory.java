package io.scarcity.plugins.randomrouter;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.RouterFactory;
import java.util.Objects;

/** Creates {@link RandomRouter}s: k distinct candidates per batch, uniformly at random. */
public final class RandomRouterFactory implements RouterFactory {
    public RandomRouterFactory() {
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public String description() {
        return "Baseline router: k distinct candidate experts per batch uniformly at random; equal weights, learns nothing";
    }

    @Override
    public Router create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new RandomRouter(Options.from(config), context.random());
    }
}
