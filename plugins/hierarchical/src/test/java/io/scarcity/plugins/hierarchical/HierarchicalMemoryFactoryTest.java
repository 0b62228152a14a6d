package io.scarcity.plugins.hierarchical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.MemoryFactory;
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

class HierarchicalMemoryFactoryTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "hierarchical");

    @Test
    void isRegisteredUnderItsName() {
        List<MemoryFactory> found = ServiceLoader.load(MemoryFactory.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(HierarchicalMemoryFactory.class, found.get(0));
        assertEquals("hierarchical", found.get(0).name());
        assertFalse(found.get(0).description().isBlank());
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        assertEquals(new Options(256, 512, 0.25, 0.5, 0.25), Options.from(PluginConfig.empty()));
        assertInstanceOf(HierarchicalMemory.class, new HierarchicalMemoryFactory().create(PluginConfig.empty(), CONTEXT));
    }

    @Test
    void readsEveryOptionIncludingTheNestedMix() {
        PluginConfig config = PluginConfig.of("memory.config", Map.of("workingSize", 10, "episodicSize", 20,
                "mix", Map.of("working", 1, "episodic", 0.0, "semantic", 2.5)));
        assertEquals(new Options(10, 20, 1.0, 0.0, 2.5), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
    }

    @Test
    void readsEveryPolicyOption() {
        PluginConfig config = PluginConfig.of("memory.config", Map.of("episodicPolicy", "class-balanced",
                "promotion", "both", "importanceFactor", 2, "semantic", "codes", "semanticSize", 40, "codesPerClass", 3,
                "replayPolicy", "class-balanced"));
        assertEquals(new Options(256, 512, 0.25, 0.5, 0.25, Options.EpisodicPolicy.CLASS_BALANCED, Options.Promotion.BOTH,
                2.0, Options.Semantic.CODES, 40, 3, Options.ReplayPolicy.CLASS_BALANCED), Options.from(config));
        assertTrue(config.unreadKeys().isEmpty());
        assertEquals(new Options(256, 512, 0.25, 0.5, 0.25, Options.EpisodicPolicy.RESERVOIR, Options.Promotion.DRIFT,
                1.5, Options.Semantic.PROTOTYPES, 256, 16, Options.ReplayPolicy.UNIFORM), Options.from(PluginConfig.empty()),
                "the policies' defaults keep the memory's original behaviour");
    }

    @Test
    void aBadPolicyNamesItsChoices() {
        ConfigException e = assertThrows(ConfigException.class, () -> new HierarchicalMemoryFactory().create(
                PluginConfig.of("memory.config", Map.of("episodicPolicy", "fifo")), CONTEXT));
        assertTrue(e.getMessage().contains("reservoir") && e.getMessage().contains("class-balanced"), e.getMessage());
        ConfigException factor = assertThrows(ConfigException.class, () -> new HierarchicalMemoryFactory().create(
                PluginConfig.of("memory.config", Map.of("importanceFactor", 0.5)), CONTEXT));
        assertTrue(factor.getMessage().contains(">= 1"), factor.getMessage());
    }

    @Test
    void aTypoInTheMixIsReportedAsUnread() {
        PluginConfig config = PluginConfig.of("memory.config", Map.of("mix", Map.of("workin", 1.0)));
        Options.from(config);
        assertEquals(java.util.Set.of("memory.config.mix.workin"), config.unreadKeys());
    }

    static List<Arguments> badValues() {
        return List.of(
                Arguments.of(Map.of("workingSize", -1), "memory.config.workingSize"),
                Arguments.of(Map.of("workingSize", "big"), "memory.config.workingSize"),
                Arguments.of(Map.of("episodicSize", -5), "memory.config.episodicSize"),
                Arguments.of(Map.of("mix", Map.of("working", -0.1)), "memory.config.mix.working"),
                Arguments.of(Map.of("mix", Map.of("episodic", "half")), "memory.config.mix.episodic"),
                Arguments.of(Map.of("mix", Map.of("semantic", -1)), "memory.config.mix.semantic"),
                Arguments.of(Map.of("mix", Map.of("working", 0, "episodic", 0, "semantic", 0)), "memory.config.mix"),
                Arguments.of(Map.of("mix", 0.5), "memory.config.mix"),
                Arguments.of(Map.of("episodicSize", Integer.MAX_VALUE), "memory.config.episodicSize"),
                Arguments.of(Map.of("episodicPolicy", "fifo"), "memory.config.episodicPolicy"),
                Arguments.of(Map.of("promotion", "always"), "memory.config.promotion"),
                Arguments.of(Map.of("importanceFactor", 0.9), "memory.config.importanceFactor"),
                Arguments.of(Map.of("importanceFactor", "high"), "memory.config.importanceFactor"),
                Arguments.of(Map.of("semantic", "clusters"), "memory.config.semantic"),
                Arguments.of(Map.of("semanticSize", -1), "memory.config.semanticSize"),
                Arguments.of(Map.of("semanticSize", Integer.MAX_VALUE), "memory.config.semanticSize"),
                Arguments.of(Map.of("codesPerClass", 0), "memory.config.codesPerClass"),
                Arguments.of(Map.of("replayPolicy", "stratified"), "memory.config.replayPolicy"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueNamesTheKeyPath(Map<String, Object> values, String path) {
        PluginConfig config = PluginConfig.of("memory.config", values);
        ConfigException e = assertThrows(ConfigException.class, () -> new HierarchicalMemoryFactory().create(config, CONTEXT));
        assertTrue(e.getMessage().contains(path), e.getMessage());
        assertEquals(path, e.path());
    }

    @Test
    void needsASchema() {
        ConfigException e = assertThrows(ConfigException.class, () -> new HierarchicalMemoryFactory()
                .create(PluginConfig.of("memory.config", Map.of()), PluginContext.standalone(1, null, "hierarchical")));
        assertTrue(e.getMessage().contains("schema"), e.getMessage());
    }

    @Test
    void quotasFollowTheMixAndPassOverflowOn() {
        double[] mix = {0.25, 0.5, 0.25};
        assertArrayEquals(new int[] {25, 50, 25}, HierarchicalMemory.quotas(100, new int[] {256, 512, 30}, mix));
        // Two prototypes only: the other 23 rows are split 1:2 between working and episodic.
        assertArrayEquals(new int[] {33, 65, 2}, HierarchicalMemory.quotas(100, new int[] {256, 512, 2}, mix));
        // Empty tiers are skipped and the shares renormalised.
        assertArrayEquals(new int[] {0, 7, 3}, HierarchicalMemory.quotas(10, new int[] {0, 512, 5}, mix));
        // Never more than is stored.
        assertArrayEquals(new int[] {4, 6, 2}, HierarchicalMemory.quotas(100, new int[] {4, 6, 2}, mix));
        // A share of 0 is never replayed, even when nothing else is stored.
        assertArrayEquals(new int[] {0, 0, 0}, HierarchicalMemory.quotas(10, new int[] {5, 0, 0}, new double[] {0, 1, 1}));
    }
}
