package io.scarcity.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.PluginConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad options are ConfigExceptions naming the key's full path. */
class StreamFactoryTest {
    private static ConfigException bad(Map<String, ?> stream) {
        return assertThrows(ConfigException.class,
                () -> StreamFactory.create(PluginConfig.of("domains[0].stream", stream), 1, Path.of(".")));
    }

    @Test
    void createsEachType() {
        assertInstanceOf(SeaGenerator.class,
                StreamFactory.create(PluginConfig.of("s", Map.of("type", "sea")), 1, Path.of(".")));
        assertInstanceOf(HyperplaneGenerator.class,
                StreamFactory.create(PluginConfig.of("s", Map.of("type", "Hyperplane")), 1, Path.of(".")));
    }

    @Test
    void aGeneratorWithTaskUnlabelledEmitsTheSameFeaturesWithoutLabels() {
        for (String type : List.of("sea", "hyperplane")) {
            RowSource labelled = StreamFactory.create(PluginConfig.of("s", Map.of("type", type, "length", 50)), 3, Path.of("."));
            RowSource bare = StreamFactory.create(PluginConfig.of("s", Map.of("type", type, "length", 50,
                    "task", "unlabelled")), 3, Path.of("."));
            assertEquals(io.scarcity.api.Task.UNLABELLED, bare.schema().task());
            assertEquals(labelled.schema().featureNames(), bare.schema().featureNames());
            List<Row> a = TestStreams.drain(labelled);
            List<Row> b = TestStreams.drain(bare);
            assertEquals(50, b.size());
            for (int i = 0; i < a.size(); i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(a.get(i).features(), b.get(i).features());
                assertEquals(-1, b.get(i).label(), "row " + i + " carries no label");
            }
        }
        assertEquals("domains[0].stream.task", bad(Map.of("type", "sea", "task", "regression")).path());
    }

    @Test
    void unknownTypeListsTheChoices() {
        ConfigException e = bad(Map.of("type", "agrawal"));
        assertEquals("domains[0].stream.type", e.path());
        assertTrue(e.getMessage().contains("sea, hyperplane, csv"), e.getMessage());
        assertTrue(e.getMessage().contains("agrawal"), e.getMessage());
    }

    @Test
    void missingTypeListsTheChoices() {
        ConfigException e = bad(Map.of("noise", 0.1));
        assertEquals("domains[0].stream.type", e.path());
        assertTrue(e.getMessage().contains("sea, hyperplane, csv"), e.getMessage());
    }

    @Test
    void noiseOfOneHalfOrMoreIsRejected() {
        assertEquals("domains[0].stream.noise", bad(Map.of("type", "sea", "noise", 0.5)).path());
        assertEquals("domains[0].stream.noise", bad(Map.of("type", "hyperplane", "noise", 0.7)).path());
        assertEquals("domains[0].stream.noise", bad(Map.of("type", "sea", "noise", -0.1)).path());
    }

    @Test
    void zeroOrNegativeLengthIsRejected() {
        ConfigException e = bad(Map.of("type", "sea", "length", 0));
        assertEquals("domains[0].stream.length", e.path());
        assertTrue(e.getMessage().contains("unbounded"), e.getMessage());
        assertEquals("domains[0].stream.length", bad(Map.of("type", "hyperplane", "length", -5)).path());
    }

    @Test
    void decreasingDriftPositionsAreRejectedAtTheOffendingDrift() {
        ConfigException e = bad(Map.of("type", "sea",
                "drifts", List.of(Map.of("at", 100), Map.of("at", 500), Map.of("at", 300))));
        assertEquals("domains[0].stream.drifts[2].at", e.path());
        assertTrue(e.getMessage().contains("increasing"), e.getMessage());
        assertEquals("domains[0].stream.drifts[1].at", bad(Map.of("type", "hyperplane",
                "drifts", List.of(Map.of("at", 100), Map.of("at", 100)))).path());
    }

    @Test
    void overlappingDriftWindowsAreRejected() {
        ConfigException e = bad(Map.of("type", "sea",
                "drifts", List.of(Map.of("at", 100, "width", 50), Map.of("at", 120))));
        assertEquals("domains[0].stream.drifts[1].at", e.path());
        assertTrue(e.getMessage().contains("150"), e.getMessage());
    }

    @Test
    void badDriftFieldsAreRejected() {
        assertEquals("domains[0].stream.drifts[0].at", bad(Map.of("type", "sea",
                "drifts", List.of(Map.of("concept", 2)))).path());
        assertEquals("domains[0].stream.drifts[0].at", bad(Map.of("type", "sea",
                "drifts", List.of(Map.of("at", 0)))).path());
        assertEquals("domains[0].stream.drifts[0].width", bad(Map.of("type", "sea",
                "drifts", List.of(Map.of("at", 10, "width", -1)))).path());
        assertEquals("domains[0].stream.drifts[0].at", bad(Map.of("type", "sea", "length", 100,
                "drifts", List.of(Map.of("at", 100)))).path());
        assertEquals("domains[0].stream.drifts[0].concept", bad(Map.of("type", "sea",
                "drifts", List.of(Map.of("at", 10, "concept", 4)))).path());
        assertEquals("domains[0].stream.drifts[0].concept", bad(Map.of("type", "sea", "concept", 2,
                "drifts", List.of(Map.of("at", 10, "concept", 2)))).path());
        assertEquals("domains[0].stream.drifts", bad(Map.of("type", "sea", "drifts", 5)).path());
    }

    @Test
    void outOfRangeGeneratorOptionsAreRejected() {
        assertEquals("domains[0].stream.concept", bad(Map.of("type", "sea", "concept", 4)).path());
        assertEquals("domains[0].stream.features", bad(Map.of("type", "hyperplane", "features", 1)).path());
        assertEquals("domains[0].stream.magnitude", bad(Map.of("type", "hyperplane", "magnitude", -0.1)).path());
        assertEquals("domains[0].stream.reversal", bad(Map.of("type", "hyperplane", "reversal", 1.5)).path());
    }

    @Test
    void csvOptionErrorsNameTheKey() {
        assertEquals("domains[0].stream.path", bad(Map.of("type", "csv", "label", "y")).path());
        // without a label the stream has no labels; a task that needs one, or classes, then name the key
        assertEquals("domains[0].stream.label", bad(Map.of("type", "csv", "path", "x.csv", "task", "classification")).path());
        assertEquals("domains[0].stream.classes", bad(Map.of("type", "csv", "path", "x.csv", "classes", List.of("a", "b"))).path());
        assertEquals("domains[0].stream.task", bad(Map.of("type", "csv", "path", "x.csv", "label", "y",
                "task", "unlabelled")).path());
        assertEquals("domains[0].stream.missingLabels", bad(Map.of("type", "csv", "path", "x.csv",
                "missingLabels", "unlabelled")).path());
        assertEquals("domains[0].stream.task", bad(Map.of("type", "csv", "path", "x.csv", "label", "y",
                "task", "ranking")).path());
        assertEquals("domains[0].stream.classes", bad(Map.of("type", "csv", "path", "x.csv", "label", "y",
                "task", "regression", "classes", List.of("a", "b"))).path());
        assertEquals("domains[0].stream.classes", bad(Map.of("type", "csv", "path", "x.csv", "label", "y",
                "classes", List.of("a"))).path());
        assertEquals("domains[0].stream.classes", bad(Map.of("type", "csv", "path", "x.csv", "label", "y",
                "classes", List.of("a", "b", "a"))).path());
        assertEquals("domains[0].stream.delimiter", bad(Map.of("type", "csv", "path", "x.csv", "label", "y",
                "delimiter", ";;")).path());
        assertEquals("domains[0].stream.onInvalid", bad(Map.of("type", "csv", "path", "x.csv", "label", "y",
                "onInvalid", "ignore")).path());
        assertEquals("domains[0].stream.length", bad(Map.of("type", "csv", "path", "x.csv", "label", "y",
                "length", 0)).path());
        assertEquals("domains[0].stream.features", bad(Map.of("type", "csv", "path", "x.csv", "label", "y",
                "features", List.of())).path());
    }
}
