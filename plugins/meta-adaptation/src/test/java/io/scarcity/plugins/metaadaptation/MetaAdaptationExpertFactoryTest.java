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
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetaAdaptationExpertFactoryTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "meta-adaptation");

    private static ConfigException fails(Map<String, ?> config) {
        return assertThrows(ConfigException.class,
                () -> new MetaAdaptationExpertFactory().create(PluginConfig.of("experts[3].config", config), CONTEXT));
    }

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertTheOnlyFactory(ExpertFactory.class, MetaAdaptationExpertFactory.class, "meta-adaptation");
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

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new MetaAdaptationExpertFactory(), CONTEXT, List.of(PluginTestKit.bad("method", "adam"),
                PluginTestKit.bad("fastRate", 0.0), PluginTestKit.bad("fastRate", 1.5), PluginTestKit.bad("slowRate", 0.0),
                PluginTestKit.bad("slowRate", 0.3), PluginTestKit.bad("warmup", 0), PluginTestKit.bad("shrink", 1.0),
                PluginTestKit.bad("shrink", 0.0), PluginTestKit.bad("grow", 1.0), PluginTestKit.bad("minScale", 0.0),
                PluginTestKit.bad("minScale", 1.5), PluginTestKit.bad("maxScale", 0.9), PluginTestKit.bad("tolerance", -0.1),
                PluginTestKit.bad("patience", 0), PluginTestKit.bad("patience", "long"), PluginTestKit.bad("freeze", "yes please"),
                PluginTestKit.bad("resetOnDrift", 1)));
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
