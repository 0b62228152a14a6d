package io.scarcity.plugins.fedavg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaLearnerFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FedAvgMetaLearnerFactoryTest {
    private static final PluginContext COORDINATOR = PluginContext.standalone(1, null, "fedavg");

    @Test
    void isRegisteredUnderItsNameAsAWeightSharingBaseline() {
        MetaLearnerFactory found = PluginTestKit.assertRegistered(MetaLearnerFactory.class, FedAvgMetaLearnerFactory.class, "fedavg");
        assertTrue(found.description().contains("weight sharing baseline"), found.description());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(Options.Weighting.SAMPLES), Options.from(PluginConfig.empty()));
        assertEquals(Options.defaults(), Options.from(PluginConfig.empty()));
        MetaLearner m = new FedAvgMetaLearnerFactory().create(PluginConfig.empty(), COORDINATOR);
        FedAvgMetaLearner fedavg = assertInstanceOf(FedAvgMetaLearner.class, m);
        assertTrue(fedavg.sharesWeights());
        assertEquals(Options.Weighting.SAMPLES, fedavg.options().weighting());
    }

    @Test
    void readsEveryOptionAndNothingElse() {
        PluginConfig config = PluginConfig.of("metaLearner.config", Map.of("weighting", "Consensus", "epsilon", 1.0));
        assertEquals(new Options(Options.Weighting.CONSENSUS), Options.from(config));
        assertEquals(Set.of("metaLearner.config.epsilon"), config.unreadKeys(), "epsilon is reptile's, not fedavg's");
        PluginConfig samples = PluginConfig.of("metaLearner.config", Map.of("weighting", "samples"));
        assertEquals(Options.Weighting.SAMPLES, Options.from(samples).weighting());
    }

    @Test
    void badValuesAreRefusedNamingTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new FedAvgMetaLearnerFactory(), COORDINATOR,
                PluginTestKit.bad("weighting", "loss", 3, true, List.of("samples"), ""));
    }
}
