package io.scarcity.plugins.drift;

import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/**
 * Creates {@link DriftExpert}s: a change detector (Page-Hinkley, ADWIN or DDM) on the mixture's loss and, optionally,
 * per-feature KL drift between windows; both publish drift signals.
 */
public final class DriftExpertFactory implements ExpertFactory {
    public DriftExpertFactory() {
    }

    @Override
    public String name() {
        return "drift";
    }

    @Override
    public String description() {
        return "Change detector on the prequential loss (page-hinkley, adwin or ddm) and optional per-feature KL drift; "
                + "publishes drift.score, drift.detected, drift.warning (and drift.kl, drift.kl-feature, drift.feature-detected)";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new DriftExpert(Options.from(config), context.metrics(), context.logger());
    }
}
