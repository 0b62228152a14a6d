package io.scarcity.plugins.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StandardSignals;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DriftExpertFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "drift");

    @Test
    void isRegisteredUnderItsName() {
        List<ExpertFactory> found = ServiceLoader.load(ExpertFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(DriftExpertFactory.class, found.get(0));
        assertEquals("drift", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(0.005, 50, 0.9999, 30, 0.5), Options.from(PluginConfig.empty()));
        Expert expert = new DriftExpertFactory().create(PluginConfig.empty(), CONTEXT);
        assertFalse(expert.capabilities().predicts());
        assertFalse(expert.capabilities().gossipable());
        assertEquals(Set.of(StandardSignals.DRIFT_SCORE, StandardSignals.DRIFT_DETECTED, StandardSignals.DRIFT_WARNING),
                expert.capabilities().writes());
        assertTrue(Double.isNaN(expert.learningRate()));
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("experts[1].config", Map.of("delta", 0.01, "lambda", 20.0, "alpha", 1.0,
                "minInstances", 10, "warningFraction", 0.25));
        assertEquals(new Options(0.01, 20, 1.0, 10, 0.25), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    static List<Arguments> badValues() {
        return List.of(Arguments.of("delta", -0.1), Arguments.of("lambda", 0.0), Arguments.of("lambda", -5),
                Arguments.of("alpha", 0.0), Arguments.of("alpha", 1.01), Arguments.of("minInstances", 0),
                Arguments.of("minInstances", "many"), Arguments.of("warningFraction", 0.0),
                Arguments.of("warningFraction", 1.0));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("experts[1].config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new DriftExpertFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("experts[1].config." + key), e.getMessage());
    }
}
