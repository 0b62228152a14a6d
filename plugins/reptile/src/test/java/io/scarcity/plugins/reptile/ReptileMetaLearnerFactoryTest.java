package io.scarcity.plugins.reptile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.MetaLearnerFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.PluginTestKit;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReptileMetaLearnerFactoryTest {
    private static final PluginContext COORDINATOR = PluginContext.standalone(1, null, "reptile");

    @Test
    void isRegisteredUnderItsNameAsWeightSharing() {
        // fedavg is on this module's test class path too (for the epsilon = 1 comparison): the kit counts this jar's
        MetaLearnerFactory found = PluginTestKit.assertRegistered(MetaLearnerFactory.class, ReptileMetaLearnerFactory.class, "reptile");
        assertTrue(found.description().contains("weight sharing"), found.description());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(0.5), Options.from(PluginConfig.empty()));
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        ReptileMetaLearner m = assertInstanceOf(ReptileMetaLearner.class,
                new ReptileMetaLearnerFactory().create(PluginConfig.empty(), COORDINATOR));
        assertTrue(m.sharesWeights());
        assertEquals(0.5, m.options().epsilon());
    }

    @Test
    void readsEveryOptionAndNothingElse() {
        PluginConfig config = PluginConfig.of("metaLearner.config", Map.of("epsilon", 1, "weighting", "samples"));
        assertEquals(new Options(1.0), Options.from(config));
        assertEquals(Set.of("metaLearner.config.weighting"), config.unreadKeys(), "weighting is fedavg's, not reptile's");
        assertEquals(0.1, Options.from(PluginConfig.of("metaLearner.config", Map.of("epsilon", 0.1))).epsilon());
    }

    @Test
    void badValuesAreRefusedNamingTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new ReptileMetaLearnerFactory(), COORDINATOR,
                PluginTestKit.bad("epsilon", 0.0, -0.1, 1.5, 2, "big", Double.NaN, Double.POSITIVE_INFINITY, true));
    }
}
