package io.scarcity.plugins.thompson;

import static io.scarcity.api.testing.RouterTestKit.assertRoundTrip;
import static io.scarcity.api.testing.RouterTestKit.assertUnknownVersionRefused;
import static io.scarcity.api.testing.RouterTestKit.restore;
import static io.scarcity.api.testing.RouterTestKit.withMetrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import io.scarcity.api.testing.RouterTestKit.Counting;
import io.scarcity.api.testing.RouterTestKit.RoundTrip;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ThompsonRouterCheckpointTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final Map<String, Object> CONFIG = Map.of("k", 2, "discount", 0.98, "clusters", 3, "clusterRate", 0.1);

    private static Router router(Map<String, Object> config, Counting metrics) {
        return new ThompsonRouterFactory().create(PluginConfig.of("router", config), withMetrics(PluginContext.standalone(5, SCHEMA, "thompson"), metrics));
    }

    /**
     * Routes {@code steps} batches with varied rows and signals (so the context clusters and running
     * features matter) over a changing set of candidates, with rewards whose means drift, adopting priors
     * now and then; returns every routing.
     */
    private static List<Routing> drive(Router router, Random rewards, int from, int steps) {
        List<String> all = List.of("a", "b", "c", "d", "e");
        List<Routing> out = new ArrayList<>();
        for (int t = from; t < from + steps; t++) {
            List<String> candidates = t % 50 < 25 ? all.subList(0, 4) : all.subList(1, 5);
            double[] rows = new double[8];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = rewards.nextGaussian() * (1 + (t / 30) % 3);
            }
            Batch batch = Batch.ofClasses(SCHEMA, "d", 4L * t, rows, new int[] {0, 1, 0, 1});
            InMemorySignalBoard signals = new InMemorySignalBoard();
            signals.publish(StandardSignals.DRIFT_SCORE, rewards.nextDouble() < 0.3 ? 0.9 : 0.1);
            Routing routing = router.route(new RoutingContext(candidates, batch, signals, t / 10));
            Map<String, Double> r = new HashMap<>();
            for (String name : routing.active()) {
                double mean = (all.indexOf(name) + 1) / 6.0 + (t > 150 && name.equals("a") ? 0.5 : 0.0);
                r.put(name, rewards.nextDouble() < mean ? 1.0 : rewards.nextDouble() * 0.3);
            }
            router.reward(routing, t % 17 == 0 ? Map.of() : r);
            if (t % 40 == 39) {
                router.adoptPriors(Map.of("e", 0.9, "f", 0.4, "b", 0.2), 3.0);
            }
            out.add(routing);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"beta", "gaussian"})
    void aRestoredRouterRoutesExactlyAsTheSavedOne(String posterior) throws IOException {
        Map<String, Object> config = new HashMap<>(CONFIG);
        config.put("posterior", posterior);
        RoundTrip trip = assertRoundTrip(metrics -> router(config, metrics), ThompsonRouterCheckpointTest::drive, 17, 120, 200);
        Router a = trip.original();
        Router b = trip.restored();
        Counting metricsB = trip.restoredMetrics();
        assertTrue(metricsB.counts.getOrDefault("thompson.explorations", 0L) > 0, "the continuation explores");
        assertTrue(metricsB.counts.keySet().stream().filter(k -> k.startsWith("thompson.cluster.")).count() >= 2,
                "several clusters are used: " + metricsB.counts);

        ThompsonRouter ta = (ThompsonRouter) a;
        ThompsonRouter tb = (ThompsonRouter) b;
        for (int c = 0; c < 3; c++) {
            for (String name : List.of("a", "b", "c", "d", "e", "f")) {
                assertEquals(Double.doubleToRawLongBits(ta.pulls(c, name)), Double.doubleToRawLongBits(tb.pulls(c, name)));
                assertEquals(Double.doubleToRawLongBits(ta.mean(c, name)), Double.doubleToRawLongBits(tb.mean(c, name)));
            }
        }
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        assertUnknownVersionRefused(router(CONFIG, new Counting()), ThompsonRouter.STATE_VERSION, 0);
    }

    @Test
    void aCorruptCheckpointIsRefusedAndLeavesTheRouterAsItWas() throws IOException {
        Map<String, Object> config = Map.of();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        out.writeVersion(ThompsonRouter.STATE_VERSION);
        out.writeRandom(new Random(1));
        out.writeInt(1);
        out.writeInt(0);
        out.writeDoubles(new double[8]);
        out.writeInt(2);
        for (int i = 0; i < 2; i++) {
            out.writeString("a");
            out.writeDouble(1);
            out.writeDouble(1);
            out.writeBoolean(true);
        }
        out.flush();
        ThompsonRouter router = (ThompsonRouter) router(config, new Counting());
        IOException e = assertThrows(IOException.class, () -> restore(router, bytes.toByteArray()));
        assertTrue(e.getMessage().contains("'a' twice"), e.getMessage());
        assertEquals(0.0, router.pulls(0, "a"));

        byte[] truncated = java.util.Arrays.copyOf(bytes.toByteArray(), 40);
        assertThrows(IOException.class, () -> restore(router(config, new Counting()), truncated));
    }
}
