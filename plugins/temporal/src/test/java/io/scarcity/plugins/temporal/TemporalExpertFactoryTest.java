package io.scarcity.plugins.temporal;

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
import io.scarcity.api.Task;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TemporalExpertFactoryTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "temporal");

    @Test
    void isRegisteredUnderItsName() {
        List<ExpertFactory> found = ServiceLoader.load(ExpertFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(TemporalExpertFactory.class, found.get(0));
        assertEquals("temporal", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(8, 16, 1, 0.01, 0.1, 1.0, 0.5), Options.from(PluginConfig.empty()));
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        Expert expert = new TemporalExpertFactory().create(PluginConfig.empty(), CONTEXT);
        assertEquals(0.01, expert.learningRate());
        assertTrue(expert.capabilities().predicts());
        assertTrue(expert.capabilities().gossipable());
        assertEquals(Set.of(), expert.capabilities().reads());
        assertEquals(Set.of(TemporalExpert.FORECAST_ERROR), expert.capabilities().writes());
        assertEquals("temporal.forecast-error", TemporalExpert.FORECAST_ERROR);
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.of("window", 32, "hidden", 24, "layers", 3,
                "learningRate", 0.002, "explore", 0.0, "clip", 5.0, "forecastWeight", 0.0, "backend", "java"));
        Expert expert = new TemporalExpertFactory().create(config, CONTEXT);
        assertEquals(new Options(32, 24, 3, 0.002, 0.0, 5.0, 0.0), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty(), config.unreadKeys().toString());
        assertEquals(0.002, expert.learningRate());
    }

    static List<Arguments> badValues() {
        return List.of(
                Arguments.of("window", 0), Arguments.of("window", 513), Arguments.of("window", 1.5),
                Arguments.of("hidden", 0), Arguments.of("hidden", 1025), Arguments.of("layers", 0), Arguments.of("layers", 4),
                Arguments.of("learningRate", 0.0), Arguments.of("learningRate", 1.5), Arguments.of("learningRate", "fast"),
                Arguments.of("explore", -0.1), Arguments.of("clip", 0.0), Arguments.of("clip", Double.POSITIVE_INFINITY),
                Arguments.of("forecastWeight", -1.0), Arguments.of("backend", "gpu"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new TemporalExpertFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("experts[0].config." + key), e.getMessage());
        assertEquals("experts[0].config." + key, e.path());
    }

    @Test
    void aWindowLongerThanTheBoundIsRejectedWithItsReason() {
        PluginConfig config = PluginConfig.of("experts[2].config", Map.of("window", 1000));
        ConfigException e = assertThrows(ConfigException.class, () -> new TemporalExpertFactory().create(config, CONTEXT));
        assertEquals("experts[2].config.window", e.path());
        assertTrue(e.getMessage().contains("[1, 512]") && e.getMessage().contains("1000"), e.getMessage());
        // the bound itself is accepted
        new TemporalExpertFactory().create(PluginConfig.of("experts[2].config", Map.of("window", 512)), CONTEXT);
    }

    @Test
    void needsASchema() {
        PluginContext coordinator = PluginContext.standalone(1, null, "temporal");
        ConfigException e = assertThrows(ConfigException.class,
                () -> new TemporalExpertFactory().create(PluginConfig.of("experts[0].config", Map.of()), coordinator));
        assertTrue(e.getMessage().contains("schema"), e.getMessage());
    }
}
