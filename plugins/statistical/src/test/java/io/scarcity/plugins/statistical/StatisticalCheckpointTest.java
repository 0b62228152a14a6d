package io.scarcity.plugins.statistical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kit's checkpoint contract (predictions, signals, learning rate and exported state continue bit for
 * bit, with drift flags, outliers, unlabelled and weighted batches, replay, hints and a learning-rate
 * scale before the save) in every outlier configuration, plus what is the statistical expert's own.
 */
class StatisticalCheckpointTest {
    private static final DataSchema SCHEMA = ExpertTestKit.schema(3, 3);
    private static final DataSchema REGRESSION = ExpertTestKit.schema(3, 0);

    private static Supplier<Expert> maker(DataSchema schema, Map<String, ?> config) {
        return PluginTestKit.maker(new StatisticalExpertFactory(), config, PluginTestKit.context(5, schema, "stat"));
    }

    private static void assertContinuesIdentically(DataSchema schema, Map<String, ?> config) throws IOException {
        ExpertTestKit.assertCheckpointContract(maker(schema, config), schema, "stat", "statistical expert");
    }

    @Test
    void aRestoredClassifierContinuesBitForBit() throws IOException {
        assertContinuesIdentically(SCHEMA, Map.of());
    }

    @Test
    void aRestoredRegressorContinuesBitForBit() throws IOException {
        assertContinuesIdentically(REGRESSION, Map.of());
    }

    @Test
    void checkpointsOfEarlierFormatsAreRefusedSayingSo() throws IOException {
        assertEquals(7, StatisticalExpert.STATE_VERSION);
        PluginTestKit.assertEarlierVersionsRefused(maker(SCHEMA, Map.of()), "statistical expert", StatisticalExpert.STATE_VERSION);
    }

    @Test
    void theOutlierMachineryContinuesBitForBitInEveryConfiguration() throws IOException {
        // the default (full covariance, no down-weighting) is covered above; Huber, a diagonal covariance,
        // rejection, a window
        assertContinuesIdentically(SCHEMA, Map.of("outlierWeighting", "huber"));
        assertContinuesIdentically(SCHEMA, Map.of("maxMahalanobisFeatures", 0, "outlierWeighting", "reject", "outlierWindow", 37));
        assertContinuesIdentically(SCHEMA, Map.of("mahalanobis", false, "outlierWindow", 1000));
        assertContinuesIdentically(SCHEMA, Map.of("mergeLaw", "union"));
        assertContinuesIdentically(REGRESSION, Map.of("outlierWindow", 45, "covarianceShrinkage", 0.3, "outlierWeighting", "huber"));
    }

    /** The clients a union merge stands for (from the meta-parameters) come back with the checkpoint. */
    @Test
    void theClientsAUnionMergeStandsForComeBack() throws IOException {
        Expert a = maker(SCHEMA, Map.of("mergeLaw", "union")).get();
        a.adapt(io.scarcity.api.MetaParameters.none("d", SCHEMA.numFeatures()).with(io.scarcity.api.MetaParameters.CLIENTS, 6), "stat");
        ExpertTestKit.driver(SCHEMA, "stat").drive(a, new Random(1), 0, 1);
        StatisticalMergeLawTest.learn(a, ExpertTestKit.batch(SCHEMA, new Random(2), 0, 20, true, false), true); // a change
        for (int t = 1; t <= 6; t++) { // past the drift boost: only the flag "changed since the last adoption" says so
            StatisticalMergeLawTest.learn(a, ExpertTestKit.batch(SCHEMA, new Random(2 + t), 20L * t, 20, true, false));
        }
        Expert b = maker(SCHEMA, Map.of("mergeLaw", "union")).get();
        PluginTestKit.restore(b, PluginTestKit.save(a));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {6}, b.exportState().weight(UnionMerge.CLIENTS), 0);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1}, b.exportState().weight(UnionMerge.CHANGED), 0);
    }

    @Test
    void aCheckpointOfOtherShapeIsRefused() throws IOException {
        Expert a = maker(SCHEMA, Map.of("learningRate", 0.1)).get();
        ExpertTestKit.driver(SCHEMA, "stat").drive(a, new Random(1), 0, 1);
        byte[] state = PluginTestKit.save(a);
        DataSchema twoFeatures = ExpertTestKit.schema(2, 3);
        IOException shape = assertThrows(IOException.class,
                () -> PluginTestKit.restore(maker(twoFeatures, Map.of("learningRate", 0.1)).get(), state));
        assertTrue(shape.getMessage().contains("3 features") && shape.getMessage().contains("2 features"), shape.getMessage());
    }
}
