package io.scarcity.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.RowFilter;
import io.scarcity.api.SignalBoard;
import io.scarcity.runtime.config.MixtureConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rows a {@link RowFilter} expert rejects never reach routing, prediction, learning or accuracy. */
class RowFilterTest {
    /** Admits rows whose first feature is >= 0; learns (counts) only what reaches it. */
    static final class NonNegative implements Expert, RowFilter {
        long seen;
        long learned;
        int flags = -1; // a wrong number of flags, for the error test, when >= 0

        @Override
        public ExpertCapabilities capabilities() {
            return new ExpertCapabilities(false, false, Set.of(), Set.of());
        }

        @Override
        public boolean[] admit(Batch batch, SignalBoard signals) {
            seen += batch.rows();
            boolean[] keep = new boolean[flags >= 0 ? flags : batch.rows()];
            for (int r = 0; r < keep.length; r++) {
                keep[r] = batch.value(r, 0) >= 0;
            }
            return keep;
        }

        @Override
        public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
            learned += batch.rows();
        }
    }

    static Batch batch(long first, double... firstFeature) {
        double[] x = new double[firstFeature.length * 2];
        int[] y = new int[firstFeature.length];
        for (int r = 0; r < firstFeature.length; r++) {
            x[2 * r] = firstFeature[r];
        }
        return Batch.ofClasses(ClientNodeTest.SCHEMA, "d", first, x, y);
    }

    @Test
    void rejectedRowsAreNeitherPredictedNorLearnedNorCounted() {
        NonNegative filter = new NonNegative();
        MixtureTest.Fixed expert = new MixtureTest.Fixed(0.9);
        List<ExpertSlot> slots = new ArrayList<>(List.of(new ExpertSlot("rules", "filter", filter),
                new ExpertSlot("e", "fixed", expert)));
        ClientNode c = new ClientNode("d-0", "d", ClientNodeTest.SCHEMA, slots, new MixtureTest.Recording(1),
                ClientNodeTest.client("").memory(), 0, 5, 20, List.of(), MixtureConfig.DEFAULT);
        ClientRoundResult r = c.runRound(1, List.of(batch(0, 1, -1, 2, -3), batch(4, -1, -2), batch(6, 5)));
        assertEquals(7, filter.seen, "the filter sees every streamed row");
        assertEquals(3, filter.learned, "and learns, like every expert, from the admitted ones only");
        assertEquals(3, expert.learned);
        assertEquals(3, r.rows());
        assertEquals(3, r.correct(), "every admitted row has label 0, which the expert predicts");
        assertEquals(4.0, r.metrics().plugins().get("client.quarantined-rows"));
        assertEquals(3, r.insight().samples());
        assertEquals(2, r.metrics().experts().get("e").activations(), "a batch with no admitted row is skipped");
    }

    @Test
    void aFilterReturningTheWrongNumberOfFlagsIsNamed() {
        NonNegative filter = new NonNegative();
        filter.flags = 1;
        ClientNode c = new ClientNode("d-0", "d", ClientNodeTest.SCHEMA, List.of(new ExpertSlot("rules", "filter", filter),
                new ExpertSlot("e", "fixed", new MixtureTest.Fixed(0.9))), new MixtureTest.Recording(1),
                ClientNodeTest.client("").memory(), 0, 5, 20, List.of(), MixtureConfig.DEFAULT);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.runRound(1, List.of(batch(0, 1, 2))));
        assertTrue(e.getMessage().contains("row filter 'rules'") && e.getMessage().contains("1 flags for a batch of 2 rows"),
                e.getMessage());
    }
}
