package io.scarcity.plugins.metaadaptation;

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

class MetaAdaptationExpertFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "meta-adaptation");

    private static ConfigException fails(Map<String, ?> config) {
        return assertThrows(ConfigException.class,
                () -> new MetaAdaptationExpertFactory().create(PluginConfig.of("experts[3].config", config), CONTEXT));
    }

    @Test
    void isRegisteredUnderItsName() {
        List<ExpertFactory> found = ServiceLoader.load(ExpertFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(MetaAdaptationExpertFactory.class, found.get(0));
        assertEquals("meta-adaptation", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        Options d = Options.from(PluginConfig.empty());
        assertEquals(Options.defaults(), d);
        assertEquals(new Options("rule", 0.3, 0.05, 5, 0.7, 1.1, 0.1, 10, 0.1, 5, 0.1, 0.02, false, 0.01, 50, true), d);
        Expert expert = new MetaAdaptationExpertFactory().create(PluginConfig.empty(), CONTEXT);
        assertInstanceOf(ExpertSupervisor.class, expert);
        assertFalse(expert.capabilities().predicts());
        assertFalse(expert.capabilities().gossipable());
        assertEquals(Set.of(StandardSignals.DRIFT_DETECTED), expert.capabilities().reads());
        assertTrue(Double.isNaN(expert.learningRate()));
    }

    @Test
    void readsEveryOption() {
        PluginConfig rule = PluginConfig.of("experts[3].config", Map.ofEntries(Map.entry("method", "rule"),
                Map.entry("fastRate", 0.5), Map.entry("slowRate", 0.1), Map.entry("warmup", 3), Map.entry("shrink", 0.5),
                Map.entry("grow", 1.2), Map.entry("minScale", 0.05), Map.entry("maxScale", 4.0), Map.entry("tolerance", 0.2),
                Map.entry("patience", 7), Map.entry("freeze", true), Map.entry("freezeTolerance", 0.001),
                Map.entry("freezePatience", 9), Map.entry("resetOnDrift", false)));
        assertEquals(new Options("rule", 0.5, 0.1, 3, 0.5, 1.2, 0.05, 4, 0.2, 7, 0.1, 0.02, true, 0.001, 9, false),
                Options.from(rule));
        assertTrue(rule.unreadKeys().isEmpty());
        PluginConfig hyper = PluginConfig.of("experts[3].config", Map.of("method", "hypergradient", "hyperRate", 0.3,
                "probe", 0.05));
        assertEquals(new Options("hypergradient", 0.3, 0.05, 5, 0.7, 1.1, 0.1, 10, 0.1, 5, 0.3, 0.05, false, 0.01, 50, true),
                Options.from(hyper));
        assertTrue(hyper.unreadKeys().isEmpty());
    }

    static List<Arguments> badValues() {
        return List.of(Arguments.of("method", "adam"), Arguments.of("fastRate", 0.0), Arguments.of("fastRate", 1.5),
                Arguments.of("slowRate", 0.0), Arguments.of("slowRate", 0.3), Arguments.of("warmup", 0),
                Arguments.of("shrink", 1.0), Arguments.of("shrink", 0.0), Arguments.of("grow", 1.0),
                Arguments.of("minScale", 0.0), Arguments.of("minScale", 1.5), Arguments.of("maxScale", 0.9),
                Arguments.of("tolerance", -0.1), Arguments.of("patience", 0), Arguments.of("patience", "long"),
                Arguments.of("freeze", "yes please"), Arguments.of("resetOnDrift", 1));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        ConfigException e = fails(Map.of(key, value));
        assertTrue(e.getMessage().contains("experts[3].config." + key), e.getMessage());
    }

    @Test
    void hypergradientOptionsAreValidatedToo() {
        assertTrue(fails(Map.of("method", "hypergradient", "hyperRate", 0.0)).getMessage()
                .contains("experts[3].config.hyperRate"));
        ConfigException probe = fails(Map.of("method", "hypergradient", "probe", 0.2));
        assertTrue(probe.getMessage().contains("experts[3].config.probe") && probe.getMessage().contains("ln grow"),
                probe.getMessage());
        assertTrue(fails(Map.of("freeze", true, "freezePatience", 0)).getMessage()
                .contains("experts[3].config.freezePatience"));
        assertTrue(fails(Map.of("freeze", true, "freezeTolerance", -1.0)).getMessage()
                .contains("experts[3].config.freezeTolerance"));
    }

    @Test
    void optionsOfAnotherMethodOrOfFreezingAreRefusedSayingWhy() {
        ConfigException e = fails(Map.of("hyperRate", 0.2));
        assertTrue(e.getMessage().contains("experts[3].config.hyperRate") && e.getMessage().contains("method: hypergradient"),
                e.getMessage());
        e = fails(Map.of("method", "hypergradient", "patience", 3));
        assertTrue(e.getMessage().contains("experts[3].config.patience") && e.getMessage().contains("method: rule"),
                e.getMessage());
        e = fails(Map.of("freezePatience", 3));
        assertTrue(e.getMessage().contains("experts[3].config.freezePatience") && e.getMessage().contains("freeze: true"),
                e.getMessage());
    }
}
