package io.scarcity.plugins.causal;

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
 * The kit's checkpoint contract (predictions and the edges, structural-change and blanket-size signals
 * continue bit for bit, with drift flags, unlabelled and weighted batches, replay and hints before the
 * save) and gossip contract, plus what is the causal expert's own.
 */
class CausalCheckpointTest {
    private static final DataSchema CLASSES = ExpertTestKit.schema(5, 3);
    private static final DataSchema REGRESSION = ExpertTestKit.schema(5, 0);
    private static final Map<String, ?> CONFIG = Map.of("every", 3, "warmStart", true, "minSamples", 20);

    private static Supplier<Expert> maker(DataSchema schema, Map<String, ?> config) {
        return PluginTestKit.maker(new CausalExpertFactory(), config, PluginTestKit.context(5, schema, "causal"));
    }

    private static void assertContinuesIdentically(DataSchema schema) throws IOException {
        CausalExpert probe = (CausalExpert) maker(schema, CONFIG).get();
        ExpertTestKit.driver(schema, "causal").drive(probe, new Random(31), 0, 14);
        assertTrue(probe.graph().edges() > 0, "something was found before the save");
        ExpertTestKit.assertCheckpointContract(maker(schema, CONFIG), schema, "causal", "causal expert");
    }

    @Test
    void aRestoredClassifierContinuesBitForBit() throws IOException {
        assertContinuesIdentically(CLASSES);
    }

    @Test
    void aRestoredRegressorContinuesBitForBit() throws IOException {
        assertContinuesIdentically(REGRESSION);
    }

    /**
     * The kit's whole gossip contract: a merge re-runs the search on the merged moments, but merging its own
     * state changes no prediction at all (a search then would move the graph on the same evidence).
     */
    @Test
    void mergingStatesKeepsTheGossipContract() {
        ExpertTestKit.assertGossipContract(maker(CLASSES, CONFIG), CLASSES, "causal", 0.0);
        ExpertTestKit.assertGossipContract(maker(REGRESSION, Map.of()), REGRESSION, "causal", 0.0);
    }

    @Test
    void aCheckpointOfOtherShapeIsRefused() throws IOException {
        Expert a = maker(CLASSES, Map.of("alpha", 0.05)).get();
        ExpertTestKit.driver(CLASSES, "causal").drive(a, new Random(1), 0, 1);
        byte[] state = PluginTestKit.save(a);

        IOException shape = assertThrows(IOException.class,
                () -> PluginTestKit.restore(maker(ExpertTestKit.schema(4, 3), Map.of("alpha", 0.05)).get(), state));
        assertTrue(shape.getMessage().contains("5 features") && shape.getMessage().contains("4 features"), shape.getMessage());

        IOException task = assertThrows(IOException.class,
                () -> PluginTestKit.restore(maker(REGRESSION, Map.of("alpha", 0.05)).get(), state));
        assertTrue(task.getMessage().contains("3 classes") && task.getMessage().contains("0 classes"), task.getMessage());
    }
}
