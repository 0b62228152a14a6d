package io.scarcity.plugins.roundrobin;

import static io.scarcity.api.testing.RouterTestKit.BATCH;
import static io.scarcity.api.testing.RouterTestKit.SCHEMA;
import static io.scarcity.api.testing.RouterTestKit.assertUniformSelection;
import static io.scarcity.api.testing.RouterTestKit.play;
import static io.scarcity.api.testing.RouterTestKit.restore;
import static io.scarcity.api.testing.RouterTestKit.save;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.testing.PluginTestKit;
import io.scarcity.api.testing.RouterTestKit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RoundRobinRouterTest {
    private static final List<String> FOUR = List.of("a", "b", "c", "d");

    private static Router router(Map<String, ?> config) {
        return new RoundRobinRouterFactory().create(PluginConfig.of("router", config),
                PluginContext.standalone(1, SCHEMA, "round-robin"));
    }

    private static RoutingContext context(List<String> candidates) {
        return new RoutingContext(candidates, BATCH, new InMemorySignalBoard(), 0);
    }

    private static List<List<String>> cycle(Router router, List<String> candidates, int steps) {
        List<List<String>> out = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
            out.add(router.route(context(candidates)).active());
        }
        return out;
    }

    @Test
    void cyclesThroughTheCandidatesInOrder() {
        assertEquals(List.of(List.of("a"), List.of("b"), List.of("c"), List.of("d"), List.of("a")),
                cycle(router(Map.of()), FOUR, 5));
        assertEquals(List.of(List.of("a", "b"), List.of("c", "d"), List.of("a", "b")),
                cycle(router(Map.of("k", 2)), FOUR, 3));
        // k does not divide n: the window wraps and the start moves by k.
        assertEquals(List.of(List.of("a", "b", "c"), List.of("d", "a", "b"), List.of("c", "d", "a"), List.of("b", "c", "d")),
                cycle(router(Map.of("k", 3)), FOUR, 4));
    }

    @Test
    void selectionContractHoldsForAnyK() {
        for (int k = 1; k <= 6; k++) {
            Router router = router(Map.of("k", k));
            for (int t = 0; t < 12; t++) {
                Routing routing = router.route(context(FOUR));
                int expected = Math.min(k, FOUR.size());
                assertUniformSelection(routing, FOUR, expected);
            }
        }
    }

    @Test
    void everyExpertGetsTheSameShare() {
        Router router = router(Map.of("k", 3));
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (int t = 0; t < 400; t++) {
            for (String name : router.route(context(FOUR)).active()) {
                counts.merge(name, 1, Integer::sum);
            }
        }
        assertEquals(Map.of("a", 300, "b", 300, "c", 300, "d", 300), counts);
    }

    @Test
    void thePositionIsAnIndexIntoTheCurrentCandidates() {
        RoundRobinRouter router = (RoundRobinRouter) router(Map.of());
        assertEquals(List.of("a"), router.route(context(List.of("a", "b", "c"))).active());
        assertEquals(List.of("b"), router.route(context(List.of("a", "b", "c"))).active());
        // e joins at the front: index 2 is now b, and the rotation continues from there.
        assertEquals(List.of("b"), router.route(context(List.of("e", "a", "b", "c"))).active());
        assertEquals(3, router.position());
        // the list shrinks to two: 3 mod 2 = 1.
        assertEquals(List.of("c"), router.route(context(List.of("a", "c"))).active());
        assertEquals(List.of("a"), router.route(context(List.of("a", "c"))).active());
        // repeated names count once
        assertEquals(List.of("c", "a"), router(Map.of("k", 2)).route(context(List.of("c", "c", "a"))).active());
    }

    @Test
    void rewardsPriorsAndUnlabelledBatchesChangeNothing() {
        Router plain = router(Map.of());
        Router fed = router(Map.of());
        for (int t = 0; t < 20; t++) {
            Routing expected = plain.route(context(FOUR));
            Routing routing = fed.route(context(FOUR));
            assertEquals(expected.active(), routing.active());
            fed.reward(routing, t % 3 == 0 ? Map.of() : Map.of(routing.active().get(0), t % 2 == 0 ? 1.0 : 0.0));
            fed.adoptPriors(Map.of("d", 0.9), 50);
        }
    }

    /**
     * Means 0.3 / 0.5 / 0.7, T = 20,000, k = 1: each arm gets a third of the pulls, so the pseudo-regret is
     * T * (0.7 - 0.5) = 4000 -- linear in T. This is the line a learning router's regret is compared against.
     */
    @Test
    void regretOnABernoulliBanditIsLinear() {
        double[] means = {0.3, 0.5, 0.7};
        List<String> arms = List.of("low", "mid", "high");
        int steps = 20_000;
        double[] cumulative = play(router(Map.of()), arms, means, steps, 11);
        double regret = cumulative[steps - 1];
        double atTenth = cumulative[steps / 10 - 1];
        System.out.printf("round-robin regret: R(%d) = %.1f, R(%d) = %.1f, ratio %.3f, expected T*(0.7-0.5) = %.1f%n",
                steps, regret, steps / 10, atTenth, regret / atTenth, steps * 0.2);
        assertEquals(steps * 0.2, regret, 0.01 * steps * 0.2);
        assertEquals(10.0, regret / atTenth, 0.1);
    }

    /** Routings of two over five candidates, or over the middle three in 4 batches of 7. */
    private static List<Routing> rotate(Router router, Random random, int from, int steps) {
        List<String> five = List.of("a", "b", "c", "d", "e");
        List<Routing> out = new ArrayList<>();
        for (int t = from; t < from + steps; t++) {
            out.add(router.route(context(t % 7 < 3 ? five : five.subList(1, 4))));
        }
        return out;
    }

    @Test
    void aRestoredRouterContinuesTheRotationExactly() throws IOException {
        RouterTestKit.assertRoundTrip(metrics -> router(Map.of("k", 2)), RoundRobinRouterTest::rotate, 1, 9, 30);
        // A fresh router starts at a; one restored after 7 routings of two over five goes on at e.
        List<String> five = List.of("a", "b", "c", "d", "e");
        Router a = router(Map.of("k", 2));
        cycle(a, five, 7);
        Router c = router(Map.of("k", 2));
        restore(c, save(a));
        assertEquals(List.of("e", "a"), c.route(context(five)).active());
        assertEquals(List.of("a", "b"), router(Map.of("k", 2)).route(context(five)).active());
    }

    @Test
    void aCheckpointOfAnotherVersionOrTruncatedIsRefused() throws IOException {
        Supplier<Router> maker = () -> router(Map.of());
        PluginTestKit.assertCheckpointRefusals(maker, "round-robin router", RoundRobinRouter.STATE_VERSION, RouterTestKit.driver(RoundRobinRouterTest::rotate), 1, 7);
    }
}
