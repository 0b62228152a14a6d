package io.scarcity.runtime.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Insight;
import io.scarcity.api.Task;
import io.scarcity.runtime.config.ConfigLoader;
import io.scarcity.runtime.config.LoadedConfig;
import io.scarcity.runtime.engine.Assembly;
import io.scarcity.runtime.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientNodeTest {
    static final DataSchema SCHEMA = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("n", "p"));

    static ClientNode client(String extraYaml) {
        LoadedConfig c = ConfigLoader.parse("""
                name: t
                domains: [{name: d, clients: 1, stream: {type: sea}}]
                experts: [{plugin: statistical}, {plugin: drift}]
                """ + extraYaml, "t.yaml", Path.of("."), Map.of(), List.of());
        try (PluginRegistry r = PluginRegistry.load(null, ClientNodeTest.class.getClassLoader())) {
            return new Assembly(c.config(), r).client("d-0", "d", SCHEMA);
        }
    }

    static Batch rows(double... xy) {
        int[] labels = new int[xy.length / 2];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 2;
        }
        return Batch.ofClasses(SCHEMA, "d", 0, xy, labels);
    }

    @Test
    void aRoundWithFewRowsNeverRevealsThemThroughFeatureMoments() {
        ClientNode c = client("privacy: {minMomentRows: 4}\n");
        Insight one = c.runRound(1, List.of(rows(1.234, 5.678))).insight();
        assertEquals(1, one.samples());
        assertEquals(0, one.moments().count(), "one row's mean would be the row itself");
        assertArrayEquals(new double[2], one.moments().mean());
        Insight two = c.runRound(2, List.of(rows(2, 2, 3, 4))).insight();
        assertEquals(0, two.moments().count());
        // the held-back rows are pooled with the next ones and sent once there are enough
        Insight three = c.runRound(3, List.of(rows(5, 6))).insight();
        assertEquals(4, three.moments().count());
        assertArrayEquals(new double[] {(1.234 + 2 + 3 + 5) / 4, (5.678 + 2 + 4 + 6) / 4}, three.moments().mean(), 1e-12);
        assertEquals(0, c.runRound(4, List.of()).insight().moments().count());
    }

    @Test
    void insightsCarryMetadataOnlyAndAnalysersCountAsActive() {
        ClientNode c = client("");
        java.util.Random rnd = new java.util.Random(1);
        double[] x = new double[200];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextGaussian();
        }
        ClientRoundResult r = c.runRound(1, List.of(rows(x)));
        Insight in = r.insight();
        assertEquals(100, in.samples());
        assertEquals(Double.valueOf(1), (double) r.metrics().experts().get("drift").activations());
        assertTrue(in.experts().containsKey("statistical") && in.experts().containsKey("drift"));
        assertTrue(in.signals().containsKey("drift.score"), in.signals().toString());
        assertEquals(100, in.moments().count());
    }
}
