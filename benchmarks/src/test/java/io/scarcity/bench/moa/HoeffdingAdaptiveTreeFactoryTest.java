package io.scarcity.bench.moa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import java.util.List;
import java.util.Map;
import moa.classifiers.trees.HoeffdingAdaptiveTree;
import org.junit.jupiter.api.Test;

class HoeffdingAdaptiveTreeFactoryTest extends FactoryContract {
    @Override
    ExpertFactory factory() {
        return new HoeffdingAdaptiveTreeFactory();
    }

    @Override
    String expectedName() {
        return "moa-hat";
    }

    @Override
    String passThroughOption() {
        return "-b";
    }

    @Override
    String namedOptionInMoaSyntax() {
        return "-l MC";
    }

    @Override
    String namedOptionKey() {
        return "leafPrediction";
    }

    @Override
    List<Map.Entry<String, Object>> badValues() {
        return HoeffdingTreeFactoryTest.badTreeValues();
    }

    @Test
    void defaultsAreMoasDefaults() {
        assertEquals(TreeOptions.defaults(), TreeOptions.from(PluginConfig.empty()));
        MoaExpert expert = create(factory(), Map.of());
        assertEquals("trees.HoeffdingAdaptiveTree", expert.commandLine());
        assertTrue(expert.learner() instanceof HoeffdingAdaptiveTree);
    }

    @Test
    void readsEveryOptionIntoMoa() {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.of("gracePeriod", 100, "splitConfidence", 1e-4,
                "tieThreshold", 0.02, "leafPrediction", "nb"));
        HoeffdingAdaptiveTree tree = (HoeffdingAdaptiveTree) ((MoaExpert) factory().create(config, CONTEXT)).learner();
        assertTrue(config.unreadKeys().isEmpty(), config.unreadKeys().toString());
        assertEquals(100, tree.gracePeriodOption.getValue());
        assertEquals(1e-4, tree.splitConfidenceOption.getValue());
        assertEquals(0.02, tree.tieThresholdOption.getValue());
        assertEquals("NB", tree.leafpredictionOption.getChosenLabel());
    }

    @Test
    void isNotGivenASeedBecauseMoaHasNoSeedOptionForIt() {
        // -r of a Hoeffding tree is the removePoorAtts flag, not a seed: it must not be set
        HoeffdingAdaptiveTree tree = (HoeffdingAdaptiveTree) create(factory(), Map.of()).learner();
        assertFalse(tree.isRandomizable());
        assertEquals("", tree.getOptions().getAsCLIString());
    }
}
