package io.scarcity.plugins.reconstruction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertState;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.Task;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kit's checkpoint contract (predictions, signals, learning rate, codes and decoded rows, exported state
 * and importance continue bit for bit, with unlabelled and weighted batches, replay, hints, a learning-rate
 * scale and an EWC penalty before the save) for both optimizers and tasks, the kit's gossip contract, plus
 * what is the reconstruction expert's own.
 */
class ReconstructionCheckpointTest {
    private static final Digits DIGITS = Digits.load();
    private static final DataSchema REGRESSION = new DataSchema(List.of("a", "b", "c", "d"), Task.REGRESSION, null);
    private static final Map<String, Object> SMALL = Map.of("hidden", 16, "latent", 4);

    static ReconstructionExpert expert(DataSchema schema, Map<String, ?> config) {
        return (ReconstructionExpert) maker(schema, config).get();
    }

    private static Supplier<Expert> maker(DataSchema schema, Map<String, ?> config) {
        return PluginTestKit.maker(new ReconstructionExpertFactory(), config, PluginTestKit.context(5, schema, "vae"));
    }

    private static void assertContinuesExactly(DataSchema schema, Map<String, ?> config) throws IOException {
        ReconstructionExpert probe = expert(schema, config);
        ExpertTestKit.driver(schema, "vae").drive(probe, new Random(1), 0, 8);
        assertTrue(probe.penaltyStrength() > 0, "the kit's driver penalises the expert before a save");
        ExpertTestKit.assertCheckpointContract(maker(schema, config), schema, "vae", "reconstruction expert");
    }

    private static double[] values(Prediction p) {
        int k = Math.max(1, p.numClasses());
        double[] v = new double[p.rows() * k];
        for (int r = 0; r < p.rows(); r++) {
            for (int c = 0; c < k; c++) {
                v[r * k + c] = p.isClassification() ? p.probability(r, c) : p.value(r);
            }
        }
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"classification", "regression"})
    void restoredExpertContinuesExactly(String task) throws IOException {
        assertContinuesExactly(task.equals("classification") ? ExpertTestKit.CLASSIFICATION : ExpertTestKit.REGRESSION, SMALL);
    }

    @Test
    void rmsPropRestoresToo() throws IOException {
        assertContinuesExactly(ExpertTestKit.REGRESSION, Map.of("optimizer", "rmsprop"));
        assertContinuesExactly(ExpertTestKit.CLASSIFICATION, Map.of("optimizer", "rmsprop", "headWeight", 0.0));
    }

    @Test
    void stepsOfAFewRowsRestoreToo() throws IOException {
        assertContinuesExactly(ExpertTestKit.CLASSIFICATION, Map.of("hidden", 16, "latent", 4, "rowsPerStep", 3));
    }

    @Test
    void mergingStatesKeepsTheGossipContract() {
        ExpertTestKit.assertGossipContract(maker(ExpertTestKit.CLASSIFICATION, SMALL), ExpertTestKit.CLASSIFICATION, "vae", 0);
        ExpertTestKit.assertGossipContract(maker(ExpertTestKit.REGRESSION, SMALL), ExpertTestKit.REGRESSION, "vae", 0);
    }

    @Test
    void checkpointOfOtherDataIsRefused() throws IOException {
        byte[] state = PluginTestKit.save(expert(REGRESSION, Map.of()));
        IOException e = assertThrows(IOException.class, () -> PluginTestKit.restore(expert(Digits.SCHEMA, Map.of()), state));
        assertTrue(e.getMessage().contains("4 features") && e.getMessage().contains("64 features"), e.getMessage());
    }

    @Test
    void checkpointsOfEarlierFormatsAreRefusedSayingSo() throws IOException {
        assertEquals(4, ReconstructionExpert.STATE_VERSION);
        PluginTestKit.assertEarlierVersionsRefused(maker(REGRESSION, Map.of()), "reconstruction expert",
                ReconstructionExpert.STATE_VERSION);
    }

    @Test
    void gossipStateCarriesTheModel() {
        // No pooled moments here: they come from the coordinator, not from gossip, so a peer without them
        // would standardise differently.
        ReconstructionExpert a = expert(Digits.SCHEMA, Map.of());
        InMemorySignalBoard signals = new InMemorySignalBoard();
        for (int i = 0; i < 8; i++) {
            Batch b = i % 4 == 3 ? DIGITS.unlabelled(i * 50, i * 50 + 50) : DIGITS.batch(i * 50, i * 50 + 50);
            a.learn(b, new BatchOutcome(null, new double[0], 0), signals);
            a.replay(DIGITS.batch(1000 + i * 10, 1010 + i * 10));
        }
        ExpertState state = a.exportState();
        assertEquals("reconstruction", state.expert());
        assertEquals(400, state.samples(), "8 batches of 50 rows (two unlabelled) are learned, replayed rows do not count");
        assertTrue(state.weights().keySet().containsAll(List.of("encoder.w1", "encoder.b1", "encoder.w2", "encoder.b2",
                "decoder.w3", "decoder.b3", "decoder.w4", "decoder.b4", "head.w", "head.b", "norm.mean", "norm.variance",
                "norm.count")));
        ReconstructionExpert b = (ReconstructionExpert) new ReconstructionExpertFactory().create(PluginConfig.empty(),
                PluginContext.standalone(77, Digits.SCHEMA, "other"));
        b.mergeState(state);
        Batch held = DIGITS.batch(1750, 1797);
        InMemorySignalBoard board = new InMemorySignalBoard();
        assertArrayEquals(values(a.predict(held, board)), values(b.predict(held, board)), 0.0);
        assertArrayEquals(a.encode(held), b.encode(held), 0.0);
        assertEquals(state.samples(), b.exportState().samples());
    }

    @Test
    void badMergedStateIsRejectedBeforeAnythingChanges() {
        ReconstructionExpert a = expert(Digits.SCHEMA, Map.of());
        ExpertTestKit.driver(Digits.SCHEMA, "vae").drive(a, new Random(1), 0, 3);
        Batch held = DIGITS.batch(1750, 1797);
        double[] before = values(a.predict(held, new InMemorySignalBoard()));
        Map<String, double[]> good = a.exportState().weights();
        Map<String, double[]> shortArray = new java.util.TreeMap<>(good);
        shortArray.put("decoder.w4", new double[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.mergeState(new ExpertState("reconstruction", shortArray, 5)));
        assertTrue(e.getMessage().contains("decoder.w4"), e.getMessage());
        Map<String, double[]> nonFinite = new java.util.TreeMap<>(good);
        double[] w = good.get("norm.mean").clone();
        w[3] = Double.NaN;
        nonFinite.put("norm.mean", w);
        assertThrows(IllegalArgumentException.class, () -> a.mergeState(new ExpertState("reconstruction", nonFinite, 5)));
        Map<String, double[]> missing = new java.util.TreeMap<>(good);
        missing.remove("head.b");
        assertThrows(IllegalArgumentException.class, () -> a.mergeState(new ExpertState("reconstruction", missing, 5)));
        assertArrayEquals(before, values(a.predict(held, new InMemorySignalBoard())), 0.0);
    }
}
