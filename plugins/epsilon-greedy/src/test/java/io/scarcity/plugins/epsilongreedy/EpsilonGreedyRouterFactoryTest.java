package io.scarcity.plugins.epsilongreedy;

import static io.scarcity.api.testing.RouterTestKit.assertTheOnlyRouterFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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

    @Test
    void badValueNamesTheKeyPathAndWhatIsAllowed() {
        PluginTestKit.assertBadOptionsRefused(new EpsilonGreedyRouterFactory(), CONTEXT, List.of(PluginTestKit.bad("k", 0),
                PluginTestKit.bad("k", 1.5), PluginTestKit.bad("epsilon", -0.1), PluginTestKit.bad("epsilon", 1.1),
                PluginTestKit.bad("epsilon", 2.0).saying("[0, 1]"), PluginTestKit.bad("minEpsilon", -0.1),
                PluginTestKit.bad("minEpsilon", 0.5), PluginTestKit.bad("minEpsilon", 0.2).saying("<= epsilon (0.1)"),
                PluginTestKit.bad("decay", -1.0), PluginTestKit.bad("decay", "slow"), PluginTestKit.bad("discount", 0.0),
                PluginTestKit.bad("discount", 1.5), PluginTestKit.bad("weighting", "max")));
    }

    @Test
    void unknownKeysAreLeftUnread() {
        PluginTestKit.assertUnknownOptionLeftUnread(new EpsilonGreedyRouterFactory(), CONTEXT, "epsillon", 0.2);
    }
}
