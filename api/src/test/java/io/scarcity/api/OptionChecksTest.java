package io.scarcity.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class OptionChecksTest {
    private enum Mode { PLAIN, FEATURE_DRIFT }

    private static void refused(String reason, Executable check) {
        InvalidOptionException e = assertThrows(InvalidOptionException.class, check);
        assertEquals("rate", e.key());
        assertEquals(reason, e.reason());
        assertEquals("rate: " + reason, e.getMessage());
    }

    @Test
    void acceptedValuesAreReturnedUnchanged() {
        assertEquals(-2.5, OptionChecks.finite("rate", -2.5));
        assertEquals(0.0, OptionChecks.atLeast("rate", 0.0, 0));
        assertEquals(1e-300, OptionChecks.above("rate", 1e-300, 0));
        assertEquals(1.0, OptionChecks.inClosed("rate", 1.0, 0, 1));
        assertEquals(0.0, OptionChecks.inClosed("rate", 0.0, 0, 1));
        assertEquals(1.0, OptionChecks.inOpenClosed("rate", 1.0, 0, 1));
        assertEquals(0.0, OptionChecks.inClosedOpen("rate", 0.0, 0, 1));
        assertEquals(0.5, OptionChecks.inOpen("rate", 0.5, 0, 1));
        assertEquals(3, OptionChecks.atLeast("rate", 3, 3));
        assertEquals(3L, OptionChecks.atLeast("rate", 3L, 0L));
        assertEquals(10, OptionChecks.inRange("rate", 10, 1, 10));
        assertEquals("b", OptionChecks.oneOf("rate", "b", List.of("a", "b")));
        assertSame(Mode.FEATURE_DRIFT, OptionChecks.oneOf("rate", "Feature-Drift", Mode.class));
        assertSame(Mode.PLAIN, OptionChecks.oneOf("rate", "plain", Mode.class));
        assertSame(Mode.PLAIN, OptionChecks.notNull("rate", Mode.PLAIN, Mode.class));
        assertEquals("x", OptionChecks.notNull("rate", "x"));
    }

    @Test
    void numbersAreRefusedWithOneWordingNamingTheKey() {
        refused("must be finite, got NaN", () -> OptionChecks.finite("rate", Double.NaN));
        refused("must be finite, got Infinity", () -> OptionChecks.finite("rate", Double.POSITIVE_INFINITY));
        refused("must be finite and >= 0, got -0.5", () -> OptionChecks.atLeast("rate", -0.5, 0));
        refused("must be finite and >= 0, got NaN", () -> OptionChecks.atLeast("rate", Double.NaN, 0));
        refused("must be finite and >= 0, got Infinity", () -> OptionChecks.atLeast("rate", Double.POSITIVE_INFINITY, 0));
        refused("must be finite and > 0, got 0.0", () -> OptionChecks.above("rate", 0.0, 0));
        refused("must be finite and > 0.001, got Infinity", () -> OptionChecks.above("rate", Double.POSITIVE_INFINITY, 0.001));
        refused("must be in [0, 1], got 1.5", () -> OptionChecks.inClosed("rate", 1.5, 0, 1));
        refused("must be in [0, 1], got NaN", () -> OptionChecks.inClosed("rate", Double.NaN, 0, 1));
        refused("must be in (0, 1], got 0.0", () -> OptionChecks.inOpenClosed("rate", 0.0, 0, 1));
        refused("must be in (0, 1], got NaN", () -> OptionChecks.inOpenClosed("rate", Double.NaN, 0, 1));
        refused("must be in [0, 1), got 1.0", () -> OptionChecks.inClosedOpen("rate", 1.0, 0, 1));
        refused("must be in (0, 0.5), got 0.5", () -> OptionChecks.inOpen("rate", 0.5, 0, 0.5));
    }

    @Test
    void wholeNumbersAreRefusedWithTheirRange() {
        refused("must be a whole number >= 1, got 0", () -> OptionChecks.atLeast("rate", 0, 1));
        refused("must be a whole number >= 0, got -1", () -> OptionChecks.atLeast("rate", -1L, 0L));
        refused("must be a whole number in [1, 10], got 11", () -> OptionChecks.inRange("rate", 11, 1, 10));
        refused("must be a whole number in [1, 10], got 0", () -> OptionChecks.inRange("rate", 0, 1, 10));
    }

    @Test
    void namesAreRefusedWithTheValidOnes() {
        refused("must be one of a, b, got 'c'", () -> OptionChecks.oneOf("rate", "c", List.of("a", "b")));
        refused("must be one of a, b", () -> OptionChecks.oneOf("rate", null, List.of("a", "b")));
        refused("must be one of plain, feature-drift, got 'other'", () -> OptionChecks.oneOf("rate", "other", Mode.class));
        refused("must be one of plain, feature-drift", () -> OptionChecks.notNull("rate", null, Mode.class));
        refused("must be given", () -> OptionChecks.notNull("rate", null));
        assertEquals(List.of("plain", "feature-drift"), OptionChecks.names(Mode.class));
    }
}
