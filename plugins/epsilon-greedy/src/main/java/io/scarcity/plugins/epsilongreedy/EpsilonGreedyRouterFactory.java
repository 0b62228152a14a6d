package io.scarcity.plugins.epsilongreedy;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.RouterFactory;
import java.util.Objects;

/** Creates {@link EpsilonGreedyRouter}s: epsilon-greedy over the experts with top-k activation. */
public final class EpsilonGreedyRouterFactory implements RouterFactory {
    public EpsilonGreedyRouterFactory() {
    }

    @Override
    public String name() {
        return "epsilon-greedy";
    }

    @Override
    public String description() {
        return "Epsilon-greedy router over experts: top-k by mean reward, decaying random exploration, "
                + "optional discounting for drift";
    }

    @Override
    public Router create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new EpsilonGreedyRouter(Options.from(config), context.random(), context.metrics());
    }
}
