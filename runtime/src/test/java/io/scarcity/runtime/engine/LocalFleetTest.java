package io.scarcity.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scarcity.api.Batch;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.config.QuickstartPaths;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Slices of a run's clients, each in its own fleet, see exactly the batches the whole fleet gives them. */
class LocalFleetTest {
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path tmp;

    @Test
    void slicesCutTheSameBatchesAsTheWholeFleet() {
        sameBatches(ConfigLoader.load(QuickstartPaths.quickstart(), Map.of(), List.of("rounds=3")), 2, 3);
    }

    /**
     * Natural partitioning (one client per id, each with a quota per round) over an uneven file: a slice
     * counts the other clients' rows without keeping them, and still sees the same batches, and runs out
     * in the same round, as the whole fleet.
     */
    @Test
    void slicesOfANaturallyPartitionedStreamCutTheSameBatchesAndEndTogether() throws Exception {
        StringBuilder csv = new StringBuilder("mote,a,b,y\n");
        java.util.Random rnd = new java.util.Random(2);
        for (int r = 0; r < 700; r++) {
            int mote = r % 7 == 0 ? 3 : rnd.nextInt(3);
            csv.append(mote).append(',').append(rnd.nextInt(100)).append(',').append(rnd.nextInt(100)).append(',').append(r % 2).append('\n');
        }
        java.nio.file.Files.writeString(tmp.resolve("motes.csv"), csv);
        java.nio.file.Files.writeString(tmp.resolve("motes.yaml"), String.join("\n", "name: motes", "seed: 4", "rounds: 30",
                "batchSize: 10", "batchesPerRound: 2", "domains:", "  - name: lab", "    clients: 4", "    stream: {type: csv, path: motes.csv,"
                + " label: y, id: mote}", "    partition: {type: natural}", "experts:", "  - {plugin: statistical}", "router: {plugin: ucb}",
                "memory: {plugin: hierarchical}", "metaLearner: {plugin: insight}", "gossip: {plugin: random-pairs}", ""));
        sameBatches(ConfigLoader.load(tmp.resolve("motes.yaml"), Map.of(), List.of()), 1, 30);
    }

    /** Whole fleet against slices [0, split) and [split, n): the same batches for `rounds` rounds, or the same end. */
    static void sameBatches(LoadedConfig loaded, int split, int rounds) {
        try (PluginRegistry registry = PluginRegistry.load(null, LocalFleetTest.class.getClassLoader())) {
            Assembly assembly = new Assembly(loaded.config(), registry, loaded.baseDir());
            int n = loaded.config().totalClients();
            try (LocalFleet whole = new LocalFleet(loaded.config(), assembly, loaded.baseDir(), 0, n);
                 LocalFleet head = new LocalFleet(loaded.config(), assembly, loaded.baseDir(), 0, split);
                 LocalFleet tail = new LocalFleet(loaded.config(), assembly, loaded.baseDir(), split, n)) {
                assertEquals(whole.clients().subList(0, split).stream().map(c -> c.id()).toList(),
                        head.clients().stream().map(c -> c.id()).toList());
                assertEquals(whole.clients().subList(split, n).stream().map(c -> c.id()).toList(),
                        tail.clients().stream().map(c -> c.id()).toList());
                boolean ended = false;
                for (int round = 1; round <= rounds; round++) {
                    List<List<Batch>> all = whole.nextBatches(round == 1);
                    List<List<Batch>> first = head.nextBatches(round == 1);
                    List<List<Batch>> second = tail.nextBatches(round == 1);
                    assertEquals(all == null, first == null, "round " + round + ": the slices run out with the whole fleet");
                    assertEquals(all == null, second == null, "round " + round + ": the slices run out with the whole fleet");
                    if (all == null) {
                        ended = true;
                        break;
                    }
                    List<List<Batch>> parts = new ArrayList<>(first);
                    parts.addAll(second);
                    assertEquals(all.size(), parts.size());
                    for (int c = 0; c < all.size(); c++) {
                        assertEquals(all.get(c).size(), parts.get(c).size());
                        for (int b = 0; b < all.get(c).size(); b++) {
                            Batch x = all.get(c).get(b);
                            Batch y = parts.get(c).get(b);
                            assertEquals(x.firstRow(), y.firstRow());
                            assertArrayEquals(x.featuresCopy(), y.featuresCopy());
                            for (int r = 0; r < x.rows(); r++) {
                                assertEquals(x.label(r), y.label(r));
                            }
                        }
                    }
                }
                assertEquals(rounds == 30, ended, "the uneven file runs out within 30 rounds, the quickstart's streams do not");
            }
        }
    }
}
