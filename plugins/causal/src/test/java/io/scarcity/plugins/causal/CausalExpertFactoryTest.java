package io.scarcity.plugins.causal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Task;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CausalExpertFactoryTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y", "z"));
    private static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "causal");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertTheOnlyFactory(ExpertFactory.class, CausalExpertFactory.class, "causal");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(0.01, 3, 10, 0.001, 0.5, 50, 0.01, "majority", false), Options.from(PluginConfig.empty()));
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        Expert expert = new CausalExpertFactory().create(PluginConfig.empty(), CONTEXT);
        assertEquals(0.001, expert.learningRate());
        assertTrue(expert.capabilities().predicts());
        assertTrue(expert.capabilities().gossipable());
        assertEquals(Set.of("drift.detected"), expert.capabilities().reads());
        assertEquals(Set.of("causal.edges", "causal.structural-change", "causal.blanket-size"), expert.capabilities().writes());
        assertInstanceOf(Checkpointable.class, expert);
        // 3 features + 2 class indicators (classes y and z; x is the reference)
        assertEquals(5 * 5, expert.exportState().weight("second").length);
        assertEquals(4 * 4, expert.exportState().weight("adjacency").length);
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.of("alpha", 0.05, "maxConditioningSet", 0,
                "every", 3, "learningRate", 0.0, "driftForget", 0.0, "minSamples", 1, "ridge", 0.0, "orientation", "standard", "warmStart", true));
        assertEquals(new Options(0.05, 0, 3, 0.0, 0.0, 1, 0.0, "standard", true), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    @Test
    void anUnknownKeyIsLeftUnreadForTheRuntimeToReport() {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.of("alhpa", 0.05));
        new CausalExpertFactory().create(config, CONTEXT);
        assertEquals(Set.of("experts[0].config.alhpa"), config.unreadKeys());
        assertTrue(config.askedKeys().contains("alpha"));
    }

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new CausalExpertFactory(), CONTEXT, List.of(
                PluginTestKit.bad("alpha", 0.0), PluginTestKit.bad("alpha", 1.0), PluginTestKit.bad("alpha", -0.1),
                PluginTestKit.bad("alpha", Double.NaN), PluginTestKit.bad("alpha", "small"),
                PluginTestKit.bad("maxConditioningSet", -1), PluginTestKit.bad("maxConditioningSet", 13),
                PluginTestKit.bad("maxConditioningSet", 1.5), PluginTestKit.bad("every", 0), PluginTestKit.bad("every", -3),
                PluginTestKit.bad("learningRate", -0.01), PluginTestKit.bad("learningRate", 1.0),
                PluginTestKit.bad("learningRate", Double.NaN), PluginTestKit.bad("learningRate", Double.POSITIVE_INFINITY),
                PluginTestKit.bad("driftForget", -0.5), PluginTestKit.bad("driftForget", 1.0), PluginTestKit.bad("driftForget", Double.NaN),
                PluginTestKit.bad("minSamples", 0), PluginTestKit.bad("minSamples", -10),
                PluginTestKit.bad("ridge", -1e-3), PluginTestKit.bad("ridge", Double.NaN), PluginTestKit.bad("ridge", Double.POSITIVE_INFINITY),
                PluginTestKit.bad("orientation", "sideways"), PluginTestKit.bad("orientation", 3),
                PluginTestKit.bad("warmStart", "sometimes")));
    }

    @Test
    void theOptionsRecordNamesTheOptionItself() {
        InvalidOptionException e = assertThrows(InvalidOptionException.class,
                () -> new Options(0.01, 3, 10, 0.001, 0.5, 50, -1, "majority", false));
        assertEquals("ridge", e.key());
        assertTrue(e.reason().contains("-1"), e.reason());
    }

    @Test
    void needsASchema() {
        PluginTestKit.assertNeedsASchema(new CausalExpertFactory());
    }
}
