package io.scarcity.plugins.reptile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
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

class ReptileMetaLearnerFactoryTest {
    private static final PluginContext COORDINATOR = PluginContext.standalone(1, null, "reptile");

    @Test
    void isRegisteredUnderItsNameAsWeightSharing() {
        // fedavg is on this module's test class path too (for the epsilon = 1 comparison)
        List<MetaLearnerFactory> found = ServiceLoader.load(MetaLearnerFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.getClass().getPackageName().equals(ReptileMetaLearnerFactory.class.getPackageName())).toList();
        assertEquals(1, found.size());
        assertInstanceOf(ReptileMetaLearnerFactory.class, found.get(0));
        assertEquals("reptile", found.get(0).name());
        assertTrue(found.get(0).description().contains("weight sharing"), found.get(0).description());
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

    static List<Arguments> badValues() {
        return List.of(Arguments.of("epsilon", 0.0), Arguments.of("epsilon", -0.1), Arguments.of("epsilon", 1.5),
                Arguments.of("epsilon", 2), Arguments.of("epsilon", "big"), Arguments.of("epsilon", Double.NaN),
                Arguments.of("epsilon", Double.POSITIVE_INFINITY), Arguments.of("epsilon", true));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("metaLearner.config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new ReptileMetaLearnerFactory().create(config, COORDINATOR));
        assertEquals("metaLearner.config." + key, e.path());
        assertTrue(e.getMessage().contains("metaLearner.config." + key), e.getMessage());
    }
}
