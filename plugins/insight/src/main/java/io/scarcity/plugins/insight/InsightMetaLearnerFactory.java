package io.scarcity.plugins.insight;

import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaLearnerFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/** Creates {@link InsightMetaLearner}s: meta-parameters per domain learned from insights alone. */
public final class InsightMetaLearnerFactory implements MetaLearnerFactory {
    public InsightMetaLearnerFactory() {
    }

    @Override
    public String name() {
        return "insight";
    }

    @Override
    public String description() {
        return "Meta-learner from insights alone: learning-rate hints by loss improvement, router priors, pooled moments, drift-threshold scales, cold starts";
    }

    @Override
    public MetaLearner create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new InsightMetaLearner(Options.from(config));
    }
}
