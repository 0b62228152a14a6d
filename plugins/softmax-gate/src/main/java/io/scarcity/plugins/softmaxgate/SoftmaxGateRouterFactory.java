package io.scarcity.plugins.softmaxgate;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.RouterFactory;
import java.util.Objects;

/** Creates {@link SoftmaxGateRouter}s: a learned, context-dependent gate with noisy top-k activation. */
public final class SoftmaxGateRouterFactory implements RouterFactory {
    public SoftmaxGateRouterFactory() {
    }

    @Override
    public String name() {
        return "softmax-gate";
    }

    @Override
    public String description() {
        return "Learned softmax gate over the routing context (noisy top-k, Shazeer et al. 2017), trained online on the mixture's loss";
    }

    @Override
    public Router create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new SoftmaxGateRouter(Options.from(config), context.random(), context.metrics());
    }
}
