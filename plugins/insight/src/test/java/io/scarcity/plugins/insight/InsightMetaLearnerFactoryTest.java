package io.scarcity.plugins.insight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.scarcity.api.MetaLearnerFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InsightMetaLearnerFactoryTest {
    private static final PluginContext COORDINATOR = PluginContext.standalone(1, null, "insight");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertTheOnlyFactory(MetaLearnerFactory.class, InsightMetaLearnerFactory.class, "insight");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(200, 0.05, false), Options.from(PluginConfig.empty()));
        assertInstanceOf(InsightMetaLearner.class, new InsightMetaLearnerFactory().create(PluginConfig.empty(), COORDINATOR));
    }

    @Test
    void readsEveryOptionAndNothingElse() {
        PluginConfig config = PluginConfig.of("coordinator.metaLearner.config", Map.of("window", 10, "temperature", 0.5,
                "priorWeight", 3));
        assertEquals(new Options(10, 0.5, false), Options.from(config));
        assertEquals(java.util.Set.of("coordinator.metaLearner.config.priorWeight"), config.unreadKeys(),
                "priorWeight belongs to the runtime");
    }

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new InsightMetaLearnerFactory(), COORDINATOR, List.of(PluginTestKit.bad("window", 0),
                PluginTestKit.bad("window", -3), PluginTestKit.bad("window", 2.5), PluginTestKit.bad("temperature", 0.0),
                PluginTestKit.bad("temperature", -1.0), PluginTestKit.bad("temperature", "hot")));
    }
}
