package io.scarcity.plugins.statistical;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/** Creates {@link StatisticalExpert}s: running Gaussian statistics as a predictor plus a robust outlier signal. */
public final class StatisticalExpertFactory implements ExpertFactory {
    public StatisticalExpertFactory() {
    }

    @Override
    public String name() {
        return "statistical";
    }

    @Override
    public String description() {
        return "Exponentially weighted Gaussian naive Bayes (or target mean); robust z-score and Mahalanobis outlier flags, down-weighted in training";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        Options options = Options.from(config);
        DataSchema schema = context.schema().orElseThrow(() -> new ConfigException(config.path(),
                "the statistical expert runs on a client and needs the stream's schema, but none was given"));
        return new StatisticalExpert(options, schema, context.random());
    }
}
