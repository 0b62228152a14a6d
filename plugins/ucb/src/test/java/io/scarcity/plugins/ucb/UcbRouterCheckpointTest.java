package io.scarcity.plugins.ucb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UcbRouterCheckpointTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final Batch BATCH = Batch.ofClasses(SCHEMA, "d", 0, new double[] {0}, new int[] {0});
    private static final Map<String, Object> CONFIG = Map.of("k", 2, "discount", 0.98, "exploration", 0.7);

    /** Counts what the router reports, so that restored and original can be compared on metrics too. */
    private static final class Counting implements MetricsSink {
        final Map<String, Long> counts = new HashMap<>();

        @Override
        public void gauge(String name, double value) {
        }

        @Override
        public void count(String name, long delta) {
            counts.merge(name, delta, Long::sum);
        }
    }

    private static Router router(Counting metrics) {
        PluginContext standalone = PluginContext.standalone(5, SCHEMA, "ucb");
        PluginContext context = new PluginContext() {
            @Override
            public long seed() {
                return standalone.seed();
            }

            @Override
            public Random random() {
                return standalone.random();
            }

            @Override
            public MetricsSink metrics() {
                return metrics;
            }

            @Override
            public String instanceName() {
                return standalone.instanceName();
            }
        };
        return new UcbRouterFactory().create(PluginConfig.of("router", CONFIG), context);
    }

    /**
     * Routes {@code steps} batches over a changing set of candidates (experts join and leave) with
     * Bernoulli rewards whose means drift, adopting priors now and then; returns every routing.
     */
    private static List<Routing> drive(Router router, Random rewards, int from, int steps) {
        List<String> all = List.of("a", "b", "c", "d", "e");
        List<Routing> out = new ArrayList<>();
        for (int t = from; t < from + steps; t++) {
            List<String> candidates = t % 50 < 25 ? all.subList(0, 4) : all.subList(1, 5);
            Routing routing = router.route(new RoutingContext(candidates, BATCH, new InMemorySignalBoard(), t / 10));
            Map<String, Double> r = new HashMap<>();
            for (String name : routing.active()) {
                double mean = (all.indexOf(name) + 1) / 6.0 + (t > 150 && name.equals("a") ? 0.5 : 0.0);
                r.put(name, rewards.nextDouble() < mean ? 1.0 : rewards.nextDouble() * 0.3);
            }
            router.reward(routing, r);
            if (t % 40 == 39) {
                router.adoptPriors(Map.of("e", 0.9, "f", 0.4, "b", 0.2), 3.0);
            }
            out.add(routing);
        }
        return out;
    }

    private static byte[] save(Router router) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        ((Checkpointable) router).saveState(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void restore(Router router, byte[] state) throws IOException {
        ((Checkpointable) router).restoreState(new StateReader(new ByteArrayInputStream(state)));
    }

    private static void assertSameRoutings(List<Routing> expected, List<Routing> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).active(), actual.get(i).active(), "routing " + i);
            assertArrayEquals(expected.get(i).weights(), actual.get(i).weights(), "weights of routing " + i);
        }
    }

    @Test
    void aRestoredRouterRoutesExactlyAsTheSavedOne() throws IOException {
        Counting metricsA = new Counting();
        Router a = router(metricsA);
        Random rewards = new Random(17);
        drive(a, rewards, 0, 120);
        byte[] state = save(a);

        Counting metricsB = new Counting();
        Router b = router(metricsB);
        restore(b, state);
        assertArrayEquals(state, save(b), "a restored router saves what it was restored from");

        long seed = rewards.nextLong();
        metricsA.counts.clear();
        List<Routing> fromA = drive(a, new Random(seed), 120, 200);
        List<Routing> fromB = drive(b, new Random(seed), 120, 200);
        assertSameRoutings(fromA, fromB);
        assertEquals(metricsA.counts, metricsB.counts);
        assertTrue(metricsB.counts.getOrDefault("ucb.explorations", 0L) > 0, "the continuation explores");
        assertArrayEquals(save(a), save(b));

        UcbRouter ua = (UcbRouter) a;
        UcbRouter ub = (UcbRouter) b;
        for (String name : List.of("a", "b", "c", "d", "e", "f")) {
            assertEquals(Double.doubleToRawLongBits(ua.pulls(name)), Double.doubleToRawLongBits(ub.pulls(name)), name);
            assertEquals(Double.doubleToRawLongBits(ua.mean(name)), Double.doubleToRawLongBits(ub.mean(name)), name);
        }

        // The scenario tells a restored router from a fresh one: without the state, routing differs.
        List<Routing> fresh = drive(router(new Counting()), new Random(seed), 120, 200);
        assertNotEquals(fromA.stream().map(Routing::active).toList(), fresh.stream().map(Routing::active).toList());
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        out.writeInt(UcbRouter.STATE_VERSION + 1);
        out.writeInt(0);
        out.flush();
        IOException e = assertThrows(IOException.class, () -> restore(router(new Counting()), bytes.toByteArray()));
        assertTrue(e.getMessage().contains("version " + (UcbRouter.STATE_VERSION + 1)), e.getMessage());
    }

    @Test
    void aCorruptCheckpointIsRefusedAndLeavesTheRouterAsItWas() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        UcbRouter.writeHeader(out, Options.from(PluginConfig.of("router", CONFIG)));
        out.writeInt(2);
        for (int i = 0; i < 2; i++) {
            out.writeString("a");
            out.writeDouble(1);
            out.writeDouble(1);
            out.writeBoolean(true);
        }
        out.flush();
        UcbRouter router = (UcbRouter) router(new Counting());
        IOException e = assertThrows(IOException.class, () -> restore(router, bytes.toByteArray()));
        assertTrue(e.getMessage().contains("'a' twice"), e.getMessage());
        assertEquals(0.0, router.pulls("a"));

        byte[] truncated = java.util.Arrays.copyOf(bytes.toByteArray(), bytes.size() - 5);
        assertThrows(IOException.class, () -> restore(router(new Counting()), truncated));
    }
}
