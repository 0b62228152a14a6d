package io.scarcity.plugins.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Checkpointable;
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

class GeometryExpertFactoryTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c", "d", "e", "f"), Task.CLASSIFICATION,
            List.of("x", "y"));
    private static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "geometry");

    @Test
    void isRegisteredUnderItsName() {
        List<ExpertFactory> found = ServiceLoader.load(ExpertFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(GeometryExpertFactory.class, found.get(0));
        assertEquals("geometry", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(4, 0.001, 0.1, 4, 10, 0.95, 0.02, 1e-3, 20.0, 2.0), Options.from(PluginConfig.empty()));
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        Expert expert = new GeometryExpertFactory().create(PluginConfig.empty(), CONTEXT);
        assertEquals(0.001, expert.learningRate());
        assertTrue(expert.capabilities().predicts());
        assertTrue(expert.capabilities().gossipable());
        assertEquals(Set.of(), expert.capabilities().reads());
        assertEquals(Set.of("geometry.residual", "geometry.novelty-rate", "geometry.subspace-change"),
                expert.capabilities().writes());
        assertInstanceOf(Checkpointable.class, expert);
        // oversampling is capped at the number of features: 4 + 4 > 6
        assertEquals(6 * 6, expert.exportState().weight("basis").length);
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.of("components", 2, "learningRate", 0.5,
                "explore", 0.0, "oversampling", 1, "changeLag", 3, "noveltyQuantile", 0.9, "quantileStep", 0.1,
                "minVariance", 0.01, "clip", 5.0, "priorRows", 0.5));
        assertEquals(new Options(2, 0.5, 0.0, 1, 3, 0.9, 0.1, 0.01, 5.0, 0.5), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    static List<Arguments> badValues() {
        return List.of(
                Arguments.of("components", 0), Arguments.of("components", -2), Arguments.of("components", 1.5),
                Arguments.of("components", 7), // more than the schema's 6 features
                Arguments.of("learningRate", 0.0), Arguments.of("learningRate", -0.1), Arguments.of("learningRate", 1.5),
                Arguments.of("learningRate", Double.NaN), Arguments.of("learningRate", Double.POSITIVE_INFINITY),
                Arguments.of("learningRate", "fast"),
                Arguments.of("explore", -0.1), Arguments.of("oversampling", -1), Arguments.of("changeLag", 0),
                Arguments.of("noveltyQuantile", 0.0), Arguments.of("noveltyQuantile", 1.0),
                Arguments.of("quantileStep", 0.0), Arguments.of("quantileStep", 2.0),
                Arguments.of("minVariance", 0.0), Arguments.of("minVariance", -1.0),
                Arguments.of("clip", 0.0), Arguments.of("clip", Double.POSITIVE_INFINITY),
                Arguments.of("priorRows", -1.0), Arguments.of("priorRows", Double.NaN));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        java.util.HashMap<String, Object> values = new java.util.HashMap<>();
        values.put(key, value);
        PluginConfig config = PluginConfig.of("experts[0].config", values);
        ConfigException e = assertThrows(ConfigException.class, () -> new GeometryExpertFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("experts[0].config." + key), e.getMessage());
        assertEquals("experts[0].config." + key, e.path());
    }

    @Test
    void theDefaultComponentsShrinkToANarrowStreamButAnExplicitValueDoesNot() {
        io.scarcity.api.DataSchema two = new io.scarcity.api.DataSchema(java.util.List.of("humidity", "temperature"),
                io.scarcity.api.Task.CLASSIFICATION, java.util.List.of("normal", "anomaly"));
        io.scarcity.api.PluginContext narrow = io.scarcity.api.PluginContext.standalone(1, two, "geometry");
        Expert e = new GeometryExpertFactory().create(PluginConfig.empty(), narrow);
        assertEquals(2 * 2, e.exportState().weight("basis").length, "2 directions of 2 features");
        ConfigException explicit = assertThrows(ConfigException.class,
                () -> new GeometryExpertFactory().create(PluginConfig.of("experts[0].config", Map.of("components", 4)), narrow));
        assertTrue(explicit.getMessage().contains("number of features (2)"), explicit.getMessage());
    }

    @Test
    void tooManyComponentsForTheSchemaSaysHowMany() {
        PluginConfig config = PluginConfig.of("experts[2].config", Map.of("components", 7));
        ConfigException e = assertThrows(ConfigException.class, () -> new GeometryExpertFactory().create(config, CONTEXT));
        assertEquals("experts[2].config.components", e.path());
        assertTrue(e.getMessage().contains("number of features (6)") && e.getMessage().contains("got 7"), e.getMessage());
        // exactly as many components as features is fine
        new GeometryExpertFactory().create(PluginConfig.of("x", Map.of("components", 6)), CONTEXT);
    }

    @Test
    void needsASchema() {
        PluginContext coordinator = PluginContext.standalone(1, null, "geometry");
        ConfigException e = assertThrows(ConfigException.class,
                () -> new GeometryExpertFactory().create(PluginConfig.of("experts[0].config", Map.of()), coordinator));
        assertTrue(e.getMessage().contains("schema"), e.getMessage());
    }
}
