package io.scarcity.plugins.randomrouter;

import static io.scarcity.api.testing.RouterTestKit.BATCH;
import static io.scarcity.api.testing.RouterTestKit.SCHEMA;
import static io.scarcity.api.testing.RouterTestKit.assertUniformSelection;
import static io.scarcity.api.testing.RouterTestKit.play;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RandomRouterTest {
    private static final List<String> FOUR = List.of("a", "b", "c", "d");

    private static Router router(Map<String, ?> config, long seed) {
        return new RandomRouterFactory().create(PluginConfig.of("router", config),
                PluginContext.standalone(seed, SCHEMA, "random"));
    }

    private static RoutingContext context(List<String> candidates) {
        return new RoutingContext(candidates, BATCH, new InMemorySignalBoard(), 0);
    }

    /** Draws over candidates that join and leave, rewarded (or not: unlabelled) as they come. */
    private static List<Routing> draws(Router router, Random random, int from, int steps) {
        List<String> five = List.of("a", "b", "c", "d", "e");
        List<Routing> out = new ArrayList<>();
        for (int t = from; t < from + steps; t++) {
            List<String> candidates = t % 10 < 5 ? five.subList(0, 4) : five.subList(1, 5);
            Routing routing = router.route(context(candidates));
            router.reward(routing, t % 4 == 0 ? Map.of() : Map.of(routing.active().get(0), 1.0));
            out.add(routing);
        }
        return out;
    }

    @Test
    void selectionContractHoldsForAnyKAndChangingCandidates() {
        for (int k = 1; k <= 6; k++) {
            Router router = router(Map.of("k", k), 3);
            List<String> five = List.of("a", "b", "c", "d", "e");
            for (int t = 0; t < 50; t++) {
                List<String> candidates = t % 10 < 5 ? five.subList(0, 4) : five.subList(2, 5);
                Routing routing = router.route(context(candidates));
                int expected = Math.min(k, candidates.size());
                assertUniformSelection(routing, candidates, expected);
                List<String> inCandidateOrder = candidates.stream().filter(routing.active()::contains).toList();
                assertEquals(inCandidateOrder, routing.active());
            }
        }
        assertEquals(List.of("a", "b"), router(Map.of("k", 2), 1).route(context(List.of("a", "b", "a"))).active());
    }

    @Test
    void isDeterministicForASeedAndDiffersAcrossSeeds() {
        PluginTestKit.assertDeterministic(() -> router(Map.of("k", 2), 7), RouterTestKit.driver(RandomRouterTest::draws), 1, 200);
        PluginTestKit.assertSeedMatters(seed -> router(Map.of("k", 2), seed), RouterTestKit.driver(RandomRouterTest::draws), 7, 200);
    }

    @Test
    void everySubsetIsEquallyLikely() {
        Router router = router(Map.of("k", 2), 5);
        int steps = 6000;
        Map<List<String>, Integer> pairs = new HashMap<>();
        Map<String, Integer> singles = new HashMap<>();
        for (int t = 0; t < steps; t++) {
            List<String> active = router.route(context(FOUR)).active();
            pairs.merge(active, 1, Integer::sum);
            active.forEach(name -> singles.merge(name, 1, Integer::sum));
        }
        System.out.println("random k=2 of 4 over " + steps + " batches: pairs " + pairs + ", experts " + singles);
        assertEquals(6, pairs.size());
        // expected 1000 per pair (sd ~29) and 3000 per expert (sd ~39)
        pairs.forEach((pair, n) -> assertEquals(1000, n, 120, pair.toString()));
        singles.forEach((name, n) -> assertEquals(3000, n, 160, name));
    }

    @Test
    void rewardsAndPriorsChangeNothing() {
        Router plain = router(Map.of(), 4);
        Router fed = router(Map.of(), 4);
        for (int t = 0; t < 100; t++) {
            Routing expected = plain.route(context(FOUR));
            Routing routing = fed.route(context(FOUR));
            assertEquals(expected.active(), routing.active());
            fed.reward(routing, Map.of(routing.active().get(0), t % 2 == 0 ? 1.0 : 0.0));
            fed.adoptPriors(Map.of("d", 0.95, "a", 0.0), 100);
        }
    }

    /**
     * Means 0.3 / 0.5 / 0.7, T = 20,000, k = 1: the expected pseudo-regret is T * (0.7 - 0.5) = 4000 with a
     * standard deviation of about 23 -- linear in T. This is the line a learning router's regret is
     * compared against.
     */
    @Test
    void regretOnABernoulliBanditIsLinear() {
        double[] means = {0.3, 0.5, 0.7};
        List<String> arms = List.of("low", "mid", "high");
        int steps = 20_000;
        for (long seed = 1; seed <= 5; seed++) {
            double[] cumulative = play(router(Map.of(), seed), arms, means, steps, 100 + seed);
            double regret = cumulative[steps - 1];
            double atTenth = cumulative[steps / 10 - 1];
            System.out.printf("random regret, seed %d: R(%d) = %.1f, R(%d) = %.1f, ratio %.3f, expected T*(0.7-0.5) = %.1f%n",
                    seed, steps, regret, steps / 10, atTenth, regret / atTenth, steps * 0.2);
            assertEquals(steps * 0.2, regret, 0.03 * steps * 0.2, "seed " + seed);
            assertEquals(10.0, regret / atTenth, 1.0, "seed " + seed);
        }
    }

    @Test
    void aRestoredRouterDrawsExactlyAsTheSavedOne() throws IOException {
        RouterTestKit.assertRoundTrip(metrics -> router(Map.of("k", 2), 9), RandomRouterTest::draws, 9, 37, 300);
    }

    @Test
    void aCheckpointOfAnotherVersionOrTruncatedIsRefused() throws IOException {
        Supplier<Router> maker = () -> router(Map.of(), 1);
        PluginTestKit.assertCheckpointRefusals(maker, "random router", RandomRouter.STATE_VERSION, RouterTestKit.driver(RandomRouterTest::draws), 1, 37);
    }
}
