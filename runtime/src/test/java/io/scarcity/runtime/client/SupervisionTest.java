package io.scarcity.runtime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Checkpointable;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.ExpertState;
import io.scarcity.api.ExpertSupervisor;
import io.scarcity.api.Router;
import io.scarcity.api.Routing;
import io.scarcity.api.RoutingContext;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import io.scarcity.api.SupervisedClient;
import io.scarcity.runtime.config.MixtureConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Supervisor experts steer the others: freezing, learning-rate scales, EWC penalties, replay. */
class SupervisionTest {
    /** Predicts class 0 with probability p0; counts what it learns; may support scales and penalties. */
    static final class Learner extends TwoClassExpert implements Checkpointable {
        final double p0;
        final boolean supportsControl;
        long learned;
        long replayed;
        double scale = 1;
        double strength;

        Learner(double p0, boolean supportsControl) {
            this.p0 = p0;
            this.supportsControl = supportsControl;
        }

        @Override
        double classZero(Batch batch, int r) {
            return p0;
        }

        @Override
        public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
            learned += batch.rows();
        }

        @Override
        public void replay(Batch batch) {
            replayed += batch.rows();
        }

        @Override
        public boolean scaleLearningRate(double s) {
            if (supportsControl) {
                scale = s;
            }
            return supportsControl;
        }

        @Override
        public boolean penalise(ExpertState anchor, ExpertState importance, double lambda) {
            if (supportsControl) {
                strength = lambda;
            }
            return supportsControl;
        }

        @Override
        public void saveState(StateWriter out) {
        }

        @Override
        public void restoreState(StateReader in) {
        }
    }

    /** An analyser that runs a test's instructions after every batch. */
    static final class Steering implements Expert, ExpertSupervisor, Checkpointable {
        final Consumer<SupervisedClient> action;
        final List<Long> seen = new ArrayList<>();

        Steering(Consumer<SupervisedClient> action) {
            this.action = action;
        }

        @Override
        public ExpertCapabilities capabilities() {
            return new ExpertCapabilities(false, false, Set.of(), Set.of());
        }

        @Override
        public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
        }

        @Override
        public void supervise(SupervisedClient client) {
            seen.add(client.batchIndex());
            action.accept(client);
        }

        @Override
        public void saveState(StateWriter out) {
        }

        @Override
        public void restoreState(StateReader in) {
        }
    }

    /** Routes to the first expert only. */
    static final class First implements Router, Checkpointable {
        @Override
        public Routing route(RoutingContext context) {
            return Routing.uniform(context.candidates().subList(0, 1));
        }

        @Override
        public void reward(Routing routing, Map<String, Double> rewards) {
        }

        @Override
        public void saveState(StateWriter out) {
        }

        @Override
        public void restoreState(StateReader in) {
        }
    }

    static ClientNode node(Steering steering, Learner a, Learner b) {
        return new ClientNode("d-0", "d", ClientNodeTest.SCHEMA, List.of(new ExpertSlot("boss", "steering", steering),
                new ExpertSlot("a", "learner", a), new ExpertSlot("b", "learner", b)), new First(),
                ClientNodeTest.client("").memory(), 0, 5, 20, List.of(), new MixtureConfig("none", "accuracy", "all", "router", 0.001, 0.0));
    }

    static List<Batch> batches(int count) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(MixtureTest.half(50L * i));
        }
        return out;
    }

    @Test
    void aSupervisorSeesLossesAndActivityAndAFrozenExpertLearnsNothingUntilThawed() {
        List<String> log = new ArrayList<>();
        Steering boss = new Steering(c -> {
            log.add(c.experts() + " " + c.active("a") + "/" + c.active("b") + " " + c.loss("a") + "/" + c.loss("b"));
            if (c.batchIndex() == 0) {
                c.freeze("b", true);
            }
            if (c.batchIndex() == 2) {
                c.freeze("b", false);
            }
        });
        Learner a = new Learner(0.6, false);
        Learner b = new Learner(0.6, false);
        ClientRoundResult r = node(boss, a, b).runRound(1, batches(4));
        assertEquals(List.of(0L, 1L, 2L, 3L), boss.seen);
        assertEquals("[a, b] true/false 0.5/NaN", log.get(0), "supervisors are not among the supervised; b was not routed");
        assertEquals(200, a.learned);
        assertEquals(100, b.learned, "b learned from batch 0 (training: all), was frozen for batches 1 and 2, then thawed");
        assertFalse(r.metrics().plugins().containsKey("client.frozen.b"));
        assertEquals(8, r.metrics().expertBatches(), "2 routing candidates x 4 batches; the supervisor is none");
        assertEquals(2, r.metrics().idleExpertBatches(), "b did nothing on batches 1 and 2, frozen and not routed");
        assertEquals(Map.of("a", 4L, "b", 0L), r.metrics().routed(), "every candidate, zeros included, supervisors not");
    }

    @Test
    void anExpertASupervisorReplaysIntoIsNotCountedIdle() {
        Steering boss = new Steering(c -> {
            if (c.batchIndex() % 2 == 0) {
                c.replay("b", 10);
            }
        });
        ClientNode node = new ClientNode("d-0", "d", ClientNodeTest.SCHEMA, List.of(new ExpertSlot("boss", "steering", boss),
                new ExpertSlot("a", "learner", new Learner(0.6, false)), new ExpertSlot("b", "learner", new Learner(0.6, false))),
                new First(), ClientNodeTest.client("").memory(), 0, 5, 20, List.of(), new MixtureConfig("none", "accuracy", "active", "router", 0.001, 0.0));
        ClientRoundResult r = node.runRound(1, batches(4));
        assertEquals(8, r.metrics().expertBatches());
        assertEquals(2, r.metrics().idleExpertBatches(), "b, never routed, worked on the two batches it was replayed into");
    }

    @Test
    void scalesAndPenaltiesReachExpertsThatSupportThemAndBadRequestsAreNamed() {
        List<Boolean> answers = new ArrayList<>();
        Steering boss = new Steering(c -> {
            answers.add(c.scaleLearningRate("a", 0.5));
            answers.add(c.scaleLearningRate("b", 0.5));
            ExpertState w = new ExpertState("x", Map.of("w", new double[] {1}), 10);
            answers.add(c.penalise("a", w, w, 2.0));
            answers.add(c.penalise("b", w, w, 2.0));
            assertTrue(c.importance("a").isEmpty());
            assertTrue(c.weights("a").isEmpty(), "not gossipable");
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> c.freeze("boss", true));
            assertTrue(unknown.getMessage().contains("no supervised expert 'boss'; the client's are [a, b]"), unknown.getMessage());
            assertThrows(IllegalArgumentException.class, () -> c.scaleLearningRate("a", 0));
            assertThrows(IllegalArgumentException.class, () -> c.penalise("a", w, w, Double.NaN));
        });
        Learner a = new Learner(0.6, true);
        Learner b = new Learner(0.6, false);
        node(boss, a, b).runRound(1, batches(1));
        assertEquals(List.of(true, false, true, false), answers);
        assertEquals(0.5, a.scale);
        assertEquals(2.0, a.strength);
    }

    @Test
    void replayFromTheMemoryReachesTheNamedExpertUnlessFrozen() {
        List<Integer> replayed = new ArrayList<>();
        Steering boss = new Steering(c -> {
            replayed.add(c.replay("b", 10));
            c.freeze("a", c.batchIndex() >= 2);
            replayed.add(c.replay("a", 10));
        });
        Learner a = new Learner(0.6, false);
        Learner b = new Learner(0.6, false);
        node(boss, a, b).runRound(1, batches(4));
        assertEquals(List.of(10, 10, 10, 10, 10, 0, 10, 0), replayed);
        assertEquals(40, b.replayed);
        assertEquals(20, a.replayed);
    }

    @Test
    void frozenExpertsAndTheBatchCountSurviveACheckpoint() throws Exception {
        Steering boss = new Steering(c -> c.freeze("b", true));
        ClientNode before = node(boss, new Learner(0.6, false), new Learner(0.6, false));
        ClientRoundResult r = before.runRound(1, batches(2));
        assertEquals(1.0, r.metrics().plugins().get("client.frozen.b"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter w = new StateWriter(bytes);
        before.saveState(w);
        w.flush();
        Steering quiet = new Steering(c -> { });
        Learner b = new Learner(0.6, false);
        ClientNode after = node(quiet, new Learner(0.6, false), b);
        after.restoreState(new StateReader(new ByteArrayInputStream(bytes.toByteArray())));
        after.runRound(2, batches(3));
        assertEquals(0, b.learned, "still frozen after the restore");
        assertEquals(List.of(2L, 3L, 4L), quiet.seen, "the batch index continues");
    }
}
