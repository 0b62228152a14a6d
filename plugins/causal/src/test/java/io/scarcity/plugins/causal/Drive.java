package io.scarcity.plugins.causal;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.Expert;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;

/** Test-then-train steps for tests. */
final class Drive {
    private Drive() {
    }

    static Prediction step(Expert e, Batch batch, SignalBoard board) {
        Prediction p = e.predict(batch, board);
        e.learn(batch, new BatchOutcome(p, new double[batch.hasLabels() ? batch.rows() : 0], 1), board);
        return p;
    }
}
