package io.scarcity.plugins.metaadaptation;

import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/**
 * Creates {@link MetaAdaptationExpert}s: supervisors that scale the other experts' learning rates from their
 * loss trends (a shrink/grow rule or a finite-difference hypergradient) and optionally freeze experts whose
 * loss stays flat, thawing them on drift.
 */
public final class MetaAdaptationExpertFactory implements ExpertFactory {
    public MetaAdaptationExpertFactory() {
    }

    @Override
    public String name() {
        return "meta-adaptation";
    }

    @Override
    public String description() {
        return "Per-expert learning-rate scales from loss trends (method: rule or hypergradient) on top of the coordinator's "
                + "hints; optional freezing of experts with a flat loss, thawed on drift.detected; publishes "
                + "meta-adaptation.scale.<expert>";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new MetaAdaptationExpert(Options.from(config), context.metrics(), context.logger());
    }
}
