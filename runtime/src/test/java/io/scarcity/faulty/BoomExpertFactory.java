package io.scarcity.faulty;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import java.util.Set;

/**
 * A third-party expert with a bug, for the tests of how a plugin's fault is reported: {@code failIn:
 * create} throws from its factory, {@code failIn: predict} from its {@code failAt}-th prediction.
 * Registered only by the tests that load it (not on the test class path's services).
 */
public final class BoomExpertFactory implements ExpertFactory {
    @Override
    public String name() {
        return "boom";
    }

    @Override
    public Expert create(PluginConfig config, PluginContext context) {
        String failIn = config.getChoice("failIn", "predict", java.util.List.of("create", "predict"));
        int failAt = config.getInt("failAt", 1, 1);
        if (failIn.equals("create")) {
            throw new IllegalArgumentException("boom: simulated bug in create");
        }
        return new Boom(failAt);
    }

    static final class Boom implements Expert {
        private final int failAt;
        private int predictions;

        Boom(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public ExpertCapabilities capabilities() {
            return new ExpertCapabilities(true, false, Set.of(), Set.of());
        }

        @Override
        public Prediction predict(Batch batch, SignalBoard signals) {
            if (++predictions == failAt) {
                return divide(batch.rows(), 0);
            }
            int k = batch.schema().numClasses();
            double[] p = new double[batch.rows() * k];
            java.util.Arrays.fill(p, 1.0 / k);
            return Prediction.ofProbabilities(batch.rows(), k, p);
        }

        private static Prediction divide(int rows, int by) {
            throw new ArithmeticException("boom: simulated bug (" + rows + " / " + by + ")");
        }

        @Override
        public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
            // learns nothing
        }
    }
}
