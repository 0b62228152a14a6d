package io.scarcity.plugins.statistical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatisticalExpertFactoryTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "statistical");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertRegistered(ExpertFactory.class, StatisticalExpertFactory.class, "statistical");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(0.02, 1e-3, 3.5, 0.1, 5.0, 5), Options.from(PluginConfig.empty()));
        Expert expert = new StatisticalExpertFactory().create(PluginConfig.empty(), CONTEXT);
        assertEquals(0.02, expert.learningRate());
        assertTrue(expert.capabilities().predicts());
        assertTrue(expert.capabilities().gossipable());
        assertEquals(java.util.Set.of(StandardSignals.DRIFT_DETECTED), expert.capabilities().reads());
        assertEquals(java.util.Set.of(StandardSignals.OUTLIER_RATE, StatisticalExpert.MAHALANOBIS_SIGNAL),
                expert.capabilities().writes());
        Options o = Options.defaults();
        assertTrue(o.mahalanobis());
        assertEquals(0.999, o.mahalanobisQuantile());
        assertEquals(64, o.maxMahalanobisFeatures());
        assertEquals(0.01, o.covarianceShrinkage());
        assertEquals(Options.Weighting.OFF, o.outlierWeighting());
        assertEquals(0, o.outlierWindow());
        Expert robustOnly = new StatisticalExpertFactory().create(
                PluginConfig.of("experts[0].config", Map.of("mahalanobis", false)), CONTEXT);
        assertEquals(java.util.Set.of(StandardSignals.OUTLIER_RATE), robustOnly.capabilities().writes());
    }

    @Test
    void readsEveryOutlierOption() {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.of("mahalanobis", false, "mahalanobisQuantile", 0.99,
                "maxMahalanobisFeatures", 8, "covarianceShrinkage", 0.2, "outlierWeighting", "reject", "outlierWindow", 500, "mergedPriors", "own"));
        assertEquals(new Options(0.02, 1e-3, 3.5, 0.1, 5.0, 5, 2.0, false, 0.99, 8, 0.2, Options.Weighting.REJECT, 500, Options.Priors.OWN, Options.PeerSums.UNSEEN),
                Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        assertEquals(Options.Weighting.HUBER,
                Options.from(PluginConfig.of("c", Map.of("outlierWeighting", "huber"))).outlierWeighting());
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.of("learningRate", 0.5, "minVariance", 0.01,
                "outlierThreshold", 4.0, "explore", 0.0, "driftBoost", 2.0, "boostBatches", 3, "priorRows", 0.5));
        assertEquals(new Options(0.5, 0.01, 4.0, 0.0, 2.0, 3, 0.5), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new StatisticalExpertFactory(), CONTEXT, List.of(
                PluginTestKit.bad("learningRate", -1.0), PluginTestKit.bad("learningRate", 0.0), PluginTestKit.bad("learningRate", 1.5),
                PluginTestKit.bad("learningRate", "fast"),
                PluginTestKit.bad("minVariance", 0.0), PluginTestKit.bad("outlierThreshold", -3.0),
                PluginTestKit.bad("explore", -0.1), PluginTestKit.bad("driftBoost", 0.5), PluginTestKit.bad("boostBatches", -1),
                PluginTestKit.bad("boostBatches", 1.5), PluginTestKit.bad("priorRows", -1.0),
                PluginTestKit.bad("priorRows", Double.POSITIVE_INFINITY),
                PluginTestKit.bad("mahalanobis", "yes"), PluginTestKit.bad("mahalanobisQuantile", 0.4),
                PluginTestKit.bad("mahalanobisQuantile", 1.0), PluginTestKit.bad("mahalanobisQuantile", "high"),
                PluginTestKit.bad("maxMahalanobisFeatures", -1), PluginTestKit.bad("maxMahalanobisFeatures", 2.5),
                PluginTestKit.bad("covarianceShrinkage", -0.1), PluginTestKit.bad("covarianceShrinkage", 1.5),
                PluginTestKit.bad("outlierWeighting", "soft"), PluginTestKit.bad("outlierWeighting", 1),
                PluginTestKit.bad("outlierWindow", -5), PluginTestKit.bad("outlierWindow", 0.5)));
    }

    @Test
    void needsASchema() {
        PluginTestKit.assertNeedsASchema(new StatisticalExpertFactory());
    }
}
