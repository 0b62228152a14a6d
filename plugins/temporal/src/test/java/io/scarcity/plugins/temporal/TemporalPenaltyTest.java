package io.scarcity.plugins.temporal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertState;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Elastic weight consolidation ({@link TemporalExpert#penalise}): validation, behaviour, both backends. */
class TemporalPenaltyTest {
    private static final DataSchema REGRESSION = new DataSchema(List.of("a", "b", "c"), Task.REGRESSION, null);
    private static final List<String> HEAD = List.of("head.weights", "head.bias");

    private static TemporalExpert expert(String backend) {
        return (TemporalExpert) TemporalExpertTest.expert(REGRESSION, Map.of("backend", backend, "window", 6), 5);
    }

    /** A noisy oscillation; task A's target is {@code 5 sin(phase - 0.8)}, task B's ({@code sign = -1}) the opposite. */
    private static Batch batch(Random random, long firstRow, int rows, double sign) {
        double[] x = new double[rows * 3];
        double[] t = new double[rows];
        for (int r = 0; r < rows; r++) {
            double phase = (firstRow + r) * 0.4;
            for (int j = 0; j < 3; j++) {
                x[r * 3 + j] = Math.sin(phase + j) + 0.3 * random.nextGaussian() + 10 * j;
            }
            t[r] = sign * 5 * Math.sin(phase - 0.8) + 0.3 * random.nextGaussian();
        }
        return Batch.ofTargets(REGRESSION, "d", firstRow, x, t);
    }

    /** Learns {@code batches} consecutive batches of 25 rows of the task from row {@code from}. */
    private static void train(Expert e, long seed, long from, int batches, double sign) {
        Random random = new Random(seed);
        SignalBoard board = new InMemorySignalBoard();
        for (int i = 0; i < batches; i++) {
            TemporalExpertTest.step(e, batch(random, from + 25L * i, 25, sign), board);
        }
    }

    private static double drift(ExpertState now, ExpertState anchor, List<String> names) {
        double max = 0;
        for (String name : names) {
            double[] a = anchor.weight(name);
            double[] b = now.weight(name);
            for (int i = 0; i < a.length; i++) {
                max = Math.max(max, Math.abs(b[i] - a[i]));
            }
        }
        return max;
    }

    /** {@code value} on the named network arrays, 0 on the others (the names of {@link TemporalExpert#importance()}). */
    private static ExpertState importanceOn(Expert e, List<String> names, double value) {
        Map<String, double[]> w = new TreeMap<>();
        for (Map.Entry<String, double[]> entry : e.importance().orElseThrow().weights().entrySet()) {
            double[] v = new double[entry.getValue().length];
            if (names.contains(entry.getKey())) {
                Arrays.fill(v, value);
            }
            w.put(entry.getKey(), v);
        }
        return new ExpertState("temporal", w, 0);
    }

    private static byte[] save(Expert e) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        ((Checkpointable) e).saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    /**
     * The known answer, on both backends: after 120 batches of task A, a penalty of strength 1000
     * with importance 1 on the output head keeps it within 0.005 of its anchor through 120 batches of the
     * opposite task B, while the unpenalised twin's head moves by more than 0.3 (measured on both backends: 1.7e-4
     * against 0.526); the other weights keep learning (0.713).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nd4j", "java"})
    void ewcKeepsImportantWeightsNearTheirAnchorsWhileAnUnpenalisedTwinForgets(String backend) {
        TemporalExpert penalised = expert(backend);
        TemporalExpert twin = expert(backend);
        train(penalised, 1, 0, 120, 1);
        train(twin, 1, 0, 120, 1);
        ExpertState anchor = penalised.exportState();
        assertTrue(penalised.penalise(anchor, importanceOn(penalised, HEAD, 1.0), 1000));
        train(penalised, 2, 3000, 120, -1);
        train(twin, 2, 3000, 120, -1);
        double kept = drift(penalised.exportState(), anchor, HEAD);
        double forgotten = drift(twin.exportState(), anchor, HEAD);
        double free = drift(penalised.exportState(), anchor, List.of("lstm0.weights", "forecast.weights"));
        System.out.printf("temporal EWC %s (importance 1 on the head, strength 1000): head drift %.3g with, %.3g without;"
                + " unpenalised arrays %.3g%n", backend, kept, forgotten, free);
        assertTrue(kept < 0.005, "penalised head drift " + kept);
        assertTrue(forgotten > 0.3 && forgotten > 100 * kept, "unpenalised head drift " + forgotten);
        assertTrue(free > 20 * kept, "weights without importance still learn: drift " + free);
    }

    /**
     * The supervisor's usual call: the expert's own state and Fisher estimate, strength 1e5. The weights of the
     * highest Fisher information (at least a tenth of the largest; 24 of them) stay within 0.02 of their
     * anchors and move at least 20 times less than the twin's (measured: 0.0055 against 0.447).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nd4j", "java"})
    void ewcWithTheFisherEstimateHoldsTheMostImportantWeights(String backend) {
        TemporalExpert penalised = expert(backend);
        TemporalExpert twin = expert(backend);
        train(penalised, 1, 0, 120, 1);
        train(twin, 1, 0, 120, 1);
        ExpertState anchor = penalised.exportState();
        ExpertState fisher = penalised.importance().orElseThrow();
        assertTrue(penalised.penalise(anchor, fisher, 1e5));
        train(penalised, 2, 3000, 120, -1);
        train(twin, 2, 3000, 120, -1);
        double max = 0;
        for (double[] v : fisher.weights().values()) {
            for (double x : v) {
                max = Math.max(max, x);
            }
        }
        double kept = 0;
        double forgotten = 0;
        int important = 0;
        for (String name : fisher.weights().keySet()) {
            double[] f = fisher.weight(name);
            double[] a = anchor.weight(name);
            double[] p = penalised.exportState().weight(name);
            double[] t = twin.exportState().weight(name);
            for (int i = 0; i < f.length; i++) {
                if (f[i] >= 0.1 * max) {
                    important++;
                    kept = Math.max(kept, Math.abs(p[i] - a[i]));
                    forgotten = Math.max(forgotten, Math.abs(t[i] - a[i]));
                }
            }
        }
        System.out.printf("temporal EWC %s (Fisher, strength 1e5): %d weights of Fisher >= max/10, drift %.3g with, %.3g without%n",
                backend, important, kept, forgotten);
        assertTrue(important > 0);
        assertTrue(kept < 0.02, "penalised drift " + kept);
        assertTrue(forgotten > 20 * kept, "unpenalised drift " + forgotten + " against " + kept);
    }

    /** Strength 0, from the start or replacing an earlier penalty, trains bit for bit as no penalty does. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nd4j", "java"})
    void strengthZeroIsExactlyNoPenalty(String backend) throws IOException {
        TemporalExpert twin = expert(backend);
        TemporalExpert zero = expert(backend);
        TemporalExpert removed = expert(backend);
        for (Expert e : List.of(twin, zero, removed)) {
            train(e, 1, 0, 20, 1);
        }
        ExpertState anchor = zero.exportState();
        ExpertState fisher = zero.importance().orElseThrow();
        assertTrue(zero.penalise(anchor, fisher, 0));
        assertTrue(removed.penalise(anchor, importanceOn(removed, HEAD, 1.0), 1000));
        assertTrue(removed.penalise(anchor, fisher, 0));
        assertEquals(0, removed.penaltyStrength());
        for (Expert e : List.of(twin, zero, removed)) {
            train(e, 2, 500, 30, -1);
        }
        byte[] expected = save(twin);
        assertArrayEquals(expected, save(zero), "strength 0 from the start");
        assertArrayEquals(expected, save(removed), "a penalty replaced by strength 0");
        ExpertState a = twin.exportState();
        ExpertState b = zero.exportState();
        for (String name : a.weights().keySet()) {
            assertArrayEquals(a.weight(name), b.weight(name), 0.0, name);
        }
    }

    /** A later call replaces the penalty; the standardisation's arrays may be given importances (ignored). */
    @Test
    void aLaterCallReplacesThePenalty() throws IOException {
        TemporalExpert once = expert("java");
        TemporalExpert twice = expert("java");
        train(once, 1, 0, 20, 1);
        train(twice, 1, 0, 20, 1);
        ExpertState anchor = once.exportState();
        ExpertState fisher = once.importance().orElseThrow();
        Map<String, double[]> withScaler = new TreeMap<>(fisher.weights());
        withScaler.put("scaler.mean", new double[] {5, 5, 5});
        assertTrue(twice.penalise(anchor, importanceOn(twice, HEAD, 1.0), 1000));
        assertTrue(twice.penalise(anchor, new ExpertState("temporal", withScaler, 0), 50));
        assertTrue(once.penalise(anchor, fisher, 50));
        train(once, 2, 500, 30, -1);
        train(twice, 2, 500, 30, -1);
        assertArrayEquals(save(once), save(twice));
    }

    @Test
    void badArgumentsAreRefusedNamingTheArray() {
        TemporalExpert e = expert("java");
        train(e, 1, 0, 3, 1);
        ExpertState anchor = e.exportState();
        ExpertState fisher = e.importance().orElseThrow();
        assertMessage("strength", () -> e.penalise(anchor, fisher, -1));
        assertMessage("strength", () -> e.penalise(anchor, fisher, Double.NaN));
        assertMessage("strength", () -> e.penalise(anchor, fisher, Double.POSITIVE_INFINITY));
        Map<String, double[]> missing = new TreeMap<>(anchor.weights());
        missing.remove("scaler.variance");
        assertMessage("anchor lacks the array 'scaler.variance'", () -> e.penalise(new ExpertState("temporal", missing, 1), fisher, 1));
        Map<String, double[]> noHead = new TreeMap<>(fisher.weights());
        noHead.remove("head.bias");
        assertMessage("importance lacks the array 'head.bias'", () -> e.penalise(anchor, new ExpertState("temporal", noHead, 1), 1));
        Map<String, double[]> extra = new TreeMap<>(fisher.weights());
        extra.put("bogus", new double[1]);
        assertMessage("'bogus'", () -> e.penalise(anchor, new ExpertState("temporal", extra, 1), 1));
        Map<String, double[]> shortArray = new TreeMap<>(anchor.weights());
        shortArray.put("lstm0.weights", new double[3]);
        assertMessage("'lstm0.weights' has 3 values", () -> e.penalise(new ExpertState("temporal", shortArray, 1), fisher, 1));
        Map<String, double[]> negative = new TreeMap<>(fisher.weights());
        double[] h = negative.get("forecast.bias").clone();
        h[1] = -0.5;
        negative.put("forecast.bias", h);
        assertMessage("'forecast.bias' has a negative value",
                () -> e.penalise(anchor, new ExpertState("temporal", negative, 1), 1));
        Map<String, double[]> nan = new TreeMap<>(anchor.weights());
        double[] b = nan.get("lstm0.bias").clone();
        b[0] = Double.POSITIVE_INFINITY;
        nan.put("lstm0.bias", b);
        assertMessage("'lstm0.bias' has a non-finite", () -> e.penalise(new ExpertState("temporal", nan, 1), fisher, 1));
        assertMessage("overflows", () -> e.penalise(anchor, importanceOn(e, HEAD, 1e200), 1e200));
        assertEquals(0, e.penaltyStrength(), "nothing changed");
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
