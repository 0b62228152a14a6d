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
    @Test
    void slicesCutTheSameBatchesAsTheWholeFleet() {
        LoadedConfig loaded = ConfigLoader.load(QuickstartPaths.quickstart(), Map.of(), List.of("rounds=3"));
        try (PluginRegistry registry = PluginRegistry.load(null, LocalFleetTest.class.getClassLoader())) {
            Assembly assembly = new Assembly(loaded.config(), registry, loaded.baseDir());
            int n = loaded.config().totalClients();
            try (LocalFleet whole = new LocalFleet(loaded.config(), assembly, loaded.baseDir(), 0, n);
                 LocalFleet head = new LocalFleet(loaded.config(), assembly, loaded.baseDir(), 0, 2);
                 LocalFleet tail = new LocalFleet(loaded.config(), assembly, loaded.baseDir(), 2, n)) {
                assertEquals(List.of("coast-0", "coast-1"), head.clients().stream().map(c -> c.id()).toList());
                assertEquals(List.of("coast-2", "inland-0", "inland-1"), tail.clients().stream().map(c -> c.id()).toList());
                for (int round = 1; round <= 3; round++) {
                    List<List<Batch>> all = whole.nextBatches(round == 1);
                    List<List<Batch>> parts = new ArrayList<>(head.nextBatches(round == 1));
                    parts.addAll(tail.nextBatches(round == 1));
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
            }
        }
    }
}
