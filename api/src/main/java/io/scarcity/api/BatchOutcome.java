package io.scarcity.api;

import java.util.Objects;

/**
 * How the mixture did on a batch, given to every active expert when it learns (after the test step).
 * {@code rowLosses} holds one loss per row: 0/1 error for classification, squared error for
 * regression; it is empty for an unlabelled batch. {@code mixture} is {@code null} on a stream without labels
 * ({@link Task#UNLABELLED}), where nothing predicts.
 */
public record BatchOutcome(Prediction mixture, double[] rowLosses, int round) {
    public BatchOutcome {
        Objects.requireNonNull(rowLosses, "rowLosses is null");
        rowLosses = rowLosses.clone();
    }

    @Override
    public double[] rowLosses() {
        return rowLosses.clone();
    }

    public int size() {
        return rowLosses.length;
    }

    public double rowLoss(int row) {
        return rowLosses[row];
    }

    /** Mean loss over the batch, NaN for an unlabelled batch. */
    public double meanLoss() {
        if (rowLosses.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double l : rowLosses) {
            s += l;
        }
        return s / rowLosses.length;
    }
}
