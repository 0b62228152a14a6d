package io.scarcity.plugins.thompson;

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

class ThompsonRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "thompson");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(ThompsonRouterFactory.class, "thompson");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(1, Options.Posterior.BETA, 0.25, Options.Weighting.REWARD, 1.0, 1, 0.05),
                Options.from(PluginConfig.empty()));
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        assertInstanceOf(ThompsonRouter.class, new ThompsonRouterFactory().create(PluginConfig.empty(), CONTEXT));
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("router", Map.of("k", 2, "posterior", "Gaussian", "noise", 0.1,
                "weighting", "uniform", "discount", 0.99, "clusters", 3, "clusterRate", 0.2));
        assertEquals(new Options(2, Options.Posterior.GAUSSIAN, 0.1, Options.Weighting.UNIFORM, 0.99, 3, 0.2),
                Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    static List<Arguments> badValues() {
        return List.of(Arguments.of("k", 0), Arguments.of("k", 1.5), Arguments.of("posterior", "poisson"),
                Arguments.of("noise", 0.0), Arguments.of("noise", -1.0), Arguments.of("noise", 1000.0),
                Arguments.of("weighting", "max"), Arguments.of("discount", 0.0), Arguments.of("discount", 1.5),
                Arguments.of("clusters", 0), Arguments.of("clusters", 1000), Arguments.of("clusterRate", 0.0),
                Arguments.of("clusterRate", 1.1), Arguments.of("clusterRate", "fast"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("clients[0].router.config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new ThompsonRouterFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("clients[0].router.config." + key), e.getMessage());
    }

    @Test
    void rangeErrorsSayWhatIsAllowed() {
        PluginConfig config = PluginConfig.of("router", Map.of("clusters", 0));
        ConfigException e = assertThrows(ConfigException.class, () -> new ThompsonRouterFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("[1, 256]"), e.getMessage());
        PluginConfig discount = PluginConfig.of("router", Map.of("discount", 2.0));
        e = assertThrows(ConfigException.class, () -> new ThompsonRouterFactory().create(discount, CONTEXT));
        assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
    }

    @Test
    void anOptionTheChosenModeIgnoresIsRefused() {
        PluginConfig beta = PluginConfig.of("router", Map.of("noise", 0.1));
        ConfigException e = assertThrows(ConfigException.class, () -> new ThompsonRouterFactory().create(beta, CONTEXT));
        assertTrue(e.getMessage().contains("router.noise") && e.getMessage().contains("posterior: gaussian only"), e.getMessage());
        PluginConfig one = PluginConfig.of("router", Map.of("clusterRate", 0.1));
        e = assertThrows(ConfigException.class, () -> new ThompsonRouterFactory().create(one, CONTEXT));
        assertTrue(e.getMessage().contains("router.clusterRate") && e.getMessage().contains("clusters > 1"), e.getMessage());
    }

    @Test
    void unknownKeysAreLeftUnread() {
        PluginConfig config = PluginConfig.of("router", Map.of("discont", 0.9));
        new ThompsonRouterFactory().create(config, CONTEXT);
        assertEquals(java.util.Set.of("router.discont"), config.unreadKeys());
    }
}
