package io.scarcity.plugins.ucb;

import static io.scarcity.api.testing.RouterTestKit.restore;
import static io.scarcity.api.testing.RouterTestKit.save;

import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.testing.PluginTestKit;
import io.scarcity.api.testing.RouterTestKit;
import io.scarcity.api.testing.RouterTestKit.Counting;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Checkpoints under {@code context: linear}. */
class LinUcbRouterCheckpointTest {
    private static final Map<String, Object> CONFIG = Map.of("context", "linear", "k", 2, "discount", 0.98,
            "alpha", 0.7, "ridge", 2.0);
    /** Batches of 8 rows whose scale changes, under drift signals: novelty, spread and the drift components vary. */
    private static final RouterTestKit.Situation CHANGING = RouterTestKit.changing(RouterTestKit.SCHEMA, 8);
    private static final RouterTestKit.Scenario CHURN = RouterTestKit.churn(CHANGING);

    private static Router router(Counting metrics) {
        return new UcbRouterFactory().create(PluginConfig.of("router", CONFIG),
                RouterTestKit.withMetrics(PluginContext.standalone(5, null, "ucb"), metrics));
    }

    /** Saved between route and reward too: the pending context is part of the state. */
    @Test
    void aRestoredRouterRoutesExactlyAsTheSavedOne() throws IOException {
        RouterTestKit.assertRoundTrip(LinUcbRouterCheckpointTest::router, CHURN, 17, 120, 200);
        RouterTestKit.assertRoundTripBetweenRouteAndReward(LinUcbRouterCheckpointTest::router, CHANGING, 17, 120, 200);
    }

    @Test
    void theRoutingFeaturesArePartOfTheState() throws IOException {
        Router a = router(new Counting());
        CHURN.drive(a, new Random(3), 0, 60);
        byte[] state = save(a);
        Router b = router(new Counting());
        CHURN.drive(b, new Random(4), 0, 60);
        restore(b, state);
        // Same routes from here on only if the features' running statistics came back too.
        RouterTestKit.assertSameRoutings(CHURN.drive(a, new Random(9), 60, 100), CHURN.drive(b, new Random(9), 60, 100));
    }

    @Test
    void aTruncatedCheckpointIsRefusedAndLeavesTheRouterAsItWas() throws IOException {
        Supplier<Router> maker = () -> router(new Counting());
        PluginTestKit.assertTruncationsRefused(maker, RouterTestKit.driver(CHURN), 2, 50);
    }
}
