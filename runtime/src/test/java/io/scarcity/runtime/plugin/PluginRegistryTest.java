package io.scarcity.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.PluginKind;
import io.scarcity.runtime.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginRegistryTest {
    private final ClassLoader cl = getClass().getClassLoader();

    @Test
    void serviceLoaderFindsTheShippedPluginsOnTheClassPath() {
        try (PluginRegistry r = PluginRegistry.load(null, cl)) {
            assertTrue(r.names(PluginKind.EXPERT).containsAll(java.util.List.of("statistical", "drift", "geometry", "reconstruction", "temporal", "governance", "causal", "peer-selection", "meta-adaptation", "memory-consolidation")), r.names(PluginKind.EXPERT).toString());
            assertEquals(java.util.List.of("all", "epsilon-greedy", "random", "round-robin", "softmax-gate", "thompson", "ucb", "variance"), r.names(PluginKind.ROUTER));
            assertEquals(java.util.List.of("hierarchical"), r.names(PluginKind.MEMORY));
            assertEquals(java.util.List.of("fedavg", "insight", "reptile"), r.names(PluginKind.META_LEARNER));
            assertEquals(java.util.List.of("domain", "random-pairs", "similarity"), r.names(PluginKind.GOSSIP));
            InstalledPlugin stat = r.require(PluginKind.EXPERT, "statistical", "x");
            assertTrue(stat.origin().startsWith("classpath:"), stat.origin());
        }
    }

    @Test
    void pf4jLoadsAnArchiveBuiltOnTheFlyInItsOwnClassLoader(@TempDir Path dir) throws Exception {
        Path plugins = dir.resolve("plugins");
        PluginArchives.build(plugins, "majority", "test.majority",
                PluginArchives.majorityExpertSource("test.majority", "majority"), ">=0.2.0 & <1.0.0");
        try (PluginRegistry r = PluginRegistry.load(plugins, cl)) {
            InstalledPlugin p = r.require(PluginKind.EXPERT, "majority", "experts[0].plugin");
            assertEquals("plugin:majority@majority.jar", p.origin());
            assertEquals("1.2.3", p.version());
            assertEquals("Predicts the recent majority class (example third-party plugin)", p.description());
            ClassLoader pluginLoader = p.factory().getClass().getClassLoader();
            assertNotSame(cl, pluginLoader);
            assertTrue(pluginLoader.getClass().getName().startsWith("org.pf4j."), pluginLoader.getClass().getName());
            // the class-path plugins are still there beside it
            assertTrue(r.names(PluginKind.EXPERT).contains("statistical"));
        }
    }

    @Test
    void twoFactoriesWithOneNameFailNamingBothOrigins(@TempDir Path dir) throws Exception {
        Path plugins = dir.resolve("plugins");
        PluginArchives.build(plugins, "impostor", "test.impostor",
                PluginArchives.majorityExpertSource("test.impostor", "statistical"), ">=0.1.0");
        UserException e = assertThrows(UserException.class, () -> PluginRegistry.load(plugins, cl));
        assertTrue(e.getMessage().contains("two expert plugins are named 'statistical'"), e.getMessage());
        assertTrue(e.getMessage().contains("classpath:"), e.getMessage());
        assertTrue(e.getMessage().contains("plugin:impostor@impostor.jar"), e.getMessage());
    }

    @Test
    void pluginRequiringAnotherApiVersionIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Path plugins = dir.resolve("plugins");
        PluginArchives.build(plugins, "future", "test.future",
                PluginArchives.majorityExpertSource("test.future", "future"), ">=9.0.0");
        UserException e = assertThrows(UserException.class, () -> PluginRegistry.load(plugins, cl));
        assertTrue(e.getMessage().contains("plugin 'future'"), e.getMessage());
        assertTrue(e.getMessage().contains("requires API >=9.0.0"), e.getMessage());
        assertTrue(e.getMessage().contains("provides API " + io.scarcity.api.ApiVersion.current()), e.getMessage());
    }

    @Test
    void brokenOrForeignJarsInThePluginsFolderAreNamedNotSkipped(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(plugins.resolve("broken.jar"), "not a zip");
        UserException broken = assertThrows(UserException.class, () -> PluginRegistry.load(plugins, cl));
        assertTrue(broken.getMessage().contains("broken.jar is not a readable jar"), broken.getMessage());
        Files.delete(plugins.resolve("broken.jar"));

        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(plugins.resolve("plain.jar")))) {
            out.putNextEntry(new java.util.jar.JarEntry("a.txt"));
            out.write(1);
            out.closeEntry();
        }
        UserException plain = assertThrows(UserException.class, () -> PluginRegistry.load(plugins, cl));
        assertTrue(plain.getMessage().contains("plain.jar has no Plugin-Id"), plain.getMessage());
        Files.delete(plugins.resolve("plain.jar"));

        PluginArchives.build(plugins, "majority", "test.one", PluginArchives.majorityExpertSource("test.one", "one"), ">=0.1.0");
        Path second = PluginArchives.build(dir.resolve("other"), "majority", "test.two",
                PluginArchives.majorityExpertSource("test.two", "two"), ">=0.1.0");
        Files.copy(second, plugins.resolve("majority-old.jar"));
        UserException twice = assertThrows(UserException.class, () -> PluginRegistry.load(plugins, cl));
        assertTrue(twice.getMessage().contains("two plugin archives have Plugin-Id 'majority'"), twice.getMessage());
        assertTrue(twice.getMessage().contains("majority-old.jar") && twice.getMessage().contains("majority.jar"), twice.getMessage());
    }

    @Test
    void unknownPluginNameListsTheInstalledOnes() {
        try (PluginRegistry r = PluginRegistry.load(null, cl)) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> r.require(PluginKind.ROUTER, "thompsonn", "router.plugin"));
            assertEquals("router.plugin", e.path());
            assertTrue(e.getMessage().contains("unknown router plugin 'thompsonn'"), e.getMessage());
            assertTrue(e.getMessage().contains("(did you mean 'thompson'?)"), e.getMessage());
            assertTrue(e.getMessage().contains("installed router plugins: all, epsilon-greedy, random, round-robin, softmax-gate, thompson, ucb, variance"),
                    e.getMessage());
        }
    }

    @Test
    void missingPluginsFolderIsAUserError(@TempDir Path dir) {
        UserException e = assertThrows(UserException.class, () -> PluginRegistry.load(dir.resolve("nope"), cl));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("nope")));
    }

    @Test
    void aMisspeltNameIsMatchedToTheNearestInstalledOneWithinTwoEdits() {
        java.util.List<String> installed = java.util.List.of("epsilon-greedy", "random", "round-robin", "thompson", "ucb");
        assertEquals("thompson", PluginRegistry.closest("thompsonn", installed));
        assertEquals("round-robin", PluginRegistry.closest("roundrobin", installed));
        assertEquals("ucb", PluginRegistry.closest("UCB", installed));
        assertEquals(null, PluginRegistry.closest("linucb-ctx", installed), "too far from everything");
        assertEquals(3, PluginRegistry.editDistance("kitten", "sitting"));
        assertEquals(0, PluginRegistry.editDistance("", ""));
    }
}
