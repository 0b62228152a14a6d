package io.scarcity.plugins.forest;

import io.scarcity.api.Batch;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Prediction;
import io.scarcity.api.testing.ExpertTestKit;
import java.util.Random;

/**
 * A stream naive Bayes cannot learn and a tree can: 4 uniform features, class 2 where {@code x2 > 0.8},
 * else 1 where exactly one of {@code x0, x1} exceeds 0.5, else 0; {@code shift} renames the classes
 * (an abrupt drift).
 */
final class Concepts {
    static final DataSchema SCHEMA = ExpertTestKit.schema(4, 3);

    private Concepts() {
    }

    static int label(double[] x, int r, int shift) {
        int y = x[4 * r + 2] > 0.8 ? 2 : (x[4 * r] > 0.5) != (x[4 * r + 1] > 0.5) ? 1 : 0;
        return (y + shift) % 3;
    }

    static Batch batch(Random random, long firstRow, int rows, int shift) {
        double[] x = new double[rows * 4];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextDouble();
        }
        for (int r = 0; r < rows; r++) {
            y[r] = label(x, r, shift);
        }
        return Batch.ofClasses(SCHEMA, "d", firstRow, x, y);
    }

    static double accuracy(Prediction p, Batch b) {
        int right = 0;
        for (int r = 0; r < b.rows(); r++) {
            right += p.predictedClass(r) == b.label(r) ? 1 : 0;
        }
        return (double) right / b.rows();
    }
}
