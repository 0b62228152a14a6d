package io.scarcity.bench.moa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import java.util.List;
import java.util.Map;
import moa.classifiers.trees.HoeffdingTree;
import org.junit.jupiter.api.Test;

class HoeffdingTreeFactoryTest extends FactoryContract {
    @Override
    ExpertFactory factory() {
        return new HoeffdingTreeFactory();
    }

    @Override
    String expectedName() {
        return "moa-ht";
    }

    @Override
    String passThroughOption() {
        return "-b";
    }

    @Override
    String namedOptionInMoaSyntax() {
        return "-g 50";
    }

    @Override
    String namedOptionKey() {
        return "gracePeriod";
    }

    @Override
    List<Map.Entry<String, Object>> badValues() {
        return badTreeValues();
    }

    static List<Map.Entry<String, Object>> badTreeValues() {
        return List.of(Map.entry("gracePeriod", 0), Map.entry("gracePeriod", -5), Map.entry("gracePeriod", 1.5),
                Map.entry("gracePeriod", "often"), Map.entry("splitConfidence", 0.0), Map.entry("splitConfidence", 1.0),
                Map.entry("splitConfidence", -1e-7), Map.entry("tieThreshold", -0.01), Map.entry("tieThreshold", 1.5),
                Map.entry("leafPrediction", "bayes"), Map.entry("leafPrediction", 1), Map.entry("moaOptions", List.of("-b")));
    }

    @Test
    void defaultsAreMoasDefaults() {
        assertEquals(new TreeOptions(200, 1e-7, 0.05, TreeOptions.LeafPrediction.NBA, ""), TreeOptions.from(PluginConfig.empty()));
        assertEquals(TreeOptions.defaults(), TreeOptions.from(PluginConfig.empty()));
        // MOA prints only options that differ from its defaults: none
        assertEquals("trees.HoeffdingTree", create(factory(), Map.of()).commandLine());
    }

    @Test
    void readsEveryOptionIntoMoa() {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.of("gracePeriod", 50, "splitConfidence", 0.01,
                "tieThreshold", 0.1, "leafPrediction", "mc", "moaOptions", "-b"));
        MoaExpert expert = (MoaExpert) factory().create(config, CONTEXT);
        assertTrue(config.unreadKeys().isEmpty(), config.unreadKeys().toString());
        HoeffdingTree tree = (HoeffdingTree) expert.learner();
        assertEquals(50, tree.gracePeriodOption.getValue());
        assertEquals(0.01, tree.splitConfidenceOption.getValue());
        assertEquals(0.1, tree.tieThresholdOption.getValue());
        assertEquals("MC", tree.leafpredictionOption.getChosenLabel());
        assertTrue(tree.binarySplitsOption.isSet());
        for (String[] choice : new String[][] {{"nb", "NB"}, {"nba", "NBAdaptive"}, {"NBA", "NBAdaptive"}}) {
            HoeffdingTree t = (HoeffdingTree) create(factory(), Map.of("leafPrediction", choice[0])).learner();
            assertEquals(choice[1], t.leafpredictionOption.getChosenLabel());
        }
    }

    @Test
    void moaOptionsMayAgreeWithANamedOptionButNotContradictIt() {
        HoeffdingTree tree = (HoeffdingTree) create(factory(), Map.of("gracePeriod", 50, "moaOptions", "-g 50 -b")).learner();
        assertEquals(50, tree.gracePeriodOption.getValue());
        // MOA's default, but not what gracePeriod says
        String message = refused(factory(), Map.of("gracePeriod", 50, "moaOptions", "-g 200")).getMessage();
        assertTrue(message.contains("set gracePeriod instead"), message);
        message = refused(factory(), Map.of("moaOptions", "-l MC")).getMessage();
        assertTrue(message.contains("'leafPrediction'"), message);
    }

    @Test
    void aMoaCommandLineErrorListsTheLearnersOptions() {
        String message = refused(factory(), Map.of("moaOptions", "-Q 1")).getMessage();
        assertTrue(message.contains("Unknown option: -Q"), message);
        assertTrue(message.contains("HoeffdingTree"), message);
        assertTrue(message.contains("-b binarySplits"), message);
    }
}
