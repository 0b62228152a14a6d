package io.scarcity.plugins.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.Expert;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The detector and feature-drift options: defaults, reading, and each bad value named with its path. */
class DriftOptionsTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(1, null, "drift");

    private static ConfigException refused(Map<String, ?> values) {
        PluginConfig config = PluginConfig.of("experts[1].config", values);
        return assertThrows(ConfigException.class, () -> new DriftExpertFactory().create(config, CONTEXT));
    }

    @Test
    void defaultsAreThePageHinkleyDetectorWithoutFeatureDrift() {
        Options o = Options.from(PluginConfig.empty());
        assertEquals("page-hinkley", o.detector());
        assertEquals(0.002, o.adwinDelta());
        assertEquals(2.0, o.warningLevel());
        assertEquals(3.0, o.driftLevel());
        assertEquals(false, o.featureDrift());
        assertEquals(1000, o.referenceRows());
        assertEquals(500, o.recentRows());
        assertEquals(10, o.bins());
        assertEquals(0.1, o.klThreshold());
        assertEquals(1.0, o.smoothing());
    }

    @Test
    void readsTheOptionsOfEachDetectorAndOfFeatureDrift() {
        PluginConfig adwin = PluginConfig.of("e", Map.of("detector", "adwin", "adwinDelta", 0.01, "warningFraction", 0.3));
        Options a = Options.from(adwin);
        assertEquals("adwin", a.detector());
        assertEquals(0.01, a.adwinDelta());
        assertEquals(0.3, a.warningFraction());
        assertTrue(adwin.unreadKeys().isEmpty());

        PluginConfig ddm = PluginConfig.of("e", Map.of("detector", "ddm", "minInstances", 100, "warningLevel", 1.5,
                "driftLevel", 2.5));
        Options d = Options.from(ddm);
        assertEquals(List.of("ddm", 100, 1.5, 2.5), List.of(d.detector(), d.minInstances(), d.warningLevel(), d.driftLevel()));

        PluginConfig kl = PluginConfig.of("e", Map.of("featureDrift", true, "referenceRows", 2000, "recentRows", 300,
                "bins", 20, "klThreshold", 0.05, "smoothing", 0.5));
        Options k = Options.from(kl);
        assertEquals(List.of(true, 2000, 300, 20, 0.05, 0.5), List.of(k.featureDrift(), k.referenceRows(), k.recentRows(),
                k.bins(), k.klThreshold(), k.smoothing()));
    }

    @Test
    void featureDriftAddsItsSignalsToTheCapabilities() {
        Expert expert = new DriftExpertFactory().create(PluginConfig.of("e", Map.of("featureDrift", true)), CONTEXT);
        assertEquals(Set.of(StandardSignals.DRIFT_SCORE, StandardSignals.DRIFT_DETECTED, StandardSignals.DRIFT_WARNING,
                "drift.kl", "drift.kl-feature", "drift.feature-detected"), expert.capabilities().writes());
    }

    @Test
    void anUnknownDetectorListsTheAllowedNames() {
        ConfigException e = refused(Map.of("detector", "adwn"));
        assertTrue(e.getMessage().contains("experts[1].config.detector"), e.getMessage());
        assertTrue(e.getMessage().contains("page-hinkley, adwin, ddm") && e.getMessage().contains("adwn"), e.getMessage());
    }

    @Test
    void badValueNamesTheKeyPath() {
        DriftExpertFactory factory = new DriftExpertFactory();
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, Map.of("detector", "adwin"), List.of(
                PluginTestKit.bad("adwinDelta", 0.0), PluginTestKit.bad("adwinDelta", 1.0),
                // an option of a detector that is not selected would do nothing
                PluginTestKit.bad("lambda", 20.0), PluginTestKit.bad("minInstances", 10)));
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, Map.of("detector", "ddm"), List.of(
                PluginTestKit.bad("warningLevel", 0.0), PluginTestKit.bad("driftLevel", 2.0),
                PluginTestKit.bad("warningLevel", 3.5).reportedAt("driftLevel"), PluginTestKit.bad("minInstances", 0),
                PluginTestKit.bad("delta", 0.01), PluginTestKit.bad("warningFraction", 0.3)));
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, Map.of("featureDrift", true), List.of(
                PluginTestKit.bad("bins", 1), PluginTestKit.bad("bins", 1001), PluginTestKit.bad("referenceRows", 5),
                PluginTestKit.bad("recentRows", 0), PluginTestKit.bad("klThreshold", 0.0), PluginTestKit.bad("smoothing", -1.0)));
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, List.of(PluginTestKit.bad("featureDrift", "yes"),
                PluginTestKit.bad("adwinDelta", 0.01), PluginTestKit.bad("driftLevel", 4.0), PluginTestKit.bad("bins", 20)));
        PluginTestKit.assertBadOptionsRefused(factory, CONTEXT, Map.of("featureDrift", false),
                List.of(PluginTestKit.bad("klThreshold", 0.2)));
    }

    @Test
    void anOptionOfAnotherDetectorSaysWhichDetectorItBelongsTo() {
        ConfigException e = refused(Map.of("detector", "adwin", "lambda", 20.0));
        assertTrue(e.getMessage().contains("only applies with detector: page-hinkley"), e.getMessage());
        ConfigException k = refused(Map.of("bins", 20));
        assertTrue(k.getMessage().contains("featureDrift: true"), k.getMessage());
    }
}
