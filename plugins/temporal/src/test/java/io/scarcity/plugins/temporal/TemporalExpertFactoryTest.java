package io.scarcity.plugins.temporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

class TemporalExpertFactoryTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "temporal");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertTheOnlyFactory(ExpertFactory.class, TemporalExpertFactory.class, "temporal");
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

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new TemporalExpertFactory(), CONTEXT, List.of(
                PluginTestKit.bad("window", 0), PluginTestKit.bad("window", 513), PluginTestKit.bad("window", 1.5),
                PluginTestKit.bad("hidden", 0), PluginTestKit.bad("hidden", 1025), PluginTestKit.bad("layers", 0),
                PluginTestKit.bad("layers", 4), PluginTestKit.bad("learningRate", 0.0), PluginTestKit.bad("learningRate", 1.5),
                PluginTestKit.bad("learningRate", "fast"), PluginTestKit.bad("explore", -0.1), PluginTestKit.bad("clip", 0.0),
                PluginTestKit.bad("clip", Double.POSITIVE_INFINITY), PluginTestKit.bad("forecastWeight", -1.0),
                PluginTestKit.bad("backend", "gpu")));
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
        PluginTestKit.assertNeedsASchema(new TemporalExpertFactory());
    }
}
