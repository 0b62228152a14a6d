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
    void aCheckpointOfAnotherShapeOrVersionIsRefused() throws IOException {
        byte[] state = save(PeerSelectionExpertTest.expert(CONFIG, 3, "c"));
        IOException f = assertThrows(IOException.class, () -> restore(PeerSelectionExpertTest.expert(Map.of("dimensions", 5),
                3, "c"), state));
        assertTrue(f.getMessage().contains("signature of 13 coordinates"), f.getMessage());
        byte[] versioned = state.clone();
        versioned[3] = 7;
        IOException g = assertThrows(IOException.class, () -> restore(PeerSelectionExpertTest.expert(CONFIG, 3, "c"), versioned));
        assertTrue(g.getMessage().contains("version 7"), g.getMessage());
    }

    private static final Map<String, Object> CLASS_MEANS = Map.of("dimensions", 5, "noise", 0.3, "squares", true,
            "classMeans", true);

    @Test
    void classMeansAreRestoredExactly() throws IOException {
        PeerSelectionExpert a = PeerSelectionExpertTest.expert(CLASS_MEANS, 3, "c");
        assertEquals(10 + 3 + 15, a.length());
        drive(a, 1, 12);
        byte[] state = save(a);
        PeerSelectionExpert b = PeerSelectionExpertTest.expert(CLASS_MEANS, 3, "c");
        restore(b, state);
        assertArrayEquals(state, save(b));
        assertArrayEquals(a.signature(), b.signature());
        assertEquals(drive(a, 2, 15), drive(b, 2, 15), "same signals, class means and noise included");
        IOException e = assertThrows(IOException.class, () -> restore(PeerSelectionExpertTest.expert(CONFIG, 3, "c"),
                state));
        assertTrue(e.getMessage().contains("signature of 28 coordinates"), e.getMessage());
    }

    /** A checkpoint in format 1 (before classMeans): no per-class row counts. */
    private static byte[] formatOne(PeerSelectionExpert expert, long rows, long labelled, Random noise) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        out.writeInt(1);
        out.writeInt(5);
        out.writeInt(expert.length());
        out.writeDoubles(expert.signature());
        out.writeLong(rows);
        out.writeLong(labelled);
        out.writeRandom(noise);
        out.flush();
        return bytes.toByteArray();
    }

    @Test
    void formatOneIsReadWithoutClassMeansAndRefusedWithThem() throws IOException {
        PeerSelectionExpert a = PeerSelectionExpertTest.expert(CONFIG, 3, "c");
        drive(a, 1, 12); // 12 batches of 7 rows, 4 of them unlabelled
        Random noise = new Random(77);
        byte[] old = formatOne(a, 84, 56, noise);
        PeerSelectionExpert b = PeerSelectionExpertTest.expert(CONFIG, 3, "c");
        restore(b, old);
        assertArrayEquals(a.signature(), b.signature());
        PeerSelectionExpert c = PeerSelectionExpertTest.expert(CONFIG, 3, "c");
        restore(c, formatOne(a, 84, 56, new Random(77)));
        assertArrayEquals(save(b), save(c), "format 1 restores to the format-2 state it stands for");
        assertEquals(drive(b, 2, 5), drive(c, 2, 5));
        PeerSelectionExpert withMeans = PeerSelectionExpertTest.expert(CLASS_MEANS, 3, "c");
        IOException e = assertThrows(IOException.class, () -> restore(withMeans, old));
        assertTrue(e.getMessage().contains("format 1") && e.getMessage().contains("classMeans = true"), e.getMessage());
    }

    @Test
    void perClassCountsThatDoNotAddUpAreRefused() throws IOException {
        PeerSelectionExpert a = PeerSelectionExpertTest.expert(CLASS_MEANS, 3, "c");
        drive(a, 1, 4);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        out.writeVersion(PeerSelectionExpert.STATE_VERSION);
        out.writeInt(a.length());
        out.writeDoubles(a.signature());
        out.writeLong(28);
        out.writeLong(21);
        out.writeLongs(new long[] {5, 5, 5});
        out.writeRandom(new Random(1));
        out.flush();
        IOException e = assertThrows(IOException.class, () -> restore(PeerSelectionExpertTest.expert(CLASS_MEANS, 3, "c"),
                bytes.toByteArray()));
        assertTrue(e.getMessage().contains("sum to 15"), e.getMessage());
    }
}
