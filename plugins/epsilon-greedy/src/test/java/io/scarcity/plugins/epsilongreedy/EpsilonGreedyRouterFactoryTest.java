package io.scarcity.plugins.epsilongreedy;

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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EpsilonGreedyRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "epsilon-greedy");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(EpsilonGreedyRouterFactory.class, "epsilon-greedy");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(1, 0.1, 0.01, 0.001, 1.0, Options.Weighting.REWARD), Options.from(PluginConfig.empty()));
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        assertInstanceOf(EpsilonGreedyRouter.class, new EpsilonGreedyRouterFactory().create(PluginConfig.empty(), CONTEXT));
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("router", Map.of("k", 2, "epsilon", 0.3, "minEpsilon", 0.05, "decay", 0.01,
                "discount", 0.99, "weighting", "Uniform"));
        assertEquals(new Options(2, 0.3, 0.05, 0.01, 0.99, Options.Weighting.UNIFORM), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    @Test
    void epsilonDecaysToItsFloor() {
        Options o = Options.defaults();
        assertEquals(0.1, o.epsilonAt(0), 1e-15);
        assertEquals(0.05, o.epsilonAt(1000), 1e-15);
        assertEquals(0.01, o.epsilonAt(100_000), 1e-15);
        Options constant = new Options(1, 0.2, 0.0, 0.0, 1.0, Options.Weighting.REWARD);
        assertEquals(0.2, constant.epsilonAt(1_000_000), 1e-15);
    }

    static List<Arguments> badValues() {
        return List.of(Arguments.of("k", 0), Arguments.of("k", 1.5), Arguments.of("epsilon", -0.1),
                Arguments.of("epsilon", 1.1), Arguments.of("minEpsilon", -0.1), Arguments.of("minEpsilon", 0.5),
                Arguments.of("decay", -1.0), Arguments.of("decay", "slow"), Arguments.of("discount", 0.0),
                Arguments.of("discount", 1.5), Arguments.of("weighting", "max"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("clients[0].router.config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new EpsilonGreedyRouterFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("clients[0].router.config." + key), e.getMessage());
    }

    @Test
    void rangeErrorsSayWhatIsAllowed() {
        PluginConfig config = PluginConfig.of("router", Map.of("minEpsilon", 0.2));
        ConfigException e = assertThrows(ConfigException.class, () -> new EpsilonGreedyRouterFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("router.minEpsilon") && e.getMessage().contains("<= epsilon (0.1)"), e.getMessage());
        PluginConfig epsilon = PluginConfig.of("router", Map.of("epsilon", 2.0));
        e = assertThrows(ConfigException.class, () -> new EpsilonGreedyRouterFactory().create(epsilon, CONTEXT));
        assertTrue(e.getMessage().contains("[0, 1]"), e.getMessage());
    }

    @Test
    void unknownKeysAreLeftUnread() {
        PluginConfig config = PluginConfig.of("router", Map.of("epsillon", 0.2));
        new EpsilonGreedyRouterFactory().create(config, CONTEXT);
        assertEquals(Set.of("router.epsillon"), config.unreadKeys());
    }
}
