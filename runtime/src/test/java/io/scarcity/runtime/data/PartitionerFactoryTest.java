package io.scarcity.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartitionerFactoryTest {
    private static final DataSchema TEN_CLASSES = schema(10);
    private static final DataSchema REGRESSION = new DataSchema(List.of("x"), Task.REGRESSION, List.of());

    private static DataSchema schema(int classes) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
        }
        return new DataSchema(List.of("x"), Task.CLASSIFICATION, names);
    }

    private static Partitioner create(Map<String, ?> partition, int clients, DataSchema schema, long seed) {
        return PartitionerFactory.create(PluginConfig.of("domains[0].partition", partition), clients, schema, seed);
    }

    private static Row row(long i, int label) {
        return new Row(i, new double[] {0}, label, Double.NaN);
    }

    /** counts[client][class] over rows whose labels cycle through the classes. */
    private static int[][] split(Partitioner p, int clients, int classes, int rows) {
        int[][] counts = new int[clients][classes];
        for (int i = 0; i < rows; i++) {
            int label = i % classes;
            int k = p.assign(row(i, label));
            assertTrue(k >= 0 && k < clients, "client " + k);
            counts[k][label]++;
        }
        return counts;
    }

    /** Mean over clients (weighted by their rows) of the share of their most frequent class. */
    private static double meanMaxClassShare(int[][] counts) {
        double weighted = 0;
        int total = 0;
        for (int[] c : counts) {
            int n = Arrays.stream(c).sum();
            if (n > 0) {
                weighted += Arrays.stream(c).max().getAsInt();
                total += n;
            }
        }
        return weighted / total;
    }

    @Test
    void iidIsTheDefaultAndRoughlyUniform() {
        PluginConfig cfg = PluginConfig.empty();
        Partitioner p = PartitionerFactory.create(cfg, 5, TEN_CLASSES, 1);
        assertInstanceOf(IidPartitioner.class, p);
        int[] perClient = new int[5];
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            perClient[p.assign(row(i, i % 10))]++;
        }
        for (int k = 0; k < 5; k++) {
            assertEquals(0.2, perClient[k] / (double) n, 0.01, "client " + k);
        }
        // And each client sees the classes in equal measure: no label skew.
        assertTrue(meanMaxClassShare(split(create(Map.of("type", "iid"), 5, TEN_CLASSES, 2), 5, 10, 100_000)) < 0.12);
    }

    @Test
    void smallAlphaSkewsClientsMuchMoreThanLargeAlpha() {
        double skewed = meanMaxClassShare(split(create(Map.of("type", "dirichlet", "alpha", 0.1), 10, TEN_CLASSES, 3),
                10, 10, 50_000));
        double even = meanMaxClassShare(split(create(Map.of("type", "dirichlet", "alpha", 100), 10, TEN_CLASSES, 3),
                10, 10, 50_000));
        assertTrue(skewed > 0.4, "alpha 0.1: " + skewed);
        assertTrue(even < 0.15, "alpha 100: " + even);
    }

    @Test
    void dirichletDefaultAlphaIsOneHalf() {
        PluginConfig cfg = PluginConfig.of("p", Map.of("type", "dirichlet"));
        DirichletPartitioner p = (DirichletPartitioner) PartitionerFactory.create(cfg, 4, TEN_CLASSES, 1);
        assertEquals(0.5, p.alpha());
        assertEquals(java.util.Set.of(), cfg.unreadKeys());
    }

    @Test
    void dirichletFollowsItsOwnProportions() {
        DirichletPartitioner p = new DirichletPartitioner(0.5, 4, 2, 9);
        int[][] counts = split(p, 4, 2, 200_000);
        for (int c = 0; c < 2; c++) {
            double[] q = p.proportions(c);
            assertEquals(1.0, Arrays.stream(q).sum(), 1e-12);
            for (int k = 0; k < 4; k++) {
                assertEquals(q[k], counts[k][c] / 100_000.0, 0.01, "class " + c + " client " + k);
            }
        }
    }

    @Test
    void partitionersAreDeterministicForASeed() {
        for (String type : List.of("iid", "dirichlet")) {
            Partitioner a = create(Map.of("type", type), 7, TEN_CLASSES, 42);
            Partitioner b = create(Map.of("type", type), 7, TEN_CLASSES, 42);
            Partitioner c = create(Map.of("type", type), 7, TEN_CLASSES, 43);
            boolean differs = false;
            for (int i = 0; i < 2000; i++) {
                Row r = row(i, i % 10);
                int ka = a.assign(r);
                assertEquals(ka, b.assign(r), type + " row " + i);
                differs |= ka != c.assign(r);
            }
            assertTrue(differs, type + " ignores its seed");
        }
    }

    @Test
    void gammaSamplerHasTheRightMeanAndVariance() {
        Random rnd = new Random(5);
        for (double shape : new double[] {0.2, 1.0, 3.5}) {
            int n = 200_000;
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < n; i++) {
                double g = Math.exp(DirichletShares.logGamma(shape, rnd));
                sum += g;
                sumSq += g * g;
            }
            double mean = sum / n;
            double var = sumSq / n - mean * mean;
            assertEquals(shape, mean, 0.03 * shape, "mean of Gamma(" + shape + ")");
            assertEquals(shape, var, 0.08 * shape, "variance of Gamma(" + shape + ")");
        }
    }

    @Test
    void tinyAlphaStillGivesAValidDistribution() {
        double[] p = DirichletShares.sample(0.001, 50, new Random(1));
        double sum = 0;
        for (double v : p) {
            assertFalse(Double.isNaN(v));
            assertTrue(v >= 0);
            sum += v;
        }
        assertEquals(1.0, sum, 1e-9);
    }

    @Test
    void badOptionsNameTheKey() {
        ConfigException neg = assertThrows(ConfigException.class,
                () -> create(Map.of("type", "dirichlet", "alpha", -1.0), 3, TEN_CLASSES, 1));
        assertEquals("domains[0].partition.alpha", neg.path());
        assertEquals("domains[0].partition.alpha", assertThrows(ConfigException.class,
                () -> create(Map.of("type", "dirichlet", "alpha", 0), 3, TEN_CLASSES, 1)).path());
        ConfigException type = assertThrows(ConfigException.class,
                () -> create(Map.of("type", "shards"), 3, TEN_CLASSES, 1));
        assertEquals("domains[0].partition.type", type.path());
        assertTrue(type.getMessage().contains("iid, dirichlet"), type.getMessage());
        ConfigException regression = assertThrows(ConfigException.class,
                () -> create(Map.of("type", "dirichlet"), 3, REGRESSION, 1));
        assertEquals("domains[0].partition.type", regression.path());
        assertTrue(regression.getMessage().contains("classification"), regression.getMessage());
    }

    @Test
    void iidReadsNoAlpha() {
        PluginConfig cfg = PluginConfig.of("p", Map.of("type", "iid", "alpha", 0.3));
        PartitionerFactory.create(cfg, 3, TEN_CLASSES, 1);
        assertEquals(java.util.Set.of("p.alpha"), cfg.unreadKeys());
    }

    @Test
    void labelOutsideTheSchemaIsABug() {
        Partitioner p = create(Map.of("type", "dirichlet"), 3, schema(2), 1);
        assertThrows(IllegalArgumentException.class, () -> p.assign(row(0, 2)));
        assertThrows(IllegalArgumentException.class, () -> p.assign(row(0, -2)));
    }

    /** -1 is a row without a label (a CSV read with missingLabels: unlabelled): any client, each as likely. */
    @Test
    void aRowWithoutALabelGoesToAnyClient() {
        Partitioner p = create(Map.of("type", "dirichlet", "alpha", 0.05), 3, schema(2), 1);
        int[] counts = new int[3];
        for (int i = 0; i < 3_000; i++) {
            counts[p.assign(row(i, -1))]++;
        }
        for (int c : counts) {
            assertTrue(c > 850 && c < 1150, java.util.Arrays.toString(counts));
        }
    }
}
