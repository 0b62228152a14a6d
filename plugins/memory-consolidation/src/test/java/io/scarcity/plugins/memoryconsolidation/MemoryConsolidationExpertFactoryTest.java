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
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MemoryConsolidationExpertFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "consolidation");

    @Test
    void isRegisteredUnderItsName() {
        List<ExpertFactory> found = ServiceLoader.load(ExpertFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(MemoryConsolidationExpertFactory.class, found.get(0));
        assertEquals("memory-consolidation", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
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

    static List<Arguments> badValues() {
        return List.of(Arguments.of(Map.of("replayRows", -1), "replayRows"),
                Arguments.of(Map.of("replayRows", 100_001), "replayRows"),
                Arguments.of(Map.of("replayRows", "many"), "replayRows"),
                Arguments.of(Map.of("replayTo", "some"), "replayTo"),
                Arguments.of(Map.of("replayEvery", 0), "replayEvery"),
                Arguments.of(Map.of("consolidateEvery", -5), "consolidateEvery"),
                Arguments.of(Map.of("onDrift", "maybe"), "onDrift"),
                Arguments.of(Map.of("ewcStrength", -1.0), "ewcStrength"),
                Arguments.of(Map.of("ewcStrength", Double.POSITIVE_INFINITY), "ewcStrength"),
                Arguments.of(Map.of("importanceDecay", 1.5), "importanceDecay"),
                Arguments.of(Map.of("importanceDecay", -0.1), "importanceDecay"),
                Arguments.of(Map.of("consolidateEvery", 0, "onDrift", false), "consolidateEvery"),
                Arguments.of(Map.of("replayRows", 0, "ewcStrength", 0.0), "replayRows"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(Map<String, ?> values, String key) {
        PluginConfig config = PluginConfig.of("experts[1].config", values);
        ConfigException e = assertThrows(ConfigException.class, () -> new MemoryConsolidationExpertFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains("experts[1].config." + key), e.getMessage());
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
