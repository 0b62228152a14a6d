package io.scarcity.plugins.ucb;

import static io.scarcity.api.testing.RouterTestKit.assertTheOnlyRouterFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UcbRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "ucb");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(UcbRouterFactory.class, "ucb");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(1, 1.0, 1.0, Options.Weighting.REWARD), Options.from(PluginConfig.empty()));
        assertInstanceOf(UcbRouter.class, new UcbRouterFactory().create(PluginConfig.empty(), CONTEXT));
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("router", Map.of("k", 2, "exploration", 0.5, "discount", 0.99,
                "weighting", "Uniform"));
        assertEquals(new Options(2, 0.5, 0.99, Options.Weighting.UNIFORM), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    @Test
    void readsTheLinUcbOptions() {
        PluginConfig config = PluginConfig.of("router", Map.of("context", "Linear", "alpha", 0.4, "ridge", 3.0,
                "discount", 0.99));
        assertEquals(new Options(1, 1.0, 0.99, Options.Weighting.REWARD, Options.Context.LINEAR, 0.4, 3.0),
                Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        assertEquals(Options.Context.NONE, Options.defaults().context());
    }

    static List<Arguments> badLinUcbValues() {
        return List.of(Arguments.of("alpha", -0.1, "must be finite and >= 0"), Arguments.of("alpha", Double.NaN, "finite"),
                Arguments.of("ridge", 0.0, "must be finite and > 0"), Arguments.of("ridge", -1.0, "> 0"),
                Arguments.of("context", "quadratic", "none, linear"));
    }

    @ParameterizedTest
    @MethodSource("badLinUcbValues")
    void badLinUcbValueNamesTheKeyPathAndTheRange(String key, Object value, String range) {
        Map<String, Object> values = new java.util.HashMap<>(Map.of("context", "linear"));
        values.put(key, value);
        PluginConfig config = PluginConfig.of("clients[0].router.config", values);
        ConfigException e = assertThrows(ConfigException.class, () -> new UcbRouterFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("clients[0].router.config." + key), e.getMessage());
        assertTrue(e.getMessage().contains(range), e.getMessage());
    }

    /** The exploration constant of one mode is not silently ignored in the other. */
    @Test
    void anOptionOfTheOtherModeIsRefused() {
        for (Map<String, Object> values : List.<Map<String, Object>>of(Map.of("alpha", 0.5), Map.of("ridge", 2.0),
                Map.of("context", "none", "alpha", 0.5), Map.of("context", "linear", "exploration", 0.5))) {
            PluginConfig config = PluginConfig.of("router", values);
            ConfigException e = assertThrows(ConfigException.class, () -> new UcbRouterFactory().create(config, CONTEXT),
                    values.toString());
            assertTrue(e.getMessage().contains("applies only with context"), e.getMessage());
        }
    }

    static List<Arguments> badValues() {
        return List.of(Arguments.of("k", 0), Arguments.of("k", 1.5), Arguments.of("exploration", -1.0),
                Arguments.of("discount", 0.0), Arguments.of("discount", 1.5), Arguments.of("weighting", "max"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("clients[0].router.config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new UcbRouterFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("clients[0].router.config." + key), e.getMessage());
    }
}
