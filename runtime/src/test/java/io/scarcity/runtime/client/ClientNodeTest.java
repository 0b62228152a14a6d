package io.scarcity.runtime.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Insight;
import io.scarcity.api.Task;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.config.MixtureConfig;
import io.scarcity.runtime.engine.Assembly;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientNodeTest {
    static final DataSchema SCHEMA = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("n", "p"));

    static ClientNode client(String extraYaml) {
        LoadedConfig c = ConfigLoader.parse("""
                name: t
                domains: [{name: d, clients: 1, stream: {type: sea}}]
                experts: [{plugin: statistical}, {plugin: drift}]
                """ + extraYaml, "t.yaml", Path.of("."), Map.of(), List.of());
        try (PluginRegistry r = PluginRegistry.load(null, ClientNodeTest.class.getClassLoader())) {
            return new Assembly(c.config(), r).client("d-0", "d", SCHEMA);
        }
    }

    /**
     * Secure aggregation: a client takes part in one aggregation of its moments (and of each expert's state) per round;
     * two sums over different sets of clients would differ by one client's input.
     */
    @Test
    void aClientSumsItsMomentsSecurelyOncePerRound() {
        ClientNode c = client("");
        c.aggregateMomentsSecurely();
        c.runRound(1, List.of(separable(new java.util.Random(1), 40, false)));
        c.secureAggregationKeys(0, 2, "moments");
        IllegalStateException again = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> c.secureAggregationKeys(0, 2, "moments"));
        assertTrue(again.getMessage().contains("this round"), again.getMessage());
        c.secureAggregationKeys(0, 2, "expert:statistical|mean");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> c.secureAggregationKeys(0, 2, "expert:statistical|prior"));
        c.runRound(2, List.of(separable(new java.util.Random(2), 40, false)));
        c.secureAggregationKeys(0, 2, "moments"); // a new round, a new sum
    }

    static Batch rows(double... xy) {
        int[] labels = new int[xy.length / 2];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 2;
        }
        return Batch.ofClasses(SCHEMA, "d", 0, xy, labels);
    }

    /** Two separable classes, class 1 around (5, 5); {@code flipped}: the labels the other way round. */
    static Batch separable(java.util.Random rnd, int n, boolean flipped) {
        double[] x = new double[2 * n];
        int[] y = new int[n];
        for (int r = 0; r < n; r++) {
            y[r] = rnd.nextInt(2);
            x[2 * r] = 5 * y[r] + rnd.nextGaussian();
            x[2 * r + 1] = 5 * y[r] + rnd.nextGaussian();
            y[r] = flipped ? 1 - y[r] : y[r];
        }
        return Batch.ofClasses(SCHEMA, "d", 0, x, y);
    }

    /** A statistical state learned by a client of 200 rows, labels flipped or not. */
    static Map<String, io.scarcity.api.ExpertState> pooled(boolean flipped) {
        ClientNode donor = client("");
        donor.runRound(1, List.of(separable(new java.util.Random(3), 200, flipped)));
        return Map.of("statistical", donor.exportState("statistical"));
    }

    @Test
    void aWarmStartThatHelpsIsKept() {
        ClientNode warm = client("");
        warm.warmStart(pooled(false));
        var r = warm.runRound(1, List.of(separable(new java.util.Random(4), 20, false)));
        assertEquals(1.0, r.metrics().plugins().get("client.warm-start-kept"));
        ClientNode cold = client("");
        var c = cold.runRound(1, List.of(separable(new java.util.Random(4), 20, false)));
        assertTrue(r.correct() >= c.correct(), "the warm start predicts the first rows at least as well");
        assertNotEquals(cold.exportState("statistical").samples(), warm.exportState("statistical").samples(), "and is kept");
    }

    @Test
    void aWarmStartThatHurtsIsUndoneAfterItsFirstRound() throws Exception {
        ClientNode warm = client("");
        warm.warmStart(pooled(true));
        var r = warm.runRound(1, List.of(separable(new java.util.Random(4), 20, false)));
        assertEquals(0.0, r.metrics().plugins().get("client.warm-start-kept"));
        ClientNode cold = client("");
        var c = cold.runRound(1, List.of(separable(new java.util.Random(4), 20, false)));
        assertTrue(r.correct() < c.correct(), "the flipped start predicted the first rows worse: " + r.correct() + " vs " + c.correct());
        // from now on the client is the cold one, state and all
        java.io.ByteArrayOutputStream a = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        warm.saveState(new io.scarcity.api.StateWriter(a));
        cold.saveState(new io.scarcity.api.StateWriter(b));
        assertArrayEquals(b.toByteArray(), a.toByteArray());
        var next = warm.runRound(2, List.of(separable(new java.util.Random(5), 20, false)));
        assertEquals(cold.runRound(2, List.of(separable(new java.util.Random(5), 20, false))).correct(), next.correct());
        assertFalse(next.metrics().plugins().containsKey("client.warm-start-kept"), "only the first round is guarded");
    }

    @Test
    void aRoundWithFewRowsNeverRevealsThemThroughFeatureMoments() {
        ClientNode c = client("privacy: {minMomentRows: 4}\n");
        Insight one = c.runRound(1, List.of(rows(1.234, 5.678))).insight();
        assertEquals(1, one.samples());
        assertEquals(0, one.moments().count(), "one row's mean would be the row itself");
        assertArrayEquals(new double[2], one.moments().mean());
        Insight two = c.runRound(2, List.of(rows(2, 2, 3, 4))).insight();
        assertEquals(0, two.moments().count());
        // the held-back rows are pooled with the next ones and sent once there are enough
        Insight three = c.runRound(3, List.of(rows(5, 6))).insight();
        assertEquals(4, three.moments().count());
        assertArrayEquals(new double[] {(1.234 + 2 + 3 + 5) / 4, (5.678 + 2 + 4 + 6) / 4}, three.moments().mean(), 1e-12);
        assertEquals(0, c.runRound(4, List.of()).insight().moments().count());
    }

    @Test
    void insightsCarryMetadataOnlyAndAnalysersCountAsActive() {
        ClientNode c = client("");
        java.util.Random rnd = new java.util.Random(1);
        double[] x = new double[200];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextGaussian();
        }
        ClientRoundResult r = c.runRound(1, List.of(rows(x)));
        Insight in = r.insight();
        assertEquals(100, in.samples());
        assertEquals(Double.valueOf(1), (double) r.metrics().experts().get("drift").activations());
        assertTrue(in.experts().containsKey("statistical") && in.experts().containsKey("drift"));
        assertTrue(in.signals().containsKey("drift.score"), in.signals().toString());
        assertEquals(100, in.moments().count());
    }

    @Test
    void aTruncatedStateIsRefusedAndLeavesTheClientAsItWas() throws Exception {
        java.util.function.Supplier<Batch> next = gaussianBatches(4);
        ClientNode saved = client("");
        ClientNode target = client("");
        for (int round = 1; round <= 3; round++) {
            saved.runRound(round, List.of(next.get(), next.get()));
            target.runRound(round, List.of(next.get()));
        }
        byte[] state = stateOf(saved);
        byte[] before = stateOf(target);
        // Cuts inside the experts' sections: the client's header and first sections read, a later one does not.
        for (int cut : new int[] {state.length / 2, state.length - 3}) {
            byte[] truncated = java.util.Arrays.copyOf(state, cut);
            assertThrows(java.io.IOException.class, () -> target.restoreState(
                    new io.scarcity.api.StateReader(new java.io.ByteArrayInputStream(truncated))), "cut at " + cut);
            assertArrayEquals(before, stateOf(target), "a refused restore (cut at " + cut + ") changed nothing");
        }
        target.restoreState(new io.scarcity.api.StateReader(new java.io.ByteArrayInputStream(state)));
        assertArrayEquals(state, stateOf(target), "the whole state restores");
    }

    /** Batches of 40 rows of 2 Gaussian features (the first feature of every other row shifted by 1, classes alternating), from {@code seed}. */
    private static java.util.function.Supplier<Batch> gaussianBatches(long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        return () -> {
            double[] x = new double[80];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextGaussian() + (i % 4 == 0 ? 1 : 0);
            }
            return rows(x);
        };
    }

    private static byte[] stateOf(ClientNode client) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        client.saveState(new io.scarcity.api.StateWriter(bytes));
        return bytes.toByteArray();
    }

    @Test
    void aRestoredClientContinuesExactlyAsTheSavedOneAndHeldBackMomentsSurvive() throws Exception {
        ClientNode a = client("privacy: {minMomentRows: 500}\nreplayRows: 5\n");
        java.util.function.Supplier<Batch> next = gaussianBatches(9);
        for (int round = 1; round <= 3; round++) {
            a.runRound(round, List.of(next.get(), next.get()));
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        io.scarcity.api.StateWriter w = new io.scarcity.api.StateWriter(bytes);
        a.saveState(w);
        w.flush();
        ClientNode b = client("privacy: {minMomentRows: 500}\nreplayRows: 5\n");
        b.restoreState(new io.scarcity.api.StateReader(new java.io.ByteArrayInputStream(bytes.toByteArray())));
        for (int round = 4; round <= 8; round++) {
            List<Batch> batches = List.of(next.get(), next.get());
            ClientRoundResult ra = a.runRound(round, batches);
            ClientRoundResult rb = b.runRound(round, batches);
            Insight ia = ra.insight();
            Insight ib = rb.insight();
            assertEquals(ia.experts(), ib.experts(), "round " + round);
            assertEquals(ia.accuracy(), ib.accuracy());
            assertEquals(ia.loss(), ib.loss());
            assertEquals(ia.moments().count(), ib.moments().count());
            assertArrayEquals(ia.moments().mean(), ib.moments().mean());
            if (round == 7) {
                // rounds 1-7 pooled 560 rows >= 500: the 240 held back before the checkpoint survived it
                assertEquals(560, ib.moments().count());
            }
            assertEquals(ra.correct(), rb.correct());
            assertEquals(ra.signals(), rb.signals());
            assertEquals(ra.memory(), rb.memory());
        }
    }

    @Test
    void aClientWithAPluginThatCannotBeCheckpointedSaysWhich() {
        io.scarcity.api.Expert plain = new io.scarcity.api.Expert() {
            @Override
            public io.scarcity.api.ExpertCapabilities capabilities() {
                return new io.scarcity.api.ExpertCapabilities(true, false, java.util.Set.of(), java.util.Set.of());
            }

            @Override
            public io.scarcity.api.Prediction predict(Batch batch, io.scarcity.api.SignalBoard signals) {
                return io.scarcity.api.Prediction.ofProbabilities(batch.rows(), 2, new double[batch.rows() * 2]);
            }

            @Override
            public void learn(Batch batch, io.scarcity.api.BatchOutcome outcome, io.scarcity.api.SignalBoard signals) {
            }
        };
        ClientNode c = client("");
        ClientNode mixed = new ClientNode("d-1", "d", SCHEMA, List.of(new ExpertSlot("plain", "plain", plain)),
                c.router(), c.memory(), 0, 5, 20, List.of(), MixtureConfig.DEFAULT);
        assertEquals(List.of("expert 'plain' (plugin plain)"), mixed.notCheckpointable());
        assertTrue(c.notCheckpointable().isEmpty(), c.notCheckpointable().toString());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> mixed.saveState(new io.scarcity.api.StateWriter(java.io.OutputStream.nullOutputStream())));
    }
}
