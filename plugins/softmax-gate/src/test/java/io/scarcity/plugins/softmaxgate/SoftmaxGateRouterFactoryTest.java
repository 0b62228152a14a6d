package io.scarcity.plugins.softmaxgate;

import static io.scarcity.api.testing.RouterTestKit.assertTheOnlyRouterFactory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.PluginTestKit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoftmaxGateRouterFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "softmax-gate");

    @Test
    void isRegisteredUnderItsName() {
        assertTheOnlyRouterFactory(SoftmaxGateRouterFactory.class, "softmax-gate");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(2, 0.5, 0.01, 1.0, 0.1, 1e-4, 0.99, 0.5, 1.0), Options.from(PluginConfig.empty()));
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        assertInstanceOf(SoftmaxGateRouter.class, new SoftmaxGateRouterFactory().create(PluginConfig.empty(), CONTEXT));
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("router", Map.of("k", 3, "noise", 0.2, "noiseDecay", 0.5,
                "temperature", 2.0, "learningRate", 0.05, "l2", 0.001, "discount", 0.95, "exploration", 0.3,
                "anchor", 0.0));
        assertEquals(new Options(3, 0.2, 0.5, 2.0, 0.05, 0.001, 0.95, 0.3, 0.0), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    @Test
    void badValueNamesTheKeyPathAndTheRange() {
        List<PluginTestKit.BadOption> bad = new ArrayList<>();
        bad.add(PluginTestKit.bad("k", 0).saying("must be a whole number >= 1"));
        bad.addAll(PluginTestKit.badSaying("expected", "k", 1.5));
        bad.addAll(PluginTestKit.badSaying("expected", "noise", "high"));
        bad.addAll(PluginTestKit.badSaying("must be finite and >= 0", "noise", -0.1));
        bad.addAll(PluginTestKit.badSaying("must be finite and >= 0", "noiseDecay", -1.0));
        bad.addAll(PluginTestKit.badSaying("must be finite and >= 0.001", "temperature", 0.0, 1e-300));
        bad.addAll(PluginTestKit.badSaying("must be in (0, 1]", "learningRate", 0.0, 1.5));
        bad.addAll(PluginTestKit.badSaying("must be in [0, 1)", "l2", -0.1, 1.0));
        bad.addAll(PluginTestKit.badSaying("must be in (0, 1]", "discount", 0.0, 1.01));
        bad.addAll(PluginTestKit.badSaying("must be finite and >= 0", "exploration", -1.0));
        bad.addAll(PluginTestKit.badSaying("must be in [0, 10]", "anchor", -0.5, 11.0));
        PluginTestKit.assertBadOptionsRefused(new SoftmaxGateRouterFactory(), CONTEXT, bad);
    }
}
