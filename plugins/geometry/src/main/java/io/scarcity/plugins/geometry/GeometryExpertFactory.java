package io.scarcity.plugins.geometry;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/**
 * Creates {@link GeometryExpert}s: an online principal subspace of the standardised features with
 * residual-novelty and subspace-change signals and a light learner on the projection.
 */
public final class GeometryExpertFactory implements ExpertFactory {
    public GeometryExpertFactory() {
    }

    @Override
    public String name() {
        return "geometry";
    }

    @Override
    public String description() {
        return "Online principal subspace (block power iteration); residual novelty and subspace-change signals;"
                + " Gaussian classifier or RLS regressor on the projection";
    }

    /** States merge by {@link GeometryMerge}: the pooled covariance's subspace, statistics carried into it. */
    @Override
    public java.util.Optional<io.scarcity.api.MergeLaw> mergeLaw() {
        return java.util.Optional.of(GeometryMerge.LAW);
    }

    /**
     * Reads and validates the options, then checks {@code components} against the schema's number of
     * features; every bad value fails with a {@link ConfigException} naming the option's full path.
     */
    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        Options options = Options.from(config);
        DataSchema schema = context.requireSchema(config, "the geometry expert");
        if (!config.has("components") && options.components() > schema.numFeatures()) {
            // the default asks for more directions than a narrow stream has: take them all
            options = options.withComponents(schema.numFeatures());
        }
        try {
            options.checkAgainst(schema.numFeatures());
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
        return new GeometryExpert(options, schema, context.random());
    }
}
