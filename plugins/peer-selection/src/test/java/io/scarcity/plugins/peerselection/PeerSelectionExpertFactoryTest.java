package io.scarcity.plugins.peerselection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Task;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerSelectionExpertFactoryTest {
    static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final PluginContext CLIENT = PluginContext.standalone(1, SCHEMA, "peer-selection");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertTheOnlyFactory(ExpertFactory.class, PeerSelectionExpertFactory.class, "peer-selection");
    }

    @Test
    void aContextWithoutASchemaIsAConfigErrorNamingTheExpert() {
        PluginContext noSchema = PluginContext.standalone(1, null, "peer-selection");
        ConfigException e = assertThrows(ConfigException.class,
                () -> new PeerSelectionExpertFactory().create(PluginConfig.of("experts[3].config", Map.of()), noSchema));
        assertEquals("experts[3].config", e.path());
        assertTrue(e.getMessage().contains("peer-selection") && e.getMessage().contains("schema"), e.getMessage());
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

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new PeerSelectionExpertFactory(), CLIENT, List.of(PluginTestKit.bad("dimensions", 0),
                PluginTestKit.bad("dimensions", 5000), PluginTestKit.bad("learningRate", 0.0), PluginTestKit.bad("learningRate", 1.5),
                PluginTestKit.bad("noise", -0.1), PluginTestKit.bad("noise", "loud"), PluginTestKit.bad("squares", "yes"),
                PluginTestKit.bad("labels", 1), PluginTestKit.bad("classMeans", "yes")));
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

    @Test
    void withoutASchemaTheFactoryNamesTheKeyInsteadOfThrowingAnInternalError() {
        io.scarcity.api.testing.PluginTestKit.assertNeedsASchema(new PeerSelectionExpertFactory());
    }
}
