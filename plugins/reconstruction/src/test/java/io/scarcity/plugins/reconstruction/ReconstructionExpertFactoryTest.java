package io.scarcity.plugins.reconstruction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.RowCodec;
import io.scarcity.api.Task;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReconstructionExpertFactoryTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "reconstruction");

    @Test
    void isRegisteredUnderItsName() {
        List<ExpertFactory> found = ServiceLoader.load(ExpertFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(ReconstructionExpertFactory.class, found.get(0));
        assertEquals("reconstruction", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(32, 8, 1.0, 0.005, 0.1, Options.Optimizer.ADAM, 5.0, 5.0, 200.0, 3.0, 1e-3),
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
                Map.entry("priorRows", 50.0), Map.entry("anomalyThreshold", 4.0), Map.entry("minVariance", 0.01)));
        assertEquals(new Options(16, 4, 0.5, 0.01, 0.0, Options.Optimizer.RMSPROP, 2.0, 0.0, 50.0, 4.0, 0.01),
                Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        Expert expert = new ReconstructionExpertFactory().create(PluginConfig.of("experts[0].config", Map.of("latent", 3)), CONTEXT);
        assertEquals(3, ((RowCodec) expert).codeSize());
    }

    static List<Arguments> badValues() {
        return List.of(
                Arguments.of("hidden", 0), Arguments.of("hidden", 5000), Arguments.of("hidden", 2.5),
                Arguments.of("latent", 0), Arguments.of("latent", 2000),
                Arguments.of("beta", -1.0), Arguments.of("beta", Double.POSITIVE_INFINITY), Arguments.of("beta", Double.NaN),
                Arguments.of("learningRate", Double.NaN), Arguments.of("clipNorm", Double.NaN),
                Arguments.of("learningRate", 0.0), Arguments.of("learningRate", 1.5), Arguments.of("learningRate", "fast"),
                Arguments.of("explore", -0.1), Arguments.of("optimizer", "sgd"),
                Arguments.of("clipNorm", 0.0), Arguments.of("headWeight", -1.0),
                Arguments.of("priorRows", -1.0), Arguments.of("anomalyThreshold", 0.0), Arguments.of("minVariance", 0.0));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new ReconstructionExpertFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("experts[0].config." + key), e.getMessage());
        assertEquals("experts[0].config." + key, e.path());
    }

    @Test
    void needsASchema() {
        PluginContext coordinator = PluginContext.standalone(1, null, "reconstruction");
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ReconstructionExpertFactory().create(PluginConfig.of("experts[0].config", Map.of()), coordinator));
        assertTrue(e.getMessage().contains("schema"), e.getMessage());
    }
}
