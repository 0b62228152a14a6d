package io.scarcity.plugins.forest;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.MergeLaw;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Task;
import java.util.Objects;
import java.util.Optional;

/**
 * Creates {@link ForestExpert}s: an adaptive random forest (Hoeffding trees, online bagging, random feature
 * subsets per leaf, ADWIN warning and drift detectors per tree with background trees) that gossips whole
 * trees. Classification only: a regression stream is refused at start-up.
 */
public final class ForestExpertFactory implements ExpertFactory {
    public ForestExpertFactory() {
    }

    @Override
    public String name() {
        return "forest";
    }

    @Override
    public String description() {
        return "Adaptive random forest (Gomes et al. 2017): Hoeffding trees with Poisson(6) bagging, random feature subsets,"
                + " ADWIN drift detection and background trees per tree; gossips its best trees, admitted by a test on each"
                + " client's own recent rows (classification)";
    }

    /** Trees merge by their union; each client then admits what beats its weakest tree ({@link TreeGossip}). */
    @Override
    public Optional<MergeLaw> mergeLaw() {
        return Optional.of(TreeGossip.LAW);
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        Options options = Options.from(config);
        DataSchema schema = context.requireSchema(config, "the forest expert");
        if (schema.task() == Task.UNLABELLED) {
            throw new ConfigException(config.path(), "the forest expert learns from labels only, and this stream has none"
                    + " (its stream names no label, or its labels are withheld); remove it, and choose experts that learn"
                    + " without labels: statistical, geometry, reconstruction, temporal or causal");
        }
        if (schema.task() != Task.CLASSIFICATION) {
            throw new ConfigException(config.path(), "the forest expert predicts classes only, but this stream's task is "
                    + "regression; use an expert that predicts values (statistical, geometry, reconstruction, temporal)");
        }
        return new ForestExpert(options, schema, context.random().nextLong());
    }
}
