package io.scarcity.plugins.forest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.PluginTestKit;
import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.Prediction;
import io.scarcity.api.testing.MetaLearnerTestKit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kit's checkpoint contract (predictions, signals and exported trees continue bit for bit), with the
 * defaults and with settings that make the trees split, warn, grow background trees and drift within the
 * kit's few steps; truncated, corrupt and foreign checkpoints refused.
 */
class ForestCheckpointTest {
    private static final DataSchema SCHEMA = ExpertTestKit.schema(7, 3);
    /** Splits after a few rows, warnings and drifts on almost any rise of the error. */
    static final Map<String, Object> BUSY = Map.of("gracePeriod", 5, "tieThreshold", 0.5, "warningDelta", 0.5,
            "driftDelta", 0.3, "trees", 4, "gossipTrees", 2, "gossipNodes", 15, "recentRows", 40);

    static Supplier<Expert> maker(DataSchema schema, Map<String, ?> config) {
        return PluginTestKit.maker(new ForestExpertFactory(), config, PluginTestKit.context(5, schema, "forest"));
    }

    @Test
    void aRestoredForestContinuesBitForBit() throws IOException {
        ExpertTestKit.assertCheckpointContract(maker(SCHEMA, Map.of()), SCHEMA, "forest", "forest expert");
    }

    @Test
    void aRestoredBusyForestContinuesBitForBit() throws IOException {
        ExpertTestKit.assertCheckpointContract(maker(SCHEMA, BUSY), SCHEMA, "forest", "forest expert");
        ExpertTestKit.assertCheckpointContract(maker(ExpertTestKit.schema(2, 2), Map.of("gracePeriod", 3, "features", "50%")),
                ExpertTestKit.schema(2, 2), "forest", "forest expert");
        ExpertTestKit.assertCheckpointContract(maker(SCHEMA, Map.of("sharedBayes", false)), SCHEMA, "forest", "forest expert");
    }

    /**
     * Test then train on {@link Concepts} with the classes renamed from step 8 on: predictions, signals and the
     * export of every step; the warnings, background trees and drifts of the change are inside the round trip.
     */
    static final PluginTestKit.Driver<Expert> DRIFTING = (expert, random, from, steps) -> {
        List<String> out = new ArrayList<>();
        InMemorySignalBoard board = new InMemorySignalBoard();
        for (int t = from; t < from + steps; t++) {
            Batch b = Concepts.batch(random, 50L * t, 50, t < 8 ? 0 : 1);
            Prediction p = expert.predict(b, board);
            expert.learn(b, new BatchOutcome(p, ExpertTestKit.losses(b, p), t), board);
            out.add(ExpertTestKit.fingerprint(p) + "\nsignals " + PluginTestKit.fingerprint(board.snapshot()) + "\nstate "
                    + MetaLearnerTestKit.fingerprint(expert.exportState()));
        }
        return out;
    };

    @Test
    void aForestSavedAmidBackgroundTreesAndDriftsContinuesBitForBit() throws IOException {
        Supplier<Expert> maker = maker(Concepts.SCHEMA, Map.of("trees", 4, "gossipTrees", 2, "gossipNodes", 31));
        ForestExpert probe = (ForestExpert) maker.get();
        List<String> steps = DRIFTING.drive(probe, new Random(3), 0, 11);
        int warnings = 0;
        int drifts = 0;
        for (String step : steps) {
            warnings += count(step, "forest.warnings");
            drifts += count(step, "forest.drifts");
        }
        assertTrue(warnings > 0 && drifts > 0, "the change warns and drifts within the warm-up: " + warnings + ", " + drifts);
        PluginTestKit.assertRoundTrip(maker, DRIFTING, 3, 11, 12);
    }

    /** The value of signal {@code name} in a step's fingerprint. */
    private static int count(String step, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(name) + "=([0-9.]+)").matcher(step);
        return m.find() ? (int) Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void truncatedCorruptAndEarlierCheckpointsAreRefused() throws IOException {
        assertEquals(2, ForestExpert.STATE_VERSION);
        PluginTestKit.assertCheckpointRefusals(maker(SCHEMA, BUSY), "forest expert", ForestExpert.STATE_VERSION,
                ExpertTestKit.driver(SCHEMA, "forest"), 9, 12);
    }

    @Test
    void aCheckpointOfOtherShapeIsRefused() throws IOException {
        Expert a = maker(SCHEMA, Map.of()).get();
        ExpertTestKit.driver(SCHEMA, "forest").drive(a, new Random(1), 0, 3);
        byte[] state = PluginTestKit.save(a);
        IOException shape = assertThrows(IOException.class,
                () -> PluginTestKit.restore(maker(ExpertTestKit.schema(6, 3), Map.of()).get(), state));
        assertTrue(shape.getMessage().contains("7 features") && shape.getMessage().contains("6 features"), shape.getMessage());
        IOException trees = assertThrows(IOException.class,
                () -> PluginTestKit.restore(maker(SCHEMA, Map.of("trees", 3)).get(), state));
        assertTrue(trees.getMessage().contains("10 trees") && trees.getMessage().contains("3 trees"), trees.getMessage());
        Expert without = maker(SCHEMA, Map.of("sharedBayes", false)).get();
        byte[] before = PluginTestKit.save(without);
        IOException shared = assertThrows(IOException.class, () -> PluginTestKit.restore(without, state));
        assertTrue(shared.getMessage().contains("sharedBayes"), shared.getMessage());
        assertTrue(java.util.Arrays.equals(before, PluginTestKit.save(without)), "a refused checkpoint changes nothing");
    }
}
