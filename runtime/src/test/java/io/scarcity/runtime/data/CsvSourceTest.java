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
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSourceTest {
    @TempDir
    Path dir;

    private static Path resources() throws URISyntaxException {
        return Path.of(CsvSourceTest.class.getResource("/data/animals.csv").toURI()).getParent();
    }

    private static CsvSource csv(Path baseDir, Map<String, ?> options) {
        Map<String, Object> m = new LinkedHashMap<>(options);
        m.put("type", "csv");
        return (CsvSource) StreamFactory.create(PluginConfig.of("stream", m), 0, baseDir);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    /** Creating and reading the whole file must fail with a message naming file and line. */
    private DataException fails(String name, String text, Map<String, ?> options) throws IOException {
        write(name, text);
        Map<String, Object> m = new LinkedHashMap<>(options);
        m.putIfAbsent("path", name);
        m.putIfAbsent("label", "y");
        return assertThrows(DataException.class, () -> {
            try (CsvSource s = csv(dir, m)) {
                drain(s);
            }
        });
    }

    @Test
    void readsTheResourceFileWithQuotedFieldsAndDiscoveredClasses() throws Exception {
        PluginConfig cfg = PluginConfig.of("stream", Map.of("type", "csv", "path", "animals.csv",
                "label", "animal", "id", "id", "timestamp", "timestamp"));
        try (RowSource s = StreamFactory.create(cfg, 0, resources())) {
            assertEquals(Set.of(), cfg.unreadKeys());
            assertEquals(List.of("a", "b, scaled"), s.schema().featureNames());
            assertEquals(Task.CLASSIFICATION, s.schema().task());
            assertEquals(List.of("cat", "dog, large", "say \"meow\""), s.schema().classNames());
            List<Row> rows = drain(s);
            assertEquals(5, rows.size());
            assertArrayEquals(new double[] {1.5, 2.0}, rows.get(0).features());
            assertArrayEquals(new double[] {-0.5, 3.25}, rows.get(1).features());
            assertArrayEquals(new double[] {0.25, 0.001}, rows.get(2).features());
            assertEquals(List.of(0, 1, 2, 0, 1), rows.stream().map(Row::label).toList());
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), rows.stream().map(Row::index).toList());
            assertTrue(Double.isNaN(rows.get(0).target()));
            assertEquals(0, s.quarantined());
            assertFalse(s.next().isPresent());
        }
    }

    @Test
    void explicitFeaturesAndClassesFixColumnsAndLabelOrder() throws Exception {
        try (CsvSource s = csv(resources(), Map.of("path", "animals.csv", "label", "animal",
                "features", List.of("b, scaled"), "classes", List.of("say \"meow\"", "dog, large", "cat")))) {
            assertEquals(List.of("b, scaled"), s.schema().featureNames());
            List<Row> rows = drain(s);
            assertEquals(List.of(2, 1, 0, 2, 1), rows.stream().map(Row::label).toList());
            assertArrayEquals(new double[] {3.25}, rows.get(1).features());
        }
    }

    @Test
    void numericLabelsAreSortedNumerically() throws IOException {
        write("n.csv", "x,y\n1,10\n2,9\n3,2\n4,10\n5,-1.5\n");
        try (CsvSource s = csv(dir, Map.of("path", "n.csv", "label", "y"))) {
            assertEquals(List.of("-1.5", "2", "9", "10"), s.schema().classNames());
            assertEquals(List.of(3, 2, 1, 3, 0), drain(s).stream().map(Row::label).toList());
        }
    }

    @Test
    void mixedLabelsAreSortedLexicographically() {
        assertEquals(List.of("10", "9", "b"), sorted(List.of("b", "9", "10")));
    }

    private static List<String> sorted(List<String> labels) {
        List<String> copy = new ArrayList<>(labels);
        copy.sort(CsvSource.naturalOrder(copy));
        return copy;
    }

    @Test
    void regressionReadsTheTarget() throws IOException {
        write("r.csv", "a;b;t\n1;2;0.5\n3;4;-7\n");
        try (CsvSource s = csv(dir, Map.of("path", "r.csv", "label", "t", "task", "regression", "delimiter", ";"))) {
            assertEquals(Task.REGRESSION, s.schema().task());
            assertEquals(List.of(), s.schema().classNames());
            List<Row> rows = drain(s);
            assertEquals(List.of(0.5, -7.0), rows.stream().map(Row::target).toList());
            assertEquals(-1, rows.get(0).label());
        }
    }

    @Test
    void lengthCapsTheRows() throws IOException {
        write("c.csv", "x,y\n1,a\n2,b\n3,a\n4,c\n");
        try (CsvSource s = csv(dir, Map.of("path", "c.csv", "label", "y", "length", 3))) {
            // The label scan stops at the cap too, so class c (row 4) is never seen.
            assertEquals(List.of("a", "b"), s.schema().classNames());
            assertEquals(3, drain(s).size());
        }
    }

    @Test
    void byteOrderMarkAndTabDelimiterAreHandled() throws IOException {
        write("t.tsv", "\uFEFFx\ty\n1\ta\n2\tb\n");
        try (CsvSource s = csv(dir, Map.of("path", "t.tsv", "label", "y", "delimiter", "tab"))) {
            assertEquals(List.of("x"), s.schema().featureNames());
            assertEquals(2, drain(s).size());
        }
    }

    @Test
    void raggedRowNamesFileLineAndCounts() throws IOException {
        DataException e = fails("ragged.csv", "x1,x2,y\n1,2,a\n3,b\n4,5,b\n", Map.of());
        assertTrue(e.getMessage().contains("ragged.csv:3:"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 3 columns"), e.getMessage());
        assertTrue(e.getMessage().contains("got 2"), e.getMessage());
        assertTrue(e.getMessage().contains("onInvalid: quarantine"), e.getMessage());
    }

    @Test
    void nonNumericFeatureNamesColumnAndValue() throws IOException {
        DataException e = fails("words.csv", "x1,x2,y\n1,2,a\n3,4,b\n5,abc,a\n", Map.of());
        assertTrue(e.getMessage().contains("words.csv:4:"), e.getMessage());
        assertTrue(e.getMessage().contains("'x2'"), e.getMessage());
        assertTrue(e.getMessage().contains("'abc'"), e.getMessage());
    }

    @Test
    void nanEmptyAndInfiniteFeaturesAreRejected() throws IOException {
        DataException nan = fails("nan.csv", "x,y\n1,a\nNaN,b\n", Map.of());
        assertTrue(nan.getMessage().contains("nan.csv:3:") && nan.getMessage().contains("NaN"), nan.getMessage());
        DataException empty = fails("empty.csv", "x,y\n1,a\n2,b\n,a\n", Map.of());
        assertTrue(empty.getMessage().contains("empty.csv:4:") && empty.getMessage().contains("empty"),
                empty.getMessage());
        DataException inf = fails("inf.csv", "x,y\n-Infinity,a\n", Map.of("classes", List.of("a", "b")));
        assertTrue(inf.getMessage().contains("inf.csv:2:") && inf.getMessage().contains("infinite"),
                inf.getMessage());
    }

    @Test
    void labelOutsideTheListedClassesNamesValueAndAllowedClasses() throws IOException {
        DataException e = fails("labels.csv", "x,y\n1,cat\n2,dog\n3,cow\n", Map.of("classes", List.of("cat", "dog")));
        assertTrue(e.getMessage().contains("labels.csv:4:"), e.getMessage());
        assertTrue(e.getMessage().contains("'cow'"), e.getMessage());
        assertTrue(e.getMessage().contains("[cat, dog]"), e.getMessage());
    }

    @Test
    void lineNumbersCountLinesInsideQuotedFields() throws IOException {
        DataException e = fails("multi.csv", "x,y\n1,\"a\nstill a\"\n2,b\n3\n", Map.of());
        assertTrue(e.getMessage().contains("multi.csv:5:"), e.getMessage());
    }

    @Test
    void missingFileSaysWhereItLookedAndWhatToCheck() {
        DataException e = assertThrows(DataException.class,
                () -> csv(dir, Map.of("path", "nowhere/missing.csv", "label", "y")));
        assertTrue(e.getMessage().contains("missing.csv"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("nowhere").toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("check the path"), e.getMessage());
        assertTrue(e.getMessage().contains("stream.path"), e.getMessage());
    }

    @Test
    void unknownLabelColumnListsTheHeader() throws IOException {
        DataException e = fails("cols.csv", "a,b,c\n1,2,3\n", Map.of("label", "label"));
        assertTrue(e.getMessage().contains("cols.csv:1:"), e.getMessage());
        assertTrue(e.getMessage().contains("'label'"), e.getMessage());
        assertTrue(e.getMessage().contains("a, b, c"), e.getMessage());
    }

    @Test
    void unknownLabelColumnHintsAtTheDelimiter() throws IOException {
        DataException e = fails("semi.csv", "a;b;y\n1;2;3\n", Map.of());
        assertTrue(e.getMessage().contains("delimiter"), e.getMessage());
    }

    @Test
    void unknownFeatureOrIdColumnIsNamed() throws IOException {
        DataException f = fails("feat.csv", "a,b,y\n1,2,x\n", Map.of("features", List.of("a", "z")));
        assertTrue(f.getMessage().contains("feat.csv:1:") && f.getMessage().contains("'z'")
                && f.getMessage().contains("a, b, y"), f.getMessage());
        DataException id = fails("id.csv", "a,b,y\n1,2,x\n", Map.of("id", "key"));
        assertTrue(id.getMessage().contains("id.csv:1:") && id.getMessage().contains("'key'"), id.getMessage());
    }

    @Test
    void headerProblemsAreNamed() throws IOException {
        assertTrue(fails("dup.csv", "a,a,y\n1,2,x\n", Map.of()).getMessage().contains("dup.csv:1:"));
        assertTrue(fails("blank.csv", "a,,y\n1,2,x\n", Map.of()).getMessage().contains("blank.csv:1:"));
        assertTrue(fails("none.csv", "", Map.of()).getMessage().contains("none.csv"));
        assertTrue(fails("only.csv", "y\na\nb\n", Map.of()).getMessage().contains("no feature columns"));
        assertTrue(fails("one.csv", "x,y\n1,a\n2,a\n", Map.of()).getMessage().contains("two classes"));
    }

    @Test
    void syntaxErrorAndUnclosedQuoteNameTheLine() throws IOException {
        assertTrue(fails("q1.csv", "x,y\n1,\"a\"b\n", Map.of("classes", List.of("a", "b")))
                .getMessage().contains("q1.csv:2:"));
        assertTrue(fails("q2.csv", "x,y\n1,a\n2,\"b\n3,a\n", Map.of("classes", List.of("a", "b")))
                .getMessage().contains("q2.csv:3:"));
    }

    @Test
    void regressionTargetMustBeNumeric() throws IOException {
        DataException e = fails("reg.csv", "x,y\n1,2\n2,high\n", Map.of("task", "regression"));
        assertTrue(e.getMessage().contains("reg.csv:3:") && e.getMessage().contains("'high'"), e.getMessage());
    }

    @Test
    void quarantineSkipsAndCountsExactlyTheBadRows() throws IOException {
        write("mixed.csv", String.join("\n",
                "x1,x2,y",
                "1,2,a",        // 2 ok
                "3,b",          // 3 ragged
                "4,5,b",        // 4 ok
                "6,seven,a",    // 5 non-numeric
                "8,9,a",        // 6 ok
                "NaN,1,b",      // 7 NaN
                "1,1,",         // 8 empty label
                "2,2,b",        // 9 ok
                "3,3,zebra",    // 10 ok, a class seen once
                "1,x,weird",    // 11 non-numeric, and its label must not become a class
                "") + "\n");
        try (CsvSource s = csv(dir, Map.of("path", "mixed.csv", "label", "y", "onInvalid", "quarantine"))) {
            assertEquals(List.of("a", "b", "zebra"), s.schema().classNames());
            List<Row> rows = drain(s);
            assertEquals(5, rows.size());
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), rows.stream().map(Row::index).toList());
            assertArrayEquals(new double[] {8, 9}, rows.get(2).features());
            assertEquals(5, s.quarantined());
            List<String> samples = s.quarantineSamples();
            assertEquals(5, samples.size());
            List<String> lines = List.of(":3:", ":5:", ":7:", ":8:", ":11:");
            for (int i = 0; i < lines.size(); i++) {
                assertTrue(samples.get(i).contains("mixed.csv" + lines.get(i)), samples.get(i));
            }
        }
    }

    @Test
    void quarantineWithListedClassesCountsUnknownLabelsAndKeepsOnlyTheFirstSamples() throws IOException {
        StringBuilder sb = new StringBuilder("x,y\n");
        for (int i = 0; i < 30; i++) {
            sb.append(i).append(i % 3 == 0 ? ",other\n" : ",a\n");
        }
        sb.append("1,b\n");
        write("many.csv", sb.toString());
        try (CsvSource s = csv(dir, Map.of("path", "many.csv", "label", "y", "onInvalid", "quarantine",
                "classes", List.of("a", "b")))) {
            assertEquals(21, drain(s).size());
            assertEquals(10, s.quarantined());
            assertEquals(RowQuarantine.MAX_SAMPLES, s.quarantineSamples().size());
        }
    }

    @Test
    void configErrorsComeBeforeFileErrors() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> csv(dir, Map.of("path", "missing.csv", "label", "y", "onInvalid", "skip")));
        assertEquals("stream.onInvalid", e.path());
    }

    @Test
    void textColumnsBecomeHashedFeaturesAfterTheNumericOnes() throws IOException {
        write("mail.csv", String.join("\n",
                "n,body,y",
                "1.5,\"Hello, hello WORLD!\",spam",
                "2,,ham",
                "3,world HELLO hello,ham",
                "4,a b c -- !,spam",
                "5,\"hello\nworld, hello\",ham") + "\n");
        try (CsvSource s = csv(dir, Map.of("path", "mail.csv", "label", "y", "text", List.of("body"), "textFeatures", 1024))) {
            List<String> names = s.schema().featureNames();
            assertEquals(1 + 1024, names.size());
            assertEquals(List.of("n", "body#0", "body#1"), names.subList(0, 3));
            assertEquals("body#1023", names.get(1024));
            List<Row> rows = drain(s);
            assertEquals(1.5, rows.get(0).features()[0]);
            double[] hello = java.util.Arrays.copyOfRange(rows.get(0).features(), 1, 1025);
            // two distinct tokens: "hello" twice and "world" once, each in its bucket with a sign
            List<Double> nonZero = java.util.Arrays.stream(hello).filter(v -> v != 0).map(Math::abs).sorted().boxed().toList();
            assertEquals(2, nonZero.size(), "buckets used: " + nonZero);
            assertEquals(Math.log(3) / Math.log(2), nonZero.get(1) / nonZero.get(0), 1e-12, "log(1 + count) per bucket");
            assertEquals(1.0, java.util.Arrays.stream(hello).map(v -> v * v).sum(), 1e-12, "unit length");
            // case, order, punctuation and line breaks do not matter
            assertArrayEquals(hello, java.util.Arrays.copyOfRange(rows.get(2).features(), 1, 1025));
            assertArrayEquals(hello, java.util.Arrays.copyOfRange(rows.get(4).features(), 1, 1025));
            // an empty text, and one of single characters only, are zeros
            assertArrayEquals(new double[1024], java.util.Arrays.copyOfRange(rows.get(1).features(), 1, 1025));
            assertArrayEquals(new double[1024], java.util.Arrays.copyOfRange(rows.get(3).features(), 1, 1025));
        }
    }

    @Test
    void theHashOfAWordIsPinnedSoThatEveryVersionAndClientAgree() {
        // Clients of a federation must map a word to the same feature: a change of the hash is a breaking change.
        TextHashing hashing = new TextHashing(1024);
        double[] x = new double[1024];
        hashing.write("spam", x, 0);
        int bucket = -1;
        for (int b = 0; b < x.length; b++) {
            if (x[b] != 0) {
                assertEquals(-1, bucket, "one bucket");
                bucket = b;
            }
        }
        assertEquals(PINNED_SPAM_BUCKET, bucket);
        assertEquals(PINNED_SPAM_SIGN, x[bucket], 0.0);
        double[] y = new double[1030];
        hashing.write("SPAM", y, 6);
        assertArrayEquals(x, java.util.Arrays.copyOfRange(y, 6, 1030));
    }

    /** FNV-1a of "spam", MurmurHash3's finaliser: bucket (h & 0x7fffffff) % 1024 = 448, top bit set (sign -1). */
    private static final int PINNED_SPAM_BUCKET = 448;
    private static final double PINNED_SPAM_SIGN = -1;

    @Test
    void textAloneMayBeTheFeaturesAndIsNeverANumericFeature() throws IOException {
        write("only.csv", "body,y\nbuy now,spam\nsee you,ham\n");
        try (CsvSource s = csv(dir, Map.of("path", "only.csv", "label", "y", "text", List.of("body"), "textFeatures", 4))) {
            assertEquals(List.of("body#0", "body#1", "body#2", "body#3"), s.schema().featureNames());
            assertEquals(2, drain(s).size());
        }
        write("both.csv", "n,body,y\n1,buy now,spam\n");
        DataException listed = assertThrows(DataException.class, () -> csv(dir, Map.of("path", "both.csv", "label", "y",
                "features", List.of("n", "body"), "text", List.of("body"))));
        assertTrue(listed.getMessage().contains("'body' is listed both as a feature and as text"), listed.getMessage());
        DataException label = assertThrows(DataException.class, () -> csv(dir, Map.of("path", "both.csv", "label", "y",
                "text", List.of("y"))));
        assertTrue(label.getMessage().contains("'y' is listed as text but is also the label"), label.getMessage());
        DataException missing = assertThrows(DataException.class, () -> csv(dir, Map.of("path", "both.csv", "label", "y",
                "text", List.of("subject"))));
        assertTrue(missing.getMessage().contains("subject"), missing.getMessage());
    }

    @Test
    void textOptionsAreChecked() {
        assertEquals("stream.text", assertThrows(ConfigException.class,
                () -> csv(dir, Map.of("path", "x.csv", "label", "y", "text", List.of()))).path());
        assertEquals("stream.text", assertThrows(ConfigException.class,
                () -> csv(dir, Map.of("path", "x.csv", "label", "y", "text", List.of("b", "b")))).path());
        assertEquals("stream.textFeatures", assertThrows(ConfigException.class,
                () -> csv(dir, Map.of("path", "x.csv", "label", "y", "text", List.of("b"), "textFeatures", 0))).path());
        assertEquals("stream.textFeatures", assertThrows(ConfigException.class,
                () -> csv(dir, Map.of("path", "x.csv", "label", "y", "text", List.of("b"), "textFeatures", 70_000))).path());
        assertEquals("stream.textFeatures", assertThrows(ConfigException.class,
                () -> csv(dir, Map.of("path", "x.csv", "label", "y", "textFeatures", 64))).path());
    }
}
