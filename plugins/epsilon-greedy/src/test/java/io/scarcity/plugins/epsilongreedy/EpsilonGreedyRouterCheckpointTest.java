package io.scarcity.plugins.epsilongreedy;

import static io.scarcity.api.testing.RouterTestKit.SCHEMA;
import static io.scarcity.api.testing.RouterTestKit.assertRoundTrip;
import static io.scarcity.api.testing.RouterTestKit.withMetrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.testing.PluginTestKit;
import io.scarcity.api.testing.RouterTestKit;
import io.scarcity.api.testing.RouterTestKit.Counting;
import io.scarcity.api.testing.RouterTestKit.RoundTrip;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class EpsilonGreedyRouterCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("k", 2, "discount", 0.98, "epsilon", 0.3, "decay", 0.01, "minEpsilon", 0.05);
    private static final RouterTestKit.Scenario CHURN = RouterTestKit.churn(RouterTestKit.QUIET);

    private static Router router(Map<String, Object> config, Counting metrics) {
        return new EpsilonGreedyRouterFactory().create(PluginConfig.of("router", config), withMetrics(PluginContext.standalone(5, SCHEMA, "epsilon-greedy"), metrics));
    }

    @Test
    void aRestoredRouterRoutesExactlyAsTheSavedOne() throws IOException {
        RoundTrip trip = assertRoundTrip(metrics -> router(CONFIG, metrics), CHURN, 17, 120, 200);
        assertTrue(trip.restoredMetrics().count("epsilon-greedy.explorations") > 0, "the continuation explores");
        EpsilonGreedyRouter ea = (EpsilonGreedyRouter) trip.original();
        EpsilonGreedyRouter eb = (EpsilonGreedyRouter) trip.restored();
        assertEquals(320, eb.routes());
        for (String name : List.of("a", "b", "c", "d", "e", "f")) {
            assertEquals(Double.doubleToRawLongBits(ea.pulls(name)), Double.doubleToRawLongBits(eb.pulls(name)), name);
            assertEquals(Double.doubleToRawLongBits(ea.mean(name)), Double.doubleToRawLongBits(eb.mean(name)), name);
        }
    }

    @Test
    void checkpointsOfOtherVersionsTruncatedOrWithAnArmTwiceAreRefused() throws IOException {
        Supplier<Router> maker = () -> router(CONFIG, new Counting());
        PluginTestKit.assertCheckpointRefusals(maker, "epsilon-greedy router", EpsilonGreedyRouter.STATE_VERSION,
                RouterTestKit.driver(CHURN), 3, 60);
        RouterTestKit.assertArmTwiceRefused(() -> router(Map.of(), new Counting()), out -> {
            out.writeVersion(EpsilonGreedyRouter.STATE_VERSION);
            out.writeLong(7);
            out.writeRandom(new Random(1));
        }, (expert, out) -> { }, out -> { });
    }
}
