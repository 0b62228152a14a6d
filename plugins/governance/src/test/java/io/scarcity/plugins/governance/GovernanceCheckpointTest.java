package io.scarcity.plugins.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.Expert;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kit's checkpoint contract, and its round trip ({@link PluginTestKit#assertRoundTrip}) through a
 * scenario saved in the middle of an alert whose continuation re-arms and alerts again, plus what is the
 * governance expert's own.
 */
class GovernanceCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("window", 50, "minRows", 20, "maxViolationRate", 0.1,
            "sampleSize", 4, "rules", List.of(
                    Map.of("type", "range", "name", "a-range", "feature", "a", "min", 0, "max", 1, "maxViolationRate", 0.05),
                    Map.of("type", "compare", "left", "b", "op", "<=", "right", "c"),
                    Map.of("type", "allowed", "label", List.of("ok", "warn"))));
    /** The step the scenario is saved at, in an alert. */
    private static final int SAVED_AT = 30;
    private static final int AFTER = 60;
    private static final long SEED = 5;

    private static final Supplier<Expert> MAKER = () -> Fixtures.expert(Fixtures.context(), CONFIG);

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

    /**
     * Step {@code t} offers batch {@code t} of 17 rows: violations at a rate of 0.01 for 20 steps, then 0.3
     * (an alert) until the save; after it, none for 20 steps, 0.5 for 20, then 0.02. A step's fingerprint: the
     * rows admitted, the board, the alert, the counts and the samples kept.
     */
    private static final PluginTestKit.Driver<Expert> SCENARIO = (expert, random, from, steps) -> {
        GovernanceExpert e = (GovernanceExpert) expert;
        SignalBoard board = new InMemorySignalBoard();
        List<String> out = new ArrayList<>();
        for (int t = from; t < from + steps; t++) {
            int i = t - SAVED_AT;
            double p = t < 20 ? 0.01 : i < 0 ? 0.3 : i < 20 ? 0.0 : i < 40 ? 0.5 : 0.02;
            boolean[] kept = e.admit(batch(random, 17L * t, p), board);
            out.add(Arrays.toString(kept) + " " + board.snapshot() + " alerting " + e.alerting() + " alerts " + e.alerts()
                    + " counts " + e.violationCounts() + " rate " + e.violationRate() + " quarantined " + e.quarantined()
                    + " samples " + e.samples());
        }
        return out;
    };

    @Test
    void aRestoredExpertContinuesExactly() throws IOException {
        Random inputs = new Random(SEED);
        long warmUp = inputs.nextLong();
        long continuation = inputs.nextLong();
        GovernanceExpert probe = (GovernanceExpert) MAKER.get();
        SCENARIO.drive(probe, new Random(warmUp), 0, SAVED_AT);
        assertTrue(probe.alerting() && probe.alerts() >= 1, "saved in the middle of an alert");
        byte[] state = PluginTestKit.save(probe);
        SCENARIO.drive(probe, new Random(continuation), SAVED_AT, AFTER);
        assertTrue(probe.alerts() >= 3, "the continuation re-armed and alerted again: " + probe.alerts());

        PluginTestKit.assertRoundTrip(MAKER, SCENARIO, SEED, SAVED_AT, AFTER);
        ExpertTestKit.assertCheckpointContract(MAKER, Fixtures.SCHEMA, "governance", "governance expert");

        // the rules' first violations were before the checkpoint: a restored expert does not log them again
        Fixtures.TestContext context = Fixtures.context();
        GovernanceExpert restored = Fixtures.expert(context, CONFIG);
        PluginTestKit.restore(restored, state);
        SCENARIO.drive(restored, new Random(continuation), SAVED_AT, AFTER);
        assertEquals(0, context.logger.lines.stream().filter(l -> l.contains("quarantined row")).count());
    }

    @Test
    void aCheckpointOfOtherRulesOrVersionIsRefused() throws IOException {
        GovernanceExpert a = Fixtures.expert(Fixtures.context(), CONFIG);
        a.admit(batch(new Random(1), 0, 0.2), new InMemorySignalBoard());
        byte[] state = PluginTestKit.save(a);

        Map<String, Object> otherBound = Map.of("window", 50, "minRows", 20, "maxViolationRate", 0.1, "sampleSize", 4,
                "rules", List.of(Map.of("type", "range", "name", "a-range", "feature", "a", "min", 0, "max", 2, "maxViolationRate", 0.05),
                        Map.of("type", "compare", "left", "b", "op", "<=", "right", "c"),
                        Map.of("type", "allowed", "label", List.of("ok", "warn"))));
        IOException rules = assertThrows(IOException.class, () -> PluginTestKit.restore(Fixtures.expert(Fixtures.context(), otherBound), state));
        assertTrue(rules.getMessage().contains("written with other rules") && rules.getMessage()
                .contains("rule 1 was 'a-range: a in [0.0, 1.0] (max rate 0.05)', is now 'a-range: a in [0.0, 2.0] (max rate 0.05)'"),
                rules.getMessage());

        Map<String, Object> fewer = Map.of("window", 50, "minRows", 20, "maxViolationRate", 0.1, "sampleSize", 4,
                "rules", List.of(Map.of("type", "range", "name", "a-range", "feature", "a", "min", 0, "max", 1, "maxViolationRate", 0.05)));
        IOException count = assertThrows(IOException.class, () -> PluginTestKit.restore(Fixtures.expert(Fixtures.context(), fewer), state));
        assertTrue(count.getMessage().contains("it has 3 rules, the configuration 1"), count.getMessage());

        byte[] truncated = Arrays.copyOf(state, state.length - 3);
        assertThrows(IOException.class, () -> PluginTestKit.restore(MAKER.get(), truncated));
    }
}
