package io.scarcity.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StateWriterReaderTest {
    @Test
    void everyTypeRoundTripsExactly() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter w = new StateWriter(bytes);
        Map<String, Double> map = new LinkedHashMap<>();
        map.put("z", 1.5);
        map.put("a", Double.NaN);
        w.writeBoolean(true);
        w.writeInt(-7);
        w.writeLong(Long.MIN_VALUE);
        w.writeDouble(-0.0);
        w.writeString("größe");
        w.writeString(null);
        w.writeDoubles(new double[] {1, Double.POSITIVE_INFINITY, Double.MIN_VALUE});
        w.writeDoubles(null);
        w.writeLongs(new long[] {3, 4});
        w.writeBytes(new byte[] {1, -2});
        w.writeInts(new int[0]);
        w.writeDoubleMap(map);
        w.writeExpertState(new ExpertState("nb", Map.of("mean", new double[] {0.25, 2}), 12));
        w.flush();

        StateReader r = new StateReader(new ByteArrayInputStream(bytes.toByteArray()));
        assertTrue(r.readBoolean());
        assertEquals(-7, r.readInt());
        assertEquals(Long.MIN_VALUE, r.readLong());
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(r.readDouble()));
        assertEquals("größe", r.readString());
        assertNull(r.readString());
        assertArrayEquals(new double[] {1, Double.POSITIVE_INFINITY, Double.MIN_VALUE}, r.readDoubles());
        assertNull(r.readDoubles());
        assertArrayEquals(new long[] {3, 4}, r.readLongs());
        assertArrayEquals(new byte[] {1, -2}, r.readBytes());
        assertArrayEquals(new int[0], r.readInts());
        Map<String, Double> back = r.readDoubleMap();
        assertEquals(java.util.List.of("z", "a"), java.util.List.copyOf(back.keySet()));
        assertTrue(Double.isNaN(back.get("a")));
        ExpertState s = r.readExpertState();
        assertEquals("nb", s.expert());
        assertEquals(12, s.samples());
        assertArrayEquals(new double[] {0.25, 2}, s.weight("mean"));
    }

    @Test
    void aRestoredRandomContinuesTheSameSequenceIncludingTheCachedGaussian() throws IOException {
        Random original = new Random(42);
        original.nextInt();
        original.nextGaussian(); // leaves the second Gaussian cached
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new StateWriter(bytes).writeRandom(original);
        Random restored = new StateReader(new ByteArrayInputStream(bytes.toByteArray())).readRandom();
        for (int i = 0; i < 100; i++) {
            assertEquals(original.nextGaussian(), restored.nextGaussian());
            assertEquals(original.nextLong(), restored.nextLong());
        }
    }

    @Test
    void subclassesOfRandomAreRefusedBecauseTheirStateWouldBeLost() {
        Random sub = new Random(1) {
        };
        assertThrows(IllegalArgumentException.class, () -> new StateWriter(new ByteArrayOutputStream()).writeRandom(sub));
    }

    @Test
    void corruptLengthsAndWrongSizesFailWithIoExceptions() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter w = new StateWriter(bytes);
        w.writeInt(-5); // not a valid array length
        w.flush();
        assertThrows(IOException.class, () -> new StateReader(new ByteArrayInputStream(bytes.toByteArray())).readDoubles());

        ByteArrayOutputStream two = new ByteArrayOutputStream();
        new StateWriter(two).writeDoubles(new double[2]);
        IOException e = assertThrows(IOException.class,
                () -> new StateReader(new ByteArrayInputStream(two.toByteArray())).readDoubles(3, "means"));
        assertTrue(e.getMessage().contains("means"), e.getMessage());
        // truncated input
        assertThrows(IOException.class, () -> new StateReader(new ByteArrayInputStream(new byte[2])).readLong());
    }

    @Test
    void aCheckpointOfAnotherFormatVersionIsRefusedByName() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        out.writeVersion(2);
        out.writeVersion(3);
        out.writeVersion(7);
        out.flush();
        StateReader in = new StateReader(new ByteArrayInputStream(bytes.toByteArray()));
        assertEquals(2, in.readVersion("test router", 2));
        assertEquals(3, in.readVersion("test router", 2, 3));
        IOException e = assertThrows(IOException.class, () -> in.readVersion("test router", 1, 2, 3));
        assertEquals("test router checkpoint: unknown format version 7 (this version reads 1, 2 and 3); it was written "
                + "by another version of the plugin: start the run afresh", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> in.readVersion("test router"));
    }
}
