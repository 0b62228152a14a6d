package io.scarcity.plugins.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeometryExpertFactoryTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c", "d", "e", "f"), Task.CLASSIFICATION,
            List.of("x", "y"));
    private static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "geometry");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertRegistered(ExpertFactory.class, GeometryExpertFactory.class, "geometry");
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

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new GeometryExpertFactory(), CONTEXT, List.of(
                PluginTestKit.bad("components", 0), PluginTestKit.bad("components", -2), PluginTestKit.bad("components", 1.5),
                PluginTestKit.bad("components", 7), // more than the schema's 6 features
                PluginTestKit.bad("learningRate", 0.0), PluginTestKit.bad("learningRate", -0.1), PluginTestKit.bad("learningRate", 1.5),
                PluginTestKit.bad("learningRate", Double.NaN), PluginTestKit.bad("learningRate", Double.POSITIVE_INFINITY),
                PluginTestKit.bad("learningRate", "fast"),
                PluginTestKit.bad("explore", -0.1), PluginTestKit.bad("oversampling", -1), PluginTestKit.bad("changeLag", 0),
                PluginTestKit.bad("noveltyQuantile", 0.0), PluginTestKit.bad("noveltyQuantile", 1.0),
                PluginTestKit.bad("quantileStep", 0.0), PluginTestKit.bad("quantileStep", 2.0),
                PluginTestKit.bad("minVariance", 0.0), PluginTestKit.bad("minVariance", -1.0),
                PluginTestKit.bad("clip", 0.0), PluginTestKit.bad("clip", Double.POSITIVE_INFINITY),
                PluginTestKit.bad("priorRows", -1.0), PluginTestKit.bad("priorRows", Double.NaN)));
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
        PluginTestKit.assertNeedsASchema(new GeometryExpertFactory());
    }
}
