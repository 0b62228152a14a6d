package io.scarcity.bench.moa;

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
import java.util.Optional;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** What every MOA expert factory must do; each learner's test class adds its own options. */
abstract class FactoryContract {
    static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "class"), Task.CLASSIFICATION, List.of("x", "y", "z"));
    static final PluginContext CONTEXT = PluginContext.standalone(1, SCHEMA, "moa");

    abstract ExpertFactory factory();

    abstract String expectedName();

    static MoaExpert create(ExpertFactory factory, Map<String, ?> config) {
        return (MoaExpert) factory.create(PluginConfig.of("experts[0].config", config), CONTEXT);
    }

    static ConfigException refused(ExpertFactory factory, Map<String, ?> config) {
        return assertThrows(ConfigException.class, () -> create(factory, config));
    }

    /** A context whose random numbers come from {@code new Random(seed)}. */
    static PluginContext seeded(long seed, DataSchema schema) {
        return new PluginContext() {
            @Override
            public Random random() {
                return new Random(seed);
            }

            @Override
            public Optional<DataSchema> schema() {
                return Optional.of(schema);
            }
        };
    }

    @Test
    void isRegisteredUnderItsName() {
        List<ExpertFactory> found = ServiceLoader.load(ExpertFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals(expectedName())).toList();
        assertEquals(1, found.size(), "factories named " + expectedName());
        assertInstanceOf(factory().getClass(), found.get(0));
        assertFalse(found.get(0).description().isBlank());
        assertTrue(found.get(0).description().contains("GPL-3"), found.get(0).description());
    }

    @Test
    void declaresAPredictingNonGossipableExpertWithoutSignalsOrRate() {
        Expert expert = create(factory(), Map.of());
        assertTrue(expert.capabilities().predicts());
        assertFalse(expert.capabilities().gossipable());
        assertTrue(expert.capabilities().reads().isEmpty());
        assertTrue(expert.capabilities().writes().isEmpty());
        assertTrue(Double.isNaN(expert.learningRate()));
    }

    @Test
    void moaOptionsArePassedToMoa() {
        MoaExpert expert = create(factory(), Map.of("moaOptions", " " + passThroughOption() + " "));
        assertTrue(expert.commandLine().contains(passThroughOption()), expert.commandLine());
        assertFalse(create(factory(), Map.of()).commandLine().contains(passThroughOption()));
    }

    /** A valid MOA option that no named option covers, e.g. {@code -b}. */
    abstract String passThroughOption();

    @Test
    void badMoaOptionsAreAConfigErrorNamingMoaOptions() {
        for (String bad : List.of("-zzz 3", "-Q", "banana", "-s (NoSuchClass)", "(unbalanced", "-m abc")) {
            ConfigException e = refused(factory(), Map.of("moaOptions", bad));
            assertEquals("experts[0].config.moaOptions", e.path(), bad + " -> " + e.getMessage());
            assertTrue(e.getMessage().contains("MOA rejected '" + bad + "'"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void moaOptionsCannotOverrideANamedOption() {
        ConfigException e = refused(factory(), Map.of("moaOptions", namedOptionInMoaSyntax()));
        assertEquals("experts[0].config.moaOptions", e.path());
        assertTrue(e.getMessage().contains(namedOptionKey()), e.getMessage());
    }

    /** A MOA option that one of the named options controls, with a non-default value. */
    abstract String namedOptionInMoaSyntax();

    abstract String namedOptionKey();

    @Test
    void refusesARegressionStream() {
        DataSchema regression = new DataSchema(List.of("a", "b"), Task.REGRESSION, null);
        ConfigException e = assertThrows(ConfigException.class, () -> factory().create(
                PluginConfig.of("experts[0].config", Map.of()), PluginContext.standalone(1, regression, expectedName())));
        assertEquals("experts[0].config", e.path());
        assertTrue(e.getMessage().contains("classification only"), e.getMessage());
        assertTrue(e.getMessage().contains("regression"), e.getMessage());
    }

    @Test
    void needsASchema() {
        ConfigException e = assertThrows(ConfigException.class, () -> factory().create(
                PluginConfig.of("experts[0].config", Map.of()), PluginContext.standalone(1, null, expectedName())));
        assertTrue(e.getMessage().contains("schema"), e.getMessage());
    }

    @Test
    void badValueNamesTheKeyPath() {
        for (Map.Entry<String, Object> bad : badValues()) {
            PluginConfig config = PluginConfig.of("experts[0].config", Map.of(bad.getKey(), bad.getValue()));
            ConfigException e = assertThrows(ConfigException.class, () -> factory().create(config, CONTEXT),
                    bad.toString());
            assertEquals("experts[0].config." + bad.getKey(), e.path(), bad + " -> " + e.getMessage());
        }
    }

    abstract List<Map.Entry<String, Object>> badValues();
}
