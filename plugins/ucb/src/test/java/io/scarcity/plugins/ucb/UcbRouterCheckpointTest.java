package io.scarcity.plugins.ucb;

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
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class UcbRouterCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("k", 2, "discount", 0.98, "exploration", 0.7);
    private static final RouterTestKit.Scenario CHURN = RouterTestKit.churn(RouterTestKit.QUIET);

    private static Router router(Counting metrics) {
        return new UcbRouterFactory().create(PluginConfig.of("router", CONFIG), withMetrics(PluginContext.standalone(5, SCHEMA, "ucb"), metrics));
    }

    @Test
    void aRestoredRouterRoutesExactlyAsTheSavedOne() throws IOException {
        RoundTrip trip = assertRoundTrip(UcbRouterCheckpointTest::router, CHURN, 17, 120, 200);
        assertTrue(trip.restoredMetrics().count("ucb.explorations") > 0, "the continuation explores");
        UcbRouter ua = (UcbRouter) trip.original();
        UcbRouter ub = (UcbRouter) trip.restored();
        for (String name : List.of("a", "b", "c", "d", "e", "f")) {
            assertEquals(Double.doubleToRawLongBits(ua.pulls(name)), Double.doubleToRawLongBits(ub.pulls(name)), name);
            assertEquals(Double.doubleToRawLongBits(ua.mean(name)), Double.doubleToRawLongBits(ub.mean(name)), name);
        }
    }

    @Test
    void checkpointsOfOtherVersionsTruncatedOrWithAnArmTwiceAreRefused() throws IOException {
        Supplier<Router> maker = () -> router(new Counting());
        PluginTestKit.assertCheckpointRefusals(maker, "ucb router", UcbRouter.STATE_VERSION, RouterTestKit.driver(CHURN), 3, 60);
        RouterTestKit.assertArmTwiceRefused(maker, out -> out.writeVersion(UcbRouter.STATE_VERSION), (expert, out) -> { },
                out -> { });
    }
}
