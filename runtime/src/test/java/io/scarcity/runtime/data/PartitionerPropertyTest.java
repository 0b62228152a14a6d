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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Properties of every partitioner over many random seeds, sizes and options. */
class PartitionerPropertyTest {
    private static final DataSchema REGRESSION = new DataSchema(List.of("x"), Task.REGRESSION, List.of());

    @TempDir
    Path dir;

    private static DataSchema classes(int k) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            names.add("c" + c);
        }
        return new DataSchema(List.of("x"), Task.CLASSIFICATION, names);
    }

    /** A source of the given schema that only answers schema() and groups(). */
    private static RowSource source(DataSchema schema, List<String> groups) {
        return new RowSource() {
            @Override
            public DataSchema schema() {
                return schema;
            }

            @Override
            public Optional<Row> next() {
                return Optional.empty();
            }

            @Override
            public Optional<List<String>> groups() {
                return Optional.ofNullable(groups);
            }
        };
    }

    private static Partitioner create(Map<String, ?> partition, int clients, RowSource source, long seed) {
        return PartitionerFactory.create(PluginConfig.of("domains[0].partition", partition), clients, source, seed);
    }

    @Test
    void everyRowGoesToExactlyOneClientInRangeDeterministically() {
        Random rnd = new Random(20_240_601);
        for (int trial = 0; trial < 300; trial++) {
            int clients = 1 + rnd.nextInt(20);
            int numClasses = 2 + rnd.nextInt(9);
            int rows = 1 + rnd.nextInt(2000);
            long seed = rnd.nextLong();
            String type = List.of("iid", "dirichlet", "quantity", "natural").get(trial % 4);
            double alpha = Math.exp(rnd.nextDouble() * 8 - 4);
            int groupCount = 1 + rnd.nextInt(clients);
            List<String> groups = new ArrayList<>();
            for (int g = 0; g < groupCount; g++) {
                groups.add("g" + g);
            }
            Map<String, Object> options = type.equals("iid") || type.equals("natural") ? Map.of("type", type)
                    : Map.of("type", type, "alpha", alpha);
            RowSource src = source(classes(numClasses), groups);
            Partitioner a = create(options, clients, src, seed);
            Partitioner b = create(options, clients, src, seed);
            int[] perClient = new int[clients];
            Random data = new Random(seed);
            for (int i = 0; i < rows; i++) {
                Row row = new Row(i, new double[] {data.nextDouble()}, data.nextInt(numClasses), Double.NaN,
                        groups.get(data.nextInt(groupCount)));
                int k = a.assign(row);
                assertTrue(k >= 0 && k < clients, type + ": client " + k + " of " + clients);
                assertEquals(k, b.assign(row), type + ": same seed, same client");
                perClient[k]++;
            }
            assertEquals(rows, Arrays.stream(perClient).sum(), type + ": rows conserved");
        }
    }

    @Test
    void naturalPutsEachGroupInOneClientAndDifferentGroupsInDifferentClients() {
        Random rnd = new Random(77);
        for (int trial = 0; trial < 200; trial++) {
            int clients = 1 + rnd.nextInt(15);
            int groupCount = 1 + rnd.nextInt(clients);
            boolean numeric = rnd.nextBoolean();
            Set<String> set = new HashSet<>();
            while (set.size() < groupCount) {
                set.add(numeric ? Integer.toString(rnd.nextInt(1000) - 100) : "mote-" + rnd.nextInt(1000));
            }
            List<String> groups = new ArrayList<>(set);
            Partitioner p = create(Map.of("type", "natural"), clients, source(classes(2), groups), rnd.nextLong());
            Map<String, Integer> clientOf = new HashMap<>();
            for (int i = 0; i < 500; i++) {
                String g = groups.get(rnd.nextInt(groupCount));
                int k = p.assign(new Row(i, new double[] {0}, rnd.nextInt(2), Double.NaN, g));
                Integer previous = clientOf.putIfAbsent(g, k);
                assertTrue(previous == null || previous == k, "group " + g + " split over clients");
            }
            assertEquals(clientOf.size(), new HashSet<>(clientOf.values()).size(), "two groups share a client");
            // Groups are given to clients in sorted order: numerically when all are numbers.
            List<String> sorted = new ArrayList<>(clientOf.keySet());
            if (numeric) {
                sorted.sort((x, y) -> Integer.compare(Integer.parseInt(x), Integer.parseInt(y)));
            } else {
                sorted.sort(String::compareTo);
            }
            for (int i = 1; i < sorted.size(); i++) {
                assertTrue(clientOf.get(sorted.get(i - 1)) < clientOf.get(sorted.get(i)), "order of " + sorted);
            }
            // Every client index a group can use is below the number of groups: the rest get nothing.
            assertTrue(clientOf.values().stream().allMatch(k -> k < groupCount));
        }
    }

    @Test
    void naturalGroupOrderIsNumericForNumbers() {
        NaturalPartitioner p = new NaturalPartitioner(List.of("10", "9", "2", "100"), 6);
        assertEquals(List.of("2", "9", "10", "100"), p.groups());
        assertEquals(2, p.assign(new Row(0, new double[] {0}, 0, Double.NaN, "10")));
    }

    @Test
    void naturalErrors() {
        ConfigException noId = assertThrows(ConfigException.class,
                () -> create(Map.of("type", "natural"), 3, source(classes(2), null), 1));
        assertEquals("domains[0].partition.type", noId.path());
        assertTrue(noId.getMessage().contains("id column") && noId.getMessage().contains("set id"), noId.getMessage());
        DataException tooMany = assertThrows(DataException.class, () -> create(Map.of("type", "natural"), 3,
                source(classes(2), List.of("1", "2", "3", "4")), 1));
        assertTrue(tooMany.getMessage().contains("4 groups") && tooMany.getMessage().contains("3 clients")
                && tooMany.getMessage().contains("set clients: 4"), tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PartitionerFactory.create(
                PluginConfig.of("p", Map.of("type", "natural")), 3, classes(2), 1));
        Partitioner p = create(Map.of("type", "natural"), 2, source(classes(2), List.of("a")), 1);
        DataException unknown = assertThrows(DataException.class,
                () -> p.assign(new Row(5, new double[] {0}, 0, Double.NaN, "b")));
        assertTrue(unknown.getMessage().contains("'b'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.assign(new Row(5, new double[] {0}, 0, Double.NaN)));
    }

    @Test
    void naturalOverACsvIdColumnGivesOneClientPerMote() throws IOException {
        StringBuilder sb = new StringBuilder("reading,mote,x,y\n");
        Random rnd = new Random(3);
        for (int i = 0; i < 400; i++) {
            sb.append(i).append(',').append(1 + rnd.nextInt(4)).append(',').append(rnd.nextDouble()).append(',')
                    .append(rnd.nextInt(2)).append('\n');
        }
        Files.writeString(dir.resolve("motes.csv"), sb.toString(), StandardCharsets.UTF_8);
        RowSource src = StreamFactory.create(PluginConfig.of("s", Map.of("type", "csv", "path", "motes.csv",
                "label", "y", "id", "mote", "timestamp", "reading")), 0, dir);
        Partitioner p = create(Map.of("type", "natural"), 5, src, 9);
        int[] perClient = new int[5];
        for (var r = src.next(); r.isPresent(); r = src.next()) {
            int k = p.assign(r.get());
            assertEquals(Integer.parseInt(r.get().group()) - 1, k);
            perClient[k]++;
        }
        assertEquals(0, perClient[4], "the fifth client has no mote");
        assertEquals(400, Arrays.stream(perClient).sum());
        src.close();
    }

    /** Mean over seeds of the largest client's share of the rows. */
    private static double meanLargestShare(double alpha, int clients, int rows, int seeds) {
        double total = 0;
        for (int s = 0; s < seeds; s++) {
            Partitioner p = create(Map.of("type", "quantity", "alpha", alpha), clients, source(REGRESSION, null),
                    1000 + s);
            int[] counts = new int[clients];
            for (int i = 0; i < rows; i++) {
                counts[p.assign(new Row(i, new double[] {0}, -1, i))]++;
            }
            total += Arrays.stream(counts).max().getAsInt() / (double) rows;
        }
        return total / seeds;
    }

    @Test
    void quantitySkewGivesUnequalSharesThatGrowMoreUnequalAsAlphaFalls() {
        double[] alphas = {100, 5, 0.5, 0.05};
        double previous = 0;
        for (double alpha : alphas) {
            double largest = meanLargestShare(alpha, 10, 4000, 40);
            assertTrue(largest > previous + 0.02, "alpha " + alpha + ": largest share " + largest + " after " + previous);
            previous = largest;
        }
        assertTrue(meanLargestShare(0.5, 10, 4000, 40) > 0.3, "alpha 0.5 is clearly unequal (equal = 0.1)");
        assertTrue(meanLargestShare(100, 10, 4000, 40) < 0.15, "alpha 100 is almost equal");
    }

    @Test
    void quantitySkewFollowsItsSharesAndIgnoresLabels() {
        Partitioner p = create(Map.of("type", "quantity"), 4, source(classes(2), null), 5);
        QuantityPartitioner q = assertInstanceOf(QuantityPartitioner.class, p);
        assertEquals(0.5, q.alpha());
        double[] shares = q.shares();
        assertEquals(1.0, Arrays.stream(shares).sum(), 1e-12);
        int[][] counts = new int[4][2];
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            counts[p.assign(new Row(i, new double[] {0}, i % 2, Double.NaN))][i % 2]++;
        }
        for (int k = 0; k < 4; k++) {
            int rows = counts[k][0] + counts[k][1];
            assertEquals(shares[k], rows / (double) n, 0.01, "client " + k);
            if (rows > 2000) {
                assertEquals(0.5, counts[k][0] / (double) rows, 0.05, "client " + k + " has both classes equally");
            }
        }
        assertEquals("domains[0].partition.alpha", assertThrows(ConfigException.class,
                () -> create(Map.of("type", "quantity", "alpha", 0), 3, source(REGRESSION, null), 1)).path());
    }

    /** Mean over seeds and clients (weighted by rows) of the share of a client's most frequent class. */
    private static double meanMaxClassShare(double alpha, int seeds) {
        double total = 0;
        for (int s = 0; s < seeds; s++) {
            Partitioner p = create(Map.of("type", "dirichlet", "alpha", alpha), 10, source(classes(10), null), 50 + s);
            int[][] counts = new int[10][10];
            for (int i = 0; i < 20_000; i++) {
                counts[p.assign(new Row(i, new double[] {0}, i % 10, Double.NaN))][i % 10]++;
            }
            double weighted = 0;
            for (int[] c : counts) {
                weighted += Arrays.stream(c).max().getAsInt();
            }
            total += weighted / 20_000;
        }
        return total / seeds;
    }

    @Test
    void dirichletLabelSkewGrowsAsAlphaFalls() {
        double previous = 0;
        for (double alpha : new double[] {100, 5, 0.5, 0.05}) {
            double skew = meanMaxClassShare(alpha, 20);
            assertTrue(skew > previous + 0.02, "alpha " + alpha + ": " + skew + " after " + previous);
            previous = skew;
        }
    }

    @Test
    void typesAreListedInErrors() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> create(Map.of("type", "shards"), 3, source(classes(2), null), 1));
        assertTrue(e.getMessage().contains("iid, dirichlet, quantity, natural"), e.getMessage());
        assertFalse(e.getMessage().isEmpty());
    }
}
