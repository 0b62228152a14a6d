package io.scarcity.plugins.thompson;

import static io.scarcity.api.testing.RouterTestKit.withMetrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.DataSchema;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.Task;
import io.scarcity.api.testing.PluginTestKit;
import io.scarcity.api.testing.RouterTestKit;
import io.scarcity.api.testing.RouterTestKit.Counting;
import io.scarcity.api.testing.RouterTestKit.RoundTrip;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ThompsonRouterCheckpointTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final Map<String, Object> CONFIG = Map.of("k", 2, "discount", 0.98, "clusters", 3, "clusterRate", 0.1);
    /** Varied rows and signals, so that the context clusters and running features matter. */
    private static final RouterTestKit.Situation CHANGING = RouterTestKit.changing(SCHEMA, 4);
    private static final RouterTestKit.Scenario CHURN = RouterTestKit.churn(CHANGING);

    private static Router router(Map<String, Object> config, Counting metrics) {
        return new ThompsonRouterFactory().create(PluginConfig.of("router", config), withMetrics(PluginContext.standalone(5, SCHEMA, "thompson"), metrics));
    }

    /** Saved after a reward and between a route and its reward (the routing's cluster is part of the state). */
    @ParameterizedTest
    @ValueSource(strings = {"beta", "gaussian"})
    void aRestoredRouterRoutesExactlyAsTheSavedOne(String posterior) throws IOException {
        Map<String, Object> config = new HashMap<>(CONFIG);
        config.put("posterior", posterior);
        RouterTestKit.assertRoundTripBetweenRouteAndReward(metrics -> router(config, metrics), CHANGING, 17, 120, 200);
        RoundTrip trip = RouterTestKit.assertRoundTrip(metrics -> router(config, metrics), CHURN, 17, 120, 200);
        Counting metricsB = trip.restoredMetrics();
        assertTrue(metricsB.count("thompson.explorations") > 0, "the continuation explores");
        assertTrue(metricsB.counts.keySet().stream().filter(k -> k.startsWith("thompson.cluster.")).count() >= 2,
                "several clusters are used: " + metricsB.counts);

        ThompsonRouter ta = (ThompsonRouter) trip.original();
        ThompsonRouter tb = (ThompsonRouter) trip.restored();
        for (int c = 0; c < 3; c++) {
            for (String name : List.of("a", "b", "c", "d", "e", "f")) {
                assertEquals(Double.doubleToRawLongBits(ta.pulls(c, name)), Double.doubleToRawLongBits(tb.pulls(c, name)));
                assertEquals(Double.doubleToRawLongBits(ta.mean(c, name)), Double.doubleToRawLongBits(tb.mean(c, name)));
            }
        }
    }

    @Test
    void checkpointsOfOtherVersionsTruncatedOrWithAnArmTwiceAreRefused() throws IOException {
        Supplier<Router> maker = () -> router(CONFIG, new Counting());
        PluginTestKit.assertCheckpointRefusals(maker, "thompson router", ThompsonRouter.STATE_VERSION,
                RouterTestKit.driver(CHURN), 3, 60);
        // One cluster: the header, then its centroid and table.
        RouterTestKit.assertArmTwiceRefused(() -> router(Map.of(), new Counting()), out -> {
            out.writeVersion(ThompsonRouter.STATE_VERSION);
            out.writeRandom(new Random(1));
            out.writeInt(1);
            out.writeInt(0);
            out.writeDoubles(new double[8]);
        }, (expert, out) -> { }, out -> { });
    }
}
