package io.scarcity.plugins.softmaxgate;

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

class SoftmaxGateRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "softmax-gate");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(SoftmaxGateRouterFactory.class, "softmax-gate");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(2, 0.5, 0.01, 1.0, 0.1, 1e-4, 0.99, 0.5, 1.0), Options.from(PluginConfig.empty()));
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        assertInstanceOf(SoftmaxGateRouter.class, new SoftmaxGateRouterFactory().create(PluginConfig.empty(), CONTEXT));
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("router", Map.of("k", 3, "noise", 0.2, "noiseDecay", 0.5,
                "temperature", 2.0, "learningRate", 0.05, "l2", 0.001, "discount", 0.95, "exploration", 0.3,
                "anchor", 0.0));
        assertEquals(new Options(3, 0.2, 0.5, 2.0, 0.05, 0.001, 0.95, 0.3, 0.0), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    static List<Arguments> badValues() {
        return List.of(Arguments.of("k", 0), Arguments.of("k", 1.5), Arguments.of("noise", -0.1),
                Arguments.of("noiseDecay", -1.0), Arguments.of("temperature", 0.0), Arguments.of("temperature", 1e-300), Arguments.of("learningRate", 0.0),
                Arguments.of("learningRate", 1.5), Arguments.of("l2", -0.1), Arguments.of("l2", 1.0),
                Arguments.of("discount", 0.0), Arguments.of("discount", 1.01), Arguments.of("exploration", -1.0),
                Arguments.of("anchor", -0.5), Arguments.of("anchor", 11.0), Arguments.of("noise", "high"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPathAndTheRange(String key, Object value) {
        PluginConfig config = PluginConfig.of("clients[0].router.config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new SoftmaxGateRouterFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("clients[0].router.config." + key), e.getMessage());
        assertTrue(e.getMessage().matches("(?s).*(must|expected).*"), e.getMessage());
    }
}
