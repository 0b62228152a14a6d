package io.scarcity.plugins.governance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GovernanceCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("window", 50, "minRows", 20, "maxViolationRate", 0.1,
            "sampleSize", 4, "rules", List.of(
                    Map.of("type", "range", "name", "a-range", "feature", "a", "min", 0, "max", 1, "maxViolationRate", 0.05),
                    Map.of("type", "compare", "left", "b", "op", "<=", "right", "c"),
                    Map.of("type", "allowed", "label", List.of("ok", "warn"))));

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

    /** A batch of 17 rows whose share of violations follows {@code p}. */
    private static Batch batch(Random random, long first, double p) {
        double[][] rows = new double[17][];
        int[] labels = new int[17];
        for (int r = 0; r < rows.length; r++) {
            double a = random.nextDouble() < p ? 1.5 : random.nextDouble();
            double b = random.nextDouble();
            double c = random.nextDouble() < p ? b - 0.1 : b + random.nextDouble();
            rows[r] = Fixtures.row(a, b, c, 0);
            labels[r] = random.nextDouble() < p / 2 ? 2 : random.nextInt(2);
        }
        return Fixtures.batch(first, labels, rows);
    }

    @Test
    void aRestoredExpertContinuesExactly() throws IOException {
        Fixtures.TestContext ctxA = Fixtures.context();
        GovernanceExpert a = Fixtures.expert(ctxA, CONFIG);
        SignalBoard boardA = new InMemorySignalBoard();
        Random random = new Random(5);
        long row = 0;
        for (int i = 0; i < 30; i++) {
            a.admit(batch(random, row, i < 20 ? 0.01 : 0.3), boardA);
            row += 17;
        }
        assertTrue(a.alerting() && a.alerts() >= 1, "saved in the middle of an alert");
        byte[] state = save(a);
        Fixtures.TestContext ctxB = Fixtures.context();
        GovernanceExpert b = Fixtures.expert(ctxB, CONFIG);
        restore(b, state);
        assertEquals(a.samples(), b.samples());
        assertEquals(a.violationCounts(), b.violationCounts());
        assertEquals(a.violationRate(), b.violationRate());
        SignalBoard boardB = new InMemorySignalBoard();
        long seed = random.nextLong();
        Random ra = new Random(seed);
        Random rb = new Random(seed);
        for (int i = 0; i < 60; i++) {
            double p = i < 20 ? 0.0 : i < 40 ? 0.5 : 0.02;
            boolean[] ka = a.admit(batch(ra, row, p), boardA);
            boolean[] kb = b.admit(batch(rb, row, p), boardB);
            row += 17;
            assertArrayEquals(ka, kb, "batch " + i);
            assertEquals(boardA.snapshot(), boardB.snapshot(), "batch " + i);
            assertEquals(a.alerting(), b.alerting(), "batch " + i);
            assertEquals(a.alerts(), b.alerts(), "batch " + i);
        }
        assertTrue(a.alerts() >= 3, "the continuation re-armed and alerted again: " + a.alerts());
        assertEquals(a.violationCounts(), b.violationCounts());
        assertEquals(a.samples(), b.samples());
        assertEquals(a.quarantined(), b.quarantined());
        // B logs no first violation again: the rules' first violations were before the checkpoint
        assertEquals(0, ctxB.logger.lines.stream().filter(l -> l.contains("quarantined row")).count());
        assertArrayEquals(save(a), save(b), "and they save the same state");
    }

    @Test
    void aCheckpointOfOtherRulesOrVersionIsRefused() throws IOException {
        GovernanceExpert a = Fixtures.expert(Fixtures.context(), CONFIG);
        a.admit(batch(new Random(1), 0, 0.2), new InMemorySignalBoard());
        byte[] state = save(a);

        Map<String, Object> otherBound = Map.of("window", 50, "minRows", 20, "maxViolationRate", 0.1, "sampleSize", 4,
                "rules", List.of(Map.of("type", "range", "name", "a-range", "feature", "a", "min", 0, "max", 2, "maxViolationRate", 0.05),
                        Map.of("type", "compare", "left", "b", "op", "<=", "right", "c"),
                        Map.of("type", "allowed", "label", List.of("ok", "warn"))));
        IOException rules = assertThrows(IOException.class, () -> restore(Fixtures.expert(Fixtures.context(), otherBound), state));
        assertTrue(rules.getMessage().contains("written with other rules") && rules.getMessage()
                .contains("rule 1 was 'a-range: a in [0.0, 1.0] (max rate 0.05)', is now 'a-range: a in [0.0, 2.0] (max rate 0.05)'"),
                rules.getMessage());

        Map<String, Object> fewer = Map.of("window", 50, "minRows", 20, "maxViolationRate", 0.1, "sampleSize", 4,
                "rules", List.of(Map.of("type", "range", "name", "a-range", "feature", "a", "min", 0, "max", 1, "maxViolationRate", 0.05)));
        IOException count = assertThrows(IOException.class, () -> restore(Fixtures.expert(Fixtures.context(), fewer), state));
        assertTrue(count.getMessage().contains("it has 3 rules, the configuration 1"), count.getMessage());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(99);
        IOException version = assertThrows(IOException.class, () -> restore(Fixtures.expert(Fixtures.context(), CONFIG), bytes.toByteArray()));
        assertTrue(version.getMessage().contains("version 99"), version.getMessage());

        byte[] truncated = java.util.Arrays.copyOf(state, state.length - 3);
        assertThrows(IOException.class, () -> restore(Fixtures.expert(Fixtures.context(), CONFIG), truncated));
    }
}
