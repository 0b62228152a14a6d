package io.scarcity.plugins.causal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Task;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CausalExpertFactoryTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y", "z"));
    private static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "causal");

    @Test
    void isRegisteredUnderItsName() {
        List<ExpertFactory> found = ServiceLoader.load(ExpertFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(CausalExpertFactory.class, found.get(0));
        assertEquals("causal", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
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

    static List<Arguments> badValues() {
        return List.of(
                Arguments.of("alpha", 0.0), Arguments.of("alpha", 1.0), Arguments.of("alpha", -0.1),
                Arguments.of("alpha", Double.NaN), Arguments.of("alpha", "small"),
                Arguments.of("maxConditioningSet", -1), Arguments.of("maxConditioningSet", 13),
                Arguments.of("maxConditioningSet", 1.5),
                Arguments.of("every", 0), Arguments.of("every", -3),
                Arguments.of("learningRate", -0.01), Arguments.of("learningRate", 1.0),
                Arguments.of("learningRate", Double.NaN), Arguments.of("learningRate", Double.POSITIVE_INFINITY),
                Arguments.of("driftForget", -0.5), Arguments.of("driftForget", 1.0), Arguments.of("driftForget", Double.NaN),
                Arguments.of("minSamples", 0), Arguments.of("minSamples", -10),
                Arguments.of("ridge", -1e-3), Arguments.of("ridge", Double.NaN), Arguments.of("ridge", Double.POSITIVE_INFINITY),
                Arguments.of("orientation", "sideways"), Arguments.of("orientation", 3),
                Arguments.of("warmStart", "sometimes"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        Map<String, Object> values = new HashMap<>();
        values.put(key, value);
        PluginConfig config = PluginConfig.of("experts[0].config", values);
        ConfigException e = assertThrows(ConfigException.class, () -> new CausalExpertFactory().create(config, CONTEXT));
        assertEquals("experts[0].config." + key, e.path());
        assertTrue(e.getMessage().contains("experts[0].config." + key), e.getMessage());
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
        PluginContext coordinator = PluginContext.standalone(1, null, "causal");
        ConfigException e = assertThrows(ConfigException.class,
                () -> new CausalExpertFactory().create(PluginConfig.of("experts[0].config", Map.of()), coordinator));
        assertTrue(e.getMessage().contains("schema"), e.getMessage());
    }
}
