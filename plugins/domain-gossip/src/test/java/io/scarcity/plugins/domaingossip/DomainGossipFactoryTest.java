package io.scarcity.plugins.domaingossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.GossipStrategyFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DomainGossipFactoryTest {
    private static final PluginContext COORDINATOR = PluginContext.standalone(1, null, "domain");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertTheOnlyFactory(GossipStrategyFactory.class, DomainGossipFactory.class, "domain");
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

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new DomainGossipFactory(), COORDINATOR, List.of(PluginTestKit.bad("every", 0),
                PluginTestKit.bad("every", "weekly"), PluginTestKit.bad("experts", -1), PluginTestKit.bad("schedule", "tournament")));
    }
}
