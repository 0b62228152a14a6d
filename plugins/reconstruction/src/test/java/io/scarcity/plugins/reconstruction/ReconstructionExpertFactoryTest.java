package io.scarcity.plugins.reconstruction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.RowCodec;
import io.scarcity.api.Task;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReconstructionExpertFactoryTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "reconstruction");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertTheOnlyFactory(ExpertFactory.class, ReconstructionExpertFactory.class, "reconstruction");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(32, 8, 1.0, 0.005, 0.1, Options.Optimizer.ADAM, 5.0, 5.0, 200.0, 3.0, 1e-3, 0),
                Options.from(PluginConfig.empty()));
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        Expert expert = new ReconstructionExpertFactory().create(PluginConfig.empty(), CONTEXT);
        assertEquals(0.005, expert.learningRate());
        assertTrue(expert.capabilities().predicts());
        assertTrue(expert.capabilities().gossipable());
        assertEquals(Set.of(), expert.capabilities().reads());
        assertEquals(Set.of("reconstruction.error", "reconstruction.anomaly-rate"), expert.capabilities().writes());
        RowCodec codec = assertInstanceOf(RowCodec.class, expert);
        assertEquals(8, codec.codeSize());
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.ofEntries(Map.entry("hidden", 16),
                Map.entry("latent", 4), Map.entry("beta", 0.5), Map.entry("learningRate", 0.01), Map.entry("explore", 0.0),
                Map.entry("optimizer", "rmsprop"), Map.entry("clipNorm", 2.0), Map.entry("headWeight", 0.0),
                Map.entry("priorRows", 50.0), Map.entry("anomalyThreshold", 4.0), Map.entry("minVariance", 0.01),
                Map.entry("rowsPerStep", 7)));
        assertEquals(new Options(16, 4, 0.5, 0.01, 0.0, Options.Optimizer.RMSPROP, 2.0, 0.0, 50.0, 4.0, 0.01, 7),
                Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        Expert expert = new ReconstructionExpertFactory().create(PluginConfig.of("experts[0].config", Map.of("latent", 3)), CONTEXT);
        assertEquals(3, ((RowCodec) expert).codeSize());
    }

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new ReconstructionExpertFactory(), CONTEXT, List.of(
                PluginTestKit.bad("hidden", 0), PluginTestKit.bad("hidden", 5000), PluginTestKit.bad("hidden", 2.5),
                PluginTestKit.bad("latent", 0), PluginTestKit.bad("latent", 2000), PluginTestKit.bad("beta", -1.0),
                PluginTestKit.bad("beta", Double.POSITIVE_INFINITY), PluginTestKit.bad("beta", Double.NaN),
                PluginTestKit.bad("learningRate", Double.NaN), PluginTestKit.bad("clipNorm", Double.NaN),
                PluginTestKit.bad("learningRate", 0.0), PluginTestKit.bad("learningRate", 1.5), PluginTestKit.bad("learningRate", "fast"),
                PluginTestKit.bad("explore", -0.1), PluginTestKit.bad("optimizer", "sgd"), PluginTestKit.bad("clipNorm", 0.0),
                PluginTestKit.bad("headWeight", -1.0), PluginTestKit.bad("priorRows", -1.0),
                PluginTestKit.bad("anomalyThreshold", 0.0), PluginTestKit.bad("minVariance", 0.0),
                PluginTestKit.bad("rowsPerStep", -1), PluginTestKit.bad("rowsPerStep", 2_000_000), PluginTestKit.bad("rowsPerStep", 2.5)));
    }

    @Test
    void needsASchema() {
        PluginTestKit.assertNeedsASchema(new ReconstructionExpertFactory());
    }
}
