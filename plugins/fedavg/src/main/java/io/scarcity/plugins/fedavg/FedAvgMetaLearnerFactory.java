package io.scarcity.plugins.fedavg;

import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaLearnerFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/** Creates {@link FedAvgMetaLearner}s: the FedAvg weight sharing baseline. */
public final class FedAvgMetaLearnerFactory implements MetaLearnerFactory {
    public FedAvgMetaLearnerFactory() {
    }

    @Override
    public String name() {
        return "fedavg";
    }

    @Override
    public String description() {
        return "FedAvg, a weight sharing baseline: averages clients' expert states per domain, sample-weighted; learns no meta-parameters";
    }

    @Override
    public MetaLearner create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        return new FedAvgMetaLearner(Options.from(config));
    }
}
