package io.scarcity.runtime.data;

import static io.scarcity.runtime.data.TestStreams.drain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.PluginConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskSequenceTest {
    /** Base rows: 4x4 images whose pixel p of row i is i + p / 100 (every row and pixel distinct), class i mod 10. */
    private static final int ROWS = 300;
    private static final int SIDE = 4;

    @TempDir
    Path dir;

    @BeforeEach
    void writeBase() throws IOException {
        Files.writeString(dir.resolve("base.csv"), image(ROWS, SIDE, 0), StandardCharsets.UTF_8);
    }

    /** CSV of n images side x side, pixel p of row i = offset + i + p / 100, label i mod 10. */
    static String image(int n, int side, int offset) {
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < side * side; p++) {
            sb.append('p').append(p).append(',');
        }
        sb.append("y\n");
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < side * side; p++) {
                sb.append(offset + i + p / 100.0).append(',');
            }
            sb.append(i % 10).append('\n');
        }
        return sb.toString();
    }

    /** Base row i as written. */
    private static double[] baseRow(int i) {
        double[] x = new double[SIDE * SIDE];
        for (int p = 0; p < x.length; p++) {
            x[p] = i + p / 100.0;
        }
        return x;
    }

    /** The base row a transformed row came from: every pixel of row i lies in [i, i + 1). */
    private static int origin(double[] x) {
        return (int) Math.floor(Arrays.stream(x).min().getAsDouble() + 1e-9);
    }

    private TaskSequence tasks(Map<String, ?> options, long seed) {
        Map<String, Object> m = new LinkedHashMap<>(options);
        m.putIfAbsent("base", Map.of("type", "csv", "path", "base.csv", "label", "y"));
        return TestStreams.create(TaskSequence.class, "tasks", m, seed, dir);
    }

    /** perm[j] = the base pixel that output pixel j shows. */
    private static int[] permutationOf(double[] x) {
        double[] b = baseRow(origin(x));
        int[] perm = new int[x.length];
        for (int j = 0; j < x.length; j++) {
            perm[j] = -1;
            for (int p = 0; p < b.length; p++) {
                if (Math.abs(b[p] - x[j]) < 1e-9) {
                    perm[j] = p;
                }
            }
            assertTrue(perm[j] >= 0, "pixel " + j + " is not a base pixel");
        }
        return perm;
    }

    @Test
    void permutedTasksDifferFromEachOtherAndAreFixedPerSeed() {
        TaskSequence s = tasks(Map.of("transform", "permuted", "tasks", 3, "rowsPerTask", 40, "testRowsPerTask", 5), 7);
        List<Row> rows = drain(s);
        assertEquals(120, rows.size());
        int[][] perms = new int[3][];
        for (Row r : rows) {
            int t = (int) (r.index() / 40);
            int[] perm = permutationOf(r.features());
            if (perms[t] == null) {
                perms[t] = perm;
            }
            assertArrayEquals(perms[t], perm, "one permutation per task, row " + r.index());
            assertEquals(origin(r.features()) % 10, r.label());
        }
        int[] identity = new int[SIDE * SIDE];
        Arrays.setAll(identity, j -> j);
        assertArrayEquals(identity, perms[0], "task 0 is the identity");
        assertFalse(Arrays.equals(perms[0], perms[1]));
        assertFalse(Arrays.equals(perms[1], perms[2]));
        assertFalse(Arrays.equals(perms[0], perms[2]));
        // Test rows carry their task's permutation.
        for (int t = 0; t < 3; t++) {
            for (Row r : s.testRows(t)) {
                assertArrayEquals(perms[t], permutationOf(r.features()));
            }
        }
        // Same seed, same stream and tests; another seed, other permutations and order.
        TaskSequence again = tasks(Map.of("transform", "permuted", "tasks", 3, "rowsPerTask", 40, "testRowsPerTask", 5),
                7);
        List<Row> rows2 = drain(again);
        for (int i = 0; i < rows.size(); i++) {
            assertArrayEquals(rows.get(i).features(), rows2.get(i).features());
        }
        assertArrayEquals(s.testRows(2).get(3).features(), again.testRows(2).get(3).features());
        TaskSequence other = tasks(Map.of("transform", "permuted", "tasks", 3, "rowsPerTask", 40, "testRowsPerTask", 5),
                8);
        List<Row> rows3 = drain(other);
        assertFalse(Arrays.equals(perms[1], permutationOf(rows3.get(40).features())));
        assertNotEquals(origin(rows.get(0).features()), origin(rows3.get(0).features()));
    }

    @Test
    void rotationBy180EqualsTheFlippedOriginalAnd90MovesTheTopRightCornerLeft() {
        TaskSequence half = tasks(Map.of("transform", "rotated", "tasks", 2, "angle", 180, "rowsPerTask", 10,
                "testRowsPerTask", 4), 1);
        for (Row r : half.testRows(1)) {
            double[] b = baseRow(origin(r.features()));
            double[] flipped = new double[b.length];
            for (int p = 0; p < b.length; p++) {
                flipped[p] = b[b.length - 1 - p];
            }
            assertArrayEquals(flipped, r.features(), "exactly the image flipped both ways");
        }
        for (Row r : half.testRows(0)) {
            assertArrayEquals(baseRow(origin(r.features())), r.features(), "task 0 is unrotated");
        }
        // Default angle with 4 tasks is 45 degrees; with 2 tasks 90.
        TaskSequence quarter = tasks(Map.of("transform", "rotated", "tasks", 2, "rowsPerTask", 10,
                "testRowsPerTask", 4), 1);
        assertEquals(90.0, quarter.options().angle());
        List<Row> rows = drain(quarter);
        for (Row r : rows.subList(10, 20)) {
            double[] b = baseRow((int) Math.floor(r.features()[1 * SIDE + 1]));
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    assertEquals(b[x * SIDE + (SIDE - 1 - y)], r.features()[y * SIDE + x], 1e-12, "pixel " + x + "," + y);
                }
            }
        }
    }

    @Test
    void bilinearRotationKeepsTheCentreAndBlendsWithTheZeroBackground() throws IOException {
        Files.writeString(dir.resolve("five.csv"), image(60, 5, 1), StandardCharsets.UTF_8);
        TaskSequence s = tasks(Map.of("transform", "rotated", "tasks", 4, "rowsPerTask", 5, "testRowsPerTask", 2,
                "base", Map.of("type", "csv", "path", "five.csv", "label", "y")), 3);
        assertEquals(5, s.options().width());
        assertEquals(45.0, s.options().angle());
        for (int t = 0; t < 4; t++) {
            for (Row r : s.testRows(t)) {
                double[] x = r.features();
                // Only the centre pixel of a row has the fraction .12; a blend of neighbours would not.
                assertEquals(Math.floor(x[12]) + 0.12, x[12], 1e-9, "the centre pixel stays, task " + t);
                if (t == 1) {
                    // 45 degrees: the top-left corner samples the point (2, 2 - 2 sqrt 2) of the source, between
                    // pixel (2, 0) and the background row above it: weight 3 - 2 sqrt 2 on pixel (2, 0).
                    double pixel20 = Math.floor(x[12]) + 0.02;
                    assertEquals((3 - 2 * Math.sqrt(2)) * pixel20, x[0], 1e-9);
                }
            }
        }
    }

    @Test
    void splitTasksContainOnlyTheirClasses() {
        TaskSequence s = tasks(Map.of("transform", "split", "rowsPerTask", 30, "testRowsPerTask", 10), 5);
        assertEquals(5, s.taskCount());
        assertEquals(2, s.options().classesPerTask());
        assertEquals(10, s.schema().numClasses());
        for (Row r : drain(s)) {
            int t = (int) (r.index() / 30);
            assertTrue(r.label() / 2 == t, "row " + r.index() + " of task " + t + " has class " + r.label());
        }
        for (int t = 0; t < 5; t++) {
            List<Row> test = s.testRows(t);
            assertFalse(test.isEmpty());
            for (Row r : test) {
                assertEquals(t, r.label() / 2);
                assertArrayEquals(baseRow(origin(r.features())), r.features(), "split does not transform features");
            }
        }
        TaskSequence three = tasks(Map.of("transform", "split", "tasks", 3, "classesPerTask", 3, "rowsPerTask", 20,
                "testRowsPerTask", 10), 5);
        Set<Integer> seen = new HashSet<>();
        for (Row r : drain(three)) {
            assertEquals(r.index() / 20, r.label() / 3);
            seen.add(r.label());
        }
        assertFalse(seen.contains(9), "class 9 belongs to no task");
    }

    @Test
    void scheduleRepeatsTasksWithIdenticalTestRowsAndContinuesTheirRows() {
        TaskSequence s = tasks(Map.of("transform", "permuted", "tasks", 3, "rowsPerTask", 25, "testRowsPerTask", 5,
                "schedule", List.of(0, 1, 2, 0, 1, 2)), 11);
        List<TaskSequence.Segment> segments = s.schedule();
        assertEquals(List.of(0, 1, 2, 0, 1, 2), segments.stream().map(TaskSequence.Segment::task).toList());
        List<Row> first = s.testRows(0);
        List<Row> rows = drain(s);
        assertEquals(150, rows.size());
        assertSame(first, s.testRows(0), "the same list on every call");
        for (int t = 0; t < 3; t++) {
            List<Row> a = s.testRows(t);
            List<Row> b = s.testRows(t);
            for (int k = 0; k < a.size(); k++) {
                assertArrayEquals(a.get(k).features(), b.get(k).features());
            }
        }
        // The second segment of task 0 continues with new rows (285 training rows > 25).
        Set<Integer> firstVisit = new HashSet<>();
        rows.subList(0, 25).forEach(r -> firstVisit.add(origin(r.features())));
        for (Row r : rows.subList(75, 100)) {
            assertFalse(firstVisit.contains(origin(r.features())), "row " + r.index() + " repeats the first visit");
        }
        assertEquals(List.of(25L, 50L, 75L, 100L, 125L), s.driftPositions());
    }

    @Test
    void testRowsNeverAppearInTheTrainingStream() throws IOException {
        for (String transform : List.of("none", "permuted", "split")) {
            // 300 rows, 3 tasks x 20 test rows held out; 3000 rows of stream cycle the 240 others many times.
            TaskSequence s = tasks(Map.of("transform", transform, "tasks", 3, "rowsPerTask", 1000,
                    "testRowsPerTask", 20), 2);
            assertEquals(240, s.trainingRows());
            Set<List<Double>> trained = new HashSet<>();
            Set<Integer> origins = new HashSet<>();
            for (Row r : drain(s)) {
                trained.add(asList(r.features()));
                origins.add(origin(r.features()));
            }
            for (int t = 0; t < 3; t++) {
                for (Row r : s.testRows(t)) {
                    assertFalse(trained.contains(asList(r.features())), transform + ": a test row was trained on");
                    assertTrue(origin(r.features()) >= 240, transform + ": test rows come from the held-out end");
                }
            }
            assertTrue(origins.stream().allMatch(i -> i < 240), transform);
            // split: 3 tasks of 10 / 3 = 3 classes leave class 9 out.
            assertEquals(transform.equals("split") ? 216 : 240, origins.size(), transform + ": every training row is used");
        }
        // A separate test stream: every base row trains, tests come from the other file.
        Files.writeString(dir.resolve("test.csv"), image(50, SIDE, 1000), StandardCharsets.UTF_8);
        TaskSequence s = tasks(Map.of("transform", "none", "tasks", 2, "rowsPerTask", 400, "testRowsPerTask", 20,
                "test", Map.of("type", "csv", "path", "test.csv", "label", "y", "classes",
                        List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"))), 2);
        assertEquals(300, s.trainingRows());
        assertTrue(drain(s).stream().allMatch(r -> origin(r.features()) < 300));
        assertEquals(List.of(1000, 1019), List.of(origin(s.testRows(0).get(0).features()),
                origin(s.testRows(0).get(19).features())));
        assertEquals(1020, origin(s.testRows(1).get(0).features()));
    }

    private static List<Double> asList(double[] x) {
        List<Double> out = new ArrayList<>(x.length);
        for (double v : x) {
            out.add(v);
        }
        return out;
    }

    @Test
    void segmentsAreConsecutiveAndDriftsMarkTaskChanges() {
        TaskSequence s = tasks(Map.of("transform", "none", "tasks", 2, "rowsPerTask", 17, "testRowsPerTask", 3,
                "schedule", List.of(0, 0, 1, 0)), 4);
        List<TaskSequence.Segment> segs = s.schedule();
        assertEquals(4, segs.size());
        long start = 0;
        for (TaskSequence.Segment seg : segs) {
            assertEquals(start, seg.start());
            assertEquals(start + 17, seg.end());
            start = seg.end();
        }
        assertEquals(68, s.length());
        assertEquals(List.of(34L, 51L), s.driftPositions(), "no drift between two segments of task 0");
        List<Row> rows = drain(s);
        assertEquals(68, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(i, rows.get(i).index());
        }
        assertFalse(s.next().isPresent());
    }

    @Test
    void defaultsAndBadOptions() {
        TaskSequence d = tasks(Map.of("transform", "permuted", "rowsPerTask", 10, "testRowsPerTask", 10), 1);
        assertEquals(5, d.taskCount());
        assertEquals(List.of(0, 1, 2, 3, 4), d.schedule().stream().map(TaskSequence.Segment::task).toList());
        assertEquals("stream.transform", bad(Map.of("rowsPerTask", 10)).path());
        assertEquals("stream.transform", bad(Map.of("transform", "shuffled", "rowsPerTask", 10)).path());
        assertEquals("stream.rowsPerTask", bad(Map.of("transform", "none")).path());
        assertEquals("stream.rowsPerTask", bad(Map.of("transform", "none", "rowsPerTask", 0)).path());
        assertEquals("stream.tasks", bad(Map.of("transform", "none", "rowsPerTask", 5, "tasks", 0)).path());
        assertEquals("stream.testRowsPerTask", bad(Map.of("transform", "none", "rowsPerTask", 5,
                "testRowsPerTask", 0)).path());
        ConfigException schedule = bad(Map.of("transform", "none", "rowsPerTask", 5, "tasks", 3,
                "schedule", List.of(0, 1, 3)));
        assertEquals("stream.schedule", schedule.path());
        assertTrue(schedule.getMessage().contains("task 3") && schedule.getMessage().contains("0 to 2"),
                schedule.getMessage());
        assertEquals("stream.schedule", bad(Map.of("transform", "none", "rowsPerTask", 5, "schedule", List.of()))
                .path());
        assertEquals("stream.base", bad(Map.of("transform", "none", "rowsPerTask", 5, "base", Map.of())).path()
                .replace(".type", ""));
        assertEquals("stream.base.type", bad(Map.of("transform", "none", "rowsPerTask", 5,
                "base", Map.of("type", "sea"))).path());
        assertEquals("stream.base.task", bad(Map.of("transform", "none", "rowsPerTask", 5,
                "base", Map.of("type", "csv", "path", "base.csv", "label", "p0", "task", "regression"))).path());
        ConfigException split = bad(Map.of("transform", "split", "rowsPerTask", 5, "tasks", 11, "testRowsPerTask", 1));
        assertEquals("stream.tasks", split.path());
        assertEquals("stream.classesPerTask", bad(Map.of("transform", "split", "rowsPerTask", 5, "tasks", 4,
                "classesPerTask", 3, "testRowsPerTask", 1)).path());
        DataException tooFew = assertThrows(DataException.class, () -> tasks(Map.of("transform", "none",
                "rowsPerTask", 5), 1));
        assertTrue(tooFew.getMessage().contains("300 rows") && tooFew.getMessage().contains("5000"),
                tooFew.getMessage());
        // Unused options are left unread, so the caller reports them as unknown.
        PluginConfig cfg = PluginConfig.of("s", Map.of("type", "tasks", "transform", "permuted", "rowsPerTask", 5,
                "testRowsPerTask", 2, "angle", 30, "base", Map.of("type", "csv", "path", "base.csv", "label", "y")));
        StreamFactory.create(cfg, 1, dir);
        assertEquals(Set.of("s.angle"), cfg.unreadKeys());
    }

    @Test
    void rotationNeedsASquareImageOrWidthAndHeight() throws IOException {
        StringBuilder sb = new StringBuilder("a,b,c,d,e,f,y\n");
        for (int i = 0; i < 40; i++) {
            sb.append("1,2,3,4,5,6,").append(i % 2).append('\n');
        }
        Files.writeString(dir.resolve("six.csv"), sb.toString(), StandardCharsets.UTF_8);
        Map<String, Object> base = Map.of("type", "csv", "path", "six.csv", "label", "y");
        ConfigException e = bad(Map.of("transform", "rotated", "rowsPerTask", 5, "testRowsPerTask", 2, "base", base));
        assertEquals("stream.width", e.path());
        assertTrue(e.getMessage().contains("6 features"), e.getMessage());
        TaskSequence s = tasks(Map.of("transform", "rotated", "tasks", 2, "rowsPerTask", 5, "testRowsPerTask", 2,
                "width", 3, "base", base), 1);
        assertEquals(2, s.options().height());
        ConfigException nine = bad(Map.of("transform", "rotated", "rowsPerTask", 5, "testRowsPerTask", 2,
                "width", 3, "height", 3, "base", base));
        assertEquals("stream.width", nine.path());
        assertTrue(nine.getMessage().contains("3 x 3 = 9 pixels, but the base has 6 features"), nine.getMessage());
    }

    private ConfigException bad(Map<String, ?> options) {
        return assertThrows(ConfigException.class, () -> tasks(options, 1));
    }

    @Test
    void digitsMakeARotatedStream() throws Exception {
        Map<String, Object> base = Map.of("type", "csv", "path", "digits.csv.gz", "header", false, "label", 64);
        PluginConfig cfg = PluginConfig.of("s", Map.of("type", "tasks", "transform", "rotated", "tasks", 4,
                "rowsPerTask", 500, "testRowsPerTask", 100, "base", base));
        TaskSequence s = (TaskSequence) StreamFactory.create(cfg, 3, CsvNominalGzipHeaderTest.digitsDir());
        assertEquals(8, s.options().width());
        assertEquals(1397, s.trainingRows());
        assertEquals(2000, drain(s).size());
        assertEquals(100, s.testRows(3).size());
        Map<Integer, Integer> perClass = new HashMap<>();
        s.testRows(2).forEach(r -> perClass.merge(r.label(), 1, Integer::sum));
        assertTrue(perClass.size() >= 8, "test rows of many classes: " + perClass);
        DataException tooBig = assertThrows(DataException.class, () -> StreamFactory.create(PluginConfig.of("s",
                Map.of("type", "tasks", "transform", "permuted", "rowsPerTask", 10, "base", base)), 3,
                CsvNominalGzipHeaderTest.digitsDir()));
        assertTrue(tooBig.getMessage().contains("1797 rows") && tooBig.getMessage().contains("testRowsPerTask"),
                tooBig.getMessage());
    }
}
