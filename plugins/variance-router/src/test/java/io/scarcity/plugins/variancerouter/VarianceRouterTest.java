package io.scarcity.plugins.variancerouter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.RoutingFeatures;
import io.scarcity.api.Task;
import io.scarcity.api.testing.PluginTestKit;
import io.scarcity.api.testing.RouterTestKit;
import io.scarcity.api.testing.RouterTestKit.Counting;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class VarianceRouterTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("f0", "f1"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final int ROWS = 20;
    private static final List<String> CANDIDATES = List.of("sharp", "robust", "other");
    private static final Map<String, Object> LISTS = Map.of("high", List.of("robust"), "low", List.of("sharp"));

    private static Router router(Map<String, ?> config) {
        return router(config, MetricsSink.NONE);
    }

    private static Router router(Map<String, ?> config, MetricsSink metrics) {
        return new VarianceRouterFactory().create(PluginConfig.of("router", config),
                PluginTestKit.withMetrics(PluginTestKit.context(1, SCHEMA, "variance"), metrics));
    }

    /** A labelled batch of {@link #ROWS} rows, each feature normal around 1 with the given standard deviation. */
    private static Batch batch(Random random, double sd) {
        double[] features = new double[ROWS * SCHEMA.numFeatures()];
        int[] labels = new int[ROWS];
        for (int i = 0; i < features.length; i++) {
            features[i] = 1 + sd * random.nextGaussian();
        }
        for (int r = 0; r < ROWS; r++) {
            labels[r] = random.nextInt(2);
        }
        return Batch.ofClasses(SCHEMA, "d", 0, features, labels);
    }

    private static Routing route(Router router, List<String> candidates, Batch batch) {
        return router.route(new RoutingContext(candidates, batch, new InMemorySignalBoard(), 0));
    }

    /** Routes 30 ordinary batches (sd 1) so that the running variance is known. */
    private static void warmUp(Router router, Random random) {
        for (int t = 0; t < 30; t++) {
            route(router, CANDIDATES, batch(random, 1.0));
        }
    }

    @Test
    void scatteredBatchesGoToHighAndHomogeneousOnesToLow() {
        Counting metrics = new Counting();
        Router router = router(LISTS, metrics);
        Random random = new Random(1);
        warmUp(router, random);
        metrics.counts.clear();

        assertEquals(List.of("robust"), route(router, CANDIDATES, batch(random, 3.0)).active());
        double scattered = metrics.gauges.get("variance.spread");
        assertEquals(List.of("sharp"), route(router, CANDIDATES, batch(random, 0.1)).active());
        double homogeneous = metrics.gauges.get("variance.spread");
        System.out.printf("variance router: spread of a scattered batch (sd 3) %.3f, of a homogeneous one (sd 0.1) %.3f%n",
                scattered, homogeneous);
        assertTrue(scattered > 0.8, "scattered spread " + scattered);
        assertTrue(homogeneous < 0.1, "homogeneous spread " + homogeneous);
        assertEquals(Map.of("variance.high", 1L), metrics.counts);

        // The lists are matched against the candidates, and their order is the candidates'.
        Router wide = router(Map.of("high", List.of("other", "robust"), "low", List.of("sharp")));
        warmUp(wide, new Random(1));
        Routing two = route(wide, CANDIDATES, batch(random, 3.0));
        assertEquals(List.of("robust", "other"), two.active());
        assertArrayEquals(new double[] {0.5, 0.5}, two.weights());
    }

    @Test
    void theThresholdDecides() {
        Router strict = router(Map.of("threshold", 0.95, "high", List.of("robust"), "low", List.of("sharp")));
        Router lax = router(Map.of("threshold", 0.0, "high", List.of("robust"), "low", List.of("sharp")));
        warmUp(strict, new Random(2));
        warmUp(lax, new Random(2));
        Random random = new Random(3);
        Batch scattered = batch(random, 3.0);
        Batch homogeneous = batch(random, 0.1);
        assertEquals(List.of("sharp"), route(strict, CANDIDATES, scattered).active(), "spread ~0.9 < 0.95");
        assertEquals(List.of("robust"), route(lax, CANDIDATES, homogeneous).active(), "spread >= 0 always");
    }

    @Test
    void aListWithoutCandidatesFallsBackToAllCandidates() {
        Counting metrics = new Counting();
        Router router = router(Map.of("high", List.of("gone"), "low", List.of("sharp")), metrics);
        Random random = new Random(4);
        warmUp(router, random);
        metrics.counts.clear();
        Routing routing = route(router, CANDIDATES, batch(random, 3.0));
        assertEquals(CANDIDATES, routing.active());
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, routing.weights(), 1e-15);
        assertEquals(1L, metrics.counts.get("variance.fallback"));
        // an omitted list falls back too
        Router onlyHigh = router(Map.of("high", List.of("robust")));
        warmUp(onlyHigh, new Random(4));
        assertEquals(CANDIDATES, route(onlyHigh, CANDIDATES, batch(random, 0.1)).active());
        assertEquals(List.of("robust"), route(onlyHigh, CANDIDATES, batch(random, 3.0)).active());
    }

    @Test
    void withoutListsTheFirstCandidateTakesHighAndTheSecondLow() {
        Router router = router(Map.of());
        Random random = new Random(5);
        // the first batch has no running statistics: spread 0.5 >= 0.5, high
        assertEquals(List.of("sharp"), route(router, CANDIDATES, batch(random, 1.0)).active());
        warmUp(router, random);
        assertEquals(List.of("sharp"), route(router, CANDIDATES, batch(random, 3.0)).active());
        assertEquals(List.of("robust"), route(router, CANDIDATES, batch(random, 0.1)).active());
        assertEquals(List.of("solo"), route(router, List.of("solo"), batch(random, 0.1)).active());
        // candidates join and leave: the rule applies to the current list; repeated names count once
        assertEquals(List.of("sharp"), route(router, List.of("other", "other", "sharp"), batch(random, 0.1)).active());
        assertEquals(List.of("other"), route(router, List.of("other", "sharp"), batch(random, 3.0)).active());
    }

    @Test
    void rewardsPriorsAndUnlabelledBatchesChangeNothing() {
        Router plain = router(LISTS);
        Router fed = router(LISTS);
        Random a = new Random(6);
        Random b = new Random(6);
        for (int t = 0; t < 60; t++) {
            double sd = t % 3 == 0 ? 0.2 : t % 3 == 1 ? 1.0 : 2.5;
            Routing expected = route(plain, CANDIDATES, batch(a, sd));
            Routing routing = route(fed, CANDIDATES, batch(b, sd));
            assertEquals(expected.active(), routing.active(), "batch " + t);
            fed.reward(routing, t % 2 == 0 ? Map.of() : Map.of(routing.active().get(0), 0.0));
            fed.adoptPriors(Map.of("other", 1.0), 100);
        }
    }

    /**
     * Batches alternately homogeneous and scattered (sd 0.5, 2) for the first 40 steps, then ordinary ones
     * (sd 1), whose spreads sit around 0.5 and depend on the statistics seen before.
     */
    private static List<Routing> drive(Router router, Random random, int from, int steps) {
        List<Routing> out = new ArrayList<>();
        for (int t = from; t < from + steps; t++) {
            out.add(route(router, CANDIDATES, batch(random, t >= 40 ? 1.0 : t % 2 == 0 ? 0.5 : 2.0)));
        }
        return out;
    }

    /** Same routes and spreads (gauges, bit for bit) after a restore; a fresh router routes otherwise. */
    @Test
    void aRestoredRouterRoutesExactlyAsTheSavedOne() throws IOException {
        RouterTestKit.RoundTrip trip = RouterTestKit.assertRoundTrip(metrics -> router(LISTS, metrics),
                VarianceRouterTest::drive, 7, 40, 100);
        long high = trip.originalMetrics().count("variance.high");
        assertTrue(high > 0 && high < 100, "the continuation routes both ways: " + trip.originalMetrics().counts);
        assertEquals(100, trip.restoredMetrics().reports.size(), "a spread per batch");
    }

    @Test
    void aCheckpointOfAnotherVersionOrTruncatedIsRefused() throws IOException {
        Supplier<Router> maker = () -> router(LISTS);
        PluginTestKit.assertCheckpointRefusals(maker, "variance router", VarianceRouter.STATE_VERSION, RouterTestKit.driver(VarianceRouterTest::drive), 9, 41);
    }

    @Test
    void usesTheSharedSpreadFeature() {
        // Same batches through RoutingFeatures directly give the same decisions.
        RoutingFeatures features = new RoutingFeatures();
        Router router = router(LISTS);
        Random random = new Random(10);
        int spread = RoutingFeatures.NAMES.indexOf("spread");
        for (int t = 0; t < 80; t++) {
            Batch b = batch(random, t % 4 == 0 ? 0.3 : t % 4 == 1 ? 2.0 : 1.0);
            RoutingContext context = new RoutingContext(CANDIDATES, b, new InMemorySignalBoard(), 0);
            String expected = features.extract(context)[spread] >= 0.5 ? "robust" : "sharp";
            assertEquals(List.of(expected), router.route(context).active(), "batch " + t);
        }
    }
}
