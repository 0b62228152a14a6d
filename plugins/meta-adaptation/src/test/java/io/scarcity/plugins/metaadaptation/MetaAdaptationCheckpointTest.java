package io.scarcity.plugins.metaadaptation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetaAdaptationCheckpointTest {
    private static final PluginContext CONTEXT = PluginContext.standalone(5, null, "meta-adaptation");

    private static MetaAdaptationExpert expert(Map<String, ?> config) {
        return (MetaAdaptationExpert) new MetaAdaptationExpertFactory().create(PluginConfig.of("experts[0].config", config),
                CONTEXT);
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

    /** Noisy losses that rise, fall, go flat, with a drift at batch 60; every scale and flag after each batch. */
    private static List<Object> drive(MetaAdaptationExpert m, FakeClient client, int from, int to) {
        Random random = new Random(from * 7919L + 11);
        List<Object> seen = new ArrayList<>();
        for (int k = from; k < to; k++) {
            double level = k < 30 ? 0.2 + 0.01 * k : k < 50 ? 0.5 : 0.5 * Math.pow(0.97, k - 50);
            client.get("a").loss = level * (1 + 0.2 * random.nextGaussian());
            client.get("b").active = random.nextDouble() < 0.6;
            client.get("b").loss = 0.3 * (1 + 0.001 * random.nextGaussian());
            client.get("c").loss = level;
            client.board.publish(StandardSignals.DRIFT_DETECTED, k == 60 ? 1 : 0);
            client.step(m);
            for (FakeClient.Fake f : client.experts.values()) {
                seen.add(f.scale);
                seen.add(f.frozen);
            }
            seen.add(client.board.snapshot());
        }
        seen.add(m.freezes());
        seen.add(m.thaws());
        return seen;
    }

    private static void continuesExactly(Map<String, Object> config) throws IOException {
        MetaAdaptationExpert a = expert(config);
        FakeClient clientA = new FakeClient().add("a", true).add("b", true).add("c", false);
        drive(a, clientA, 0, 45);
        byte[] state = save(a);
        MetaAdaptationExpert b = expert(config);
        restore(b, state);
        FakeClient clientB = clientA.copy();
        clientA.board.snapshot().forEach(clientB.board::publish);
        assertEquals(drive(a, clientA, 45, 120), drive(b, clientB, 45, 120));
        assertTrue(java.util.Arrays.equals(save(a), save(b)));
    }

    @Test
    void theRuleContinuesExactlyAfterARestore() throws IOException {
        Map<String, Object> c = new HashMap<>(Map.of("freeze", true, "freezePatience", 10, "warmup", 3));
        continuesExactly(c);
        MetaAdaptationExpert probe = expert(c);
        FakeClient client = new FakeClient().add("a", true).add("b", true).add("c", false);
        drive(probe, client, 0, 120);
        assertTrue(probe.freezes() > 0 && probe.thaws() > 0, "the run exercises freezing and thawing");
    }

    @Test
    void theHypergradientMethodContinuesExactlyAfterARestore() throws IOException {
        continuesExactly(new HashMap<>(Map.of("method", "hypergradient", "freeze", true, "freezePatience", 10)));
    }

    @Test
    void anUnknownFormatIsRefused() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(99);
        IOException e = assertThrows(IOException.class, () -> restore(expert(Map.of()), bytes.toByteArray()));
        assertTrue(e.getMessage().contains("format version 99"), e.getMessage());
    }
}
