package io.scarcity.bench.moa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.yahoo.labs.samoa.instances.InstancesHeader;
import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import moa.classifiers.meta.AdaptiveRandomForest;
import org.junit.jupiter.api.Test;

class AdaptiveRandomForestFactoryTest extends FactoryContract {
    @Override
    ExpertFactory factory() {
        return new AdaptiveRandomForestFactory();
    }

    @Override
    String expectedName() {
        return "moa-arf";
    }

    @Override
    String passThroughOption() {
        return "-w";
    }

    @Override
    String namedOptionInMoaSyntax() {
        return "-s 100";
    }

    @Override
    String namedOptionKey() {
        return "ensembleSize";
    }

    @Override
    List<Map.Entry<String, Object>> badValues() {
        return List.of(Map.entry("ensembleSize", 0), Map.entry("ensembleSize", "many"), Map.entry("lambda", 0.5),
                Map.entry("lambda", "six"), Map.entry("features", "abc"), Map.entry("features", 0),
                Map.entry("features", -3), Map.entry("features", "0%"), Map.entry("features", "101%"),
                Map.entry("features", 2.5), Map.entry("threads", -1), Map.entry("threads", "all"));
    }

    private static AdaptiveRandomForest forest(Map<String, ?> config) {
        return (AdaptiveRandomForest) create(new AdaptiveRandomForestFactory(), config).learner();
    }

    @Test
    void defaultsAreMoasExceptTenTrees() {
        assertEquals(new ForestOptions(10, 6.0, ForestOptions.Features.percent(60), 0, ""),
                ForestOptions.from(PluginConfig.empty()));
        AdaptiveRandomForest forest = forest(Map.of());
        AdaptiveRandomForest moaDefaults = new AdaptiveRandomForest();
        assertEquals(10, forest.ensembleSizeOption.getValue());
        assertEquals(100, moaDefaults.ensembleSizeOption.getValue());
        // everything else as MOA has it
        AdaptiveRandomForest moaWithTenTrees = new AdaptiveRandomForest();
        moaWithTenTrees.ensembleSizeOption.setValue(10);
        assertEquals(moaWithTenTrees.getOptions().getAsCLIString(), forest.getOptions().getAsCLIString());
        assertEquals(moaDefaults.mFeaturesModeOption.getChosenIndex(), forest.mFeaturesModeOption.getChosenIndex());
        assertEquals(moaDefaults.mFeaturesPerTreeSizeOption.getValue(), forest.mFeaturesPerTreeSizeOption.getValue());
        assertEquals(moaDefaults.lambdaOption.getValue(), forest.lambdaOption.getValue());
    }

    @Test
    void readsEveryOptionIntoMoa() {
        PluginConfig config = PluginConfig.of("experts[0].config", Map.of("ensembleSize", 3, "lambda", 2.0,
                "features", "sqrt", "threads", 0, "moaOptions", "-w"));
        AdaptiveRandomForest forest = (AdaptiveRandomForest) ((MoaExpert) factory().create(config, CONTEXT)).learner();
        assertTrue(config.unreadKeys().isEmpty(), config.unreadKeys().toString());
        assertEquals(3, forest.ensembleSizeOption.getValue());
        assertEquals(2.0, forest.lambdaOption.getValue());
        assertEquals("sqrt(M)+1", forest.mFeaturesModeOption.getChosenLabel());
        assertEquals(1, forest.numberOfJobsOption.getValue()); // MOA's default: the calling thread
        assertTrue(forest.disableWeightedVote.isSet());
    }

    @Test
    void featuresAreACountASquareRootOrAPercentage() {
        AdaptiveRandomForest count = forest(Map.of("features", 2));
        assertEquals("Specified m (integer value)", count.mFeaturesModeOption.getChosenLabel());
        assertEquals(2, count.mFeaturesPerTreeSizeOption.getValue());
        AdaptiveRandomForest percent = forest(Map.of("features", "25%"));
        assertEquals("Percentage (M * (m / 100))", percent.mFeaturesModeOption.getChosenLabel());
        assertEquals(25, percent.mFeaturesPerTreeSizeOption.getValue());
        assertEquals("sqrt(M)+1", forest(Map.of("features", "SQRT")).mFeaturesModeOption.getChosenLabel());
        assertEquals("60%", ForestOptions.DEFAULT_FEATURES.toString());
    }

    @Test
    void isMoasForestSeededFromTheContextsRandom() {
        List<Batch> batches = Sea.batches(Sea.source(Map.of(), 21), 20, 100);
        MoaExpert expert = (MoaExpert) factory().create(PluginConfig.empty(), seeded(123, Sea.SCHEMA));
        // the same forest built by hand with MOA's API, seeded with the context's first int
        AdaptiveRandomForest moa = new AdaptiveRandomForest();
        moa.ensembleSizeOption.setValue(10);
        moa.setRandomSeed(new Random(123).nextInt());
        moa.prepareForUse();
        InstancesHeader header = MoaExpert.header(Sea.SCHEMA);
        moa.setModelContext(header);
        MoaExpert byHand = new MoaExpert("moa-arf", moa, header, Sea.SCHEMA);
        double[] ours = trace(expert, batches);
        assertArrayEquals(trace(byHand, batches), ours);
        MoaExpert otherSeed = (MoaExpert) factory().create(PluginConfig.empty(), seeded(124, Sea.SCHEMA));
        assertFalse(Arrays.equals(trace(otherSeed, batches), ours), "the seed is used");
    }

    private static double[] trace(Expert expert, List<Batch> batches) {
        SignalBoard signals = new InMemorySignalBoard();
        double[] out = new double[batches.size() * batches.get(0).rows()];
        int at = 0;
        for (Batch b : batches) {
            Prediction p = expert.predict(b, signals);
            for (int r = 0; r < b.rows(); r++) {
                out[at++] = p.probability(r, 0);
            }
            expert.learn(b, new BatchOutcome(p, new double[b.rows()], 1), signals);
        }
        return out;
    }

    @Test
    void moaOptionsMayRepeatWhatTheNamedOptionsSet() {
        assertEquals(10, forest(Map.of("moaOptions", "-s 10 -o 3 -m 60")).ensembleSizeOption.getValue());
        String message = refused(factory(), Map.of("features", "sqrt", "moaOptions", "-o 3")).getMessage();
        assertTrue(message.contains("'features'"), message);
    }

    @Test
    void threadsSetMoasJobs() {
        assertEquals(2, forest(Map.of("threads", 2)).numberOfJobsOption.getValue());
        assertEquals(1, forest(Map.of("threads", 1)).numberOfJobsOption.getValue());
    }
}
