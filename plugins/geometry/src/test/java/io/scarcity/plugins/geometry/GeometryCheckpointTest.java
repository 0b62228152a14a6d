package io.scarcity.plugins.geometry;

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
 * The kit's checkpoint contract (predictions, the residual/novelty/subspace-change signals, learning
 * rate, exported state and importance continue bit for bit past the history ring's first wrap, with
 * unlabelled and weighted batches, replay, hints and a learning-rate scale), plus the geometry expert's own.
 */
class GeometryCheckpointTest {
    private static final Map<String, ?> CONFIG = Map.of("components", 3, "changeLag", 4);

    private static Supplier<Expert> maker(DataSchema schema, Map<String, ?> config) {
        return PluginTestKit.maker(new GeometryExpertFactory(), config, PluginTestKit.context(5, schema, "geo"));
    }

    @Test
    void aRestoredClassifierContinuesBitForBit() throws IOException {
        ExpertTestKit.assertCheckpointContract(maker(ExpertTestKit.CLASSIFICATION, CONFIG), ExpertTestKit.CLASSIFICATION, "geo",
                "geometry expert");
    }

    @Test
    void aRestoredRegressorContinuesBitForBit() throws IOException {
        ExpertTestKit.assertCheckpointContract(maker(ExpertTestKit.REGRESSION, CONFIG), ExpertTestKit.REGRESSION, "geo",
                "geometry expert");
    }

    @Test
    void checkpointsOfEarlierFormatsAreRefusedSayingSo() throws IOException {
        assertEquals(3, GeometryExpert.STATE_VERSION);
        PluginTestKit.assertEarlierVersionsRefused(maker(ExpertTestKit.CLASSIFICATION, Map.of()), "geometry expert",
                GeometryExpert.STATE_VERSION);
    }

    @Test
    void aCheckpointOfOtherShapeIsRefused() throws IOException {
        Expert a = maker(ExpertTestKit.CLASSIFICATION, Map.of("components", 2)).get();
        ExpertTestKit.driver(ExpertTestKit.CLASSIFICATION, "geo").drive(a, new Random(1), 0, 1);
        byte[] state = PluginTestKit.save(a);

        IOException shape = assertThrows(IOException.class,
                () -> PluginTestKit.restore(maker(ExpertTestKit.schema(6, 3), Map.of("components", 2)).get(), state));
        assertTrue(shape.getMessage().contains("7 features") && shape.getMessage().contains("6 features"), shape.getMessage());

        IOException task = assertThrows(IOException.class,
                () -> PluginTestKit.restore(maker(ExpertTestKit.REGRESSION, Map.of("components", 2)).get(), state));
        assertTrue(task.getMessage().contains("3 classes") && task.getMessage().contains("0 classes"), task.getMessage());
    }
}
