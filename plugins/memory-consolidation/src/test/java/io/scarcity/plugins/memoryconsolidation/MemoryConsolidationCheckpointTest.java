package io.scarcity.plugins.memoryconsolidation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.plugins.memoryconsolidation.FakeClient.Learner;
import io.scarcity.plugins.memoryconsolidation.FakeClient.Penalty;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemoryConsolidationCheckpointTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(3, null, "consolidation");
    private static final Map<String, Object> CONFIG = Map.of("consolidateEvery", 6, "importanceDecay", 0.75,
            "replayRows", 3, "replayEvery", 2);
    private static final Set<Long> DRIFTS = Set.of(4L, 15L, 21L);

    private static MemoryConsolidationExpert expert(Map<String, ?> config) {
        return (MemoryConsolidationExpert) new MemoryConsolidationExpertFactory().create(
                PluginConfig.of("experts[3].config", config), CONTEXT);
    }

    private static byte[] save(Checkpointable c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        c.saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void restore(Checkpointable c, byte[] state) throws IOException {
        c.restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    /** Two consolidating experts (one inactive on odd batches) and one that is not gossipable. */
    private static FakeClient client() {
        Learner a = MemoryConsolidationExpertTest.consolidating("a");
        Learner b = MemoryConsolidationExpertTest.consolidating("b");
        Learner c = MemoryConsolidationExpertTest.consolidating("c");
        c.weights = null;
        return new FakeClient(a, b, c);
    }

    private static void drive(MemoryConsolidationExpert expert, FakeClient client, long from, long to) {
        for (long batch = from; batch < to; batch++) {
            client.learners.get("b").active = batch % 2 == 0;
            MemoryConsolidationExpertTest.run(expert, client, batch, batch + 1, DRIFTS);
        }
    }

    private static void assertSamePenalties(List<Penalty> x, List<Penalty> y, String who) {
        assertEquals(x.size(), y.size(), who);
        for (int i = 0; i < x.size(); i++) {
            Penalty p = x.get(i);
            Penalty q = y.get(i);
            assertEquals(p.batch(), q.batch(), who);
            assertEquals(p.strength(), q.strength(), who);
            for (String name : p.importance().weights().keySet()) {
                assertArrayEquals(p.importance().weight(name), q.importance().weight(name), who + " importance " + name);
                assertArrayEquals(p.anchor().weight(name), q.anchor().weight(name), who + " anchor " + name);
            }
        }
    }

    @Test
    void aRestoredExpertContinuesExactly() throws IOException {
        MemoryConsolidationExpert a = expert(CONFIG);
        drive(a, client(), 0, 13);   // points at 4 (drift) and 10; 13 batches, 3 since the last point
        assertEquals(2, a.points());
        byte[] state = save(a);
        MemoryConsolidationExpert b = expert(CONFIG);
        restore(b, state);
        MemoryConsolidationExpert fresh = expert(CONFIG);

        FakeClient ca = client();
        FakeClient cb = client();
        FakeClient cf = client();
        drive(a, ca, 13, 40);
        drive(b, cb, 13, 40);
        drive(fresh, cf, 13, 40);
        for (String name : List.of("a", "b", "c")) {
            assertSamePenalties(ca.learners.get(name).penalties, cb.learners.get(name).penalties, name);
            assertEquals(ca.learners.get(name).replays, cb.learners.get(name).replays, name);
        }
        assertEquals(List.of(15L, 21L, 27L, 33L, 39L), MemoryConsolidationExpertTest.batchesOf(ca.learners.get("a")));
        assertEquals(ca.signals.snapshot(), cb.signals.snapshot());
        assertEquals(a.points(), b.points());
        assertEquals(a.replayedRows(), b.replayedRows());
        assertEquals(a.penalised(), b.penalised());
        assertArrayEquals(save(a), save(b), "and they save the same state");
        // the test can tell: without the restore, the points signal and the combined importances differ
        assertNotEquals(ca.signals.snapshot(), cf.signals.snapshot());
        assertNotEquals(ca.learners.get("a").penalties.get(0).importance().weight("w")[0],
                cf.learners.get("a").penalties.get(0).importance().weight("w")[0]);
    }

    @Test
    void restoredImportancesEnterTheNextCombination() throws IOException {
        Map<String, Object> config = Map.of("consolidateEvery", 4, "onDrift", false, "importanceDecay", 0.5);
        MemoryConsolidationExpert a = expert(config);
        drive(a, client(), 0, 4);   // a point at batch 3: F(3)
        MemoryConsolidationExpert b = expert(config);
        restore(b, save(a));
        FakeClient cb = client();
        drive(b, cb, 4, 8);         // next point at 7: 0.5 F(3) + F(7)
        Penalty p = cb.learners.get("a").penalties.get(0);
        assertEquals(7, p.batch());
        assertArrayEquals(new double[] {0.5 * 3 + 0, 0.5 * 0.25 + 0.25}, p.importance().weight("w"));
    }

    @Test
    void aCheckpointOfAnotherVersionOrTruncatedIsRefused() throws IOException {
        MemoryConsolidationExpert a = expert(CONFIG);
        drive(a, client(), 0, 5);
        byte[] state = save(a);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(99);
        IOException version = assertThrows(IOException.class, () -> restore(expert(CONFIG), bytes.toByteArray()));
        assertTrue(version.getMessage().contains("version 99"), version.getMessage());

        byte[] truncated = Arrays.copyOf(state, state.length - 3);
        assertThrows(IOException.class, () -> restore(expert(CONFIG), truncated));
    }
}
