package io.scarcity.plugins.similaritygossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

class SimilarityGossipFactoryTest {
    private static final PluginContext COORDINATOR = PluginContext.standalone(1, null, "similarity");

    @Test
    void isRegisteredUnderItsName() {
        List<GossipStrategyFactory> found = ServiceLoader.load(GossipStrategyFactory.class).stream()
                .map(ServiceLoader.Provider::get).filter(f -> f instanceof SimilarityGossipFactory).toList();
        assertEquals(1, found.size());
        assertEquals("similarity", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(1, 3, false, -1.0, "peer.sig.", Options.Fallback.RANDOM), Options.from(PluginConfig.empty()));
        assertEquals(3, new SimilarityGossipFactory().create(PluginConfig.empty(), COORDINATOR).expertsPerExchange());
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("gossip.config", Map.of("every", 2, "experts", 0, "sameDomain", true,
                "minSimilarity", 0.25, "signalPrefix", "sketch.", "fallback", "wait"));
        assertEquals(new Options(2, 0, true, 0.25, "sketch.", Options.Fallback.WAIT), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    static List<Arguments> badValues() {
        return List.of(Arguments.of("every", 0), Arguments.of("experts", -2), Arguments.of("sameDomain", "no"),
                Arguments.of("minSimilarity", 1.5), Arguments.of("minSimilarity", -2), Arguments.of("signalPrefix", " "),
                Arguments.of("fallback", "sometimes"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("gossip.config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new SimilarityGossipFactory().create(config, COORDINATOR));
        assertTrue(e.getMessage().contains("gossip.config." + key), e.getMessage());
    }
}
