package io.scarcity.plugins.randomrouter;

import static io.scarcity.api.testing.RouterTestKit.assertBadKNamesTheKeyPath;
import static io.scarcity.api.testing.RouterTestKit.assertTheOnlyRouterFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RandomRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "random");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(RandomRouterFactory.class, "random");
    }

    @Test
    void defaultsAndOptionsAreRead() {
        assertEquals(new Options(1), Options.from(PluginConfig.empty()));
        PluginConfig config = PluginConfig.of("router", Map.of("k", 3));
        assertEquals(new Options(3), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        assertInstanceOf(RandomRouter.class, new RandomRouterFactory().create(PluginConfig.empty(), CONTEXT));
    }

    @Test
    void anUnknownKeyIsLeftUnreadForTheRuntimeToReport() {
        PluginConfig config = PluginConfig.of("router.config", Map.of("kk", 3));
        new RandomRouterFactory().create(config, CONTEXT);
        assertEquals(java.util.Set.of("router.config.kk"), config.unreadKeys());
    }

    @ParameterizedTest
    @ValueSource(strings = {"zero", "negative", "fraction", "text"})
    void badKNamesTheKeyPath(String which) {
        Object value = switch (which) {
            case "zero" -> 0;
            case "negative" -> -2;
            case "fraction" -> 1.5;
            default -> "two";
        };
        assertBadKNamesTheKeyPath(new RandomRouterFactory(), CONTEXT, value);
    }
}
