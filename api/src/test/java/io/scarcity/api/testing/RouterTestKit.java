package io.scarcity.api.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.RouterFactory;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What router tests share (published in api's test-jar), on top of the contract all plugins share
 * ({@link PluginTestKit}, whose checkpoint, registration and option checks it uses): a one-row batch and contexts over it, a
 * metrics sink that counts, checkpoint round trips of a {@link Checkpointable} router, the selection
 * contract of {@link Router#route} as assertions, and a seeded Bernoulli-bandit regret simulator.
 */
public final class RouterTestKit {
    /** A two-class schema with one feature. */
    public static final DataSchema SCHEMA = new DataSchema(List.of("a"), Task.CLASSIFICATION, List.of("x", "y"));
    /** One row, for routers that do not look at the batch. */
    public static final Batch BATCH = Batch.ofClasses(SCHEMA, "d", 0, new double[] {0}, new int[] {0});

    private RouterTestKit() {
    }

    /** A context over {@link #BATCH} with an empty signal board. */
    public static RoutingContext context(List<String> candidates, int round) {
        return new RoutingContext(candidates, BATCH, new InMemorySignalBoard(), round);
    }

    /** A context over {@link #BATCH} in round 1 whose board carries the given drift signals. */
    public static RoutingContext context(List<String> candidates, double driftDetected, double driftScore) {
        InMemorySignalBoard board = new InMemorySignalBoard();
        board.publish(StandardSignals.DRIFT_DETECTED, driftDetected);
        board.publish(StandardSignals.DRIFT_SCORE, driftScore);
        return new RoutingContext(candidates, BATCH, board, 1);
    }

    /** Sums a router's counters and keeps its gauges' last values ({@link PluginTestKit.RecordingMetrics}). */
    public static final class Counting extends PluginTestKit.RecordingMetrics {
    }

    /** {@code base} reporting its metrics to {@code metrics}: {@link PluginTestKit#withMetrics}. */
    public static PluginContext withMetrics(PluginContext base, MetricsSink metrics) {
        return PluginTestKit.withMetrics(base, metrics);
    }

    /** The checkpoint of a router (which must be {@link Checkpointable}). */
    public static byte[] save(Router router) throws IOException {
        return PluginTestKit.save(router);
    }

    /** Restores a checkpoint written by {@link #save} into a router. */
    public static void restore(Router router, byte[] state) throws IOException {
        PluginTestKit.restore(router, state);
    }

    /**
     * A checkpoint that starts with {@code stateVersion + 1} (then the given ints) is refused by
     * {@code router} with a message naming that version.
     */
    public static void assertUnknownVersionRefused(Router router, int stateVersion, int... trailing) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        out.writeInt(stateVersion + 1);
        for (int i : trailing) {
            out.writeInt(i);
        }
        out.flush();
        IOException e = assertThrows(IOException.class, () -> restore(router, bytes.toByteArray()));
        assertTrue(e.getMessage().contains("version " + (stateVersion + 1)), e.getMessage());
    }

    /**
     * The service registration of a router plugin: {@link PluginTestKit#assertRegistered}, and no other
     * {@link RouterFactory} on the test class path.
     */
    public static void assertTheOnlyRouterFactory(Class<? extends RouterFactory> type, String name) {
        PluginTestKit.assertTheOnlyFactory(RouterFactory.class, type, name);
    }

    /**
     * A bad {@code k} ({@code value}) given to {@code factory} fails with a {@link ConfigException} naming
     * the key's full path ({@code plugin.config.k}): {@link PluginTestKit#assertBadOptionsRefused}.
     */
    public static void assertBadKNamesTheKeyPath(RouterFactory factory, PluginContext context, Object value) {
        PluginTestKit.assertBadOptionsRefused(factory, context, List.of(PluginTestKit.bad("k", value)));
    }

    /** A scenario a router is driven through: {@code steps} routings from step {@code from}, drawing from {@code random}. */
    @FunctionalInterface
    public interface Scenario {
        List<Routing> drive(Router router, Random random, int from, int steps);
    }

    /** A router built with the given metrics sink (same options and seed every time). */
    @FunctionalInterface
    public interface RouterMaker {
        Router make(Counting metrics);
    }

    /** What {@link #assertRoundTrip} drove: both routers and their counters over the continuation. */
    public record RoundTrip(Router original, Router restored, Counting originalMetrics, Counting restoredMetrics) {
    }

    /**
     * The checkpoint contract: router A is driven {@code warmUp} steps with {@code new Random(seed)} and
     * saved; B, built the same way, restores it and saves the same bytes; then both are driven
     * {@code steps} more with the same generator (the next long of A's) and must route identically
     * (experts and bit-identical weights), count the same metrics and end with identical checkpoints,
     * while a fresh router (no restore) routes differently, so the scenario does tell them apart.
     */
    public static RoundTrip assertRoundTrip(RouterMaker maker, Scenario scenario, long seed, int warmUp, int steps)
            throws IOException {
        Counting metricsA = new Counting();
        Router a = maker.make(metricsA);
        Random random = new Random(seed);
        scenario.drive(a, random, 0, warmUp);
        byte[] state = save(a);

        Counting metricsB = new Counting();
        Router b = maker.make(metricsB);
        restore(b, state);
        assertArrayEquals(state, save(b), "a restored router saves what it was restored from");

        long next = random.nextLong();
        metricsA.counts.clear();
        List<Routing> fromA = scenario.drive(a, new Random(next), warmUp, steps);
        List<Routing> fromB = scenario.drive(b, new Random(next), warmUp, steps);
        assertSameRoutings(fromA, fromB);
        assertEquals(metricsA.counts, metricsB.counts);
        assertArrayEquals(save(a), save(b));

        List<Routing> fresh = scenario.drive(maker.make(new Counting()), new Random(next), warmUp, steps);
        assertNotEquals(fromA.stream().map(Routing::active).toList(), fresh.stream().map(Routing::active).toList(),
                "without the state, routing differs");
        return new RoundTrip(a, b, metricsA, metricsB);
    }

    /** Same active experts and bit-identical weights, routing by routing. */
    public static void assertSameRoutings(List<Routing> expected, List<Routing> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).active(), actual.get(i).active(), "routing " + i);
            assertArrayEquals(expected.get(i).weights(), actual.get(i).weights(), "weights of routing " + i);
        }
    }

    /**
     * The selection contract: {@code size} distinct experts, all among the candidates, with positive
     * weights summing to one.
     */
    public static void assertSelection(Routing routing, List<String> candidates, int size) {
        assertEquals(size, routing.active().size());
        assertEquals(size, new HashSet<>(routing.active()).size(), "distinct");
        assertTrue(candidates.containsAll(routing.active()), routing.active() + " outside " + candidates);
        double sum = 0;
        for (double w : routing.weights()) {
            assertTrue(w > 0, "weight " + w);
            sum += w;
        }
        assertEquals(1.0, sum, 1e-12);
    }

    /** {@link #assertSelection} with equal weights {@code 1 / size}. */
    public static void assertUniformSelection(Routing routing, List<String> candidates, int size) {
        assertSelection(routing, candidates, size);
        for (double w : routing.weights()) {
            assertEquals(1.0 / size, w, 1e-15);
        }
    }

    /**
     * Plays a Bernoulli bandit over {@code arms} with k = 1 (contexts from {@link #context(List, int)},
     * round 1): means {@code before} up to step {@code switchAt} and {@code after} from then on, rewards
     * drawn from {@code new Random(seed)}. Returns the cumulative pseudo-regret
     * ({@code max_i mu_i - mu_chosen}) after each step.
     */
    public static double[] play(Router router, List<String> arms, double[] before, double[] after, int switchAt,
            int steps, long seed) {
        Random random = new Random(seed);
        double[] regret = new double[steps];
        double cumulative = 0;
        for (int t = 0; t < steps; t++) {
            double[] means = t < switchAt ? before : after;
            Routing routing = router.route(context(arms, 1));
            int arm = arms.indexOf(routing.active().get(0));
            cumulative += max(means) - means[arm];
            regret[t] = cumulative;
            router.reward(routing, Map.of(arms.get(arm), random.nextDouble() < means[arm] ? 1.0 : 0.0));
        }
        return regret;
    }

    /** {@link #play} with stationary means. */
    public static double[] play(Router router, List<String> arms, double[] means, int steps, long seed) {
        return play(router, arms, means, means, steps, steps, seed);
    }

    /** The largest value ({@code -Infinity} for none). */
    public static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    /** Expected pseudo-regret of picking an arm uniformly at random for {@code steps} steps. */
    public static double uniformRegret(double[] means, int steps) {
        double sum = 0;
        for (double m : means) {
            sum += max(means) - m;
        }
        return steps * sum / means.length;
    }
}
