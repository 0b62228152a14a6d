package io.scarcity.plugins.drift;

import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/** Creates {@link DriftExpert}s: a Page-Hinkley test on the mixture's loss that publishes drift signals. */
public final class DriftExpertFactory implements ExpertFactory {
    public DriftExpertFactory() {
    }

    @Override
    public String name() {
        return "drift";
    }

    @Override
    public String description() {
        return "Page-Hinkley change detector on the prequential loss; publishes drift.score, drift.detected, drift.warning";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new DriftExpert(Options.from(config), context.metrics());
    }
}
