package io.scarcity.plugins.similaritygossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.GossipStrategyFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimilarityGossipFactoryTest {
    private static final PluginContext COORDINATOR = PluginContext.standalone(1, null, "similarity");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertRegistered(GossipStrategyFactory.class, SimilarityGossipFactory.class, "similarity");
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

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new SimilarityGossipFactory(), COORDINATOR, List.of(PluginTestKit.bad("every", 0),
                PluginTestKit.bad("experts", -2), PluginTestKit.bad("sameDomain", "no"), PluginTestKit.bad("minSimilarity", 1.5),
                PluginTestKit.bad("minSimilarity", -2), PluginTestKit.bad("signalPrefix", " "), PluginTestKit.bad("fallback", "sometimes")));
    }
}
