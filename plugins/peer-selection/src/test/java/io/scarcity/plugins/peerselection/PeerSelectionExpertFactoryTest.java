package io.scarcity.plugins.peerselection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Task;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PeerSelectionExpertFactoryTest {
    static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final PluginContext CLIENT = PluginContext.standalone(1, SCHEMA, "peer-selection");

    @Test
    void isRegisteredUnderItsName() {
        List<ExpertFactory> found = ServiceLoader.load(ExpertFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(PeerSelectionExpertFactory.class, found.get(0));
        assertEquals("peer-selection", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(16, 0.01, 0.01, false, true), Options.from(PluginConfig.empty()));
        Expert expert = new PeerSelectionExpertFactory().create(PluginConfig.empty(), CLIENT);
        assertFalse(expert.capabilities().predicts());
        assertFalse(expert.capabilities().gossipable());
        // 16 projections + 2 class proportions, plus peer.dims and peer.rows.
        assertEquals(18, ((PeerSelectionExpert) expert).length());
        assertEquals(20, expert.capabilities().writes().size());
        assertTrue(expert.capabilities().writes().contains("peer.sig.17"));
        assertEquals(0.01, expert.learningRate());
    }

    @Test
    void readsEveryOption() {
        PluginConfig config = PluginConfig.of("experts[1].config", Map.of("dimensions", 4, "learningRate", 0.5,
                "noise", 0.0, "squares", true, "labels", false));
        assertEquals(new Options(4, 0.5, 0.0, true, false), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        Expert expert = new PeerSelectionExpertFactory().create(PluginConfig.of("e", Map.of("dimensions", 4,
                "squares", true, "labels", false)), CLIENT);
        assertEquals(8, ((PeerSelectionExpert) expert).length());
    }

    static List<Arguments> badValues() {
        return List.of(Arguments.of("dimensions", 0), Arguments.of("dimensions", 5000), Arguments.of("learningRate", 0.0),
                Arguments.of("learningRate", 1.5), Arguments.of("noise", -0.1), Arguments.of("noise", "loud"),
                Arguments.of("squares", "yes"), Arguments.of("labels", 1), Arguments.of("classMeans", "yes"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(String key, Object value) {
        PluginConfig config = PluginConfig.of("experts[1].config", Map.of(key, value));
        ConfigException e = assertThrows(ConfigException.class, () -> new PeerSelectionExpertFactory().create(config, CLIENT));
        assertTrue(e.getMessage().contains("experts[1].config." + key), e.getMessage());
    }

    @Test
    void aContextWithoutSchemaIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new PeerSelectionExpertFactory()
                .create(PluginConfig.empty(), PluginContext.standalone(1, null, "peer-selection")));
        assertTrue(e.getMessage().contains("schema"), e.getMessage());
    }

    @Test
    void classMeansIsOffByDefaultAndAddsClassesTimesDimensions() {
        assertFalse(Options.from(PluginConfig.empty()).classMeans());
        PluginConfig config = PluginConfig.of("experts[1].config", Map.of("classMeans", true));
        assertEquals(new Options(16, 0.01, 0.01, false, true, true), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        Expert expert = new PeerSelectionExpertFactory().create(config, CLIENT);
        // 16 projections + 2 proportions + 2 classes x 16.
        assertEquals(50, ((PeerSelectionExpert) expert).length());
        assertEquals(52, expert.capabilities().writes().size());
    }

    @Test
    void tooManyClassMeanCoordinatesAreRefused() {
        List<String> classes = java.util.stream.IntStream.range(0, 65).mapToObj(i -> "k" + i).toList();
        DataSchema many = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, classes);
        PluginConfig config = PluginConfig.of("experts[1].config", Map.of("classMeans", true, "dimensions", 1024));
        ConfigException e = assertThrows(ConfigException.class, () -> new PeerSelectionExpertFactory().create(config,
                PluginContext.standalone(1, many, "peer-selection")));
        assertTrue(e.getMessage().contains("experts[1].config.classMeans"), e.getMessage());
        assertTrue(e.getMessage().contains("65 x 1024"), e.getMessage());
        // Without classMeans the same schema is fine.
        new PeerSelectionExpertFactory().create(PluginConfig.of("e", Map.of("dimensions", 1024)),
                PluginContext.standalone(1, many, "peer-selection"));
    }
}
