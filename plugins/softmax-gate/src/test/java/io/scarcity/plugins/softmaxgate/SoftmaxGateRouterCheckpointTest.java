package io.scarcity.plugins.softmaxgate;

import static io.scarcity.api.testing.RouterTestKit.withMetrics;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.DataSchema;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Router;
import io.scarcity.api.RoutingFeatures;
import io.scarcity.api.StateWriter;
import io.scarcity.api.Task;
import io.scarcity.api.testing.PluginTestKit;
import io.scarcity.api.testing.RouterTestKit;
import io.scarcity.api.testing.RouterTestKit.Counting;
import io.scarcity.api.testing.RouterTestKit.RoundTrip;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SoftmaxGateRouterCheckpointTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("u", "v"), Task.CLASSIFICATION, List.of("x", "y"));
    private static final Map<String, Object> CONFIG = Map.of("k", 2, "discount", 0.98, "noise", 0.8, "exploration", 0.4);
    /** Random batches with drifting signals: the gate's context varies. */
    private static final RouterTestKit.Situation CHANGING = RouterTestKit.changing(SCHEMA, 8);
    private static final RouterTestKit.Scenario CHURN = RouterTestKit.churn(CHANGING);

    private static Router router(Counting metrics) {
        return new SoftmaxGateRouterFactory().create(PluginConfig.of("router", CONFIG), withMetrics(PluginContext.standalone(5, SCHEMA, "softmax-gate"), metrics));
    }

    /**
     * Saved after a reward, after an unlabelled batch (step 116: the routing is still pending) and between
     * a route and its reward.
     */
    @Test
    void aRestoredRouterRoutesExactlyAsTheSavedOne() throws IOException {
        RouterTestKit.assertRoundTrip(SoftmaxGateRouterCheckpointTest::router, CHURN, 17, 120, 200);
        RouterTestKit.assertRoundTripBetweenRouteAndReward(SoftmaxGateRouterCheckpointTest::router, CHANGING, 17, 120, 200);
        RoundTrip trip = RouterTestKit.assertRoundTrip(SoftmaxGateRouterCheckpointTest::router, CHURN, 17, 117, 200);
        assertTrue(trip.restoredMetrics().count(SoftmaxGateRouter.EXPLORATIONS) > 0, "the continuation explores");
        assertTrue(trip.restoredMetrics().gauges.isEmpty(), "the softmax gate reports no gauge");
        SoftmaxGateRouter ga = (SoftmaxGateRouter) trip.original();
        SoftmaxGateRouter gb = (SoftmaxGateRouter) trip.restored();
        assertEquals(ga.steps(), gb.steps());
        for (String name : List.of("a", "b", "c", "d", "e", "f")) {
            assertArrayEquals(ga.gateWeights(name), gb.gateWeights(name), name);
            assertEquals(Double.doubleToRawLongBits(ga.count(name)), Double.doubleToRawLongBits(gb.count(name)), name);
            assertEquals(Double.doubleToRawLongBits(ga.meanReward(name)), Double.doubleToRawLongBits(gb.meanReward(name)), name);
        }
    }

    /** Checkpoints of versions 1 and 2 (gate weights before each expert's evidence) are refused: start afresh. */
    @Test
    void checkpointsOfOtherVersionsTruncatedOrWithAnArmTwiceAreRefused() throws IOException {
        Supplier<Router> maker = () -> router(new Counting());
        PluginTestKit.assertCheckpointRefusals(maker, "softmax-gate router", 3, RouterTestKit.driver(CHURN), 3, 60);
        RouterTestKit.assertArmTwiceRefused(maker, header(7), (expert, out) -> out.writeDoubles(new double[8]),
                out -> {
                    out.writeDoubles(null);
                    out.writeInt(-1);
                });
    }

    /** The start of a checkpoint: version, route count {@code steps}, a generator and fresh routing features. */
    private static RouterTestKit.Part header(long steps) {
        return out -> {
            out.writeVersion(SoftmaxGateRouter.STATE_VERSION);
            out.writeLong(steps);
            out.writeRandom(new Random(1));
            new RoutingFeatures().save(out);
        };
    }

    /** {@link #header} then {@code tail}: the table of experts and the pending routing. */
    private static byte[] checkpoint(long steps, RouterTestKit.Part tail) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter out = new StateWriter(bytes);
        header(steps).write(out);
        tail.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static void oneArm(StateWriter out, double pulls, double[] weights) throws IOException {
        out.writeInt(1);
        out.writeString("a");
        out.writeDouble(pulls);
        out.writeDouble(pulls / 2);
        out.writeBoolean(true);
        out.writeDoubles(weights);
    }

    @Test
    void aCorruptCheckpointIsRefusedAndLeavesTheRouterAsItWas() throws IOException {
        SoftmaxGateRouter router = (SoftmaxGateRouter) router(new Counting());
        CHURN.drive(router, new Random(4), 0, 30);
        // A well-formed one is read: one expert, a pending routing over it.
        byte[] good = checkpoint(7, out -> {
            oneArm(out, 2, new double[8]);
            out.writeDoubles(new double[8]);
            out.writeInt(1);
            out.writeString("a");
            out.writeDoubles(new double[] {1});
        });
        SoftmaxGateRouter reader = (SoftmaxGateRouter) router(new Counting());
        RouterTestKit.restore(reader, good);
        assertEquals(7, reader.steps());
        assertEquals(2.0, reader.count("a"));
        assertArrayEquals(good, RouterTestKit.save(reader));

        Map<String, RouterTestKit.Part> corrupt = Map.of(
                "gate weights of 'a'", out -> oneArm(out, 2, new double[3]),
                "'a' has -2.0 rewards", out -> oneArm(out, -2, new double[8]),
                "pending context of 3 values", out -> {
                    oneArm(out, 2, new double[8]);
                    out.writeDoubles(new double[3]);
                },
                "pending routing of 1 experts", out -> {
                    oneArm(out, 2, new double[8]);
                    out.writeDoubles(null);
                    out.writeInt(1);
                },
                "pending expert without a name", out -> {
                    oneArm(out, 2, new double[8]);
                    out.writeDoubles(new double[8]);
                    out.writeInt(1);
                    out.writeString(null);
                },
                "pending routing weights", out -> {
                    oneArm(out, 2, new double[8]);
                    out.writeDoubles(new double[8]);
                    out.writeInt(1);
                    out.writeString("a");
                    out.writeDoubles(new double[] {0.5, 0.5});
                });
        for (Map.Entry<String, RouterTestKit.Part> e : corrupt.entrySet()) {
            RouterTestKit.assertRefusedAndUnchanged(router, checkpoint(7, e.getValue()), e.getKey());
        }
        RouterTestKit.assertRefusedAndUnchanged(router, checkpoint(-1, out -> {
            out.writeInt(0);
            out.writeDoubles(null);
            out.writeInt(-1);
        }), "-1 routes");
    }
}
