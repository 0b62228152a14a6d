package io.scarcity.runtime.client;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertCapabilities;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import java.util.Set;

/**
 * A scripted predicting expert for two classes, for the mixture's tests: each row's probability of class 0
 * comes from {@link #classZero}; it learns nothing unless a subclass counts something in {@link #learn}.
 */
abstract class TwoClassExpert implements Expert {
    /** The probability this expert gives class 0 on row {@code r} of {@code batch}. */
    abstract double classZero(Batch batch, int r);

    @Override
    public ExpertCapabilities capabilities() {
        return new ExpertCapabilities(true, false, Set.of(), Set.of());
    }

    @Override
    public Prediction predict(Batch batch, SignalBoard signals) {
        double[] p = new double[batch.rows() * 2];
        for (int r = 0; r < batch.rows(); r++) {
            double p0 = classZero(batch, r);
            p[2 * r] = p0;
            p[2 * r + 1] = 1 - p0;
        }
        return Prediction.ofProbabilities(batch.rows(), 2, p);
    }

    @Override
    public void learn(Batch batch, BatchOutcome outcome, SignalBoard signals) {
    }
}
