package io.scarcity.plugins.randompairs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.GossipPair;
import io.scarcity.api.GossipStrategy;
import io.scarcity.api.Peer;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RandomPairsCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("fraction", 0.8, "sameDomain", true, "every", 2);

    private static GossipStrategy strategy() {
        return new RandomPairsFactory().create(PluginConfig.of("gossip.config", CONFIG),
                PluginContext.standalone(8, null, "random-pairs"));
    }

    /** Plans rounds {@code from..to-1} over a population that grows and changes domains. */
    private static List<List<GossipPair>> plans(GossipStrategy strategy, int from, int to) {
        List<List<GossipPair>> out = new ArrayList<>();
        for (int round = from; round < to; round++) {
            List<Peer> peers = new ArrayList<>();
            for (int i = 0; i < 10 + round % 7; i++) {
                peers.add(new Peer("p" + i, "d" + (i + round / 5) % 3, Map.of()));
            }
            out.add(strategy.plan(round, peers));
        }
        return out;
    }

    private static byte[] save(GossipStrategy strategy) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        ((Checkpointable) strategy).saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void restore(GossipStrategy strategy, byte[] state) throws IOException {
        ((Checkpointable) strategy).restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    @Test
    void aRestoredStrategyPlansTheSamePairsAsTheSavedOne() throws IOException {
        GossipStrategy a = strategy();
        plans(a, 1, 15);
        byte[] state = save(a);
        GossipStrategy b = strategy();
        restore(b, state);
        assertArrayEquals(state, save(b), "a restored strategy saves what it was restored from");

        List<List<GossipPair>> fromA = plans(a, 15, 40);
        List<List<GossipPair>> fromB = plans(b, 15, 40);
        assertEquals(fromA, fromB);
        assertArrayEquals(save(a), save(b));
        assertEquals(a.expertsPerExchange(), b.expertsPerExchange());

        // The generator's position matters: a fresh strategy pairs differently.
        assertNotEquals(fromA, plans(strategy(), 15, 40));
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        byte[] state = save(strategy());
        state[3] = 2; // the version int, big-endian
        IOException e = assertThrows(IOException.class, () -> restore(strategy(), state));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }

    @Test
    void aTruncatedCheckpointIsRefused() throws IOException {
        byte[] state = save(strategy());
        byte[] truncated = java.util.Arrays.copyOf(state, state.length - 10);
        assertThrows(EOFException.class, () -> restore(strategy(), truncated));
        byte[] foreign = java.util.Arrays.copyOf(state, state.length);
        foreign[12] ^= 0x55; // inside the serialised generator
        assertThrows(IOException.class, () -> restore(strategy(), foreign));
    }
}
