package io.scarcity.bench;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Data for the per-expert benchmarks: 10-class batches whose rows lie near a low-rank subspace (six
 * random directions of decreasing scale, the first shifted by the label) plus noise, so that a subspace
 * and a classifier on it have something to find.
 */
final class ExpertBatches {
    private ExpertBatches() {
    }

    static DataSchema schema(int features) {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            names.add("f" + j);
        }
        return new DataSchema(names, Task.CLASSIFICATION, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
    }

    /** {@code count} batches of {@code rows} rows of {@code schema}, seeded. */
    static List<Batch> lowRank(DataSchema schema, int count, int rows, long seed) {
        int features = schema.numFeatures();
        Random random = new Random(seed);
        double[][] directions = new double[6][features];
        for (double[] v : directions) {
            for (int j = 0; j < features; j++) {
                v[j] = random.nextGaussian();
            }
        }
        List<Batch> batches = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            double[] x = new double[rows * features];
            int[] y = new int[rows];
            for (int r = 0; r < rows; r++) {
                y[r] = random.nextInt(schema.numClasses());
                for (int j = 0; j < features; j++) {
                    x[r * features + j] = 0.5 * random.nextGaussian();
                }
                for (int q = 0; q < directions.length; q++) {
                    double s = random.nextGaussian() * (directions.length - q) + (q == 0 ? y[r] : 0);
                    for (int j = 0; j < features; j++) {
                        x[r * features + j] += s * directions[q][j];
                    }
                }
            }
            batches.add(Batch.ofClasses(schema, "bench", (long) b * rows, x, y));
        }
        return batches;
    }

    /** Runs the expert once over the batches (test, then train) and returns each batch's outcome, for replaying {@code learn}. */
    static BatchOutcome[] warmUp(Expert expert, List<Batch> batches, SignalBoard signals) {
        BatchOutcome[] outcomes = new BatchOutcome[batches.size()];
        for (int i = 0; i < outcomes.length; i++) {
            Batch b = batches.get(i);
            Prediction p = expert.predict(b, signals);
            outcomes[i] = new BatchOutcome(p, new double[b.rows()], 1);
            expert.learn(b, outcomes[i], signals);
        }
        return outcomes;
    }
}
