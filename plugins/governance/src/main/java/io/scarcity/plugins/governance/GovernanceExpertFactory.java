package io.scarcity.plugins.governance;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/**
 * Creates {@link GovernanceExpert}s: declarative data constraints whose violating rows are quarantined.
 * The rules are compiled against the client's schema here, so a rule naming an unknown feature or class,
 * an unknown type or operator, or impossible bounds fails at start-up with the rule's path.
 */
public final class GovernanceExpertFactory implements ExpertFactory {
    public GovernanceExpertFactory() {
    }

    @Override
    public String name() {
        return "governance";
    }

    @Override
    public String description() {
        return "Declarative data constraints (range, required, allowed values or classes, cross-field comparisons): "
                + "violating rows are quarantined and counted per rule; publishes governance.violation-rate and alerts "
                + "above maxViolationRate";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        DataSchema schema = context.requireSchema(config, "the governance expert");
        Options options = Options.from(config, schema, context.configDir());
        return new GovernanceExpert(options, context.metrics(), context.logger(), context.clientId().orElse(""));
    }
}
