package io.scarcity.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EwcPenaltyTest {
    /** What the expert exports: two learned arrays and a standardisation estimate that is not learned by gradient. */
    private static final Map<String, double[]> EXPORTED = Map.of(
            "w", new double[] {0.5, -1.5, 2},
            "b", new double[] {0.25},
            "norm", new double[] {3, 4});
    /** The penalised arrays in the expert's own order (not the alphabetical one of the states). */
    private static final List<String> PENALISED = List.of("w", "b");

    private static ExpertState state(Object... nameArray) {
        Map<String, double[]> m = new TreeMap<>();
        for (int i = 0; i < nameArray.length; i += 2) {
            m.put((String) nameArray[i], (double[]) nameArray[i + 1]);
        }
        return new ExpertState("e", m, 1);
    }

    private static ExpertState anchor() {
        return state("w", new double[] {1, 2, 3}, "b", new double[] {-1}, "norm", new double[] {0, 0});
    }

    private static ExpertState importance() {
        return state("w", new double[] {0.5, 0, 2}, "b", new double[] {4}, "norm", new double[] {0, 0});
    }

    private static EwcPenalty check(ExpertState anchor, ExpertState importance, double strength, boolean every) {
        return EwcPenalty.check("test expert", EXPORTED, PENALISED, every, anchor, importance, strength);
    }

    private static void assertRefused(String part, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith("test expert: "), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void aCheckedPenaltyHoldsThePenalisedArraysInTheExpertsOrder() {
        EwcPenalty p = check(anchor(), importance(), 3, true);
        assertTrue(p.active());
        assertEquals(3.0, p.strength());
        assertEquals(List.of("w", "b"), p.names());
        assertArrayEquals(new double[][] {{1, 2, 3}, {-1}}, p.anchors());
        assertArrayEquals(new double[][] {{0.5, 0, 2}, {4}}, p.importances());
        assertArrayEquals(new double[] {1.5, 0, 6}, p.pull(0), "strength * importance");
        assertArrayEquals(new double[] {12}, p.pull(1));

        EwcPenalty flat = p.joined("parameters");
        assertEquals(List.of("parameters"), flat.names());
        assertArrayEquals(new double[] {1, 2, 3, -1}, flat.anchors()[0]);
        assertArrayEquals(new double[] {1.5, 0, 6, 12}, flat.pull(0));
        assertEquals(3.0, flat.strength());
    }

    @Test
    void strengthZeroIsNoPenaltyButTheArgumentsAreStillChecked() {
        EwcPenalty zero = check(anchor(), importance(), 0, true);
        assertFalse(zero.active());
        assertEquals(0.0, zero.strength());
        assertNull(zero.anchors());
        assertNull(zero.importances());
        assertEquals(List.of(), zero.names());
        assertSame(zero, zero.joined("parameters"));
        assertThrows(IllegalStateException.class, () -> zero.pull(0));
        assertFalse(EwcPenalty.none().active());
        assertEquals(0.0, EwcPenalty.none().strength());
        assertRefused("'w' has 2 values, expected 3",
                () -> check(state("w", new double[2], "b", new double[1], "norm", new double[2]), importance(), 0, true));
    }

    @Test
    void badArgumentsAreRefusedNamingTheArrayOrValue() {
        for (double s : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertRefused("EWC strength must be finite and >= 0, got " + s, () -> check(anchor(), importance(), s, true));
        }
        assertRefused("EWC anchor lacks the array 'norm'",
                () -> check(state("w", new double[3], "b", new double[1]), importance(), 1, true));
        assertRefused("EWC anchor has an array 'x' that this expert does not export",
                () -> check(state("w", new double[3], "b", new double[1], "norm", new double[2], "x", new double[1]),
                        importance(), 1, true));
        assertRefused("EWC importance has an array 'x' that this expert does not export (expected exactly",
                () -> check(anchor(), state("w", new double[3], "b", new double[1], "norm", new double[2], "x", new double[1]),
                        1, true));
        assertRefused("(expected the arrays [w, b], optionally with the others it exports)",
                () -> check(anchor(), state("w", new double[3], "b", new double[1], "x", new double[1]), 1, false));
        assertRefused("EWC importance lacks the array 'b'",
                () -> check(anchor(), state("w", new double[3], "norm", new double[2]), 1, false));
        assertRefused("EWC anchor 'b' has a non-finite value NaN",
                () -> check(state("w", new double[3], "b", new double[] {Double.NaN}, "norm", new double[2]), importance(), 1,
                        true));
        assertRefused("EWC importance 'w' has a negative value -0.5; importances must be >= 0",
                () -> check(anchor(), state("w", new double[] {0, -0.5, 0}, "b", new double[1], "norm", new double[2]), 1, true));
        assertRefused("EWC importance 'norm' has a non-finite value Infinity",
                () -> check(anchor(), state("w", new double[3], "b", new double[1], "norm",
                        new double[] {0, Double.POSITIVE_INFINITY}), 1, false));
        assertRefused("EWC strength 1.0E200 times importance 'b' value 1.0E200 overflows",
                () -> check(anchor(), state("w", new double[3], "b", new double[] {1e200}, "norm", new double[2]), 1e200, true));
        assertThrows(IllegalArgumentException.class, () -> EwcPenalty.check("test expert", EXPORTED, List.of("w", "gone"), true,
                anchor(), importance(), 1), "a penalised array must be exported");
    }

    @Test
    void theImportanceOfArraysThatAreNotPenalisedMayBeLeftOutUnlessEveryArrayIsAskedFor() {
        ExpertState networkOnly = state("w", new double[] {1, 1, 1}, "b", new double[] {2});
        EwcPenalty p = check(anchor(), networkOnly, 2, false);
        assertArrayEquals(new double[][] {{1, 1, 1}, {2}}, p.importances());
        assertRefused("EWC importance lacks the array 'norm'", () -> check(anchor(), networkOnly, 2, true));
    }

    private static byte[] save(EwcPenalty p) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        p.save(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static EwcPenalty read(byte[] bytes, List<String> names, int... lengths) throws IOException {
        return EwcPenalty.read(new StateReader(new ByteArrayInputStream(bytes)), "test expert", names, lengths);
    }

    @Test
    void checkpointWritesStrengthThenEachArraysAnchorAndImportanceAndRestoresExactly() throws IOException {
        EwcPenalty p = check(anchor(), importance(), 3, true);
        byte[] bytes = save(p);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        StateWriter w = new StateWriter(expected);
        w.writeDouble(3);
        w.writeDoubles(new double[] {1, 2, 3});
        w.writeDoubles(new double[] {0.5, 0, 2});
        w.writeDoubles(new double[] {-1});
        w.writeDoubles(new double[] {4});
        w.flush();
        assertArrayEquals(expected.toByteArray(), bytes);

        EwcPenalty back = read(bytes, PENALISED, 3, 1);
        assertEquals(PENALISED, back.names());
        assertArrayEquals(p.anchors(), back.anchors());
        assertArrayEquals(p.importances(), back.importances());
        assertArrayEquals(bytes, save(back));

        byte[] none = save(EwcPenalty.none());
        assertEquals(8, none.length, "without a penalty only the strength");
        assertFalse(read(none, PENALISED, 3, 1).active());
        EwcPenalty flat = read(save(p.joined("parameters")), List.of("parameters"), 4);
        assertArrayEquals(new double[] {1, 2, 3, -1}, flat.anchors()[0]);
    }

    @Test
    void aCorruptCheckpointIsRefusedNamingTheExpertAndTheValue() throws IOException {
        assertCorrupt("invalid EWC strength -1.0", out -> out.writeDouble(-1));
        assertCorrupt("invalid EWC strength NaN", out -> out.writeDouble(Double.NaN));
        assertCorrupt("w (EWC anchor): expected 3 values, found 2", out -> {
            out.writeDouble(1);
            out.writeDoubles(new double[2]);
        });
        assertCorrupt("b (EWC importance): expected 1 values", out -> {
            out.writeDouble(1);
            out.writeDoubles(new double[3]);
            out.writeDoubles(new double[3]);
            out.writeDoubles(new double[1]);
            out.writeDoubles(null);
        });
        assertCorrupt("invalid EWC anchor Infinity or importance 0.0 of w[1]", out -> {
            out.writeDouble(1);
            out.writeDoubles(new double[] {0, Double.POSITIVE_INFINITY, 0});
            out.writeDoubles(new double[3]);
        });
        assertCorrupt("invalid EWC anchor 0.0 or importance -2.0 of b[0]", out -> {
            out.writeDouble(1);
            out.writeDoubles(new double[3]);
            out.writeDoubles(new double[3]);
            out.writeDoubles(new double[1]);
            out.writeDoubles(new double[] {-2});
        });
        assertCorrupt("importance 1.0E200 of w[0]", out -> {
            out.writeDouble(1e200);
            out.writeDoubles(new double[3]);
            out.writeDoubles(new double[] {1e200, 0, 0});
        });
    }

    private interface Writing {
        void write(StateWriter out) throws IOException;
    }

    private static void assertCorrupt(String part, Writing writing) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        writing.write(out);
        out.flush();
        IOException e = assertThrows(IOException.class, () -> read(bytes.toByteArray(), PENALISED, 3, 1));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void mismatchSaysWhyImportancesDoNotFitTheWeights() {
        ExpertState weights = state("w", new double[3], "b", new double[1]);
        assertNull(EwcPenalty.mismatch(state("w", new double[] {1, 0, 2}), weights), "a subset that fits");
        assertNull(EwcPenalty.mismatch(state(), weights));
        assertEquals("EWC importance has an array 'x' that the weights do not have",
                EwcPenalty.mismatch(state("x", new double[1]), weights));
        assertEquals("EWC importance 'w' has 2 values, expected 3", EwcPenalty.mismatch(state("w", new double[2]), weights));
        assertEquals("EWC importance 'b' has a negative value -1.0; importances must be >= 0",
                EwcPenalty.mismatch(state("b", new double[] {-1}), weights));
        assertEquals("EWC importance 'b' has a non-finite value NaN",
                EwcPenalty.mismatch(state("b", new double[] {Double.NaN}), weights));
        assertEquals("EWC importance 'b' has a non-finite value Infinity",
                EwcPenalty.mismatch(state("b", new double[] {Double.POSITIVE_INFINITY}), weights));
    }
}
