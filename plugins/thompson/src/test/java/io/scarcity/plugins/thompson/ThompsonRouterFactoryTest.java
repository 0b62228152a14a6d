package io.scarcity.plugins.thompson;

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

    @Test
    void badValueNamesTheKeyPathAndWhatIsAllowed() {
        ThompsonRouterFactory factory = new ThompsonRouterFactory();
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, List.of(PluginTestKit.bad("k", 0), PluginTestKit.bad("k", 1.5),
                PluginTestKit.bad("posterior", "poisson"), PluginTestKit.bad("weighting", "max"),
                PluginTestKit.bad("discount", 0.0), PluginTestKit.bad("discount", 1.5), PluginTestKit.bad("discount", 2.0).saying("(0, 1]"),
                PluginTestKit.bad("clusters", 0).saying("[1, 256]"), PluginTestKit.bad("clusters", 1000),
                PluginTestKit.bad("clusterRate", "fast")));
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, Map.of("posterior", "gaussian"),
                PluginTestKit.badSaying("(0, 100]", "noise", 0.0, -1.0, 1000.0));
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, Map.of("clusters", 2),
                PluginTestKit.badSaying("(0, 1]", "clusterRate", 0.0, 1.1));
    }

    @Test
    void anOptionTheChosenModeIgnoresIsRefused() {
        ThompsonRouterFactory factory = new ThompsonRouterFactory();
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, PluginTestKit.badSaying("posterior: gaussian only", "noise",
                0.1, 0.0, -1.0, 1000.0));
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, PluginTestKit.badSaying("clusters > 1", "clusterRate",
                0.1, 0.0, 1.1));
    }

    @Test
    void unknownKeysAreLeftUnread() {
        PluginTestKit.assertUnknownOptionLeftUnread(new ThompsonRouterFactory(), CONTEXT, "discont", 0.9);
    }
}
