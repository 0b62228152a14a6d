package io.scarcity.plugins.roundrobin;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.RouterFactory;
import java.util.Objects;

/** Creates {@link RoundRobinRouter}s: k consecutive candidates per batch, rotating. */
public final class RoundRobinRouterFactory implements RouterFactory {
    public RoundRobinRouterFactory() {
    }

    @Override
    public String name() {
        return "round-robin";
    }

    @Override
    public String description() {
        return "Baseline router: k consecutive candidate experts per batch, rotating; equal weights, learns nothing";
    }

    @Override
    public Router create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new RoundRobinRouter(Options.from(config));
    }
}
