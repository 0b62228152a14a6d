package io.scarcity.plugins.forest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ForestExpertFactoryTest {
    private static final DataSchema SCHEMA = ExpertTestKit.schema(16, 3);
    private static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "forest");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertRegistered(ExpertFactory.class, ForestExpertFactory.class, "forest");
        assertEquals(new ForestExpertFactory().name(), ForestExpert.PLUGIN, "exports carry the plugin's name (merge laws go by it)");
    }

    @Test
    void defaultsAreThePapersWithTenTrees() {
        Options o = Options.from(PluginConfig.empty());
        assertEquals(Options.defaults(), o);
        assertEquals(10, o.trees());
        assertEquals(6.0, o.lambda());
        assertEquals(50, o.gracePeriod());
        assertEquals(0.01, o.splitConfidence());
        assertEquals(0.05, o.tieThreshold());
        assertEquals(10, o.splitPoints());
        assertEquals(Options.Features.AUTO, o.features(), "the paper's sqrt(M) + 1 below 90 features");
        assertEquals(0.01, o.warningDelta());
        assertEquals(0.001, o.driftDelta());
        assertEquals(3, o.gossipTrees());
        assertEquals(255, o.gossipNodes());
        assertEquals(500, o.recentRows());
        assertEquals(0.05, o.admissionDelta());
        Expert expert = new ForestExpertFactory().create(PluginConfig.empty(), CONTEXT);
        assertTrue(expert.capabilities().predicts());
        assertTrue(expert.capabilities().gossipable());
        assertEquals(Set.of(), expert.capabilities().reads());
        assertEquals(Set.of(StandardSignals.FOREST_DISAGREEMENT, StandardSignals.FOREST_DRIFTS, StandardSignals.FOREST_WARNINGS,
                ForestExpert.ADMITTED), expert.capabilities().writes());
        assertEquals(5, ((ForestExpert) expert).featuresPerLeaf(), "round(sqrt(16)) + 1");
    }

    @Test
    void featureSubsetsAreSqrtPlusOneOrAPercentageWithinOneToM() {
        assertEquals(3, Options.Features.SQRT.of(3), "round(1.73) + 1 = 3 of 3");
        assertEquals(2, Options.Features.SQRT.of(1) + 1, "at most M");
        assertEquals(9, Options.Features.SQRT.of(64));
        assertEquals(38, Options.Features.parse("60%").of(64));
        assertEquals(1, Options.Features.parse("1%").of(3), "at least 1");
        assertEquals(3, Options.Features.parse("100%").of(3));
        assertEquals("60%", Options.Features.parse(" 60% ").toString());
        // auto, the default: sqrt(M) + 1, but at least 10% of M on wide inputs
        assertEquals(Options.Features.AUTO, Options.DEFAULT_FEATURES);
        assertEquals(9, Options.Features.AUTO.of(64), "as sqrt below 90 features");
        assertEquals(3, Options.Features.AUTO.of(3));
        assertEquals(78, Options.Features.AUTO.of(784), "10% of 784 pixels, not 29");
        assertEquals(29, Options.Features.SQRT.of(784));
        assertEquals("auto", Options.Features.parse("auto").toString());
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.ofEntries(Map.entry("trees", 4), Map.entry("lambda", 1.0),
                Map.entry("gracePeriod", 20), Map.entry("splitConfidence", 0.05), Map.entry("tieThreshold", 0.1),
                Map.entry("splitPoints", 5), Map.entry("features", "50%"), Map.entry("warningDelta", 0.05),
                Map.entry("driftDelta", 0.01), Map.entry("gossipTrees", 2), Map.entry("gossipNodes", 31),
                Map.entry("recentRows", 100), Map.entry("admissionDelta", 0.1), Map.entry("sharedBayes", false), Map.entry("mergeBayes", false)));
        assertEquals(new Options(4, 1.0, 20, 0.05, 0.1, 5, new Options.Features(50), 0.05, 0.01, 2, 31, 100, 0.1, false, false),
                Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        assertEquals(2, Options.from(PluginConfig.of("c", Map.of("trees", 2))).gossipTrees(), "at most the trees by default");
    }

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new ForestExpertFactory(), CONTEXT, List.of(
                PluginTestKit.bad("trees", 0), PluginTestKit.bad("trees", 2.5), PluginTestKit.bad("lambda", 0.0),
                PluginTestKit.bad("lambda", 101.0), PluginTestKit.bad("lambda", "six"), PluginTestKit.bad("gracePeriod", 0),
                PluginTestKit.bad("splitConfidence", 0.0), PluginTestKit.bad("splitConfidence", 1.0),
                PluginTestKit.bad("tieThreshold", -0.1), PluginTestKit.bad("splitPoints", 0),
                PluginTestKit.bad("features", "60"), PluginTestKit.bad("features", "0%"), PluginTestKit.bad("features", "101%"),
                PluginTestKit.bad("features", "all"), PluginTestKit.bad("warningDelta", 0.0), PluginTestKit.bad("warningDelta", 1.0),
                PluginTestKit.bad("driftDelta", 0.0), PluginTestKit.bad("driftDelta", 0.02),
                PluginTestKit.bad("gossipTrees", 0), PluginTestKit.bad("gossipTrees", 11), PluginTestKit.bad("gossipNodes", 0),
                PluginTestKit.bad("recentRows", 9), PluginTestKit.bad("admissionDelta", 0.0), PluginTestKit.bad("admissionDelta", 1.0)));
        ConfigException e = assertThrows(ConfigException.class, () -> Options.from(PluginConfig.of("experts[0].config",
                Map.of("driftDelta", 0.05))));
        assertTrue(e.getMessage().contains("experts[0].config.driftDelta") && e.getMessage().contains("warningDelta"), e.getMessage());
        ConfigException f = assertThrows(ConfigException.class, () -> Options.from(PluginConfig.of("experts[0].config",
                Map.of("features", "sixty"))));
        assertTrue(f.getMessage().contains("'auto', 'sqrt' or a percentage"), f.getMessage());
        ConfigException g = assertThrows(ConfigException.class, () -> Options.from(PluginConfig.of("experts[0].config",
                Map.of("mergeBayes", true, "sharedBayes", false))));
        assertTrue(g.getMessage().contains("experts[0].config.mergeBayes") && g.getMessage().contains("sharedBayes: true"),
                g.getMessage());
    }

    @Test
    void needsASchemaAndRefusesRegression() {
        PluginTestKit.assertNeedsASchema(new ForestExpertFactory());
        ConfigException e = assertThrows(ConfigException.class, () -> new ForestExpertFactory().create(
                PluginConfig.of("experts[2].config", Map.of()), PluginContext.standalone(1, ExpertTestKit.REGRESSION, "forest")));
        assertTrue(e.getMessage().contains("experts[2].config") && e.getMessage().contains("classes only")
                && e.getMessage().contains("regression"), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }
}
