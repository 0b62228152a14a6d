package io.scarcity.plugins.allrouter;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.RouterFactory;
import java.util.Objects;

/**
 * Creates {@link AllRouter}s. The router has no options: the factory reads no key, so the runtime
 * reports any key given under its config as unknown.
 */
public final class AllRouterFactory implements RouterFactory {
    public AllRouterFactory() {
    }

    @Override
    public String name() {
        return "all";
    }

    @Override
    public String description() {
        return "Baseline router: every candidate expert active, equal weights; learns nothing";
    }

    @Override
    public Router create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new AllRouter();
    }
}
