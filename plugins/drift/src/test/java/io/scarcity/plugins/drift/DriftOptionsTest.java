package io.scarcity.plugins.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.Expert;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StandardSignals;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

    static List<Arguments> badValues() {
        return List.of(
                Arguments.of(Map.of("detector", "adwin", "adwinDelta", 0.0), "adwinDelta"),
                Arguments.of(Map.of("detector", "adwin", "adwinDelta", 1.0), "adwinDelta"),
                Arguments.of(Map.of("detector", "ddm", "warningLevel", 0.0), "warningLevel"),
                Arguments.of(Map.of("detector", "ddm", "driftLevel", 2.0), "driftLevel"),
                Arguments.of(Map.of("detector", "ddm", "warningLevel", 3.5), "driftLevel"),
                Arguments.of(Map.of("detector", "ddm", "minInstances", 0), "minInstances"),
                Arguments.of(Map.of("featureDrift", true, "bins", 1), "bins"),
                Arguments.of(Map.of("featureDrift", true, "bins", 1001), "bins"),
                Arguments.of(Map.of("featureDrift", true, "referenceRows", 5), "referenceRows"),
                Arguments.of(Map.of("featureDrift", true, "recentRows", 0), "recentRows"),
                Arguments.of(Map.of("featureDrift", true, "klThreshold", 0.0), "klThreshold"),
                Arguments.of(Map.of("featureDrift", true, "smoothing", -1.0), "smoothing"),
                Arguments.of(Map.of("featureDrift", "yes"), "featureDrift"),
                // an option of a detector that is not selected would do nothing
                Arguments.of(Map.of("detector", "adwin", "lambda", 20.0), "lambda"),
                Arguments.of(Map.of("detector", "ddm", "delta", 0.01), "delta"),
                Arguments.of(Map.of("detector", "adwin", "minInstances", 10), "minInstances"),
                Arguments.of(Map.of("detector", "ddm", "warningFraction", 0.3), "warningFraction"),
                Arguments.of(Map.of("adwinDelta", 0.01), "adwinDelta"),
                Arguments.of(Map.of("driftLevel", 4.0), "driftLevel"),
                Arguments.of(Map.of("bins", 20), "bins"),
                Arguments.of(Map.of("featureDrift", false, "klThreshold", 0.2), "klThreshold"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(Map<String, ?> values, String key) {
        ConfigException e = refused(values);
        assertTrue(e.getMessage().contains("experts[1].config." + key), e.getMessage());
    }

    @Test
    void anOptionOfAnotherDetectorSaysWhichDetectorItBelongsTo() {
        ConfigException e = refused(Map.of("detector", "adwin", "lambda", 20.0));
        assertTrue(e.getMessage().contains("only applies with detector: page-hinkley"), e.getMessage());
        ConfigException k = refused(Map.of("bins", 20));
        assertTrue(k.getMessage().contains("featureDrift: true"), k.getMessage());
    }
}
