package io.scarcity.plugins.peerselection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeerSelectionCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("dimensions", 5, "noise", 0.3, "squares", true);

    private static byte[] save(PeerSelectionExpert expert) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        expert.saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void restore(PeerSelectionExpert expert, byte[] state) throws IOException {
        expert.restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    /** Feeds batches (every third unlabelled) and returns the boards' snapshots after each. */
    private static java.util.List<Map<String, Double>> drive(PeerSelectionExpert expert, long seed, int batches) {
        Random random = new Random(seed);
        InMemorySignalBoard board = new InMemorySignalBoard();
        java.util.List<Map<String, Double>> out = new java.util.ArrayList<>();
        for (int i = 0; i < batches; i++) {
            Batch b = PeerSelectionExpertTest.batch(random, 7, i * 0.1, new double[] {0.2, 0.5, 0.3});
            if (i % 3 == 2) {
                b = Batch.ofClasses(b.schema(), "d", 0, b.featuresCopy(), null);
            }
            expert.learn(b, PeerSelectionExpertTest.outcome(b), board);
            out.add(board.snapshot());
        }
        return out;
    }

    @Test
    void aRestoredExpertContinuesExactly() throws IOException {
        PeerSelectionExpert a = PeerSelectionExpertTest.expert(CONFIG, 3, "c");
        drive(a, 1, 12);
        byte[] state = save(a);
        PeerSelectionExpert b = PeerSelectionExpertTest.expert(CONFIG, 3, "c");
        restore(b, state);
        assertArrayEquals(state, save(b));
        assertEquals(drive(a, 2, 15), drive(b, 2, 15), "same signals, noise included");
        assertArrayEquals(save(a), save(b));
        PeerSelectionExpert c = PeerSelectionExpertTest.expert(CONFIG, 3, "c");
        restore(c, state);
        PeerSelectionExpert d = PeerSelectionExpertTest.expert(CONFIG, 3, "c");
        assertTrue(!drive(c, 4, 3).equals(drive(d, 4, 3)), "a restored expert differs from a fresh one");
    }

    @Test
    void aCheckpointOfAnotherConfigurationIsRefused() throws IOException {
        byte[] state = save(PeerSelectionExpertTest.expert(CONFIG, 3, "c"));
        IOException e = assertThrows(IOException.class, () -> restore(PeerSelectionExpertTest.expert(Map.of("dimensions", 6),
                3, "c"), state));
        assertTrue(e.getMessage().contains("dimensions"), e.getMessage());
        IOException f = assertThrows(IOException.class, () -> restore(PeerSelectionExpertTest.expert(Map.of("dimensions", 5),
                3, "c"), state));
        assertTrue(f.getMessage().contains("signature of 13 coordinates"), f.getMessage());
        byte[] versioned = state.clone();
        versioned[3] = 7;
        IOException g = assertThrows(IOException.class, () -> restore(PeerSelectionExpertTest.expert(CONFIG, 3, "c"), versioned));
        assertTrue(g.getMessage().contains("version 7"), g.getMessage());
    }
}
