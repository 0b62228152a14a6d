package io.scarcity.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scarcity.api.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The readers on the real data sets that {@code scripts/fetch-datasets.sh} caches in
 * {@code .cache/datasets/} (or {@code $SCARCITY_DATASETS_DIR}). Each test is skipped, saying how to
 * fetch the data, when its files are absent.
 */
class RealDataTest {
    private static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    /** The cache folder: $SCARCITY_DATASETS_DIR, or .cache/datasets at the repository root. */
    static Path cache() {
        String env = System.getenv("SCARCITY_DATASETS_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("scripts/fetch-datasets.sh"))) {
                return d.resolve(".cache/datasets");
            }
        }
        return dir.resolve(".cache/datasets");
    }

    private static Path need(String name, String... files) {
        Path dir = cache().resolve(name);
        for (String f : files) {
            assumeTrue(Files.isRegularFile(dir.resolve(f)), dir.resolve(f) + " is absent: run scripts/fetch-datasets.sh "
                    + name);
        }
        return dir;
    }

    private static int[] classCounts(RowSource s, int classes, long[] rows) {
        int[] counts = new int[classes];
        for (var r = s.next(); r.isPresent(); r = s.next()) {
            counts[r.get().label()]++;
            rows[0]++;
        }
        return counts;
    }

    @Test
    void spamAssassinEmailsAreHashedTextWithTheKnownClassCounts() {
        Path dir = need("spam", "emails.csv");
        try (CsvSource s = (CsvSource) StreamFactory.create(PluginConfig.of("s", Map.of("type", "csv", "path", "emails.csv",
                "label", "label", "id", "id", "text", List.of("text"), "classes", List.of("ham", "spam"))), 0, dir)) {
            assertEquals(CsvSource.DEFAULT_TEXT_FEATURES, s.schema().numFeatures());
            long[] rows = {0};
            long[] empty = {0};
            int[] counts = new int[2];
            for (var r = s.next(); r.isPresent(); r = s.next()) {
                counts[r.get().label()]++;
                rows[0]++;
                double squares = Arrays.stream(r.get().features()).map(v -> v * v).sum();
                if (squares == 0) {
                    empty[0]++;
                } else {
                    assertEquals(1.0, squares, 1e-9, "unit length");
                }
            }
            assertEquals(6046, rows[0]);
            assertArrayEquals(new int[] {4150, 1896}, counts, "ham, spam");
            assertTrue(empty[0] < 10, empty[0] + " e-mails without a word");
            assertEquals(0, s.quarantined());
        }
    }

    @Test
    void fashionMnistGzippedIdxHasTheKnownShapeAndBalancedClasses() {
        Path dir = need("fashion-mnist", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
        for (String set : List.of("train", "t10k")) {
            try (IdxSource s = (IdxSource) StreamFactory.create(PluginConfig.of("s", Map.of("type", "idx",
                    "images", set + "-images-idx3-ubyte.gz", "labels", set + "-labels-idx1-ubyte.gz")), 0, dir)) {
                assertEquals(28, s.rows());
                assertEquals(28, s.columns());
                assertEquals(784, s.schema().numFeatures());
                assertEquals("p783", s.schema().featureNames().get(783));
                assertEquals(DIGITS, s.schema().classNames());
                long[] rows = {0};
                int[] counts = classCounts(s, 10, rows);
                int perClass = set.equals("train") ? 6000 : 1000;
                assertEquals(perClass * 10L, rows[0]);
                int[] expected = new int[10];
                Arrays.fill(expected, perClass);
                assertArrayEquals(expected, counts, set + ": Fashion-MNIST is balanced");
            }
        }
    }

    @Test
    void mnistPlainIdxHasTheKnownShapeAndFirstLabels() {
        Path dir = need("mnist", "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte");
        try (IdxSource s = (IdxSource) StreamFactory.create(PluginConfig.of("s", Map.of("type", "idx",
                "images", "train-images-idx3-ubyte", "labels", "train-labels-idx1-ubyte")), 0, dir)) {
            Row first = s.next().orElseThrow();
            assertEquals(5, first.label(), "MNIST's first training digit is a 5");
            double max = Arrays.stream(first.features()).max().getAsDouble();
            assertEquals(1.0, max, 1e-12, "normalised pixels reach 255 / 255");
            long[] rows = {1};
            int[] counts = classCounts(s, 10, rows);
            assertEquals(60_000, rows[0]);
            assertEquals(6742, counts[1], "ones in the training set");
        }
        try (IdxSource s = (IdxSource) StreamFactory.create(PluginConfig.of("s", Map.of("type", "idx",
                "images", "t10k-images-idx3-ubyte", "labels", "t10k-labels-idx1-ubyte", "length", 3)), 0, dir)) {
            assertEquals(List.of(7, 2, 1), List.of(s.next().orElseThrow().label(), s.next().orElseThrow().label(),
                    s.next().orElseThrow().label()));
            assertTrue(s.next().isEmpty());
        }
    }

    @Test
    void fashionMnistMakesPermutedAndRotatedTaskStreams() {
        Path dir = need("fashion-mnist", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
        Map<String, Object> base = Map.of("type", "idx", "images", "train-images-idx3-ubyte.gz",
                "labels", "train-labels-idx1-ubyte.gz");
        Map<String, Object> test = Map.of("type", "idx", "images", "t10k-images-idx3-ubyte.gz",
                "labels", "t10k-labels-idx1-ubyte.gz");
        PluginConfig cfg = PluginConfig.of("s", Map.of("type", "tasks", "transform", "rotated", "tasks", 4,
                "rowsPerTask", 2000, "base", base, "test", test));
        try (TaskSequence s = (TaskSequence) StreamFactory.create(cfg, 42, dir)) {
            assertEquals(28, s.options().width(), "image size from the IDX header");
            assertEquals(45.0, s.options().angle());
            assertEquals(60_000, s.trainingRows(), "with a test stream, every training image trains");
            assertEquals(1000, s.testRows(3).size());
            long n = 0;
            for (var r = s.next(); r.isPresent(); r = s.next()) {
                n++;
            }
            assertEquals(8000, n);
            assertEquals(List.of(2000L, 4000L, 6000L), s.driftPositions());
        }
        PluginConfig permuted = PluginConfig.of("s", Map.of("type", "tasks", "transform", "split",
                "rowsPerTask", 1000, "testRowsPerTask", 500, "base", base));
        try (TaskSequence s = (TaskSequence) StreamFactory.create(permuted, 42, dir)) {
            assertEquals(57_500, s.trainingRows());
            for (int t = 0; t < 5; t++) {
                for (Row r : s.testRows(t)) {
                    assertEquals(t, r.label() / 2);
                }
            }
        }
    }

    @Test
    void sensorNetworkIsNaturallyPartitionedByMote() {
        Path dir = need("sensors", "data.csv");
        try (RowSource s = StreamFactory.create(PluginConfig.of("s", Map.of("type", "csv", "path", "data.csv",
                "label", "label", "id", "mote_id", "timestamp", "reading")), 0, dir)) {
            assertEquals(List.of("indoor", "humidity", "temperature"), s.schema().featureNames());
            assertEquals(List.of("0", "1"), s.schema().classNames());
            assertEquals(Optional.of(List.of("1", "2", "3", "4")), s.groups());
            Partitioner p = PartitionerFactory.create(PluginConfig.of("p", Map.of("type", "natural")), 4, s, 1);
            int[] perClient = new int[4];
            int anomalies = 0;
            for (var r = s.next(); r.isPresent(); r = s.next()) {
                perClient[p.assign(r.get())]++;
                anomalies += r.get().label();
            }
            assertArrayEquals(new int[] {4417, 4417, 5039, 5041}, perClient);
            assertEquals(149, anomalies);
        }
    }

    @Test
    void cachedDigitsAreTheCommittedFile() throws Exception {
        Path dir = need("digits", "digits.csv.gz");
        Path committed = CsvNominalGzipHeaderTest.digitsDir().resolve("digits.csv.gz");
        assertArrayEquals(Files.readAllBytes(committed), Files.readAllBytes(dir.resolve("digits.csv.gz")));
    }
}
