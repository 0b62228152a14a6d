package io.scarcity.plugins.reconstruction;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;

/** Creates {@link ReconstructionExpert}s: a variational autoencoder with an anomaly signal, a row codec and a latent head. */
public final class ReconstructionExpertFactory implements ExpertFactory {
    public ReconstructionExpertFactory() {
    }

    /**
     * States merge by the element-wise mean (the network's weights come from a common initialisation, the
     * run's seed and the instance's name), except that the standardisation variances are pooled with the
     * between-group term.
     */
    @Override
    public java.util.Optional<io.scarcity.api.MergeLaw> mergeLaw() {
        return java.util.Optional.of(io.scarcity.api.MergeLaw.poolingVariances("norm.", "target."));
    }

    @Override
    public String name() {
        return "reconstruction";
    }

    @Override
    public String description() {
        return "Variational autoencoder (ND4J): reconstruction-error anomaly signals, latent codes for memories, a latent head that predicts";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        Options options = Options.from(config);
        DataSchema schema = context.requireSchema(config, "the reconstruction expert");
        return new ReconstructionExpert(options, schema, context.random(),
                ReconstructionExpert.initRandom(context.seed(), context.instanceName()));
    }
}
