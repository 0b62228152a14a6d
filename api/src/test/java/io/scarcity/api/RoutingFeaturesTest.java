package io.scarcity.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoutingFeaturesTest {
    static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("x", "y"));

    static RoutingContext context(Random random, int rows, double scale, double shift, SignalBoard signals) {
        double[] features = new double[rows * 3];
        int[] labels = new int[rows];
        for (int i = 0; i < features.length; i++) {
            features[i] = shift + scale * random.nextGaussian();
        }
        return new RoutingContext(List.of("e1", "e2"), Batch.ofClasses(SCHEMA, "d", 0, features, labels), signals, 0);
    }

    @Test
    void signalsAreCopiedAndBoundedAndStationaryBatchesLookOrdinary() {
        RoutingFeatures features = new RoutingFeatures(0.01);
        Random random = new Random(3);
        InMemorySignalBoard signals = new InMemorySignalBoard();
        double[] first = features.extract(context(random, 50, 1, 0, signals));
        assertArrayEquals(new double[] {1, 0, 0, 0, 0, 0.5, 0.5, 0}, first, 1e-12, "nothing known before the first batch");
        signals.publish(StandardSignals.DRIFT_SCORE, 3.0);
        signals.publish(StandardSignals.DRIFT_DETECTED, 1.0);
        signals.publish(StandardSignals.OUTLIER_RATE, 0.25);
        signals.publish(StandardSignals.MIXTURE_LOSS, 1.0);
        double[] x = null;
        for (int i = 0; i < 100; i++) {
            x = features.extract(context(random, 50, 1, 0, signals));
        }
        assertEquals(RoutingFeatures.SIZE, x.length);
        assertEquals(1.0, x[1], "drift score clamped to 1");
        assertEquals(1.0, x[2]);
        assertEquals(0.25, x[3]);
        assertEquals(0.5, x[4], 1e-12, "loss 1 maps to 1 / 2");
        assertEquals(0.5, x[5], 0.05, "stationary rows: mean squared z about 1");
        assertEquals(0.5, x[6], 0.05, "batch variance about the running variance");
        for (double v : x) {
            assertTrue(v >= 0 && v <= 1, "component out of [0, 1]: " + v);
        }
    }

    @Test
    void shiftedScatteredAndHomogeneousBatchesMoveNoveltyAndSpread() throws IOException {
        RoutingFeatures features = new RoutingFeatures(0.01);
        Random random = new Random(5);
        SignalBoard signals = new InMemorySignalBoard();
        for (int i = 0; i < 100; i++) {
            features.extract(context(random, 50, 1, 0, signals));
        }
        RoutingFeatures copy = copy(features, 0.01);
        RoutingFeatures copy2 = copy(features, 0.01);
        double[] shifted = features.extract(context(random, 50, 1, 4, signals));
        assertTrue(shifted[5] > 0.9, "rows 4 sd away are novel: " + shifted[5]);
        assertEquals(0.5, shifted[6], 0.15, "a shift does not change the spread: " + shifted[6]);
        double[] scattered = copy.extract(context(random, 50, 3, 0, signals));
        assertTrue(scattered[6] > 0.85, "9x the variance: " + scattered[6]);
        double[] packed = copy2.extract(context(random, 50, 0.1, 0, signals));
        assertTrue(packed[6] < 0.05 && packed[5] < 0.05, "rows packed at the mean: " + packed[5] + ", " + packed[6]);
    }

    @Test
    void missingValuesAreCountedAndSkipped() {
        RoutingFeatures features = new RoutingFeatures();
        double[] f = {1, Double.NaN, 2, Double.NaN, 3, 4};
        Batch batch = Batch.ofClasses(SCHEMA, "d", 0, f, new int[2]);
        double[] x = features.extract(new RoutingContext(List.of("e"), batch, new InMemorySignalBoard(), 0));
        assertEquals(2.0 / 6, x[7], 1e-12);
    }

    @Test
    void restoredFeaturesContinueExactlyAndAnotherRateIsRefused() throws IOException {
        RoutingFeatures a = new RoutingFeatures(0.01);
        Random random = new Random(7);
        SignalBoard signals = new InMemorySignalBoard();
        for (int i = 0; i < 30; i++) {
            a.extract(context(random, 20, 1, 0, signals));
        }
        RoutingFeatures b = copy(a, 0.01);
        RoutingContext next = context(random, 20, 2, 1, signals);
        assertArrayEquals(a.extract(next), b.extract(next));
        assertThrows(IOException.class, () -> copy(a, 0.02));
        assertThrows(IllegalArgumentException.class, () -> new RoutingFeatures(0));
    }

    @Test
    void aLargeFeatureThatVariesLittleKeepsItsSpreadAndInfiniteValuesCountAsMissing() {
        RoutingFeatures features = new RoutingFeatures(0.01);
        Random random = new Random(11);
        SignalBoard signals = new InMemorySignalBoard();
        double[] x = null;
        for (int i = 0; i < 300; i++) {
            x = features.extract(context(random, 50, 1, 1.7e9, signals)); // timestamps in seconds, sd 1
            if (i > 50) {
                assertEquals(0.5, x[6], 0.2, "spread of an ordinary batch at batch " + i + ": " + x[6]);
            }
        }
        double[] f = new double[150];
        for (int i = 0; i < f.length; i++) {
            f[i] = 1.7e9 + random.nextGaussian();
        }
        f[0] = Double.POSITIVE_INFINITY;
        f[4] = 1e200; // its square overflows: not learned
        double[] withInfinity = features.extract(new RoutingContext(List.of("e"), Batch.ofClasses(SCHEMA, "d", 0, f, new int[50]), signals, 0));
        assertEquals(1.0 / 150, withInfinity[7], 1e-12, "an infinite value is missing");
        double[] after = features.extract(context(random, 50, 1, 1.7e9, signals));
        assertEquals(0.5, after[5], 0.2, "novelty recovers: the huge value did not poison the running variance: " + after[5]);
        assertEquals(0.5, after[6], 0.2, "spread too: " + after[6]);
    }

    static RoutingFeatures copy(RoutingFeatures from, double rate) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter w = new StateWriter(bytes);
        from.save(w);
        w.flush();
        RoutingFeatures to = new RoutingFeatures(rate);
        to.restore(new StateReader(new ByteArrayInputStream(bytes.toByteArray())));
        return to;
    }
}
