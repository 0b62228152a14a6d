package io.scarcity.plugins.fedavg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.MetaLearner;
import io.scarcity.api.MetaLearnerFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FedAvgMetaLearnerFactoryTest {
    private static final PluginContext COORDINATOR = PluginContext.standalone(1, null, "fedavg");

    @Test
    void isRegisteredUnderItsNameAsAWeightSharingBaseline() {
        List<MetaLearnerFactory> found = ServiceLoader.load(MetaLearnerFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(FedAvgMetaLearnerFactory.class, found.get(0));
        assertEquals("fedavg", found.get(0).name());
        assertTrue(found.get(0).description().contains("weight sharing baseline"), found.get(0).description());
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

    static List<Arguments> badValues() {
        return List.of(Arguments.of("weighting", "loss"), Arguments.of("weighting", 3), Arguments.of("weighting", true),
                Arguments.of("weighting", List.of("samples")), Arguments.of("weighting", ""));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("metaLearner.config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new FedAvgMetaLearnerFactory().create(config, COORDINATOR));
        assertEquals("metaLearner.config." + key, e.path());
        assertTrue(e.getMessage().contains("metaLearner.config." + key), e.getMessage());
    }
}
