package io.scarcity.plugins.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every detector, with and without feature drift: the kit's checkpoint contract, and the kit's round trip
 * ({@link PluginTestKit#assertRoundTrip}) through a scenario saved in the middle of a rising statistic and
 * a half-full recent window, with detections before the save and after it.
 */
class DriftCheckpointTest {
    private static final DataSchema SCHEMA = FeatureDriftTest.batch(new Random(0), 0, -1, 0, false).schema();
    private static final List<String> SIGNALS = List.of("drift.detected", "drift.warning", "drift.score", "drift.kl",
            "drift.kl-feature", "drift.feature-detected");
    /** The step the scenario is saved at. */
    private static final int SAVED_AT = 203;
    private static final int AFTER = 400;
    private static final long SEED = 9;

    private static Supplier<Expert> maker(Map<String, ?> config) {
        return PluginTestKit.maker(new DriftExpertFactory(), config, PluginTestKit.context(3, SCHEMA, "drift"));
    }

    /**
     * Step {@code t}: a batch whose losses are Bernoulli at a rate, with feature 0 shifted: before the save,
     * 0.1 for 100 steps, then 0.5 with a shift of 1.5 for 100, then 0.9 with a shift of 3; after it, 0.9 for
     * 100 steps, 0.1 for 100, then 0.7, the shift of 3 lasting 150 steps. The coordinator's loss scale 0.9
     * (threshold and tolerance x 0.9 for Page-Hinkley) comes before the first batch. A step's fingerprint:
     * every signal, the threshold, the tolerance and the detections so far.
     */
    private static final PluginTestKit.Driver<Expert> SCENARIO = (expert, random, from, steps) -> {
        DriftExpert e = (DriftExpert) expert;
        SignalBoard signals = new InMemorySignalBoard();
        List<String> out = new ArrayList<>();
        for (int t = from; t < from + steps; t++) {
            if (t == 0) {
                e.adapt(new MetaParameters("d", 1, Map.of(), Map.of(), new FeatureMoments(0, new double[5], new double[5]),
                        Map.of("drift.loss-scale", 0.9)), "drift");
            }
            int i = t - SAVED_AT;
            double p = t < 100 ? 0.1 : t < 200 ? 0.5 : i < 0 ? 0.9 : i < 100 ? 0.9 : i < 200 ? 0.1 : 0.7;
            double shift = t < 100 ? 0 : t < 200 ? 1.5 : i < 150 ? 3 : 0;
            Batch batch = FeatureDriftTest.batch(random, 0, 0, shift, true);
            double[] losses = new double[batch.rows()];
            for (int r = 0; r < losses.length; r++) {
                losses[r] = random.nextDouble() < p ? 1 : 0;
            }
            e.learn(batch, new BatchOutcome(null, losses, 1), signals);
            StringBuilder s = new StringBuilder();
            SIGNALS.forEach(name -> s.append(signals.get(name, Double.NaN)).append(' '));
            out.add(s.append("lambda ").append(e.lambda()).append(" delta ").append(e.delta()).append(" detections ")
                    .append(e.detections()).append('/').append(e.featureDetections()).toString());
        }
        return out;
    };

    static List<Arguments> configurations() {
        return List.of(Arguments.of("page-hinkley", false), Arguments.of("adwin", false), Arguments.of("ddm", false),
                Arguments.of("page-hinkley", true), Arguments.of("adwin", true), Arguments.of("ddm", true));
    }

    private static Map<String, Object> config(String detector, boolean featureDrift) {
        Map<String, Object> config = new HashMap<>(Map.of("detector", detector));
        if (featureDrift) {
            config.putAll(Map.of("featureDrift", true, "referenceRows", 400, "recentRows", 300, "bins", 8));
        }
        return config;
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void aRestoredExpertContinuesBitForBit(String detector, boolean featureDrift) throws IOException {
        Supplier<Expert> maker = maker(config(detector, featureDrift));
        // the instance the round trip saves sees these inputs: check that they exercise the detectors
        Random inputs = new Random(SEED);
        long warmUp = inputs.nextLong();
        long continuation = inputs.nextLong();
        DriftExpert probe = (DriftExpert) maker.get();
        SCENARIO.drive(probe, new Random(warmUp), 0, SAVED_AT);
        assertTrue(probe.detections() >= 1, "the loss change was detected before the checkpoint");
        assertTrue(!featureDrift || probe.featureDetections() >= 1, "the feature shift was detected before the checkpoint");
        long detections = probe.detections();
        long featureDetections = probe.featureDetections();
        SCENARIO.drive(probe, new Random(continuation), SAVED_AT, AFTER);
        assertTrue(probe.detections() > detections, "the pair went through a further loss detection");
        assertTrue(!featureDrift || probe.featureDetections() > featureDetections, "and a further feature drift event");

        PluginTestKit.assertRoundTrip(maker, SCENARIO, SEED, SAVED_AT, AFTER);
        ExpertTestKit.assertCheckpointContract(maker, SCHEMA, "drift", "drift expert");
    }

    /** Refused only: a refused checkpoint may leave the expert half restored (the kit's stricter check fails). */
    @ParameterizedTest
    @ValueSource(strings = {"page-hinkley", "adwin", "ddm"})
    void aTruncatedCheckpointIsRefused(String detector) throws IOException {
        Supplier<Expert> maker = maker(Map.of("detector", detector, "featureDrift", true));
        Expert a = maker.get();
        SCENARIO.drive(a, new Random(2), 0, 40);
        byte[] state = PluginTestKit.save(a);
        assertThrows(IOException.class, () -> PluginTestKit.restore(maker.get(), Arrays.copyOf(state, state.length - 5)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void checkpointsOfEarlierFormatsAreRefusedNamingTheVersion(int version) throws IOException {
        DriftExpert a = (DriftExpert) maker(Map.of()).get();
        SCENARIO.drive(a, new Random(4), 0, 1);
        byte[] state = PluginTestKit.save(a);
        state[3] = (byte) version;
        DriftExpert b = (DriftExpert) maker(Map.of()).get();
        IOException e = assertThrows(IOException.class, () -> PluginTestKit.restore(b, state));
        assertTrue(e.getMessage().contains("version " + version), e.getMessage());
        assertEquals(0, b.detections(), "a refused checkpoint leaves the expert as it was");
    }
}
