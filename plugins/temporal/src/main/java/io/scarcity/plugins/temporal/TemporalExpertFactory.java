package io.scarcity.plugins.temporal;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Objects;
import java.util.Random;

/** Creates {@link TemporalExpert}s: an LSTM over a sliding window of the client's recent rows, on ND4J. */
public final class TemporalExpertFactory implements ExpertFactory {
    public TemporalExpertFactory() {
    }

    /**
     * States merge by the element-wise mean (the network's weights come from a common initialisation, the
     * run's seed and the instance's name), except that the standardisation variances are pooled with the
     * between-group term.
     */
    @Override
    public java.util.Optional<io.scarcity.api.MergeLaw> mergeLaw() {
        return java.util.Optional.of(io.scarcity.api.MergeLaw.poolingVariances("scaler.", "target."));
    }

    @Override
    public String name() {
        return "temporal";
    }

    @Override
    public String description() {
        return "LSTM over a sliding window of recent rows (ND4J): sequence-aware predictions and a next-row forecast-error signal";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        Options options = Options.from(config);
        String backend = config.getChoice("backend", "nd4j", java.util.List.of("nd4j", "java"));
        DataSchema schema = context.requireSchema(config, "the temporal expert");
        MatMul matMul = backend.equals("java") ? JavaMatMul.INSTANCE : nd4j(config);
        return new TemporalExpert(options, schema, context.random(), initialWeights(context), matMul);
    }

    /**
     * The generator of the initial weights: from the run seed and the instance name, not the client, so that
     * all clients of a run start from the same network (see {@link TemporalExpert}).
     */
    static Random initialWeights(PluginContext context) {
        long h = context.seed() * 0x9E3779B97F4A7C15L + context.instanceName().hashCode();
        h ^= h >>> 31;
        return new Random(h);
    }

    private static MatMul nd4j(PluginConfig config) {
        try {
            org.nd4j.linalg.factory.Nd4j.getBackend();
        } catch (LinkageError | RuntimeException e) {
            throw new ConfigException(config.pathOf("backend"), "ND4J's native CPU backend cannot be loaded here ("
                    + e + "); it is built for linux-x86_64. Use backend: java to run the same network in plain Java");
        }
        return new Nd4jMatMul(TemporalExpert.ND4J_MIN_MULTIPLY_ADDS);
    }
}
