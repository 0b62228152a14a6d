package io.scarcity.plugins.memoryconsolidation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scarcity.api.Expert;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.FakeSupervisedClient;
import io.scarcity.api.testing.FakeSupervisedClient.Penalty;
import io.scarcity.api.testing.FakeSupervisedClient.Supervised;
import io.scarcity.api.testing.FakeSupervisedClient.Supervision;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kit's checkpoint contract (with its supervision contract), and the kit's round trip of this expert
 * with its client through consolidation points by period and by drift, plus what is the expert's own.
 */
class MemoryConsolidationCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("consolidateEvery", 6, "importanceDecay", 0.75,
            "replayRows", 3, "replayEvery", 2);
    private static final Set<Long> DRIFTS = Set.of(4L, 15L, 21L);

    private static Supplier<Expert> maker(Map<String, ?> config) {
        return PluginTestKit.maker(new MemoryConsolidationExpertFactory(), config, PluginTestKit.context(3, null, "consolidation"));
    }

    private static MemoryConsolidationExpert expert(Map<String, ?> config) {
        return (MemoryConsolidationExpert) maker(config).get();
    }

    /** Two consolidating experts (one inactive on odd batches) and one that is not gossipable. */
    private static FakeSupervisedClient client() {
        Supervised a = MemoryConsolidationExpertTest.consolidating("a");
        Supervised b = MemoryConsolidationExpertTest.consolidating("b");
        Supervised c = MemoryConsolidationExpertTest.consolidating("c");
        c.weights = null;
        return new FakeSupervisedClient(a, b, c);
    }

    private static void drive(MemoryConsolidationExpert expert, FakeSupervisedClient client, long from, long to) {
        for (long batch = from; batch < to; batch++) {
            client.experts.get("b").active = batch % 2 == 0;
            MemoryConsolidationExpertTest.run(expert, client, batch, batch + 1, DRIFTS);
        }
    }

    /**
     * Step {@code t} is batch {@code t} of {@link #drive}; its fingerprint: what the expert asked of the client,
     * the board, its counts.
     */
    private static final PluginTestKit.Driver<Supervision> SCENARIO = (s, random, from, steps) -> {
        MemoryConsolidationExpert expert = (MemoryConsolidationExpert) s.supervisor();
        List<String> out = new ArrayList<>();
        for (int t = from; t < from + steps; t++) {
            s.client().clearCalls();
            drive(expert, s.client(), t, t + 1);
            out.add(s.client().fingerprint() + "\npoints " + expert.points() + " replayed " + expert.replayedRows()
                    + " penalised " + expert.penalised());
        }
        return out;
    };

    @Test
    void aRestoredExpertContinuesExactly() throws IOException {
        MemoryConsolidationExpert a = expert(CONFIG);
        drive(a, client(), 0, 13);   // points at 4 (drift) and 10; 13 batches, 3 since the last point
        assertEquals(2, a.points());
        FakeSupervisedClient ca = client();
        drive(a, ca, 13, 40);
        assertEquals(List.of(15L, 21L, 27L, 33L, 39L), MemoryConsolidationExpertTest.batchesOf(ca.experts.get("a")));

        PluginTestKit.assertRoundTrip(() -> new Supervision(expert(CONFIG), client()), SCENARIO, 1, 13, 27);
        ExpertTestKit.assertCheckpointContract(maker(CONFIG), ExpertTestKit.CLASSIFICATION, "consolidation",
                "memory-consolidation expert");
    }

    @Test
    void restoredImportancesEnterTheNextCombination() throws IOException {
        Map<String, Object> config = Map.of("consolidateEvery", 4, "onDrift", false, "importanceDecay", 0.5);
        MemoryConsolidationExpert a = expert(config);
        drive(a, client(), 0, 4);   // a point at batch 3: F(3)
        MemoryConsolidationExpert b = expert(config);
        PluginTestKit.restore(b, PluginTestKit.save(a));
        FakeSupervisedClient cb = client();
        drive(b, cb, 4, 8);         // next point at 7: 0.5 F(3) + F(7)
        Penalty p = cb.experts.get("a").penalties.get(0);
        assertEquals(7, p.batch());
        assertArrayEquals(new double[] {0.5 * 3 + 0, 0.5 * 0.25 + 0.25}, p.importance().weight("w"));
    }

    @Test
    void aTruncatedCheckpointIsRefused() throws IOException {
        MemoryConsolidationExpert a = expert(CONFIG);
        drive(a, client(), 0, 5);
        byte[] state = PluginTestKit.save(a);
        assertThrows(IOException.class, () -> PluginTestKit.restore(expert(CONFIG), Arrays.copyOf(state, state.length - 3)));
    }
}
