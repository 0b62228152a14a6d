package io.scarcity.plugins.allrouter;

import static io.scarcity.api.testing.RouterTestKit.BATCH;
import static io.scarcity.api.testing.RouterTestKit.SCHEMA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Checkpointable;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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

    private static void assertUniformOver(List<String> expected, Routing routing) {
        assertEquals(expected, routing.active());
        for (double w : routing.weights()) {
            assertEquals(1.0 / expected.size(), w, 1e-15);
        }
    }

    @Test
    void activatesEveryCandidateWithEqualWeightsAsCandidatesJoinAndLeave() {
        Router router = router();
        assertUniformOver(List.of("a"), router.route(context(List.of("a"))));
        assertUniformOver(List.of("a", "b", "c"), router.route(context(List.of("a", "b", "c"))));
        assertUniformOver(List.of("c", "d"), router.route(context(List.of("c", "d"))));
        assertUniformOver(List.of("a", "b"), router.route(context(List.of("a", "b", "a"))));
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

    @Test
    void checkpointRoundTripsAndRefusesAnUnknownVersion() throws IOException {
        Router a = router();
        a.route(context(List.of("a", "b")));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        ((Checkpointable) a).saveState(out);
        out.flush();
        Router b = router();
        ((Checkpointable) b).restoreState(new StateReader(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(a.route(context(List.of("x", "y"))).active(), b.route(context(List.of("x", "y"))).active());

        ByteArrayOutputStream wrong = new ByteArrayOutputStream();
        StateWriter w = new StateWriter(wrong);
        w.writeInt(AllRouter.STATE_VERSION + 1);
        w.flush();
        IOException e = assertThrows(IOException.class,
                () -> ((Checkpointable) router()).restoreState(new StateReader(new ByteArrayInputStream(wrong.toByteArray()))));
        assertTrue(e.getMessage().contains("version " + (AllRouter.STATE_VERSION + 1)), e.getMessage());
    }
}
