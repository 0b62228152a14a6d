package io.scarcity.plugins.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Save mid-stream, restore into a fresh instance, and both continue identically: every detector, with and without KL. */
class DetectorCheckpointTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(3, FeatureDriftTest.batch(new Random(0), 0, -1, 0, false)
            .schema(), "drift");
    private static final List<String> SIGNALS = List.of("drift.detected", "drift.warning", "drift.score", "drift.kl",
            "drift.kl-feature", "drift.feature-detected");

    private static DriftExpert expert(Map<String, ?> config) {
        return (DriftExpert) new DriftExpertFactory().create(PluginConfig.of("experts[2].config", config), CONTEXT);
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

    /** A batch whose loss rate and feature-0 shift depend on the phase; returns every signal. */
    private static double[] feed(DriftExpert expert, SignalBoard signals, Random random, double p, double shift) {
        Batch batch = FeatureDriftTest.batch(random, 0, 0, shift, true);
        double[] losses = new double[batch.rows()];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = random.nextDouble() < p ? 1 : 0;
        }
        expert.learn(batch, new BatchOutcome(null, losses, 1), signals);
        return SIGNALS.stream().mapToDouble(s -> signals.get(s, Double.NaN)).toArray();
    }

    static List<Arguments> configurations() {
        return List.of(Arguments.of("page-hinkley", false), Arguments.of("adwin", false), Arguments.of("ddm", false),
                Arguments.of("page-hinkley", true), Arguments.of("adwin", true), Arguments.of("ddm", true));
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void aRestoredExpertContinuesBitForBit(String detector, boolean featureDrift) throws IOException {
        Map<String, Object> config = new HashMap<>(Map.of("detector", detector));
        if (featureDrift) {
            config.putAll(Map.of("featureDrift", true, "referenceRows", 400, "recentRows", 300, "bins", 8));
        }
        DriftExpert a = expert(config);
        SignalBoard boardA = new InMemorySignalBoard();
        Random random = new Random(9);
        for (int b = 0; b < 200; b++) {
            feed(a, boardA, random, b < 100 ? 0.1 : 0.5, b < 100 ? 0 : 1.5);
        }
        assertTrue(a.detections() >= 1, "the loss change was detected before the checkpoint");
        if (featureDrift) {
            assertTrue(a.featureDetections() >= 1, "the feature shift was detected before the checkpoint");
        }
        // stop in the middle of a rising statistic and a half-full recent window
        for (int b = 0; b < 3; b++) {
            feed(a, boardA, random, 0.9, 3);
        }
        byte[] state = save(a);
        DriftExpert b = expert(config);
        restore(b, state);
        assertArrayEquals(state, save(b), "the restored expert saves the same state");
        SignalBoard boardB = new InMemorySignalBoard();
        long seed = random.nextLong();
        Random ra = new Random(seed);
        Random rb = new Random(seed);
        long detections = a.detections();
        long featureDetections = a.featureDetections();
        for (int i = 0; i < 400; i++) {
            double p = i < 100 ? 0.9 : i < 200 ? 0.1 : 0.7;
            double shift = i < 150 ? 3 : 0;
            double[] sa = feed(a, boardA, ra, p, shift);
            double[] sb = feed(b, boardB, rb, p, shift);
            for (int k = 0; k < sa.length; k++) {
                assertEquals(Double.doubleToRawLongBits(sa[k]), Double.doubleToRawLongBits(sb[k]),
                        "batch " + i + " " + SIGNALS.get(k));
            }
        }
        assertTrue(a.detections() > detections, "the pair went through a further loss detection");
        if (featureDrift) {
            assertTrue(a.featureDetections() > featureDetections, "and a further feature drift event");
        }
        assertEquals(a.detections(), b.detections());
        assertEquals(a.featureDetections(), b.featureDetections());
        assertArrayEquals(save(a), save(b), "and they save the same state");
    }

    @ParameterizedTest
    @ValueSource(strings = {"adwin", "ddm"})
    void aTruncatedCheckpointIsRefused(String detector) throws IOException {
        Map<String, Object> config = Map.of("detector", detector, "featureDrift", true);
        DriftExpert a = expert(config);
        Random random = new Random(2);
        for (int i = 0; i < 40; i++) {
            feed(a, new InMemorySignalBoard(), random, 0.2, 0);
        }
        byte[] state = save(a);
        assertThrows(IOException.class, () -> restore(expert(config), Arrays.copyOf(state, state.length - 5)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void checkpointsOfEarlierFormatsAreRefusedNamingTheVersion(int version) throws IOException {
        DriftExpert a = expert(Map.of());
        feed(a, new InMemorySignalBoard(), new Random(4), 0.3, 0);
        byte[] state = save(a);
        state[3] = (byte) version;
        DriftExpert b = expert(Map.of());
        IOException e = assertThrows(IOException.class, () -> restore(b, state));
        assertTrue(e.getMessage().contains("version " + version), e.getMessage());
        assertEquals(0, b.detections(), "a refused checkpoint leaves the expert as it was");
    }
}
