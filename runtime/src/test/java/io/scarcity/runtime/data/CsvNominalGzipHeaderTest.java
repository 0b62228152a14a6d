package io.scarcity.runtime.data;

import static io.scarcity.runtime.data.TestStreams.drain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV additions: nominal columns, gzip by content, files without a header, id groups, the committed digits. */
class CsvNominalGzipHeaderTest {
    @TempDir
    Path dir;

    static Path digitsDir() throws URISyntaxException {
        return Path.of(CsvNominalGzipHeaderTest.class.getResource("/data/digits/digits.csv.gz").toURI()).getParent();
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private CsvSource csv(Path baseDir, Map<String, ?> options) {
        return TestStreams.create(CsvSource.class, "csv", options, 0, baseDir);
    }

    @Test
    void nominalColumnsAreEncodedAsTheIndexOfTheirValue() throws IOException {
        write("n.csv", "color,size,y\nred,1,a\nblue,2,b\n green ,3,a\nred,4,b\n");
        try (CsvSource s = csv(dir, Map.of("path", "n.csv", "label", "y",
                "nominal", Map.of("color", List.of("red", "green", "blue"))))) {
            assertEquals(List.of("color", "size"), s.schema().featureNames());
            List<Row> rows = drain(s);
            assertEquals(List.of(0.0, 2.0, 1.0, 0.0), rows.stream().map(r -> r.features()[0]).toList());
            assertArrayEquals(new double[] {1, 3}, rows.get(2).features());
        }
    }

    @Test
    void undeclaredNominalValueNamesFileLineValueAndDeclaredValues() throws IOException {
        write("n.csv", "color,y\nred,a\npurple,b\nred,b\n");
        DataException e = assertThrows(DataException.class, () -> {
            try (CsvSource s = csv(dir, Map.of("path", "n.csv", "label", "y", "classes", List.of("a", "b"),
                    "nominal", Map.of("color", List.of("red", "green"))))) {
                drain(s);
            }
        });
        assertTrue(e.getMessage().startsWith(dir.resolve("n.csv") + ":3: nominal column 'color' has the value"
                + " 'purple'"), e.getMessage());
        assertTrue(e.getMessage().contains("[red, green]"), e.getMessage());
        // Also when classes are discovered: the scan meets it first.
        assertThrows(DataException.class, () -> csv(dir, Map.of("path", "n.csv", "label", "y",
                "nominal", Map.of("color", List.of("red", "green")))));
        try (CsvSource s = csv(dir, Map.of("path", "n.csv", "label", "y", "onInvalid", "quarantine",
                "nominal", Map.of("color", List.of("red", "green"))))) {
            assertEquals(2, drain(s).size());
            assertEquals(1, s.quarantined());
            assertTrue(s.quarantineSamples().get(0).contains("n.csv:3:"), s.quarantineSamples().get(0));
        }
    }

    @Test
    void nominalConfigErrors() throws IOException {
        write("n.csv", "color,x,y\nred,1,a\n");
        assertEquals("stream.nominal.color", badConfig(Map.of("color", List.of())).path());
        assertEquals("stream.nominal.color", badConfig(Map.of("color", List.of("red", "red"))).path());
        assertEquals("stream.nominal.y", badConfig(Map.of("y", List.of("a", "b"))).path());
        assertEquals("stream.nominal", badConfig(List.of("color")).path());
        DataException unknown = assertThrows(DataException.class, () -> csv(dir, Map.of("path", "n.csv", "label", "y",
                "nominal", Map.of("colour", List.of("red")))));
        assertTrue(unknown.getMessage().contains("n.csv:1: there is no nominal column named 'colour'"),
                unknown.getMessage());
        DataException notFeature = assertThrows(DataException.class, () -> csv(dir, Map.of("path", "n.csv",
                "label", "y", "features", List.of("x"), "nominal", Map.of("color", List.of("red")))));
        assertTrue(notFeature.getMessage().contains("not among the features"), notFeature.getMessage());
    }

    private ConfigException badConfig(Object nominal) {
        return assertThrows(ConfigException.class,
                () -> csv(dir, Map.of("path", "n.csv", "label", "y", "nominal", nominal)));
    }

    @Test
    void gzipIsDetectedByContentWhateverTheName() throws IOException {
        String text = "x,y\n1,a\n2,b\n3,a\n";
        Files.write(dir.resolve("packed.csv"), IdxSourceTest.gzip(text.getBytes(StandardCharsets.UTF_8)));
        write("plain.csv.gz", text);
        for (String name : List.of("packed.csv", "plain.csv.gz")) {
            try (CsvSource s = csv(dir, Map.of("path", name, "label", "y"))) {
                List<Row> rows = drain(s);
                assertEquals(List.of(1.0, 2.0, 3.0), rows.stream().map(r -> r.features()[0]).toList(), name);
                assertEquals(List.of(0, 1, 0), rows.stream().map(Row::label).toList(), name);
            }
        }
        byte[] gz = IdxSourceTest.gzip("x,y\n1,a\n2,b\n3,a\n4,b\n5,a\n".repeat(2000).getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("cut.csv.gz"), Arrays.copyOf(gz, gz.length / 2));
        DataException cut = assertThrows(DataException.class, () -> {
            try (CsvSource s = csv(dir, Map.of("path", "cut.csv.gz", "label", "y", "classes", List.of("a", "b", "x",
                    "y")))) {
                drain(s);
            }
        });
        assertTrue(cut.getMessage().contains("cut.csv.gz"), cut.getMessage());
    }

    @Test
    void withoutAHeaderColumnsAreNamedC0OnAndMayBeGivenByIndex() throws IOException {
        write("h.csv", "1,2,k1,a\n3,4,k2,b\n5,6,k1,a\n");
        try (CsvSource s = csv(dir, Map.of("path", "h.csv", "header", false, "label", 3, "id", "c2"))) {
            assertEquals(List.of("c0", "c1"), s.schema().featureNames());
            assertEquals(List.of("a", "b"), s.schema().classNames());
            List<Row> rows = drain(s);
            assertEquals(3, rows.size());
            assertArrayEquals(new double[] {1, 2}, rows.get(0).features());
            assertEquals(List.of("k1", "k2", "k1"), rows.stream().map(Row::group).toList());
        }
        try (CsvSource s = csv(dir, Map.of("path", "h.csv", "header", false, "label", "c3", "features",
                List.of("1"), "timestamp", 2))) {
            assertEquals(List.of("c1"), s.schema().featureNames());
            assertEquals(List.of(2.0, 4.0, 6.0), drain(s).stream().map(r -> r.features()[0]).toList());
        }
        DataException e = assertThrows(DataException.class,
                () -> csv(dir, Map.of("path", "h.csv", "header", false, "label", 4)));
        assertTrue(e.getMessage().contains("c0 to c3") && e.getMessage().contains("header: false"), e.getMessage());
        write("bad.csv", "1,2,a\n3,x,b\n");
        DataException line = assertThrows(DataException.class, () -> {
            try (CsvSource s = csv(dir, Map.of("path", "bad.csv", "header", false, "label", 2))) {
                drain(s);
            }
        });
        assertTrue(line.getMessage().contains("bad.csv:2: feature column 'c1'"), line.getMessage());
    }

    @Test
    void idColumnFillsGroupsAndGroupsArePreScannedInNaturalOrder() throws IOException {
        write("g.csv", "mote,x,y\n10,1,a\n9,2,b\n10,3,a\n2,4,b\nbad,x,a\n");
        try (CsvSource s = csv(dir, Map.of("path", "g.csv", "label", "y", "id", "mote", "onInvalid", "quarantine",
                "classes", List.of("a", "b")))) {
            assertEquals(Optional.of(List.of("2", "9", "10")), s.groups());
            List<Row> rows = drain(s);
            assertEquals(List.of("10", "9", "10", "2"), rows.stream().map(Row::group).toList());
        }
        // Discovered classes: the one pass also collects the groups.
        try (CsvSource s = csv(dir, Map.of("path", "g.csv", "label", "y", "id", "mote", "onInvalid", "quarantine",
                "length", 2))) {
            assertEquals(Optional.of(List.of("9", "10")), s.groups());
        }
        try (CsvSource s = csv(dir, Map.of("path", "g.csv", "label", "y", "onInvalid", "quarantine"))) {
            assertEquals(Optional.empty(), s.groups());
            assertNull(drain(s).get(0).group());
        }
    }

    @Test
    void committedDigitsFileHas1797RowsOf64PixelsAnd10Classes() throws Exception {
        try (CsvSource s = csv(digitsDir(), Map.of("path", "digits.csv.gz", "header", false, "label", 64))) {
            assertEquals(64, s.schema().numFeatures());
            assertEquals("c0", s.schema().featureNames().get(0));
            assertEquals("c63", s.schema().featureNames().get(63));
            assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), s.schema().classNames());
            List<Row> rows = drain(s);
            assertEquals(1797, rows.size());
            int[] perClass = new int[10];
            for (Row r : rows) {
                perClass[r.label()]++;
                for (double v : r.features()) {
                    assertTrue(v >= 0 && v <= 16, "pixel " + v);
                }
            }
            for (int c = 0; c < 10; c++) {
                assertTrue(perClass[c] >= 170 && perClass[c] <= 190, "class " + c + ": " + perClass[c]);
            }
            // First row of sklearn's digits: a 0.
            assertEquals(0, rows.get(0).label());
            assertArrayEquals(new double[] {0, 0, 5, 13, 9, 1, 0, 0}, Arrays.copyOf(rows.get(0).features(), 8));
            assertEquals(0, s.quarantined());
        }
    }
}
