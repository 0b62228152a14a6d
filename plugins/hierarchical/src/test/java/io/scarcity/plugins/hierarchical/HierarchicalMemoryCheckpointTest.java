package io.scarcity.plugins.hierarchical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.Memory;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import io.scarcity.api.testing.MemoryTestKit;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The kit's memory contract (replays and stats continue bit for bit after a restore, with unlabelled and
 * weighted batches, drift and loss signals; an empty memory round-trips; a truncated checkpoint or an
 * unknown version is refused), plus what is the hierarchical memory's own.
 */
class HierarchicalMemoryCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("workingSize", 24, "episodicSize", 40,
            "mix", Map.of("working", 0.3, "episodic", 0.5, "semantic", 0.2));

    static Supplier<Memory> maker(DataSchema schema, Map<String, ?> config) {
        return PluginTestKit.maker(new HierarchicalMemoryFactory(), config, PluginTestKit.context(11, schema, "hierarchical"));
    }

    private static HierarchicalMemory memory(DataSchema schema, Map<String, ?> config) {
        return (HierarchicalMemory) maker(schema, config).get();
    }

    private static SignalBoard signals(boolean drift) {
        SignalBoard board = new InMemorySignalBoard();
        board.publish(StandardSignals.DRIFT_DETECTED, drift ? 1 : 0);
        return board;
    }

    private static void checkContinuesExactly(DataSchema schema) throws IOException {
        HierarchicalMemory evicting = memory(schema, CONFIG);
        MemoryTestKit.driver(schema).drive(evicting, new Random(3), 0, 30);
        assertTrue(evicting.reservoirSeen() > 40 * 3, "the kit's 30 steps make the reservoir evict: " + evicting.reservoirSeen());
        MemoryTestKit.assertCheckpointContract(maker(schema, CONFIG), schema, "hierarchical memory");
    }

    @Test
    void aRestoredClassificationMemoryReplaysExactlyAsTheSavedOne() throws IOException {
        checkContinuesExactly(MemoryTestKit.CLASSIFICATION);
    }

    @Test
    void aRestoredRegressionMemoryReplaysExactlyAsTheSavedOne() throws IOException {
        checkContinuesExactly(MemoryTestKit.REGRESSION);
    }

    /** A drift before the reservoir is full promotes rows it already holds: more rows than it was offered. */
    @Test
    void aMemoryPromotedBeforeTheReservoirFilledRoundTrips() throws IOException {
        DataSchema schema = MemoryTestKit.CLASSIFICATION;
        HierarchicalMemory a = memory(schema, CONFIG);
        Batch ten = Batch.ofClasses(schema, "dom", 0, new double[30], new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
        a.observe(ten, signals(false));
        a.observe(ten.slice(0, 2), signals(true));
        assertTrue(a.stats().tierSizes().get("episodic") > a.reservoirSeen(), a.stats() + " after " + a.reservoirSeen());
        HierarchicalMemory b = memory(schema, CONFIG);
        PluginTestKit.restore(b, PluginTestKit.save(a));
        assertEquals(a.stats(), b.stats());
        assertEquals(MemoryTestKit.fingerprint(a.replay(30).orElseThrow()), MemoryTestKit.fingerprint(b.replay(30).orElseThrow()));
    }

    @Test
    void aCheckpointOfAnotherStreamIsRefusedNamingItsShape() throws IOException {
        HierarchicalMemory a = memory(MemoryTestKit.CLASSIFICATION, CONFIG);
        MemoryTestKit.driver(MemoryTestKit.CLASSIFICATION).drive(a, new Random(2), 0, 10);
        byte[] state = PluginTestKit.save(a);
        DataSchema twoClasses = new DataSchema(List.of("f0", "f1", "f2"), Task.CLASSIFICATION, List.of("x", "y"));
        HierarchicalMemory other = memory(twoClasses, CONFIG);
        IOException e = assertThrows(IOException.class, () -> PluginTestKit.restore(other, state));
        assertTrue(e.getMessage().contains("3 classes") && e.getMessage().contains("2 classes"), e.getMessage());
        assertEquals(0, other.stats().totalEntries(), "a refused checkpoint changes nothing");

        IOException regression = assertThrows(IOException.class,
                () -> PluginTestKit.restore(memory(MemoryTestKit.REGRESSION, CONFIG), state));
        assertTrue(regression.getMessage().contains("REGRESSION"), regression.getMessage());
    }
}
