package io.scarcity.plugins.ucb;

import static io.scarcity.api.testing.RouterTestKit.restore;
import static io.scarcity.api.testing.RouterTestKit.save;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scarcity.api.Batch;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.testing.RouterTestKit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Checkpoints under {@code context: linear}. */
class LinUcbRouterCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("context", "linear", "k", 2, "discount", 0.98,
            "alpha", 0.7, "ridge", 2.0);

    private static Router router(Map<String, ?> config) {
        return new UcbRouterFactory().create(PluginConfig.of("router", config), PluginContext.standalone(5, null, "ucb"));
    }

    /**
     * Routes batches of 8 rows whose scale changes (so that novelty and spread, from the routing features'
     * running statistics, vary) under drift signals, over candidates that join and leave, with rewards
     * that depend on the context, adopting priors now and then.
     */
    private static List<Routing> drive(Router router, Random random, int from, int steps) {
        List<String> all = List.of("a", "b", "c", "d", "e");
        List<Routing> out = new ArrayList<>();
        for (int t = from; t < from + steps; t++) {
            double[] features = new double[8];
            double scale = t % 30 < 10 ? 1 : 5;
            for (int i = 0; i < features.length; i++) {
                features[i] = random.nextGaussian() * scale;
            }
            Batch batch = Batch.ofClasses(RouterTestKit.SCHEMA, "d", t * 8L, features, new int[8]);
            InMemorySignalBoard board = new InMemorySignalBoard();
            board.publish(StandardSignals.DRIFT_SCORE, random.nextDouble());
            board.publish(StandardSignals.DRIFT_DETECTED, t % 7 == 0 ? 1 : 0);
            List<String> candidates = t % 50 < 25 ? all.subList(0, 4) : all.subList(1, 5);
            Routing routing = router.route(new RoutingContext(candidates, batch, board, t / 10));
            Map<String, Double> rewards = new HashMap<>();
            for (String name : routing.active()) {
                double mean = (all.indexOf(name) + 1) / 6.0 + (scale > 1 && name.equals("a") ? 0.4 : 0.0);
                rewards.put(name, random.nextDouble() < mean ? 1.0 : random.nextDouble() * 0.3);
            }
            router.reward(routing, rewards);
            if (t % 40 == 39) {
                router.adoptPriors(Map.of("e", 0.9, "f", 0.4, "b", 0.2), 3.0);
            }
            out.add(routing);
        }
        return out;
    }

    @Test
    void aRestoredRouterRoutesExactlyAsTheSavedOne() throws IOException {
        Router a = router(CONFIG);
        Random random = new Random(17);
        drive(a, random, 0, 120);
        // Saved between route and reward too: the pending context is part of the state.
        Routing pending = a.route(new RoutingContext(List.of("a", "b", "c"), RouterTestKit.BATCH, new InMemorySignalBoard(), 12));
        byte[] state = save(a);

        Router b = router(CONFIG);
        restore(b, state);
        assertArrayEquals(state, save(b), "a restored router saves what it was restored from");
        a.reward(pending, Map.of(pending.active().get(0), 0.8));
        b.reward(pending, Map.of(pending.active().get(0), 0.8));

        long seed = random.nextLong();
        List<Routing> fromA = drive(a, new Random(seed), 121, 200);
        List<Routing> fromB = drive(b, new Random(seed), 121, 200);
        for (int i = 0; i < fromA.size(); i++) {
            assertEquals(fromA.get(i).active(), fromB.get(i).active(), "routing " + i);
            assertArrayEquals(fromA.get(i).weights(), fromB.get(i).weights(), "weights of routing " + i);
        }
        assertArrayEquals(save(a), save(b));

        List<Routing> fresh = drive(router(CONFIG), new Random(seed), 121, 200);
        assertNotEquals(fromA.stream().map(Routing::active).toList(), fresh.stream().map(Routing::active).toList(),
                "without the state, routing differs");
    }

    @Test
    void theRoutingFeaturesArePartOfTheState() throws IOException {
        Router a = router(CONFIG);
        drive(a, new Random(3), 0, 60);
        byte[] state = save(a);
        Router b = router(CONFIG);
        drive(b, new Random(4), 0, 60);
        restore(b, state);
        // Same routes from here on only if the features' running statistics came back too.
        List<Routing> fromA = drive(a, new Random(9), 60, 100);
        List<Routing> fromB = drive(b, new Random(9), 60, 100);
        assertEquals(fromA.stream().map(Routing::active).toList(), fromB.stream().map(Routing::active).toList());
        for (int i = 0; i < fromA.size(); i++) {
            assertArrayEquals(fromA.get(i).weights(), fromB.get(i).weights(), "weights of routing " + i);
        }
    }

    @Test
    void aTruncatedCheckpointIsRefusedAndLeavesTheRouterAsItWas() throws IOException {
        Router a = router(CONFIG);
        drive(a, new Random(2), 0, 50);
        byte[] state = save(a);
        Router b = router(CONFIG);
        drive(b, new Random(6), 0, 50);
        byte[] before = save(b);
        assertThrows(IOException.class, () -> restore(b, java.util.Arrays.copyOf(state, state.length - 9)));
        assertArrayEquals(before, save(b));
    }
}
