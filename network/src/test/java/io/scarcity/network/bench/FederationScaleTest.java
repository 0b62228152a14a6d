package io.scarcity.network.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's plumbing: its arguments, the line a child reports in, GC logs, the scaled run's overrides. */
class FederationScaleTest {
    @TempDir
    Path tmp;

    @Test
    void aMeasurementTravelsInOneLine() {
        var m = new ScaleMeasurement(30_000_000, 25_354_540, 2_700_000_000L, new long[] {21_000_000_000L, 10_000_000_000L, 15_000_000_000L},
                49_000_000_000L, 14_000, 3_454_759_136L, 2_917_888_224L, 1_500_000_000L, 33_909_723, 48_758_339);
        String line = m.line();
        assertTrue(line.startsWith(ScaleMeasurement.PREFIX + " "));
        ScaleMeasurement back = ScaleMeasurement.find(List.of("FEDERATION-SCALE-LISTENING 4000", line));
        assertEquals(m.rows(), back.rows());
        assertEquals(m.correct(), back.correct());
        assertArrayEquals(m.roundNanos(), back.roundNanos());
        assertEquals(m.cpuNanos(), back.cpuNanos());
        assertEquals(m.gcMillis(), back.gcMillis());
        assertEquals(m.peakHeap(), back.peakHeap());
        assertEquals(m.maxAfterGc(), back.maxAfterGc());
        assertEquals(m.liveHeap(), back.liveHeap());
        assertEquals(m.wireSent(), back.wireSent());
        assertEquals(m.wireReceived(), back.wireReceived());
        assertNull(ScaleMeasurement.find(List.of("something else")));
    }

    @Test
    void roundTimesGiveRateMeanAndNearestRankP95() {
        long[] rounds = new long[20];
        for (int i = 0; i < rounds.length; i++) {
            rounds[i] = (i + 1) * 1_000_000L;
        }
        var m = new ScaleMeasurement(2_100, 0, 0, rounds, 0, 0, 0, 0, 0, -1, -1);
        assertEquals(10.5, m.meanRoundMillis(), 1e-9);
        assertEquals(19.0, m.p95RoundMillis(), 1e-9, "the 19th of 20");
        assertEquals(2_100 / 0.210, m.rowsPerSecond(), 1e-6);
        assertEquals(3.0, new ScaleMeasurement(1, 0, 0, new long[] {1_000_000, 3_000_000, 2_000_000}, 0, 0, 0, 0, 0, -1, -1)
                .p95RoundMillis(), 1e-9, "with 3 rounds, the slowest");
        assertTrue(!m.wireMeasured());
    }

    @Test
    void aGcLogGivesMostHeapBeforeAndAfterAndThePauses() throws Exception {
        Path log = tmp.resolve("gc.log");
        Files.writeString(log, """
                [0.010s][info][gc] Using G1
                [1.000s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 150M->20M(3072M) 10.500ms
                [2.000s][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 900M->700M(3072M) 20.000ms
                [2.100s][info][gc] GC(2) Concurrent Mark Cycle 7230.681ms
                [3.000s][info][gc] GC(3) Pause Remark 1000M->990M(3072M) 1.500ms
                [4.000s][info][gc] GC(4) Pause Full (G1 Compaction Pause) 3069M->2900M(3072M) 1500.000ms
                """);
        FederationScale.GcLog gc = FederationScale.GcLog.read(log);
        assertEquals(3069, gc.maxBeforeMiB());
        assertEquals(2900, gc.maxAfterMiB());
        assertEquals(1532.0, gc.pauseMillis(), 1e-9, "the concurrent cycle is no pause");
        assertEquals(1, gc.fullPauses());
        assertEquals(-1, FederationScale.GcLog.read(tmp.resolve("none.log")).maxAfterMiB());
    }

    @Test
    void aFailedChildsTailLeavesOutInfoRecords() {
        assertEquals(List.of("WARNING: kept", "Exception in thread \"main\" boom", "\tat x.y(Z.java:1)"),
                FederationScale.Children.withoutInfo(List.of(
                        "Dec 06, 2026 10:55:49 PM org.pf4j.AbstractPluginManager unloadPlugin",
                        "INFO: Unload plugin 'thompson@0.1.0-SNAPSHOT'",
                        "WARNING: kept",
                        "Exception in thread \"main\" boom",
                        "\tat x.y(Z.java:1)",
                        "INFO: a stray one")));
    }

    @Test
    void argumentsAreCheckedAndBecomeOverrides() throws Exception {
        Path config = tmp.resolve("light.yaml");
        Files.writeString(config, "name: light\ndomains: [{name: sea, clients: 10, stream: {type: sea}}]\n"
                + "experts: [{plugin: statistical}]\n");
        var o = FederationScale.Options.parse(new String[] {config.toString(), "--clients", "200", "--rounds", "3", "--hosts", "2",
                "--set", "seed=7", "--host-heap", "512m"});
        assertEquals(2, o.hosts());
        assertEquals("512m", o.hostHeap());
        assertEquals("4g", o.coordinatorHeap());
        assertEquals(List.of("seed=7", "domains[0].clients=200", "rounds=3", "checkpoint.every=0", "coordinator.store.url=memory"),
                o.runSets());
        for (String[] bad : new String[][] {{}, {config.toString(), "--hosts", "0"}, {config.toString(), "--hosts"},
                {config.toString(), "--host-heap", "lots"}, {config.toString(), "--set", "seed"}, {config.toString(), "--nope", "1"},
                {tmp.resolve("missing.yaml").toString()}, {config.toString(), config.toString()}}) {
            assertThrows(IllegalArgumentException.class, () -> FederationScale.Options.parse(bad), String.join(" ", bad));
        }

        RunConfig loaded = ConfigLoader.load(config, Map.of(), o.runSets()).config();
        List<String> scaled = FederationScale.scaled(loaded, o.runSets(), 2);
        assertEquals(2 * loaded.batchesPerRound(), ConfigLoader.load(config, Map.of(), scaled).config().batchesPerRound());
        assertEquals(o.runSets(), FederationScale.scaled(loaded, o.runSets(), 1));
        List<String> networked = FederationScale.networkedSets(o.runSets(), loaded);
        assertEquals(200, ConfigLoader.load(config, Map.of(), networked).config().coordinator().minClients());
        List<String> given = List.of("coordinator.minClients=0");
        assertEquals(given, FederationScale.networkedSets(given, loaded), "the user's own minClients stays");
    }
}
