package io.scarcity.plugins.metaadaptation;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Expert;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.FakeSupervisedClient;
import io.scarcity.api.testing.FakeSupervisedClient.Supervision;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kit's checkpoint contract (with its supervision contract), and the kit's round trip of this expert
 * with its client (scales and frozen flags kept with the client, as the runtime does) through losses that
 * rise, stay flat and fall, with freezing, thawing and a drift.
 */
class MetaAdaptationCheckpointTest {
    private static Supplier<Expert> maker(Map<String, ?> config) {
        return PluginTestKit.maker(new MetaAdaptationExpertFactory(), config, PluginTestKit.context(5, null, "meta-adaptation"));
    }

    private static Supervision supervision(Map<String, ?> config) {
        return new Supervision(maker(config).get(), new FakeSupervisedClient().add("a", true).add("b", true).add("c", false));
    }

    /**
     * Step {@code k}: noisy losses that rise for 30 batches, stay flat, then fall from batch 50, {@code b}
     * active 60% of the time, a drift at batch 60. A step's fingerprint: every scale and flag, the board, the
     * freezes and thaws so far.
     */
    private static final PluginTestKit.Driver<Supervision> SCENARIO = (s, random, from, steps) -> {
        MetaAdaptationExpert m = (MetaAdaptationExpert) s.supervisor();
        FakeSupervisedClient client = s.client();
        List<String> seen = new ArrayList<>();
        for (int k = from; k < from + steps; k++) {
            double level = k < 30 ? 0.2 + 0.01 * k : k < 50 ? 0.5 : 0.5 * Math.pow(0.97, k - 50);
            client.get("a").loss = level * (1 + 0.2 * random.nextGaussian());
            client.get("b").active = random.nextDouble() < 0.6;
            client.get("b").loss = 0.3 * (1 + 0.001 * random.nextGaussian());
            client.get("c").loss = level;
            client.signals.publish(StandardSignals.DRIFT_DETECTED, k == 60 ? 1 : 0);
            client.clearCalls();
            client.step(m);
            seen.add(client.fingerprint() + "\nfreezes " + m.freezes() + " thaws " + m.thaws());
        }
        return seen;
    };

    private static void continuesExactly(Map<String, Object> config) throws IOException {
        PluginTestKit.assertRoundTrip(() -> supervision(config), SCENARIO, 11, 45, 75);
        ExpertTestKit.assertCheckpointContract(maker(config), ExpertTestKit.CLASSIFICATION, "meta-adaptation", "meta-adaptation expert");
    }

    @Test
    void theRuleContinuesExactlyAfterARestore() throws IOException {
        Map<String, Object> c = new HashMap<>(Map.of("freeze", true, "freezePatience", 10, "warmup", 3));
        continuesExactly(c);
        Supervision probe = supervision(c);
        SCENARIO.drive(probe, new Random(11), 0, 120);
        MetaAdaptationExpert m = (MetaAdaptationExpert) probe.supervisor();
        assertTrue(m.freezes() > 0 && m.thaws() > 0, "the run exercises freezing and thawing");
    }

    @Test
    void theHypergradientMethodContinuesExactlyAfterARestore() throws IOException {
        continuesExactly(new HashMap<>(Map.of("method", "hypergradient", "freeze", true, "freezePatience", 10)));
    }

    @Test
    void anUnknownFormatIsRefused() throws IOException {
        byte[] state = ByteBuffer.allocate(4).putInt(99).array();
        IOException e = assertThrows(IOException.class, () -> PluginTestKit.restore(maker(Map.of()).get(), state));
        assertTrue(e.getMessage().contains("format version 99"), e.getMessage());
    }
}
