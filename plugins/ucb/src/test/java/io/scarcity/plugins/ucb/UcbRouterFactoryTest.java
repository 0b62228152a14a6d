package io.scarcity.plugins.ucb;

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

class UcbRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "ucb");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(UcbRouterFactory.class, "ucb");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(1, 1.0, 1.0, Options.Weighting.REWARD), Options.from(PluginConfig.empty()));
        assertInstanceOf(UcbRouter.class, new UcbRouterFactory().create(PluginConfig.empty(), CONTEXT));
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("router", Map.of("k", 2, "exploration", 0.5, "discount", 0.99,
                "weighting", "Uniform"));
        assertEquals(new Options(2, 0.5, 0.99, Options.Weighting.UNIFORM), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    @Test
    void readsTheLinUcbOptions() {
        PluginConfig config = PluginConfig.of("router", Map.of("context", "Linear", "alpha", 0.4, "ridge", 3.0,
                "discount", 0.99));
        assertEquals(new Options(1, 1.0, 0.99, Options.Weighting.REWARD, Options.Context.LINEAR, 0.4, 3.0),
                Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        assertEquals(Options.Context.NONE, Options.defaults().context());
    }

    @Test
    void badValueNamesTheKeyPathAndTheRange() {
        UcbRouterFactory factory = new UcbRouterFactory();
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, List.of(PluginTestKit.bad("k", 0), PluginTestKit.bad("k", 1.5),
                PluginTestKit.bad("exploration", -1.0), PluginTestKit.bad("discount", 0.0), PluginTestKit.bad("discount", 1.5),
                PluginTestKit.bad("weighting", "max")));
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, Map.of("context", "linear"), List.of(
                PluginTestKit.bad("alpha", -0.1).saying("must be finite and >= 0"), PluginTestKit.bad("alpha", Double.NaN).saying("finite"),
                PluginTestKit.bad("ridge", 0.0).saying("must be finite and > 0"), PluginTestKit.bad("ridge", -1.0).saying("> 0"),
                PluginTestKit.bad("context", "quadratic").saying("none, linear")));
    }

    /** The exploration constant of one mode is not silently ignored in the other. */
    @Test
    void anOptionOfTheOtherModeIsRefused() {
        UcbRouterFactory factory = new UcbRouterFactory();
        String other = "applies only with context";
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, List.of(PluginTestKit.bad("alpha", 0.5).saying(other),
                PluginTestKit.bad("ridge", 2.0).saying(other)));
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, Map.of("context", "none"),
                List.of(PluginTestKit.bad("alpha", 0.5).saying(other)));
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, Map.of("context", "linear"),
                List.of(PluginTestKit.bad("exploration", 0.5).saying(other)));
    }
}
