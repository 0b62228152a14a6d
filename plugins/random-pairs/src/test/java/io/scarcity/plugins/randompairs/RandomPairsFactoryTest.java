package io.scarcity.plugins.randompairs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.GossipStrategy;
import io.scarcity.api.GossipStrategyFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RandomPairsFactoryTest {
    private static final PluginContext COORDINATOR = PluginContext.standalone(1, null, "random-pairs");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertTheOnlyFactory(GossipStrategyFactory.class, RandomPairsFactory.class, "random-pairs");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(1, 1.0, 3, false), Options.from(PluginConfig.empty()));
        assertEquals(Options.ADAPTIVE, Options.from(PluginConfig.empty()).exchanges(), "exchanges: adaptive by default");
        GossipStrategy strategy = new RandomPairsFactory().create(PluginConfig.empty(), COORDINATOR);
        assertEquals(3, strategy.expertsPerExchange());
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("gossip.config", Map.of("every", 2, "fraction", 0.5, "experts", 0,
                "sameDomain", true, "exchanges", 3));
        assertEquals(new Options(2, 0.5, 0, true, 3), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        assertEquals(0, new RandomPairsFactory().create(PluginConfig.of("gossip.config", Map.of("experts", 0)), COORDINATOR)
                .expertsPerExchange());
    }

    @Test
    void exchangesAutoIsLog2OfTheGroup() {
        Options auto = Options.from(PluginConfig.of("gossip.config", Map.of("exchanges", "auto")));
        assertEquals(Options.AUTO, auto.exchanges());
        int[][] expected = {{1, 1}, {2, 1}, {3, 2}, {4, 2}, {5, 3}, {8, 3}, {9, 4}, {10, 4}, {1000, 10}};
        for (int[] e : expected) {
            assertEquals(e[1], auto.exchangesFor(e[0]), e[0] + " peers");
        }
        assertEquals(3, Options.from(PluginConfig.of("gossip.config", Map.of("exchanges", 3))).exchangesFor(1000));
        Options adaptive = Options.from(PluginConfig.of("gossip.config", Map.of("exchanges", "adaptive")));
        assertEquals(Options.ADAPTIVE, adaptive.exchanges());
        assertEquals(4, adaptive.exchangesFor(10));
    }

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new RandomPairsFactory(), COORDINATOR, List.of(PluginTestKit.bad("every", 0),
                PluginTestKit.bad("every", "weekly"), PluginTestKit.bad("fraction", 0.0), PluginTestKit.bad("fraction", 1.5),
                PluginTestKit.bad("experts", -1), PluginTestKit.bad("sameDomain", "yes"),
                PluginTestKit.bad("exchanges", 0), PluginTestKit.bad("exchanges", "many"), PluginTestKit.bad("exchanges", -2)));
    }
}
