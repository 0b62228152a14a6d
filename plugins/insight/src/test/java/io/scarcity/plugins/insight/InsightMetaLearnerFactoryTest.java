package io.scarcity.plugins.insight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InsightMetaLearnerFactoryTest {
    private static final PluginContext COORDINATOR = PluginContext.standalone(1, null, "insight");

    @Test
    void isRegisteredUnderItsName() {
        List<MetaLearnerFactory> found = ServiceLoader.load(MetaLearnerFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(InsightMetaLearnerFactory.class, found.get(0));
        assertEquals("insight", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(200, 0.05), Options.from(PluginConfig.empty()));
        assertInstanceOf(InsightMetaLearner.class, new InsightMetaLearnerFactory().create(PluginConfig.empty(), COORDINATOR));
    }

    @Test
    void readsEveryOptionAndNothingElse() {
        PluginConfig config = PluginConfig.of("coordinator.metaLearner.config", Map.of("window", 10, "temperature", 0.5,
                "priorWeight", 3));
        assertEquals(new Options(10, 0.5), Options.from(config));
        assertEquals(java.util.Set.of("coordinator.metaLearner.config.priorWeight"), config.unreadKeys(),
                "priorWeight belongs to the runtime");
    }

    static List<Arguments> badValues() {
        return List.of(Arguments.of("window", 0), Arguments.of("window", -3), Arguments.of("window", 2.5),
                Arguments.of("temperature", 0.0), Arguments.of("temperature", -1.0), Arguments.of("temperature", "hot"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("coordinator.metaLearner.config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new InsightMetaLearnerFactory().create(config, COORDINATOR));
        assertTrue(e.getMessage().contains("coordinator.metaLearner.config." + key), e.getMessage());
    }
}
