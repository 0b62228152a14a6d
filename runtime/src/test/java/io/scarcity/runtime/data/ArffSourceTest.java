package io.scarcity.runtime.data;

import static io.scarcity.runtime.data.TestStreams.drain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArffSourceTest {
    private static final String WEATHER = String.join("\n",
            "% The classic weather data, with a few twists",
            "@RELATION 'weather data'",
            "",
            "@attribute outlook {sunny, overcast, 'rainy day'}",
            "@attribute temperature real",
            "@attribute 'relative humidity' NUMERIC   % a comment after the type",
            "@attribute windy {TRUE, FALSE}",
            "@attribute play {yes, no}",
            "",
            "@data",
            "sunny,85,85,FALSE,no",
            "% a comment line",
            "overcast, 83 , 86, FALSE , yes",
            "'rainy day',70,96,FALSE,yes   % trailing comment",
            "\"rainy day\",65,70,TRUE,no",
            "");

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private ArffSource open(Map<String, ?> options) {
        return TestStreams.create(ArffSource.class, "arff", options, 0, dir);
    }

    private DataException fails(String name, String text, Map<String, ?> options) throws IOException {
        write(name, text);
        Map<String, Object> m = new LinkedHashMap<>(options);
        m.putIfAbsent("path", name);
        return assertThrows(DataException.class, () -> {
            try (ArffSource s = open(m)) {
                drain(s);
            }
        });
    }

    @Test
    void readsNominalAndNumericAttributesWithTheLastAsLabel() throws IOException {
        write("weather.arff", WEATHER);
        try (ArffSource s = open(Map.of("path", "weather.arff"))) {
            assertEquals("weather data", s.relation());
            assertEquals(List.of("outlook", "temperature", "relative humidity", "windy"), s.schema().featureNames());
            assertEquals(Task.CLASSIFICATION, s.schema().task());
            assertEquals(List.of("yes", "no"), s.schema().classNames());
            List<Row> rows = drain(s);
            assertEquals(4, rows.size());
            // Nominal features are the index of the value in the declaration.
            assertArrayEquals(new double[] {0, 85, 85, 1}, rows.get(0).features());
            assertArrayEquals(new double[] {1, 83, 86, 1}, rows.get(1).features());
            assertArrayEquals(new double[] {2, 70, 96, 1}, rows.get(2).features());
            assertArrayEquals(new double[] {2, 65, 70, 0}, rows.get(3).features());
            assertEquals(List.of(1, 0, 0, 1), rows.stream().map(Row::label).toList());
            assertEquals(List.of(0L, 1L, 2L, 3L), rows.stream().map(Row::index).toList());
            assertNull(rows.get(0).group());
            assertEquals(Optional.empty(), s.groups());
        }
    }

    @Test
    void explicitLabelFeaturesAndRegression() throws IOException {
        write("weather.arff", WEATHER);
        try (ArffSource s = open(Map.of("path", "weather.arff", "label", "temperature", "task", "regression",
                "features", List.of("relative humidity", "outlook"), "length", 3))) {
            assertEquals(List.of("relative humidity", "outlook"), s.schema().featureNames());
            List<Row> rows = drain(s);
            assertEquals(3, rows.size());
            assertEquals(List.of(85.0, 83.0, 70.0), rows.stream().map(Row::target).toList());
            assertArrayEquals(new double[] {96, 2}, rows.get(2).features());
            assertEquals(-1, rows.get(0).label());
        }
    }

    @Test
    void stringIdGivesGroupsAndGzipIsRead() throws IOException {
        String text = String.join("\n",
                "@relation motes",
                "@attribute mote string",
                "@attribute when date \"yyyy-MM-dd\"",
                "@attribute x numeric",
                "@attribute y {a,b}",
                "@data",
                "'10',2020-01-01,1.5,a",
                "'9',2020-01-02,2.5,b",
                "'10',2020-01-03,3.5,b",
                "");
        Files.write(dir.resolve("motes.arff"), IdxSourceTest.gzip(text.getBytes(StandardCharsets.UTF_8)));
        try (ArffSource s = open(Map.of("path", "motes.arff", "id", "mote", "timestamp", "when"))) {
            assertEquals(List.of("x"), s.schema().featureNames());
            assertEquals(Optional.of(List.of("9", "10")), s.groups());
            List<Row> rows = drain(s);
            assertEquals(List.of("10", "9", "10"), rows.stream().map(Row::group).toList());
            assertEquals(List.of(0, 1, 1), rows.stream().map(Row::label).toList());
        }
    }

    @Test
    void stringAttributeAsAFeatureIsRejectedNamingFileLineAndAttribute() throws IOException {
        DataException e = fails("s.arff", "@relation r\n@attribute name string\n@attribute x real\n"
                + "@attribute y {a,b}\n@data\n'x',1,a\n", Map.of());
        assertTrue(e.getMessage().startsWith(dir.resolve("s.arff") + ":2: attribute 'name' is of type string"),
                e.getMessage());
        assertTrue(e.getMessage().contains("id"), e.getMessage());
        DataException date = fails("d.arff", "@relation r\n@attribute x real\n@attribute t date\n"
                + "@attribute y {a,b}\n@data\n1,2020-01-01,a\n", Map.of());
        assertTrue(date.getMessage().contains("d.arff:3: attribute 't' is of type date"), date.getMessage());
    }

    @Test
    void missingValueFailsOrIsQuarantined() throws IOException {
        String text = "@relation r\n@attribute x real\n@attribute z {u,v}\n@attribute y {a,b}\n@data\n"
                + "1,u,a\n?,u,b\n2,?,a\n3,v,?\n4,'?',a\n5,v,b\n";
        DataException e = fails("m.arff", text, Map.of());
        assertTrue(e.getMessage().startsWith(dir.resolve("m.arff") + ":7: attribute 'x' is missing ('?')"),
                e.getMessage());
        assertTrue(e.getMessage().contains("onInvalid: quarantine"), e.getMessage());
        try (ArffSource s = open(Map.of("path", "m.arff", "onInvalid", "quarantine"))) {
            List<Row> rows = drain(s);
            assertEquals(2, rows.size());
            assertArrayEquals(new double[] {1, 0}, rows.get(0).features());
            assertArrayEquals(new double[] {5, 1}, rows.get(1).features());
            assertEquals(4, s.quarantined());
            List<String> samples = s.quarantineSamples();
            assertTrue(samples.get(0).contains("m.arff:7:"), samples.get(0));
            assertTrue(samples.get(1).contains("m.arff:8: attribute 'z' is missing"), samples.get(1));
            assertTrue(samples.get(2).contains("m.arff:9: the label attribute 'y' is missing"), samples.get(2));
            // A quoted '?' is a value, here an undeclared one.
            assertTrue(samples.get(3).contains("m.arff:10: attribute 'z' has the value '?'"), samples.get(3));
        }
    }

    @Test
    void undeclaredNominalValueNamesFileLineValueAndDeclaredOnes() throws IOException {
        DataException e = fails("n.arff", "@relation r\n@attribute color {red, green}\n@attribute y {a,b}\n@data\n"
                + "red,a\n% comment\ngreen,b\npurple,a\n", Map.of());
        assertTrue(e.getMessage().startsWith(dir.resolve("n.arff") + ":8: attribute 'color' has the value 'purple'"),
                e.getMessage());
        assertTrue(e.getMessage().contains("[red, green]"), e.getMessage());
        DataException label = fails("l.arff", "@relation r\n@attribute x real\n@attribute y {a,b}\n@data\n1,c\n",
                Map.of());
        assertTrue(label.getMessage().contains("l.arff:5: attribute 'y' has the value 'c'")
                && label.getMessage().contains("[a, b]"), label.getMessage());
    }

    @Test
    void malformedFilesAreNamed() throws IOException {
        assertTrue(fails("nodata.arff", "@relation r\n@attribute x real\n@attribute y {a,b}\n", Map.of())
                .getMessage().contains("nodata.arff: the file ends before its @data line"));
        assertTrue(fails("type.arff", "@relation r\n@attribute x float\n@attribute y {a,b}\n@data\n", Map.of())
                .getMessage().contains("type.arff:2: attribute 'x' has the unknown type 'float'"));
        assertTrue(fails("count.arff", "@relation r\n@attribute x real\n@attribute y {a,b}\n@data\n1,a,3\n", Map.of())
                .getMessage().contains("count.arff:5: expected 2 values"));
        assertTrue(fails("num.arff", "@relation r\n@attribute x real\n@attribute y {a,b}\n@data\nabc,a\n", Map.of())
                .getMessage().contains("num.arff:5: attribute 'x' has the non-numeric value 'abc'"));
        assertTrue(fails("sparse.arff", "@relation r\n@attribute x real\n@attribute y {a,b}\n@data\n{0 1, 1 a}\n",
                Map.of()).getMessage().contains("sparse.arff:5: sparse rows"));
        assertTrue(fails("junk.arff", "x,y\n1,2\n", Map.of()).getMessage().contains("junk.arff:1: expected @relation"));
        assertTrue(fails("dup.arff", "@relation r\n@attribute x real\n@attribute x real\n@attribute y {a,b}\n@data\n",
                Map.of()).getMessage().contains("dup.arff:3: attribute 'x' is declared twice"));
        assertTrue(fails("quote.arff", "@relation r\n@attribute x real\n@attribute y {a,b}\n@data\n1,'a\n", Map.of())
                .getMessage().contains("quote.arff:5:"));
        DataException numericLabel = fails("nl.arff", "@relation r\n@attribute x real\n@attribute y real\n@data\n1,2\n",
                Map.of());
        assertTrue(numericLabel.getMessage().contains("nl.arff:3: the label attribute 'y' is numeric")
                && numericLabel.getMessage().contains("task: regression"), numericLabel.getMessage());
        DataException nominalTarget = fails("nt.arff", "@relation r\n@attribute x real\n@attribute y {a,b}\n@data\n",
                Map.of("task", "regression"));
        assertTrue(nominalTarget.getMessage().contains("nt.arff:3: the label attribute 'y' is nominal"),
                nominalTarget.getMessage());
        DataException noLabel = fails("nolabel.arff", WEATHER, Map.of("label", "rain"));
        assertTrue(noLabel.getMessage().contains("no label attribute named 'rain'")
                && noLabel.getMessage().contains("outlook"), noLabel.getMessage());
    }

    @Test
    void configErrorsNameTheKey() {
        assertEquals("stream.path", assertThrows(ConfigException.class,
                () -> StreamFactory.create(PluginConfig.of("stream", Map.of("type", "arff")), 0, dir)).path());
        assertEquals("stream.onInvalid", assertThrows(ConfigException.class, () -> StreamFactory.create(
                PluginConfig.of("stream", Map.of("type", "arff", "path", "x", "onInvalid", "skip")), 0, dir)).path());
        DataException missing = assertThrows(DataException.class, () -> StreamFactory.create(
                PluginConfig.of("stream", Map.of("type", "arff", "path", "nowhere.arff")), 0, dir));
        assertTrue(missing.getMessage().contains("ARFF file not found") && missing.getMessage().contains("nowhere.arff"),
                missing.getMessage());
    }

    @Test
    void splitHandlesQuotesEscapesAndComments() {
        List<String> out = new ArrayList<>();
        java.util.BitSet missing = new java.util.BitSet();
        assertNull(ArffSource.split(" 'a, b' , \"c\\\"d\",?, e f % tail, g", out, missing));
        assertEquals(List.of("a, b", "c\"d", "?", "e f"), out);
        assertTrue(missing.get(2));
        assertFalse(missing.get(0));
        assertNull(ArffSource.split("   % only a comment", out, missing));
        assertTrue(out.isEmpty());
    }
}
