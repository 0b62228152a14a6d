package io.scarcity.plugins.memoryconsolidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.ExpertSupervisor;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemoryConsolidationExpertFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "consolidation");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertTheOnlyFactory(ExpertFactory.class, MemoryConsolidationExpertFactory.class, "memory-consolidation");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(16, "active", 1, 50, true, 100, 0.5), Options.from(PluginConfig.empty()));
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        Expert expert = new MemoryConsolidationExpertFactory().create(PluginConfig.empty(), CONTEXT);
        assertInstanceOf(ExpertSupervisor.class, expert);
        assertFalse(expert.capabilities().predicts());
        assertFalse(expert.capabilities().gossipable());
        assertEquals(Set.of(StandardSignals.DRIFT_DETECTED), expert.capabilities().reads());
        assertEquals(Set.of("memory-consolidation.points"), expert.capabilities().writes());
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("experts[1].config", Map.of("replayRows", 8, "replayTo", "all",
                "replayEvery", 2, "consolidateEvery", 0, "onDrift", true, "ewcStrength", 5.0, "importanceDecay", 1.0));
        assertEquals(new Options(8, "all", 2, 0, true, 5, 1), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    @Test
    void badValueNamesTheKeyPath() {
        MemoryConsolidationExpertFactory factory = new MemoryConsolidationExpertFactory();
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, List.of(PluginTestKit.bad("replayRows", -1),
                PluginTestKit.bad("replayRows", 100_001), PluginTestKit.bad("replayRows", "many"), PluginTestKit.bad("replayTo", "some"),
                PluginTestKit.bad("replayEvery", 0), PluginTestKit.bad("consolidateEvery", -5), PluginTestKit.bad("onDrift", "maybe"),
                PluginTestKit.bad("ewcStrength", -1.0), PluginTestKit.bad("ewcStrength", Double.POSITIVE_INFINITY),
                PluginTestKit.bad("importanceDecay", 1.5), PluginTestKit.bad("importanceDecay", -0.1)));
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, Map.of("onDrift", false), List.of(PluginTestKit.bad("consolidateEvery", 0)));
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, Map.of("ewcStrength", 0.0), List.of(PluginTestKit.bad("replayRows", 0)));
    }

    @Test
    void theNeverConsolidatingCombinationSaysHowToFixIt() {
        PluginConfig config = PluginConfig.of("experts[1].config", Map.of("consolidateEvery", 0, "onDrift", false));
        ConfigException e = assertThrows(ConfigException.class, () -> new MemoryConsolidationExpertFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("would never consolidate") && e.getMessage().contains("ewcStrength: 0"),
                e.getMessage());
        // with EWC off, neither a period nor drift is needed
        assertEquals(0, Options.from(PluginConfig.of("x", Map.of("consolidateEvery", 0, "onDrift", false, "ewcStrength", 0.0)))
                .consolidateEvery());
    }
}
