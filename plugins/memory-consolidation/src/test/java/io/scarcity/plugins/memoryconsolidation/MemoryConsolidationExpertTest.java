package io.scarcity.plugins.memoryconsolidation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertState;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.testing.FakeSupervisedClient;
import io.scarcity.api.testing.FakeSupervisedClient.Penalty;
import io.scarcity.api.testing.FakeSupervisedClient.Supervised;
import io.scarcity.api.testing.PluginTestKit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemoryConsolidationExpertTest {
    static MemoryConsolidationExpert expert(Options options, MetricsSink sink) {
        return new MemoryConsolidationExpert(options, sink, System.getLogger("test"));
    }

    static Options options(int replayRows, String replayTo, int replayEvery, int every, boolean onDrift, double strength,
                           double decay) {
        return new Options(replayRows, replayTo, replayEvery, every, onDrift, strength, decay);
    }

    /** Runs batches {@code from} to {@code to - 1}; drift is detected on the batches in {@code drifts}. */
    static void run(MemoryConsolidationExpert expert, FakeSupervisedClient client, long from, long to, Set<Long> drifts) {
        for (long b = from; b < to; b++) {
            client.batch = b;
            client.drift(drifts.contains(b));
            expert.supervise(client);
        }
    }

    /** A learner whose weights and importances are exact functions of the batch index. */
    static Supervised consolidating(String name) {
        Supervised l = new Supervised(name);
        l.weights = b -> new ExpertState(name, Map.of("w", new double[] {b, -b}, "bias", new double[] {0.5 * b}), 10 * b);
        l.importance = b -> new ExpertState(name, Map.of("w", new double[] {b % 7, 0.25}, "bias", new double[] {1.0 / (1 + b)}),
                10 * b);
        return l;
    }

    static List<Long> batchesOf(Supervised l) {
        List<Long> out = new ArrayList<>();
        for (Penalty p : l.penalties) {
            out.add(p.batch());
        }
        return out;
    }

    @Test
    void activeReplayGivesEachActiveUnfrozenExpertItsOwnBudget() {
        Supervised a = new Supervised("a");
        Supervised b = new Supervised("b");
        b.active = false;
        Supervised c = new Supervised("c");
        c.frozen = true;
        FakeSupervisedClient client = new FakeSupervisedClient(a, b, c);
        PluginTestKit.RecordingMetrics sink = new PluginTestKit.RecordingMetrics();
        MemoryConsolidationExpert expert = expert(options(7, Options.ACTIVE, 1, 0, true, 0, 0.5), sink);
        run(expert, client, 0, 3, Set.of());
        assertEquals(List.of(7, 7, 7), a.replays);
        assertEquals(List.of(), b.replays, "not routed on the batch");
        assertEquals(List.of(), c.replays, "frozen");
        assertEquals(21, sink.count(MemoryConsolidationExpert.REPLAYED_ROWS));
        assertEquals(21, expert.replayedRows());
    }

    @Test
    void replayToAllReachesInactiveExpertsAndCountsOnlyRowsTheMemoryHad() {
        Supervised a = new Supervised("a");
        Supervised b = new Supervised("b");
        b.active = false;
        Supervised c = new Supervised("c");
        c.frozen = true;
        FakeSupervisedClient client = new FakeSupervisedClient(a, b, c);
        client.memoryRows = 3;
        PluginTestKit.RecordingMetrics sink = new PluginTestKit.RecordingMetrics();
        MemoryConsolidationExpert expert = expert(options(7, Options.ALL, 1, 0, true, 0, 0.5), sink);
        run(expert, client, 0, 2, Set.of());
        assertEquals(List.of(3, 3), a.replays);
        assertEquals(List.of(3, 3), b.replays);
        assertEquals(List.of(), c.replays);
        assertEquals(12, sink.count(MemoryConsolidationExpert.REPLAYED_ROWS));
    }

    @Test
    void replayEveryAndZeroRowsSetTheCadence() {
        Supervised a = new Supervised("a");
        FakeSupervisedClient client = new FakeSupervisedClient(a);
        run(expert(options(5, Options.ACTIVE, 3, 0, true, 0, 0.5), MetricsSink.NONE), client, 0, 10, Set.of());
        assertEquals(List.of(5, 5, 5), a.replays, "after batches 3, 6 and 9 of 10");

        Supervised quiet = consolidating("q");
        FakeSupervisedClient other = new FakeSupervisedClient(quiet);
        run(expert(options(0, Options.ALL, 1, 2, false, 1, 0.5), MetricsSink.NONE), other, 0, 10, Set.of());
        assertEquals(List.of(), quiet.replays, "replayRows 0 replays nothing");
        assertEquals(5, quiet.penalties.size());
    }

    @Test
    void consolidatesExactlyEveryKBatches() {
        Supervised a = consolidating("a");
        FakeSupervisedClient client = new FakeSupervisedClient(a);
        PluginTestKit.RecordingMetrics sink = new PluginTestKit.RecordingMetrics();
        MemoryConsolidationExpert expert = expert(options(0, Options.ACTIVE, 1, 5, false, 100, 0.5), sink);
        List<Double> points = new ArrayList<>();
        for (long b = 0; b < 17; b++) {
            run(expert, client, b, b + 1, Set.of(b));   // drift is ignored with onDrift: false
            points.add(client.signals.get(MemoryConsolidationExpert.POINTS_SIGNAL, -1));
        }
        assertEquals(List.of(4L, 9L, 14L), batchesOf(a), "after 5, 10 and 15 batches");
        assertEquals(List.of(0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0), points);
        assertEquals(3, sink.count(MemoryConsolidationExpert.CONSOLIDATIONS));
        assertEquals(3, sink.count(MemoryConsolidationExpert.PENALISED));
        for (Penalty p : a.penalties) {
            assertEquals(100.0, p.strength());
        }
    }

    @Test
    void aDriftIsAConsolidationPointAndRestartsThePeriodicCount() {
        Supervised a = consolidating("a");
        FakeSupervisedClient client = new FakeSupervisedClient(a);
        MemoryConsolidationExpert expert = expert(options(0, Options.ACTIVE, 1, 5, true, 100, 0.5), MetricsSink.NONE);
        run(expert, client, 0, 20, Set.of(2L, 3L, 13L));
        // drift at 2 and 3 (consecutive detections are two points), then every 5: 8; drift 13; 18
        assertEquals(List.of(2L, 3L, 8L, 13L, 18L), batchesOf(a));
        assertEquals(5, expert.points());

        Supervised onlyDrift = consolidating("b");
        FakeSupervisedClient other = new FakeSupervisedClient(onlyDrift);
        run(expert(options(0, Options.ACTIVE, 1, 0, true, 100, 0.5), MetricsSink.NONE), other, 0, 30, Set.of(11L, 29L));
        assertEquals(List.of(11L, 29L), batchesOf(onlyDrift), "consolidateEvery 0: only on drift");
    }

    @Test
    void theAnchorIsTheWeightsAtTheConsolidationPoint() {
        Supervised a = consolidating("a");
        FakeSupervisedClient client = new FakeSupervisedClient(a);
        run(expert(options(0, Options.ACTIVE, 1, 4, true, 100, 0.5), MetricsSink.NONE), client, 0, 12, Set.of(5L));
        assertEquals(List.of(3L, 5L, 9L), batchesOf(a));
        for (Penalty p : a.penalties) {
            long b = p.batch();
            assertArrayEquals(new double[] {b, -b}, p.anchor().weight("w"), "batch " + b);
            assertArrayEquals(new double[] {0.5 * b}, p.anchor().weight("bias"), "batch " + b);
        }
    }

    @Test
    void onlineEwcCombinesImportancesExactly() {
        Supervised a = consolidating("a");
        FakeSupervisedClient client = new FakeSupervisedClient(a);
        MemoryConsolidationExpert expert = expert(options(0, Options.ACTIVE, 1, 4, false, 100, 0.5), MetricsSink.NONE);
        run(expert, client, 0, 12, Set.of());
        assertEquals(List.of(3L, 7L, 11L), batchesOf(a));
        // F(b) = {w: [b % 7, 0.25], bias: [1 / (1 + b)]}; combined: F3, 0.5 F3 + F7, 0.5 (0.5 F3 + F7) + F11
        assertArrayEquals(new double[] {3, 0.25}, a.penalties.get(0).importance().weight("w"));
        assertArrayEquals(new double[] {0.25}, a.penalties.get(0).importance().weight("bias"));
        assertArrayEquals(new double[] {0.5 * 3 + 0, 0.5 * 0.25 + 0.25}, a.penalties.get(1).importance().weight("w"));
        assertArrayEquals(new double[] {0.5 * 0.25 + 0.125}, a.penalties.get(1).importance().weight("bias"));
        assertArrayEquals(new double[] {0.5 * (0.5 * 3 + 0) + 4, 0.5 * (0.5 * 0.25 + 0.25) + 0.25},
                a.penalties.get(2).importance().weight("w"));
        assertArrayEquals(new double[] {0.5 * (0.5 * 0.25 + 0.125) + 1.0 / 12}, a.penalties.get(2).importance().weight("bias"));
        assertArrayEquals(a.penalties.get(2).importance().weight("w"), expert.importances().get("a").weight("w"),
                "the combination is what the expert keeps");

        Supervised b = consolidating("b");
        FakeSupervisedClient other = new FakeSupervisedClient(b);
        run(expert(options(0, Options.ACTIVE, 1, 4, false, 100, 0), MetricsSink.NONE), other, 0, 8, Set.of());
        assertArrayEquals(new double[] {0, 0.25}, b.penalties.get(1).importance().weight("w"), "decay 0: the latest only");
        Supervised c = consolidating("c");
        FakeSupervisedClient summing = new FakeSupervisedClient(c);
        run(expert(options(0, Options.ACTIVE, 1, 4, false, 100, 1), MetricsSink.NONE), summing, 0, 8, Set.of());
        assertArrayEquals(new double[] {3, 0.5}, c.penalties.get(1).importance().weight("w"), "decay 1: the sum");
    }

    @Test
    void anArrayThatChangedLengthStartsAfresh() {
        ExpertState before = new ExpertState("a", Map.of("w", new double[] {1, 2}, "gone", new double[] {9}), 1);
        ExpertState now = new ExpertState("a", Map.of("w", new double[] {1, 1, 1}, "v", new double[] {4}), 2);
        ExpertState combined = MemoryConsolidationExpert.combine(before, now, 0.5);
        assertEquals(Set.of("w", "v"), combined.weights().keySet());
        assertArrayEquals(new double[] {1, 1, 1}, combined.weight("w"));
        assertArrayEquals(new double[] {4}, combined.weight("v"));
    }

    @Test
    void expertsWithoutImportanceOrWeightsOrThatDeclineAreSkipped() {
        Supervised full = consolidating("full");
        Supervised noImportance = consolidating("no-importance");
        noImportance.importance = null;
        Supervised notGossipable = consolidating("not-gossipable");
        notGossipable.weights = null;
        Supervised declines = consolidating("declines");
        declines.appliesPenalties = false;
        Supervised mismatched = consolidating("mismatched");
        mismatched.importance = b -> new ExpertState("mismatched", Map.of("w", new double[] {1, 2, 3}), 1);
        Supervised negative = consolidating("negative");
        negative.importance = b -> new ExpertState("negative", Map.of("w", new double[] {1, -1}), 1);
        FakeSupervisedClient client = new FakeSupervisedClient(full, noImportance, notGossipable, declines, mismatched, negative);
        PluginTestKit.RecordingMetrics sink = new PluginTestKit.RecordingMetrics();
        MemoryConsolidationExpert expert = expert(options(0, Options.ACTIVE, 1, 2, false, 100, 0.5), sink);
        run(expert, client, 0, 4, Set.of());
        assertEquals(2, full.penalties.size());
        assertEquals(0, noImportance.penalties.size());
        assertEquals(0, noImportance.weightsAsked, "weights are not snapshotted without importances");
        assertEquals(0, notGossipable.penalties.size());
        assertEquals(2, declines.penalties.size(), "asked, but it does not apply penalties");
        assertEquals(0, mismatched.penalties.size());
        assertEquals(0, negative.penalties.size());
        assertEquals(2, sink.count(MemoryConsolidationExpert.PENALISED), "only the penalties applied count");
        assertEquals(2, expert.penalised());
        assertEquals(Set.of("full"), expert.importances().keySet(), "only importances in force are kept");
    }

    @Test
    void zeroStrengthDisablesConsolidation() {
        Supervised a = consolidating("a");
        FakeSupervisedClient client = new FakeSupervisedClient(a);
        PluginTestKit.RecordingMetrics sink = new PluginTestKit.RecordingMetrics();
        MemoryConsolidationExpert expert = expert(options(4, Options.ACTIVE, 1, 2, true, 0, 0.5), sink);
        run(expert, client, 0, 10, Set.of(3L, 4L));
        assertEquals(0, a.penalties.size());
        assertEquals(0, a.importanceAsked);
        assertEquals(0, a.weightsAsked);
        assertEquals(0, expert.points());
        assertEquals(0.0, client.signals.get(MemoryConsolidationExpert.POINTS_SIGNAL, -1));
        assertEquals(0, sink.count(MemoryConsolidationExpert.CONSOLIDATIONS));
        assertEquals(10, a.replays.size(), "replay still runs");
        assertTrue(expert.capabilities().reads().isEmpty(), "and drift is not read");
    }
}
