package io.scarcity.plugins.domaingossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
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

class DomainGossipFactoryTest {
    private static final PluginContext COORDINATOR = PluginContext.standalone(1, null, "domain");

    @Test
    void isRegisteredUnderItsName() {
        List<GossipStrategyFactory> found = ServiceLoader.load(GossipStrategyFactory.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(DomainGossipFactory.class, found.get(0));
        assertEquals("domain", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(1, 3, Options.Schedule.ROUND_ROBIN), Options.from(PluginConfig.empty()));
        assertEquals(3, new DomainGossipFactory().create(PluginConfig.empty(), COORDINATOR).expertsPerExchange());
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("gossip.config", Map.of("every", 2, "experts", 0, "schedule", "random"));
        assertEquals(new Options(2, 0, Options.Schedule.RANDOM), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    static List<Arguments> badValues() {
        return List.of(Arguments.of("every", 0), Arguments.of("every", "weekly"), Arguments.of("experts", -1),
                Arguments.of("schedule", "tournament"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("gossip.config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new DomainGossipFactory().create(config, COORDINATOR));
        assertTrue(e.getMessage().contains("gossip.config." + key), e.getMessage());
    }
}
