package io.scarcity.plugins.epsilongreedy;

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

class EpsilonGreedyRouterCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("k", 2, "discount", 0.98, "epsilon", 0.3, "decay", 0.01, "minEpsilon", 0.05);

    private static Router router(Map<String, Object> config, Counting metrics) {
        return new EpsilonGreedyRouterFactory().create(PluginConfig.of("router", config), withMetrics(PluginContext.standalone(5, SCHEMA, "epsilon-greedy"), metrics));
    }

    /**
     * Routes {@code steps} batches over a changing set of candidates (experts join and leave) with
     * rewards whose means drift, some batches unlabelled, adopting priors now and then; returns every
     * routing.
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
            router.reward(routing, t % 17 == 0 ? Map.of() : r);
            if (t % 40 == 39) {
                router.adoptPriors(Map.of("e", 0.9, "f", 0.4, "b", 0.2), 3.0);
            }
            out.add(routing);
        }
        return out;
    }

    @Test
    void aRestoredRouterRoutesExactlyAsTheSavedOne() throws IOException {
        Map<String, Object> config = CONFIG;
        RoundTrip trip = assertRoundTrip(metrics -> router(config, metrics), EpsilonGreedyRouterCheckpointTest::drive, 17, 120, 200);
        Router a = trip.original();
        Router b = trip.restored();
        Counting metricsB = trip.restoredMetrics();
        assertTrue(metricsB.counts.getOrDefault("epsilon-greedy.explorations", 0L) > 0, "the continuation explores");
        assertEquals(320, ((EpsilonGreedyRouter) b).routes());

        EpsilonGreedyRouter ea = (EpsilonGreedyRouter) a;
        EpsilonGreedyRouter eb = (EpsilonGreedyRouter) b;
        for (String name : List.of("a", "b", "c", "d", "e", "f")) {
            assertEquals(Double.doubleToRawLongBits(ea.pulls(name)), Double.doubleToRawLongBits(eb.pulls(name)), name);
            assertEquals(Double.doubleToRawLongBits(ea.mean(name)), Double.doubleToRawLongBits(eb.mean(name)), name);
        }
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        assertUnknownVersionRefused(router(CONFIG, new Counting()), EpsilonGreedyRouter.STATE_VERSION, 0);
    }

    @Test
    void aCorruptCheckpointIsRefusedAndLeavesTheRouterAsItWas() throws IOException {
        Map<String, Object> config = Map.of();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        out.writeVersion(EpsilonGreedyRouter.STATE_VERSION);
        out.writeLong(7);
        out.writeRandom(new Random(1));
        out.writeInt(2);
        for (int i = 0; i < 2; i++) {
            out.writeString("a");
            out.writeDouble(1);
            out.writeDouble(1);
            out.writeBoolean(true);
        }
        out.flush();
        EpsilonGreedyRouter router = (EpsilonGreedyRouter) router(config, new Counting());
        IOException e = assertThrows(IOException.class, () -> restore(router, bytes.toByteArray()));
        assertTrue(e.getMessage().contains("'a' twice"), e.getMessage());
        assertEquals(0.0, router.pulls("a"));
        assertEquals(0, router.routes());

        byte[] truncated = java.util.Arrays.copyOf(bytes.toByteArray(), 40);
        assertThrows(IOException.class, () -> restore(router(config, new Counting()), truncated));
    }
}
