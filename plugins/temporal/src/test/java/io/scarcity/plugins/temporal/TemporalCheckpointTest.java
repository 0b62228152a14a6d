package io.scarcity.plugins.temporal;

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
 * The kit's checkpoint contract (predictions, the forecast-error signal, learning rate, exported state and
 * importance continue bit for bit, across a gap in the stream whose windows need the restored history,
 * with unlabelled batches, hints, a learning-rate scale and an EWC penalty before the save), the kit's
 * gossip contract, plus what is the temporal expert's own.
 */
class TemporalCheckpointTest {
    private static final DataSchema CLASSES = ExpertTestKit.schema(3, 3);
    private static final DataSchema REGRESSION = ExpertTestKit.schema(3, 0);

    private static Supplier<Expert> maker(DataSchema schema, Map<String, ?> config) {
        return PluginTestKit.maker(new TemporalExpertFactory(), config, PluginTestKit.context(5, schema, "temporal"));
    }

    private static void assertContinuesIdentically(DataSchema schema, Map<String, ?> config) throws IOException {
        Expert probe = maker(schema, config).get();
        ExpertTestKit.driver(schema, "temporal").drive(probe, new Random(1), 0, 8);
        assertTrue(((TemporalExpert) probe).penaltyStrength() > 0, "the kit's driver penalises the expert before a save");
        ExpertTestKit.assertCheckpointContract(maker(schema, config), schema, "temporal", "temporal expert");
    }

    @Test
    void aRestoredClassifierContinuesBitForBit() throws IOException {
        assertContinuesIdentically(CLASSES, Map.of());
    }

    @Test
    void aRestoredTwoLayerRegressorContinuesBitForBit() throws IOException {
        assertContinuesIdentically(REGRESSION, Map.of("layers", 2, "window", 5));
        assertContinuesIdentically(REGRESSION, Map.of("layers", 2, "window", 5, "backend", "java"));
    }

    @Test
    void mergingStatesKeepsTheGossipContract() {
        ExpertTestKit.assertGossipContract(maker(CLASSES, Map.of()), CLASSES, "temporal", 0);
        ExpertTestKit.assertGossipContract(maker(REGRESSION, Map.of("layers", 2, "window", 5)), REGRESSION, "temporal", 0);
    }

    @Test
    void checkpointsOfEarlierFormatsAreRefusedSayingSo() throws IOException {
        assertEquals(4, TemporalExpert.STATE_VERSION);
        PluginTestKit.assertEarlierVersionsRefused(maker(CLASSES, Map.of()), "temporal expert", TemporalExpert.STATE_VERSION);
    }

    @Test
    void aCheckpointOfOtherShapeIsRefused() throws IOException {
        Expert a = maker(CLASSES, Map.of("window", 6)).get();
        ExpertTestKit.driver(CLASSES, "temporal").drive(a, new Random(1), 0, 1);
        byte[] state = PluginTestKit.save(a);
        IOException shape = assertThrows(IOException.class,
                () -> PluginTestKit.restore(maker(ExpertTestKit.schema(3, 2), Map.of("window", 6)).get(), state));
        assertTrue(shape.getMessage().contains("3 outputs") && shape.getMessage().contains("2 outputs"), shape.getMessage());
    }
}
