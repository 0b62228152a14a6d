package io.scarcity.plugins.allrouter;

import static io.scarcity.api.testing.RouterTestKit.BATCH;
import static io.scarcity.api.testing.RouterTestKit.SCHEMA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AllRouterTest {

    private static Router router() {
        return new AllRouterFactory().create(PluginConfig.empty(), PluginContext.standalone(1, SCHEMA, "all"));
    }

    private static RoutingContext context(List<String> candidates) {
        return new RoutingContext(candidates, BATCH, new InMemorySignalBoard(), 0);
    }

    @Test
    void activatesEveryCandidateWithEqualWeightsAsCandidatesJoinAndLeave() {
        Router router = router();
        RouterTestKit.assertActivatesAllEqually(router, List.of("a"));
        RouterTestKit.assertActivatesAllEqually(router, List.of("a", "b", "c"));
        RouterTestKit.assertActivatesAllEqually(router, List.of("c", "d"));
        Routing repeated = router.route(context(List.of("a", "b", "a")));
        assertEquals(List.of("a", "b"), repeated.active());
        RouterTestKit.assertUniformSelection(repeated, List.of("a", "b"), 2);
    }

    @Test
    void rewardsAndPriorsChangeNothing() {
        Router router = router();
        List<String> candidates = List.of("a", "b", "c");
        Routing before = router.route(context(candidates));
        router.reward(before, Map.of("a", 0.0, "b", 1.0, "c", 0.2));
        router.reward(before, Map.of()); // unlabelled batch
        router.adoptPriors(Map.of("b", 0.99), 100);
        Routing after = router.route(context(candidates));
        assertEquals(before.active(), after.active());
        assertArrayEquals(before.weights(), after.weights());
    }

    /** The checkpoint holds the format version only: a restored router routes as any other. */
    @Test
    void checkpointRoundTripsAndRefusesAnUnknownVersionOrATruncatedOne() throws IOException {
        PluginTestKit.Driver<Router> churn = RouterTestKit.driver(RouterTestKit.churn(RouterTestKit.QUIET));
        PluginTestKit.assertRoundTrip(AllRouterTest::router, churn, 3, 20, 60, false);
        PluginTestKit.assertCheckpointRefusals(AllRouterTest::router, "all router", AllRouter.STATE_VERSION, churn, 3, 20);
    }
}
