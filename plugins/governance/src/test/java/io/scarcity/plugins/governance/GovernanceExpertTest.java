package io.scarcity.plugins.governance;

import static io.scarcity.plugins.governance.Fixtures.batch;
import static io.scarcity.plugins.governance.Fixtures.context;
import static io.scarcity.plugins.governance.Fixtures.expert;
import static io.scarcity.plugins.governance.Fixtures.row;
import static io.scarcity.plugins.governance.Fixtures.zeros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.SignalBoard;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GovernanceExpertTest {
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    /** The admit mask, with {@code null} (admit all) spelled out. */
    private static boolean[] mask(GovernanceExpert expert, Batch batch, SignalBoard signals) {
        boolean[] keep = expert.admit(batch, signals);
        if (keep == null) {
            keep = new boolean[batch.rows()];
            java.util.Arrays.fill(keep, true);
        }
        return keep;
    }

    private static boolean[] mask(Map<String, ?> rule, Batch batch) {
        return mask(expert(context(), Map.of("rules", List.of(rule))), batch, new InMemorySignalBoard());
    }

    @Test
    void rangeQuarantinesExactlyTheRowsOutsideInclusiveBounds() {
        Batch b = batch(0, null, row(0, 0, 0, 0), row(10, 0, 0, 0), row(-0.001, 0, 0, 0), row(10.5, 0, 0, 0),
                row(NAN, 0, 0, 0), row(INF, 0, 0, 0), row(-INF, 0, 0, 0), row(5, NAN, 0, 0));
        assertArrayEquals(new boolean[] {true, true, false, false, false, false, false, true},
                mask(Map.of("type", "range", "feature", "a", "min", 0, "max", 10), b));
        // one bound: +infinity passes "a >= 0", NaN never does
        assertArrayEquals(new boolean[] {true, true, false, true, false, true, false, true},
                mask(Map.of("type", "range", "feature", "a", "min", 0), b));
        assertArrayEquals(new boolean[] {true, false, true, false, false, false, true, true},
                mask(Map.of("type", "range", "feature", "a", "max", 5.5), b));
    }

    @Test
    void requiredQuarantinesNonFiniteValuesOfTheListedFeaturesOnly() {
        Batch b = batch(0, null, row(1, 1, 1, 1), row(NAN, 1, 1, 1), row(1, 1, INF, 1), row(1, NAN, 1, -INF),
                row(-INF, 1, 1, 1), row(Double.MAX_VALUE, 0, -Double.MAX_VALUE, 0));
        assertArrayEquals(new boolean[] {true, false, false, true, false, true},
                mask(Map.of("type", "required", "features", List.of("a", "c")), b));
        assertArrayEquals(new boolean[] {true, true, true, false, true, true},
                mask(Map.of("type", "required", "feature", "b"), b));
    }

    @Test
    void allowedValuesQuarantinesValuesOutsideTheSet() {
        Batch b = batch(0, null, row(0, 0, 0, 1), row(0, 0, 0, 2), row(0, 0, 0, 2.5), row(0, 0, 0, NAN), row(0, 0, 0, 0),
                row(0, 0, 0, -0.0), row(0, 0, 0, 3), row(0, 0, 0, 10));
        assertArrayEquals(new boolean[] {true, true, false, false, false, false, true, false},
                mask(Map.of("type", "allowed", "feature", "d", "values", List.of(1, 2, 3)), b));
        // more than 8 values: the binary search path; -0.0 and 0.0 are one value
        assertArrayEquals(new boolean[] {true, true, false, false, true, true, true, false},
                mask(Map.of("type", "allowed", "feature", "d", "values", List.of(9, 8, 7, 6, 5, 4, 3, 2, 1, 0)), b));
        assertArrayEquals(new boolean[] {false, false, false, false, true, true, false, false},
                mask(Map.of("type", "allowed", "feature", "d", "values", List.of(-0.0)), b));
    }

    @Test
    void allowedLabelQuarantinesOtherClassesAndIgnoresUnlabelledBatches() {
        Map<String, Object> rule = Map.of("type", "allowed", "label", List.of("ok", "warn"));
        Batch labelled = batch(0, new int[] {0, 1, 2, 0, 2}, row(0, 0, 0, 0), row(0, 0, 0, 0), row(0, 0, 0, 0),
                row(0, 0, 0, 0), row(0, 0, 0, 0));
        assertArrayEquals(new boolean[] {true, true, false, true, false}, mask(rule, labelled));
        GovernanceExpert e = expert(context(), Map.of("rules", List.of(rule)));
        assertNull(e.admit(batch(0, null, row(0, 0, 0, 0), row(1, 1, 1, 1)), new InMemorySignalBoard()),
                "an unlabelled batch has no class to check");
        assertEquals(0, e.quarantined());
    }

    @ParameterizedTest(name = "a {0} b")
    @CsvSource({"'<=', TTFFF", "le, TTFFF", "'<', TFFFF", "'>=', FTTFF", "'>', FFTFF", "'==', FTFFF", "'!=', TFTFF", "NE, TFTFF"})
    void compareBetweenFeaturesQuarantinesRowsWhereTheComparisonFails(String op, String expected) {
        Batch b = batch(0, null, row(1, 2, 0, 0), row(2, 2, 0, 0), row(3, 2, 0, 0), row(NAN, 2, 0, 0), row(1, NAN, 0, 0));
        boolean[] want = new boolean[5];
        for (int r = 0; r < 5; r++) {
            want[r] = expected.charAt(r) == 'T';
        }
        assertArrayEquals(want, mask(Map.of("type", "compare", "left", "a", "op", op, "right", "b"), b));
        // the same against a constant: b = 2 in the first four rows
        Batch c = batch(0, null, row(1, 0, 0, 0), row(2, 0, 0, 0), row(3, 0, 0, 0), row(NAN, 0, 0, 0));
        assertArrayEquals(java.util.Arrays.copyOf(want, 4), mask(Map.of("type", "compare", "left", "a", "op", op, "value", 2), c));
    }

    @Test
    void aRowBreakingSeveralRulesCountsForEachAndIsQuarantinedOnce() {
        Fixtures.TestContext ctx = context();
        GovernanceExpert e = expert(ctx, Map.of("rules", List.of(
                Map.of("type", "range", "name", "a-range", "feature", "a", "min", 0, "max", 10),
                Map.of("type", "compare", "name", "a-le-b", "left", "a", "op", "<=", "right", "b"),
                Map.of("type", "required", "feature", "c"))));
        SignalBoard signals = new InMemorySignalBoard();
        Batch b = batch(100, null, row(11, 5, NAN, 0), row(1, 5, 0, 0), row(11, 20, 0, 0), row(2, 1, 0, 0));
        assertArrayEquals(new boolean[] {false, true, false, false}, e.admit(b, signals));
        assertEquals(Map.of("a-range", 2L, "a-le-b", 2L, "required-c", 1L), e.violationCounts());
        assertEquals(List.of("a-range", "a-le-b", "required-c"), List.copyOf(e.violationCounts().keySet()));
        assertEquals(3, e.quarantined());
        assertEquals(4, e.rowsSeen());
        assertEquals(2L, ctx.metrics.count("governance.violations.a-range"));
        assertEquals(2L, ctx.metrics.count("governance.violations.a-le-b"));
        assertEquals(1L, ctx.metrics.count("governance.violations.required-c"));
        assertEquals(0.75, signals.get("governance.violation-rate", -1));
        assertEquals(0.75, ctx.metrics.gauges.get("governance.violation-rate"));
        assertEquals(List.of(new Violation("a-range", 100, "a=11.0"), new Violation("a-range", 102, "a=11.0"),
                new Violation("a-le-b", 100, "a=11.0, b=5.0"), new Violation("a-le-b", 103, "a=2.0, b=1.0"),
                new Violation("required-c", 100, "c=NaN")), e.samples());
        // the first violation of each rule is logged once, with the rule, the stream position and the values
        List<String> warnings = ctx.logger.at(Level.WARNING);
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("'a-range' (a in [0.0, 10.0]) quarantined row 100 on client d-0: a=11.0"), warnings.get(0));
        assertTrue(warnings.get(1).contains("'a-le-b' (a <= b) quarantined row 100") && warnings.get(1).contains("a=11.0, b=5.0"),
                warnings.get(1));
        assertTrue(warnings.get(2).contains("'required-c'") && warnings.get(2).contains("c=NaN"), warnings.get(2));
    }

    @Test
    void samplesAreBoundedAndTheFirstViolationIsLoggedOnce() {
        Fixtures.TestContext ctx = context();
        GovernanceExpert e = expert(ctx, Map.of("sampleSize", 3, "maxViolationRate", 1.0,
                "rules", List.of(Map.of("type", "range", "feature", "a", "min", 0))));
        SignalBoard signals = new InMemorySignalBoard();
        e.admit(zeros(0, 5, 1), signals);
        e.admit(zeros(5, 5, 0, 2, 4), signals);
        e.admit(zeros(10, 5, 0, 1, 2, 3, 4), signals);
        assertEquals(List.of(new Violation("range-a", 1, "a=-1.0"), new Violation("range-a", 5, "a=-1.0"),
                new Violation("range-a", 7, "a=-1.0")), e.samples());
        assertEquals(9L, e.violationCounts().get("range-a"));
        assertEquals(1, ctx.logger.lines.size(), ctx.logger.lines.toString());

        GovernanceExpert none = expert(context(), Map.of("sampleSize", 0, "rules", List.of(Map.of("type", "range", "feature", "a", "min", 0))));
        none.admit(zeros(0, 5, 1, 2), signals);
        assertEquals(List.of(), none.samples());
        assertEquals(2L, none.violationCounts().get("range-a"));
    }

    @Test
    void theAlertFiresExactlyWhenTheWindowedRateExceedsTheMaximumAndReArms() {
        Fixtures.TestContext ctx = context();
        GovernanceExpert e = expert(ctx, Map.of("window", 10, "minRows", 10, "maxViolationRate", 0.2,
                "rules", List.of(Map.of("type", "range", "feature", "a", "min", 0))));
        SignalBoard signals = new InMemorySignalBoard();
        // {violating rows of the batch of 5, rate of the last 10 rows after it, alerting, alerts so far}
        int[][] bad = {{0, 1, 2}, {}, {}, {1, 3}, {4}, {0, 2}, {}, {0, 1, 2, 3, 4}};
        double[] rate = {0.6, 0.3, 0.0, 0.2, 0.3, 0.3, 0.2, 0.5};
        boolean[] alerting = {false, true, false, false, true, true, false, true};
        long[] alerts = {0, 1, 1, 1, 2, 2, 2, 3};
        for (int i = 0; i < bad.length; i++) {
            e.admit(zeros(5L * i, 5, bad[i]), signals);
            String at = "after batch " + i;
            assertEquals(rate[i], signals.get("governance.violation-rate", -1), 1e-12, at);
            assertEquals(alerting[i], e.alerting(), at + ": only once minRows = 10 rows were seen, and above, not at, 0.2");
            assertEquals(alerting[i] ? 1.0 : 0.0, signals.get("governance.alert", -1), at);
            assertEquals(alerts[i], e.alerts(), at);
            assertEquals(alerts[i], ctx.metrics.count("governance.alerts"), at);
        }
        List<String> raised = ctx.logger.lines.stream().filter(l -> l.contains("governance alert")).toList();
        assertEquals(3, raised.size());
        assertTrue(raised.get(0).startsWith("WARNING governance alert on client d-0: 30.00% of the last 10 rows were quarantined, "
                + "above maxViolationRate 20.00%; violations in the window: range-a 3"), raised.get(0));
        assertEquals(2, ctx.logger.lines.stream().filter(l -> l.startsWith("INFO") && l.contains("re-armed")).count());
    }

    @Test
    void theWindowSlidesRowByRowEvenWithinABatchLargerThanIt() {
        GovernanceExpert e = expert(context(), Map.of("window", 4, "minRows", 4, "maxViolationRate", 0.5,
                "rules", List.of(Map.of("type", "range", "feature", "a", "min", 0))));
        SignalBoard signals = new InMemorySignalBoard();
        e.admit(zeros(0, 10, 0, 1, 2, 7), signals);
        assertEquals(0.25, e.violationRate(), "rows 6..9 hold one violation");
        assertFalse(e.alerting());
        e.admit(zeros(10, 3, 0, 1, 2), signals);
        assertEquals(0.75, e.violationRate(), "rows 9..12: 9 is fine, 10, 11 and 12 break the rule");
        assertTrue(e.alerting());
        assertEquals(7, e.quarantined());
    }

    @Test
    void aRuleWithItsOwnMaximumAlertsOnItsOwnRate() {
        Fixtures.TestContext ctx = context();
        GovernanceExpert e = expert(ctx, Map.of("window", 10, "minRows", 10, "maxViolationRate", 0.5, "rules", List.of(
                Map.of("type", "range", "name", "strict", "feature", "a", "min", 0, "maxViolationRate", 0.1),
                Map.of("type", "range", "name", "lax", "feature", "b", "min", 0))));
        SignalBoard signals = new InMemorySignalBoard();
        e.admit(zeros(0, 10, 3, 7), signals);
        assertEquals(0.2, e.violationRate());
        assertTrue(e.alerting(), "'strict' is broken by 20% > its 10%, the overall 20% is within 50%");
        assertEquals(1, e.alerts());
        List<String> raised = ctx.logger.lines.stream().filter(l -> l.contains("governance alert")).toList();
        assertEquals(1, raised.size());
        assertTrue(raised.get(0).contains("rule 'strict' (a >= 0.0) was broken by 20.00% of the last 10 rows, above its "
                + "maxViolationRate 10.00%"), raised.get(0));
        e.admit(zeros(10, 10, 0), signals);
        assertFalse(e.alerting(), "10% is not above 10%: re-armed");
        assertEquals(0.0, signals.get("governance.alert", -1));
    }

    @Test
    void alertLogLinesAreCappedButAlertsKeepCounting() {
        Fixtures.TestContext ctx = context();
        GovernanceExpert e = expert(ctx, Map.of("window", 1, "maxViolationRate", 0.0,
                "rules", List.of(Map.of("type", "range", "feature", "a", "min", 0))));
        SignalBoard signals = new InMemorySignalBoard();
        for (int i = 0; i < 60; i++) {
            e.admit(zeros(2L * i, 1, 0), signals);
            e.admit(zeros(2L * i + 1, 1), signals);
        }
        assertEquals(60, e.alerts());
        assertEquals(60L, ctx.metrics.count("governance.alerts"));
        // 1 first-violation line, 50 alert and re-arm lines, 1 line saying further alerts are not logged
        assertEquals(1 + GovernanceExpert.MAX_ALERT_LOGS + 1, ctx.logger.lines.size());
        assertTrue(ctx.logger.lines.get(ctx.logger.lines.size() - 1).contains("not logged"));
    }

    @Test
    void learnChangesNothingAndAdmittingEverythingReturnsNull() {
        GovernanceExpert e = expert(context(), Map.of("rules", List.of(Map.of("type", "range", "feature", "a", "min", 0))));
        SignalBoard signals = new InMemorySignalBoard();
        assertNull(e.admit(zeros(0, 5), signals));
        e.learn(zeros(5, 5, 1), new io.scarcity.api.BatchOutcome(null, new double[5], 0), signals);
        assertEquals(0, e.quarantined());
        assertEquals(5, e.rowsSeen());
        assertEquals(0.0, signals.get("governance.violation-rate", -1));
        assertEquals(0.0, signals.get("governance.alert", -1));
    }
}
