package io.scarcity.plugins.ucb;

import static io.scarcity.api.testing.RouterTestKit.BATCH;
import static io.scarcity.api.testing.RouterTestKit.SCHEMA;
import static io.scarcity.api.testing.RouterTestKit.assertRoundTrip;
import static io.scarcity.api.testing.RouterTestKit.assertUnknownVersionRefused;
import static io.scarcity.api.testing.RouterTestKit.restore;
import static io.scarcity.api.testing.RouterTestKit.withMetrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StateWriter;
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

class UcbRouterCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("k", 2, "discount", 0.98, "exploration", 0.7);

    private static Router router(Counting metrics) {
        return new UcbRouterFactory().create(PluginConfig.of("router", CONFIG), withMetrics(PluginContext.standalone(5, SCHEMA, "ucb"), metrics));
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

    @Test
    void aRestoredRouterRoutesExactlyAsTheSavedOne() throws IOException {
        RoundTrip trip = assertRoundTrip(UcbRouterCheckpointTest::router, UcbRouterCheckpointTest::drive, 17, 120, 200);
        Router a = trip.original();
        Router b = trip.restored();
        Counting metricsB = trip.restoredMetrics();
        assertTrue(metricsB.counts.getOrDefault("ucb.explorations", 0L) > 0, "the continuation explores");

        UcbRouter ua = (UcbRouter) a;
        UcbRouter ub = (UcbRouter) b;
        for (String name : List.of("a", "b", "c", "d", "e", "f")) {
            assertEquals(Double.doubleToRawLongBits(ua.pulls(name)), Double.doubleToRawLongBits(ub.pulls(name)), name);
            assertEquals(Double.doubleToRawLongBits(ua.mean(name)), Double.doubleToRawLongBits(ub.mean(name)), name);
        }
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        assertUnknownVersionRefused(router(new Counting()), UcbRouter.STATE_VERSION, 0);
    }

    @Test
    void aCorruptCheckpointIsRefusedAndLeavesTheRouterAsItWas() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        out.writeVersion(UcbRouter.STATE_VERSION);
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
