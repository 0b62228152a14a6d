package io.scarcity.plugins.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DriftExpertFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "drift");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertTheOnlyFactory(ExpertFactory.class, DriftExpertFactory.class, "drift");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(0.005, 50, 0.9999, 30, 0.5), Options.from(PluginConfig.empty()));
        Expert expert = new DriftExpertFactory().create(PluginConfig.empty(), CONTEXT);
        assertFalse(expert.capabilities().predicts());
        assertFalse(expert.capabilities().gossipable());
        assertEquals(Set.of(StandardSignals.DRIFT_SCORE, StandardSignals.DRIFT_DETECTED, StandardSignals.DRIFT_WARNING),
                expert.capabilities().writes());
        assertTrue(Double.isNaN(expert.learningRate()));
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("experts[1].config", Map.of("delta", 0.01, "lambda", 20.0, "alpha", 1.0,
                "minInstances", 10, "warningFraction", 0.25));
        assertEquals(new Options(0.01, 20, 1.0, 10, 0.25), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new DriftExpertFactory(), CONTEXT, List.of(PluginTestKit.bad("delta", -0.1),
                PluginTestKit.bad("lambda", 0.0), PluginTestKit.bad("lambda", -5), PluginTestKit.bad("alpha", 0.0),
                PluginTestKit.bad("alpha", 1.01), PluginTestKit.bad("minInstances", 0), PluginTestKit.bad("minInstances", "many"),
                PluginTestKit.bad("warningFraction", 0.0), PluginTestKit.bad("warningFraction", 1.0)));
    }
}
