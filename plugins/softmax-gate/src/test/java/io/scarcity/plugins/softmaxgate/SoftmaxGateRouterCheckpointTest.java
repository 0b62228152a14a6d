package io.scarcity.plugins.softmaxgate;

import static io.scarcity.api.testing.RouterTestKit.assertRoundTrip;
import static io.scarcity.api.testing.RouterTestKit.assertUnknownVersionRefused;
import static io.scarcity.api.testing.RouterTestKit.restore;
import static io.scarcity.api.testing.RouterTestKit.save;
import static io.scarcity.api.testing.RouterTestKit.withMetrics;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

class SoftmaxGateRouterCheckpointTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("u", "v"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final Map<String, Object> CONFIG = Map.of("k", 2, "discount", 0.98, "noise", 0.8, "exploration", 0.4);

    private static Router router(Counting metrics, Map<String, Object> config) {
        return new SoftmaxGateRouterFactory().create(PluginConfig.of("router", config), withMetrics(PluginContext.standalone(5, SCHEMA, "softmax-gate"), metrics));
    }

    private static Router router(Counting metrics) {
        return router(metrics, CONFIG);
    }

    /**
     * Routes {@code steps} random batches with drifting signals over a changing set of candidates
     * (experts join and leave), with rewards that depend on the signals; every 9th batch is unlabelled
     * (empty rewards), and priors are adopted now and then. Returns every routing.
     */
    private static List<Routing> drive(Router router, Random env, int from, int steps) {
        List<String> all = List.of("a", "b", "c", "d", "e");
        List<Routing> out = new ArrayList<>();
        for (int t = from; t < from + steps; t++) {
            List<String> candidates = t % 50 < 25 ? all.subList(0, 4) : all.subList(1, 5);
            InMemorySignalBoard signals = new InMemorySignalBoard();
            boolean drift = env.nextDouble() < 0.3;
            signals.publish(StandardSignals.DRIFT_DETECTED, drift ? 1 : 0);
            signals.publish(StandardSignals.MIXTURE_LOSS, env.nextDouble());
            double[] f = new double[16];
            for (int i = 0; i < f.length; i++) {
                f[i] = env.nextGaussian() * (1 + t / 100.0);
            }
            Batch batch = Batch.ofClasses(SCHEMA, "d", t * 8L, f, new int[8]);
            Routing routing = router.route(new RoutingContext(candidates, batch, signals, t / 10));
            Map<String, Double> r = new HashMap<>();
            if (t % 9 != 8) {
                for (String name : routing.active()) {
                    double mean = (all.indexOf(name) + 1) / 6.0 + (drift && name.equals("a") ? 0.6 : 0.0);
                    r.put(name, Math.min(1, mean * env.nextDouble() * 1.5));
                }
            }
            router.reward(routing, r);
            if (t % 40 == 39) {
                router.adoptPriors(Map.of("e", 0.9, "f", 0.4, "b", 0.2), 3.0);
            }
            out.add(routing);
        }
        return out;
    }

    @Test
    void aRestoredRouterRoutesExactlyAsTheSavedOne() throws IOException {
        RoundTrip trip = assertRoundTrip(SoftmaxGateRouterCheckpointTest::router, SoftmaxGateRouterCheckpointTest::drive, 17, 117, 200);
        Router a = trip.original();
        Router b = trip.restored();
        Counting metricsB = trip.restoredMetrics();
        assertTrue(metricsB.counts.getOrDefault(SoftmaxGateRouter.EXPLORATIONS, 0L) > 0, "the continuation explores");

        SoftmaxGateRouter ga = (SoftmaxGateRouter) a;
        SoftmaxGateRouter gb = (SoftmaxGateRouter) b;
        assertEquals(ga.steps(), gb.steps());
        for (String name : List.of("a", "b", "c", "d", "e", "f")) {
            assertArrayEquals(ga.gateWeights(name), gb.gateWeights(name), name);
            assertEquals(Double.doubleToRawLongBits(ga.count(name)), Double.doubleToRawLongBits(gb.count(name)), name);
            assertEquals(Double.doubleToRawLongBits(ga.meanReward(name)), Double.doubleToRawLongBits(gb.meanReward(name)), name);
        }
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        assertUnknownVersionRefused(router(new Counting()), SoftmaxGateRouter.STATE_VERSION, 0);
    }

    @Test
    void aCorruptCheckpointIsRefusedAndLeavesTheRouterAsItWas() throws IOException {
        SoftmaxGateRouter router = (SoftmaxGateRouter) router(new Counting());
        drive(router, new Random(4), 0, 30);
        byte[] before = save(router);
        // A valid header and state, then the same expert twice.
        SoftmaxGateRouter empty = (SoftmaxGateRouter) router(new Counting());
        byte[] fresh = save(empty);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        // fresh = header ... experts count (0) + pending context (null) + pending count (-1): replace the tail.
        bytes.write(fresh, 0, fresh.length - 12);
        out.writeInt(2);
        for (int i = 0; i < 2; i++) {
            out.writeString("a");
            out.writeDoubles(new double[8]);
            out.writeDouble(1);
            out.writeDouble(1);
            out.writeBoolean(true);
        }
        out.writeDoubles(null);
        out.writeInt(-1);
        out.flush();
        IOException e = assertThrows(IOException.class, () -> restore(router, bytes.toByteArray()));
        assertTrue(e.getMessage().contains("'a' twice"), e.getMessage());
        assertArrayEquals(before, save(router), "a failed restore changes nothing");

        byte[] truncated = java.util.Arrays.copyOf(before, before.length / 2);
        assertThrows(IOException.class, () -> restore(router(new Counting()), truncated));
    }
}
