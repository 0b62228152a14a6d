package io.scarcity.plugins.peerselection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.StateWriter;
import io.scarcity.api.testing.ExpertTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeerSelectionCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("dimensions", 5, "noise", 0.3, "squares", true);

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

    /** The kit's checkpoint contract: the published signature (noise included) continues bit for bit. */
    @Test
    void aRestoredExpertContinuesExactly() throws IOException {
        ExpertTestKit.assertCheckpointContract(() -> PeerSelectionExpertTest.expert(CONFIG, 3, "c"), PeerSelectionExpertTest.SCHEMA,
                "peer-selection", "peer-selection");
    }

    @Test
    void aCheckpointOfAnotherShapeIsRefused() throws IOException {
        byte[] state = PluginTestKit.save(PeerSelectionExpertTest.expert(CONFIG, 3, "c"));
        IOException f = assertThrows(IOException.class, () -> PluginTestKit.restore(PeerSelectionExpertTest.expert(Map.of("dimensions", 5),
                3, "c"), state));
        assertTrue(f.getMessage().contains("signature of 13 coordinates"), f.getMessage());
    }

    private static final Map<String, Object> CLASS_MEANS = Map.of("dimensions", 5, "noise", 0.3, "squares", true,
            "classMeans", true);

    @Test
    void classMeansAreRestoredExactly() throws IOException {
        PeerSelectionExpert a = PeerSelectionExpertTest.expert(CLASS_MEANS, 3, "c");
        assertEquals(10 + 3 + 15, a.length());
        ExpertTestKit.assertCheckpointContract(() -> PeerSelectionExpertTest.expert(CLASS_MEANS, 3, "c"),
                PeerSelectionExpertTest.SCHEMA, "peer-selection", "peer-selection");
        drive(a, 1, 12);
        IOException e = assertThrows(IOException.class, () -> PluginTestKit.restore(PeerSelectionExpertTest.expert(CONFIG, 3, "c"),
                PluginTestKit.save(a)));
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
        PluginTestKit.restore(b, old);
        assertArrayEquals(a.signature(), b.signature());
        PeerSelectionExpert c = PeerSelectionExpertTest.expert(CONFIG, 3, "c");
        PluginTestKit.restore(c, formatOne(a, 84, 56, new Random(77)));
        assertArrayEquals(PluginTestKit.save(b), PluginTestKit.save(c), "format 1 restores to the format-2 state it stands for");
        assertEquals(drive(b, 2, 5), drive(c, 2, 5));
        PeerSelectionExpert withMeans = PeerSelectionExpertTest.expert(CLASS_MEANS, 3, "c");
        IOException e = assertThrows(IOException.class, () -> PluginTestKit.restore(withMeans, old));
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
        IOException e = assertThrows(IOException.class, () -> PluginTestKit.restore(PeerSelectionExpertTest.expert(CLASS_MEANS, 3, "c"),
                bytes.toByteArray()));
        assertTrue(e.getMessage().contains("sum to 15"), e.getMessage());
    }
}
