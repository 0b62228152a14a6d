package io.scarcity.plugins.randompairs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.GossipStrategyFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RandomPairsFactoryTest {
    private static final PluginContext COORDINATOR = PluginContext.standalone(1, null, "random-pairs");

    @Test
    void isRegisteredUnderItsName() {
        List<GossipStrategyFactory> found = ServiceLoader.load(GossipStrategyFactory.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(RandomPairsFactory.class, found.get(0));
        assertEquals("random-pairs", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(1, 1.0, 3, false), Options.from(PluginConfig.empty()));
        GossipStrategy strategy = new RandomPairsFactory().create(PluginConfig.empty(), COORDINATOR);
        assertEquals(3, strategy.expertsPerExchange());
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("gossip.config", Map.of("every", 2, "fraction", 0.5, "experts", 0,
                "sameDomain", true));
        assertEquals(new Options(2, 0.5, 0, true), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        assertEquals(0, new RandomPairsFactory().create(PluginConfig.of("gossip.config", Map.of("experts", 0)), COORDINATOR)
                .expertsPerExchange());
    }

    static List<Arguments> badValues() {
        return List.of(Arguments.of("every", 0), Arguments.of("every", "weekly"), Arguments.of("fraction", 0.0),
                Arguments.of("fraction", 1.5), Arguments.of("experts", -1), Arguments.of("sameDomain", "yes"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("gossip.config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new RandomPairsFactory().create(config, COORDINATOR));
        assertTrue(e.getMessage().contains("gossip.config." + key), e.getMessage());
    }
}
