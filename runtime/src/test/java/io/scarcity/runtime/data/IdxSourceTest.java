package io.scarcity.runtime.data;

import static io.scarcity.runtime.data.TestStreams.drain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxSourceTest {
    @TempDir
    Path dir;

    /** IDX bytes: magic, sizes, then the data. */
    static byte[] idx(int magic, int[] sizes, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * sizes.length + data.length);
        b.putInt(magic);
        for (int s : sizes) {
            b.putInt(s);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    /** n images of rows x cols whose pixel p of image i is (i * 7 + p * 3) mod 256. */
    static byte[] pixels(int n, int rows, int cols) {
        byte[] data = new byte[n * rows * cols];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < rows * cols; p++) {
                data[i * rows * cols + p] = (byte) ((i * 7 + p * 3) % 256);
            }
        }
        return data;
    }

    static byte[] images(int n, int rows, int cols) {
        return idx(IdxSource.IMAGES_MAGIC, new int[] {n, rows, cols}, pixels(n, rows, cols));
    }

    static byte[] labels(byte... values) {
        return idx(IdxSource.LABELS_MAGIC, new int[] {values.length}, values);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private IdxSource open(Map<String, ?> options) {
        return TestStreams.create(IdxSource.class, "idx", options, 0, dir);
    }

    private DataException fails(String images, String labels) {
        return assertThrows(DataException.class, () -> {
            try (IdxSource s = open(Map.of("images", images, "labels", labels))) {
                while (s.next().isPresent()) {
                    // drain
                }
            }
        });
    }

    @Test
    void readsPlainFilesWithNormalisedPixelsAndSortedLabelValues() throws IOException {
        write("img", images(4, 2, 3));
        write("lab", labels((byte) 7, (byte) 2, (byte) 7, (byte) 4));
        try (IdxSource s = open(Map.of("images", "img", "labels", "lab"))) {
            assertEquals(List.of("p0", "p1", "p2", "p3", "p4", "p5"), s.schema().featureNames());
            assertEquals(Task.CLASSIFICATION, s.schema().task());
            assertEquals(List.of("2", "4", "7"), s.schema().classNames());
            assertEquals(2, s.rows());
            assertEquals(3, s.columns());
            List<Row> rows = drain(s);
            assertEquals(4, rows.size());
            assertEquals(List.of(2, 0, 2, 1), rows.stream().map(Row::label).toList());
            assertEquals(List.of(0L, 1L, 2L, 3L), rows.stream().map(Row::index).toList());
            double[] expected = new double[6];
            for (int p = 0; p < 6; p++) {
                expected[p] = ((3 * 7 + p * 3) % 256) / 255.0;
            }
            assertArrayEquals(expected, rows.get(3).features());
            assertFalse(s.next().isPresent());
        }
    }

    @Test
    void gzippedFilesAreDetectedByContentNotName() throws IOException {
        byte[] img = images(5, 3, 3);
        byte[] lab = labels((byte) 0, (byte) 1, (byte) 0, (byte) 1, (byte) 1);
        write("plain-img.gz", img);
        write("plain-lab.gz", lab);
        write("gz-img", gzip(img));
        write("gz-lab.idx", gzip(lab));
        List<Row> plain;
        try (IdxSource s = open(Map.of("images", "plain-img.gz", "labels", "plain-lab.gz"))) {
            plain = drain(s);
        }
        try (IdxSource s = open(Map.of("images", "gz-img", "labels", "gz-lab.idx"))) {
            List<Row> gz = drain(s);
            assertEquals(5, gz.size());
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(plain.get(i).features(), gz.get(i).features());
                assertEquals(plain.get(i).label(), gz.get(i).label());
            }
        }
    }

    @Test
    void rawPixelsLengthAndClassNames() throws IOException {
        write("img", images(4, 1, 2));
        write("lab", labels((byte) 1, (byte) 0, (byte) 1, (byte) 0));
        try (IdxSource s = open(Map.of("images", "img", "labels", "lab", "normalize", false, "length", 3,
                "classes", List.of("cat", "dog")))) {
            assertEquals(List.of("cat", "dog"), s.schema().classNames());
            List<Row> rows = drain(s);
            assertEquals(3, rows.size());
            assertArrayEquals(new double[] {14, 17}, rows.get(2).features());
            assertEquals(List.of(1, 0, 1), rows.stream().map(Row::label).toList());
        }
        write("lab3", labels((byte) 1, (byte) 0, (byte) 2, (byte) 0));
        DataException e = assertThrows(DataException.class,
                () -> open(Map.of("images", "img", "labels", "lab3", "classes", List.of("cat", "dog"))));
        assertTrue(e.getMessage().contains("lab3") && e.getMessage().contains("value 2"), e.getMessage());
    }

    @Test
    void wrongMagicNumberNamesTheFileAndTheExpectedMagic() throws IOException {
        write("img", images(2, 2, 2));
        write("lab", labels((byte) 0, (byte) 1));
        // The labels file is read first.
        DataException swapped = fails("lab", "img");
        assertTrue(swapped.getMessage().startsWith(dir.resolve("img").toString() + ": wrong magic number 0x00000803"
                + " for IDX labels (expected 0x00000801"), swapped.getMessage());
        assertTrue(swapped.getMessage().contains("swapped"), swapped.getMessage());
        write("lab2", labels((byte) 0, (byte) 1));
        DataException labelsAsImages = fails("lab2", "lab");
        assertTrue(labelsAsImages.getMessage().startsWith(dir.resolve("lab2").toString() + ": wrong magic number"
                + " 0x00000801 for IDX images (expected 0x00000803"), labelsAsImages.getMessage());
        write("text", "hello, world".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        DataException text = fails("text", "lab");
        assertTrue(text.getMessage().contains("text: wrong magic number") && text.getMessage().contains("not an IDX"),
                text.getMessage());
        write("floats", idx(0x00000D03, new int[] {2, 2, 2}, new byte[32]));
        DataException floats = fails("floats", "lab");
        assertTrue(floats.getMessage().contains("floats") && floats.getMessage().contains("0x0D"), floats.getMessage());
        write("twoDims", idx(0x00000802, new int[] {2, 4}, new byte[8]));
        DataException dims = fails("twoDims", "lab");
        assertTrue(dims.getMessage().contains("twoDims") && dims.getMessage().contains("2 dimensions"),
                dims.getMessage());
    }

    @Test
    void truncatedImagesSayHowManyTheHeaderPromisedAndWhereTheFileEnds() throws IOException {
        byte[] full = images(10, 4, 4);
        byte[] cut = Arrays.copyOf(full, 16 + 3 * 16 + 5);
        write("img", cut);
        write("img.gz", gzip(cut));
        write("lab", labels(new byte[] {0, 1, 0, 1, 0, 1, 0, 1, 0, 1}));
        for (String name : List.of("img", "img.gz")) {
            DataException e = fails(name, "lab");
            assertTrue(e.getMessage().startsWith(dir.resolve(name) + ": truncated: header promises 10 images of 4x4,"
                    + " file ends after 3 images"), e.getMessage());
        }
        // A gzip stream cut in the middle (not a complete gzip file of a short IDX file).
        byte[] gz = gzip(images(200, 8, 8));
        write("cutgz", Arrays.copyOf(gz, gz.length / 2));
        byte[] lab200 = new byte[200];
        lab200[1] = 1;
        write("lab200", labels(lab200));
        DataException e = fails("cutgz", "lab200");
        assertTrue(e.getMessage().contains("cutgz: truncated: header promises 200 images of 8x8"), e.getMessage());
    }

    @Test
    void truncatedLabelsAndHeaders() throws IOException {
        write("img", images(3, 2, 2));
        write("lab", Arrays.copyOf(labels((byte) 0, (byte) 1, (byte) 0), 10));
        DataException e = fails("img", "lab");
        assertTrue(e.getMessage().contains("lab: truncated: header promises 3 labels, file ends after 2"),
                e.getMessage());
        write("lab3", labels((byte) 0, (byte) 1, (byte) 0));
        write("short", new byte[] {0, 0, 8, 3, 0, 0});
        DataException shortHeader = fails("short", "lab3");
        assertTrue(shortHeader.getMessage().contains("short: truncated: the file ends within its IDX header"),
                shortHeader.getMessage());
        write("empty", new byte[0]);
        DataException empty = fails("empty", "lab3");
        assertTrue(empty.getMessage().contains("empty: truncated") && empty.getMessage().contains("it is empty"),
                empty.getMessage());
    }

    @Test
    void countMismatchNamesBothFiles() throws IOException {
        write("img", images(3, 2, 2));
        write("lab", labels((byte) 0, (byte) 1));
        DataException e = fails("img", "lab");
        assertTrue(e.getMessage().contains("img holds 3 images") && e.getMessage().contains("lab holds 2 labels"),
                e.getMessage());
    }

    @Test
    void extraBytesAndZeroDimensionsAreRejected() throws IOException {
        byte[] img = images(2, 2, 2);
        write("long", Arrays.copyOf(img, img.length + 3));
        write("lab", labels((byte) 0, (byte) 1));
        assertTrue(fails("long", "lab").getMessage().contains("goes on after"));
        write("zero", idx(IdxSource.IMAGES_MAGIC, new int[] {2, 0, 2}, new byte[0]));
        assertTrue(fails("zero", "lab").getMessage().contains("zero: dimension 2"));
        write("one", labels((byte) 3, (byte) 3));
        write("img2", img);
        assertTrue(fails("img2", "one").getMessage().contains("two classes"));
    }

    @Test
    void configErrorsNameTheKey() throws IOException {
        ConfigException images = assertThrows(ConfigException.class,
                () -> StreamFactory.create(PluginConfig.of("s", Map.of("type", "idx", "labels", "x")), 0, dir));
        assertEquals("s.images", images.path());
        // Without a labels file the stream has no labels; classes would name label values it does not have.
        ConfigException classes = assertThrows(ConfigException.class, () -> StreamFactory.create(
                PluginConfig.of("s", Map.of("type", "idx", "images", "x", "classes", List.of("a", "b"))), 0, dir));
        assertEquals("s.classes", classes.path());
        assertTrue(classes.getMessage().contains("no labels file"), classes.getMessage());
        DataException missing = assertThrows(DataException.class, () -> StreamFactory.create(
                PluginConfig.of("s", Map.of("type", "idx", "images", "nope.gz", "labels", "nope2")), 0, dir));
        assertTrue(missing.getMessage().contains("nope.gz") && missing.getMessage().contains("s.images"),
                missing.getMessage());
        assertEquals("s.classes", assertThrows(ConfigException.class, () -> StreamFactory.create(
                PluginConfig.of("s", Map.of("type", "idx", "images", "a", "labels", "b", "classes", List.of("x"))),
                0, dir)).path());
    }

    @Test
    void imagesWithoutALabelsFileAreAStreamWithoutLabels() throws IOException {
        write("img", images(5, 2, 2));
        try (IdxSource s = open(Map.of("images", "img", "length", 4))) {
            assertEquals(Task.UNLABELLED, s.schema().task());
            assertFalse(s.schema().labelled());
            assertEquals(List.of(), s.schema().classNames());
            List<Row> rows = drain(s);
            assertEquals(4, rows.size(), "length caps the images");
            assertEquals(List.of(-1, -1, -1, -1), rows.stream().map(Row::label).toList());
            assertEquals(((2 * 7 + 3 * 3) % 256) / 255.0, rows.get(2).features()[3], 0.0);
        }
        // A task stream splits by class: a base without labels names the key and the fix.
        ConfigException tasks = assertThrows(ConfigException.class, () -> StreamFactory.create(PluginConfig.of("s",
                Map.of("type", "tasks", "base", Map.of("type", "idx", "images", "img"), "transform", "permuted", "tasks", 2, "rowsPerTask", 2)),
                0, dir));
        assertEquals("s.base.labels", tasks.path(), tasks.getMessage());
        assertTrue(tasks.getMessage().contains("no labels"), tasks.getMessage());
    }
}
