package io.scarcity.plugins.hierarchical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Task;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Statistical tests of the episodic tier's sampling: rows carry their stream position as feature 0; many
 * memories with different seeds see the same stream, and the number of times each position is retained
 * is compared with its expectation by chi-square tests at alpha = 0.001 each (the seeds are fixed, so a
 * pass is reproducible; alpha says how unlikely a correct sampler is to fail for some other set of seeds).
 */
class ReservoirUniformityTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("id", "c"), Task.CLASSIFICATION, List.of("x", "y", "z"));
    /** Standard normal quantile of 1 - 0.001. */
    private static final double Z_999 = 3.0902;

    /** Upper 1 - alpha quantile of chi-square with {@code df} degrees of freedom (Wilson-Hilferty, alpha = 0.001). */
    static double chiSquareCritical(int df) {
        double a = 2.0 / (9.0 * df);
        double t = 1 - a + Z_999 * Math.sqrt(a);
        return df * t * t * t;
    }

    static double chiSquare(double[] observed, double[] expected) {
        double s = 0;
        for (int i = 0; i < observed.length; i++) {
            double d = observed[i] - expected[i];
            s += d * d / expected[i];
        }
        return s;
    }

    private static HierarchicalMemory memory(String policy, int capacity, long seed) {
        return (HierarchicalMemory) new HierarchicalMemoryFactory().create(
                PluginConfig.of("memory.config", Map.of("workingSize", 0, "episodicSize", capacity, "episodicPolicy", policy)),
                PluginContext.standalone(seed, SCHEMA, "hierarchical"));
    }

    /** Feeds rows 0..labels.length-1 in batches of 50 (feature 0 = position) and returns the retained positions. */
    private static int[] retained(HierarchicalMemory memory, int[] labels) {
        InMemorySignalBoard signals = new InMemorySignalBoard();
        for (int first = 0; first < labels.length; first += 50) {
            int rows = Math.min(50, labels.length - first);
            double[] x = new double[rows * 2];
            for (int i = 0; i < rows; i++) {
                x[2 * i] = first + i;
            }
            memory.observe(Batch.ofClasses(SCHEMA, "d", first, x, Arrays.copyOfRange(labels, first, first + rows)), signals);
        }
        int size = memory.stats().tierSizes().get("episodic");
        int[] kept = new int[size];
        for (int slot = 0; slot < size; slot++) {
            kept[slot] = (int) memory.episodicValue(slot, 0);
            assertEquals(labels[kept[slot]], memory.episodicLabel(slot), "a row keeps its label");
        }
        return kept;
    }

    @Test
    void everyStreamPositionIsRetainedWithProbabilityCapacityOverN() {
        int n = 2000;
        int capacity = 100;
        int repetitions = 400;
        int[] labels = new int[n];
        double[] counts = new double[n];
        // Seeds drawn from one generator: consecutive seeds give java.util.Random correlated first draws.
        Random seeds = new Random(3);
        for (int rep = 0; rep < repetitions; rep++) {
            int[] kept = retained(memory("reservoir", capacity, seeds.nextLong()), labels);
            assertEquals(capacity, kept.length);
            assertEquals(capacity, Arrays.stream(kept).distinct().count(), "no row is kept twice");
            for (int p : kept) {
                counts[p]++;
            }
        }
        assertUniform(counts, repetitions * (double) capacity / n);
    }

    /** Per position (df = n - 1) and per bin of 100 consecutive positions (df = bins - 1), each at alpha 0.001. */
    private static void assertUniform(double[] counts, double perPosition) {
        double[] expected = new double[counts.length];
        Arrays.fill(expected, perPosition);
        double perPositionStat = chiSquare(counts, expected);
        assertTrue(perPositionStat < chiSquareCritical(counts.length - 1),
                "per-position chi-square " + perPositionStat + " >= " + chiSquareCritical(counts.length - 1));
        int bins = counts.length / 100;
        double[] binned = new double[bins];
        for (int p = 0; p < counts.length; p++) {
            binned[p / 100] += counts[p];
        }
        double[] binExpected = new double[bins];
        Arrays.fill(binExpected, perPosition * 100);
        double binStat = chiSquare(binned, binExpected);
        assertTrue(binStat < chiSquareCritical(bins - 1), "binned chi-square " + binStat + " >= "
                + chiSquareCritical(bins - 1) + " for " + Arrays.toString(binned));
    }

    /** The test above has power: a sampler that favours recent rows a little fails it. */
    @Test
    void theUniformityCheckRejectsASamplerBiasedTowardsRecentRows() {
        int n = 2000;
        int capacity = 100;
        int repetitions = 400;
        double[] counts = new double[n];
        Random random = new Random(5);
        for (int rep = 0; rep < repetitions; rep++) {
            // Algorithm R, but every 10th row is kept as if it were 20% earlier in the stream.
            int[] slots = new int[capacity];
            for (int t = 0; t < n; t++) {
                if (t < capacity) {
                    slots[t] = t;
                    continue;
                }
                long seen = t % 10 == 0 ? Math.max(capacity, (long) (t * 0.8)) : t + 1;
                long j = random.nextLong(seen);
                if (j < capacity) {
                    slots[(int) j] = t;
                }
            }
            for (int p : slots) {
                counts[p]++;
            }
        }
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> assertUniform(counts, repetitions * (double) capacity / n));
        assertTrue(e.getMessage().contains("chi-square"), e.getMessage());
    }

    @Test
    void classBalancedSharesTheCapacityEquallyAndSamplesEachClassUniformly() {
        int n = 3000;
        int capacity = 150;
        int repetitions = 300;
        int[] labels = new int[n];
        Random stream = new Random(7);
        for (int i = 0; i < n; i++) {
            double u = stream.nextDouble();
            labels[i] = u < 0.7 ? 0 : u < 0.9 ? 1 : 2;
        }
        int[] seen = new int[3];
        for (int y : labels) {
            seen[y]++;
        }
        assertTrue(seen[2] > capacity / 3, "the rarest class has enough rows to fill its share: " + seen[2]);
        double[][] counts = new double[3][n];
        // Seeds drawn from one generator: consecutive seeds give java.util.Random correlated first draws.
        Random seeds = new Random(11);
        for (int rep = 0; rep < repetitions; rep++) {
            HierarchicalMemory memory = memory("class-balanced", capacity, seeds.nextLong());
            int[] kept = retained(memory, labels);
            assertEquals(capacity, kept.length);
            assertEquals(capacity, Arrays.stream(kept).distinct().count(), "no row is kept twice");
            int[] perClass = new int[3];
            for (int p : kept) {
                perClass[labels[p]]++;
                counts[labels[p]][p]++;
            }
            for (int c = 0; c < 3; c++) {
                assertEquals(perClass[c], memory.episodicRowsOf(c), "the class counts follow the stored labels");
                // Every class has seen at least its equal share: the shares are equal up to one row.
                assertTrue(Math.abs(perClass[c] - capacity / 3.0) <= 1, "rep " + rep + ": " + Arrays.toString(perClass));
            }
        }
        // Within each class, every position of that class is kept with the same probability.
        for (int c = 0; c < 3; c++) {
            double[] observed = new double[10];
            double[] expected = new double[10];
            double kept = Arrays.stream(counts[c]).sum();
            for (int p = 0; p < n; p++) {
                if (labels[p] == c) {
                    observed[p * 10 / n] += counts[c][p];
                    expected[p * 10 / n] += kept / seen[c];
                }
            }
            double stat = chiSquare(observed, expected);
            assertTrue(stat < chiSquareCritical(9), "class " + c + ": chi-square " + stat + " >= " + chiSquareCritical(9)
                    + ", observed " + Arrays.toString(observed) + " expected " + Arrays.toString(expected));
        }
    }
}
