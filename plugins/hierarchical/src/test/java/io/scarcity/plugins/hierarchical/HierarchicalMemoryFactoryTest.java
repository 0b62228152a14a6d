package io.scarcity.plugins.hierarchical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.MemoryFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Task;
import io.scarcity.api.testing.PluginTestKit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HierarchicalMemoryFactoryTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "hierarchical");

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertTheOnlyFactory(MemoryFactory.class, HierarchicalMemoryFactory.class, "hierarchical");
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

    @Test
    void badValueNamesTheKeyPath() {
        PluginTestKit.assertBadOptionsRefused(new HierarchicalMemoryFactory(), CONTEXT, List.of(
                PluginTestKit.bad("workingSize", -1), PluginTestKit.bad("workingSize", "big"), PluginTestKit.bad("episodicSize", -5),
                PluginTestKit.bad("mix.working", -0.1), PluginTestKit.bad("mix.episodic", "half"), PluginTestKit.bad("mix.semantic", -1),
                PluginTestKit.bad("mix", Map.of("working", 0, "episodic", 0, "semantic", 0)), PluginTestKit.bad("mix", 0.5),
                PluginTestKit.bad("episodicSize", Integer.MAX_VALUE), PluginTestKit.bad("episodicPolicy", "fifo"),
                PluginTestKit.bad("promotion", "always"), PluginTestKit.bad("importanceFactor", 0.9),
                PluginTestKit.bad("importanceFactor", "high"), PluginTestKit.bad("semantic", "clusters"),
                PluginTestKit.bad("semanticSize", -1), PluginTestKit.bad("semanticSize", Integer.MAX_VALUE),
                PluginTestKit.bad("codesPerClass", 0), PluginTestKit.bad("replayPolicy", "stratified")));
    }

    @Test
    void needsASchema() {
        PluginTestKit.assertNeedsASchema(new HierarchicalMemoryFactory());
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
