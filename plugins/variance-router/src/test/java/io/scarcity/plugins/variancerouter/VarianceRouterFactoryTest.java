package io.scarcity.plugins.variancerouter;

import static io.scarcity.api.testing.RouterTestKit.assertTheOnlyRouterFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VarianceRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "variance");
    private static final String PATH = "clients[0].router.config";

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(VarianceRouterFactory.class, "variance");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        Options options = Options.from(PluginConfig.empty());
        assertEquals(0.5, options.threshold());
        assertNull(options.high());
        assertNull(options.low());
        assertTrue(options.unconfigured());
        assertInstanceOf(VarianceRouter.class, new VarianceRouterFactory().create(PluginConfig.empty(), CONTEXT));
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("router", Map.of("threshold", 0.6, "high", List.of("robust", "wide"),
                "low", List.of("sharp")));
        assertEquals(new Options(0.6, List.of("robust", "wide"), List.of("sharp")), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        Options onlyHigh = Options.from(PluginConfig.of("router", Map.of("high", List.of("robust"))));
        assertFalse(onlyHigh.unconfigured());
        assertNull(onlyHigh.low());
    }

    @Test
    void anUnknownKeyIsLeftUnreadForTheRuntimeToReport() {
        PluginConfig config = PluginConfig.of("router.config", Map.of("hihg", List.of("a")));
        new VarianceRouterFactory().create(config, CONTEXT);
        assertEquals(Set.of("router.config.hihg"), config.unreadKeys());
        assertEquals(Set.of("high", "low", "threshold"), config.askedKeys());
    }

    static List<Arguments> badValues() {
        return List.of(
                Arguments.of("threshold", -0.1, "must be in [0, 1]"),
                Arguments.of("threshold", 1.5, "must be in [0, 1]"),
                Arguments.of("threshold", "half", "finite number"),
                Arguments.of("high", "robust", "list of text values"),
                Arguments.of("low", List.of(Map.of("name", "a")), "list of text values"),
                Arguments.of("low", List.of(true), "list of text values"),
                Arguments.of("high", List.of(), "at least one expert"),
                Arguments.of("high", List.of(" "), "blank"),
                Arguments.of("low", List.of("a", "a"), "'a' is listed twice"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value, String reason) {
        PluginConfig config = PluginConfig.of(PATH, Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new VarianceRouterFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains(PATH + "." + key), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void aNameInBothListsIsAnErrorNamingIt() {
        PluginConfig config = PluginConfig.of(PATH, Map.of("high", List.of("robust", "shared"), "low", List.of("sharp", "shared")));
        ConfigException e = assertThrows(ConfigException.class, () -> new VarianceRouterFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains(PATH + ".low"), e.getMessage());
        assertTrue(e.getMessage().contains("'shared'") && e.getMessage().contains("both high and low"), e.getMessage());
    }
}
