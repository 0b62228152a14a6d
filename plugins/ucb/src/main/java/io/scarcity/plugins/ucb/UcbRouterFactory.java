package io.scarcity.plugins.ucb;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.RouterFactory;
import java.util.Objects;

/**
 * Creates {@link UcbRouter}s: UCB1, or LinUCB over the batch's routing features ({@code context: linear}),
 * optionally discounted, over the experts with top-k activation.
 */
public final class UcbRouterFactory implements RouterFactory {
    public UcbRouterFactory() {
    }

    @Override
    public String name() {
        return "ucb";
    }

    @Override
    public String description() {
        return "UCB1 or contextual LinUCB (context: linear) bandit router over experts with top-k selection, "
                + "optional discounting for drift";
    }

    @Override
    public Router create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new UcbRouter(Options.from(config), context.metrics());
    }
}
