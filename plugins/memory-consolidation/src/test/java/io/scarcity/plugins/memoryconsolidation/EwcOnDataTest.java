package io.scarcity.plugins.memoryconsolidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ExpertState;
import io.scarcity.api.MetricsSink;
import io.scarcity.api.testing.FakeSupervisedClient;
import io.scarcity.api.testing.FakeSupervisedClient.Penalty;
import io.scarcity.api.testing.FakeSupervisedClient.Supervised;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The orchestration on data: a linear regressor learned by gradient descent, with the diagonal empirical
 * Fisher as its importance and the EWC penalty {@code lambda / 2 * sum F_i (w_i - a_i)^2} in its loss, goes
 * through task A ({@code y = 2 x1}, with {@code x1 ~ N(0, 1)} and {@code x2 ~ N(0, 0.1^2)}) and then task B
 * ({@code y = -2 x1 + 3 x2}, both features N(0, 1)), with {@code drift.detected} on one batch and no periodic
 * point. With the signal after A's last batch, {@code w1}, well determined in A (high importance), stays
 * near 2 and {@code w2}, which was not (its feature barely varied: importance over 100 times lower), learns
 * B. Without the supervisor both follow B. {@code lambda} is 10 rather than the default 100 because this
 * learner takes one explicit gradient step per batch, which {@code rate * lambda * F} above 2 would make
 * diverge.
 */
class EwcOnDataTest {
    private static final int BATCH = 50;
    private static final int SWITCH = 200;
    private static final double NOISE = 0.5;
    private static final double RATE = 0.02;
    private static final double LAMBDA = 10;

    /** Linear regression y = w . x by one gradient step per batch on the mean squared error / 2 + EWC. */
    static final class Regressor {
        final double[] w = new double[2];
        final double[] fisher = new double[2];
        long rows;
        double[] anchor;
        double[] importance;
        double strength;

        void learn(double[][] x, double[] y) {
            double[] grad = new double[2];
            for (int r = 0; r < y.length; r++) {
                double residual = w[0] * x[r][0] + w[1] * x[r][1] - y[r];
                for (int i = 0; i < 2; i++) {
                    double g = residual * x[r][i];
                    grad[i] += g / y.length;
                    fisher[i] += (g * g - fisher[i]) / (rows + 1);
                }
                rows++;
            }
            for (int i = 0; i < 2; i++) {
                double penalty = anchor == null ? 0 : strength * importance[i] * (w[i] - anchor[i]);
                w[i] -= RATE * (grad[i] + penalty);
            }
        }

        ExpertState weights() {
            return new ExpertState("linear", Map.of("w", w), rows);
        }

        ExpertState importance() {
            return new ExpertState("linear", Map.of("w", fisher), rows);
        }

        void penalise(Penalty p) {
            anchor = p.anchor().weight("w");
            importance = p.importance().weight("w");
            strength = p.strength();
        }
    }

    /** Drift is signalled after batch {@code detected} (the first of task B is {@code SWITCH}); -1: no supervisor. */
    static Regressor run(int detected) {
        boolean supervised = detected >= 0;
        Regressor model = new Regressor();
        Supervised learner = new Supervised("linear");
        learner.weights = b -> model.weights();
        learner.importance = b -> model.importance();
        learner.onPenalty = model::penalise;
        FakeSupervisedClient client = new FakeSupervisedClient(learner);
        MemoryConsolidationExpert expert = new MemoryConsolidationExpert(new Options(0, Options.ACTIVE, 1, 0, true, LAMBDA, 0.5),
                MetricsSink.NONE, System.getLogger("test"));
        Random random = new Random(17);
        for (int b = 0; b < 3 * SWITCH; b++) {
            boolean taskA = b < SWITCH;
            double[][] x = new double[BATCH][2];
            double[] y = new double[BATCH];
            for (int r = 0; r < BATCH; r++) {
                x[r][0] = random.nextGaussian();
                x[r][1] = (taskA ? 0.1 : 1) * random.nextGaussian();
                y[r] = (taskA ? 2 * x[r][0] : -2 * x[r][0] + 3 * x[r][1]) + NOISE * random.nextGaussian();
            }
            model.learn(x, y);
            if (supervised) {
                client.batch = b;
                client.drift(b == detected);
                expert.supervise(client);
            }
        }
        if (supervised) {
            assertEquals(1, learner.penalties.size(), "one consolidation point, at the drift");
            assertEquals(detected, learner.penalties.get(0).batch());
        }
        return model;
    }

    @Test
    void anImportantWeightStaysNearItsOldValueAndAnUnimportantOneLearnsTheNewTask() {
        Regressor plain = run(-1);
        assertTrue(plain.w[0] < -1.8 && plain.w[1] > 2.8, "without EWC both follow task B: " + plain.w[0] + ", " + plain.w[1]);

        // a timely signal: after the last batch of task A
        Regressor ewc = run(SWITCH - 1);
        assertTrue(ewc.importance[0] > 100 * ewc.importance[1], "w1 mattered in task A, w2 hardly: " + ewc.importance[0]
                + " vs " + ewc.importance[1]);
        assertEquals(2, ewc.anchor[0], 0.1, "the anchor is task A's w1");
        assertTrue(ewc.w[0] > 1.5, "w1 stays near 2: " + ewc.w[0]);
        assertTrue(ewc.w[1] > 2.5, "w2 learns task B: " + ewc.w[1]);
    }

    /**
     * The limit of consolidating at the drift signal: the signal comes after the experts learned from the
     * first batches of the new concept, and an importance that is a running mean of squared gradients has
     * taken in their large gradients. Two batches late (100 of 10,100 rows), w2's importance is about 70
     * times what it was, and w2 no longer learns task B; the anchor itself moved little. w1 is still kept.
     */
    @Test
    void aLateSignalTakesTheNewConceptsGradientsIntoTheImportances() {
        Regressor timely = run(SWITCH - 1);
        Regressor late = run(SWITCH + 1);
        assertTrue(late.importance[1] > 20 * timely.importance[1], late.importance[1] + " vs " + timely.importance[1]);
        assertEquals(2, late.anchor[0], 0.5, "the anchor moved little");
        assertTrue(late.w[0] > 1.5, "w1 is still kept: " + late.w[0]);
        assertTrue(late.w[1] < 1, "w2 is held back: " + late.w[1]);
    }
}
