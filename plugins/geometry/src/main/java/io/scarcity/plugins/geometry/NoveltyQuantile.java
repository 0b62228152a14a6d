package io.scarcity.plugins.geometry;

import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Arrays;

/**
 * The running quantile of the residual behind {@code geometry.novelty-rate}: a row is novel when its
 * residual exceeds the running {@code noveltyQuantile} quantile {@code q} of the log residual.
 *
 * <p>{@code q} follows stochastic approximation, {@code q += quantileStep * (tau - 1[log r <= q])} per
 * row after the batch is scored; the first batch (or a merge) sets it, to the batch's empirical quantile.
 * The novelty rate is about {@code 1 - noveltyQuantile} on familiar data, near 1 when rows from elsewhere
 * arrive, falling back as the quantile and the subspace adapt. Residuals are offset by 1e-12 before the
 * log, so that a row on the subspace counts.
 */
final class NoveltyQuantile {
    private final double tau;
    private final double step;
    /** {@code q}, as a one-value array: the expert gossips it as it is. */
    private final double[] threshold = new double[1];
    private boolean ready;
    /** Scratch: the log residuals of the batch being observed. */
    private double[] logs = new double[0];

    NoveltyQuantile(Options options) {
        this.tau = options.noveltyQuantile();
        this.step = options.quantileStep();
    }

    /**
     * The share of the first {@code rows} residuals above the quantile (set from them first if it is not
     * yet), then moves the quantile past them.
     */
    double observe(double[] residuals, int rows) {
        if (logs.length < rows) {
            logs = new double[rows];
        }
        for (int r = 0; r < rows; r++) {
            logs[r] = Math.log(residuals[r] + 1e-12);
        }
        if (!ready) {
            double[] sorted = Arrays.copyOf(logs, rows);
            Arrays.sort(sorted);
            threshold[0] = sorted[Math.min(rows - 1, (int) Math.floor(tau * rows))];
            ready = true;
        }
        double q = threshold[0];
        int novel = 0;
        for (int r = 0; r < rows; r++) {
            if (logs[r] > q) {
                novel++;
            }
        }
        for (int r = 0; r < rows; r++) {
            q += logs[r] > q ? step * tau : -step * (1 - tau);
        }
        threshold[0] = q;
        return (double) novel / rows;
    }

    /** The live one-value array holding {@code q}; do not modify. */
    double[] view() {
        return threshold;
    }

    /** Adopts a merged {@code q}: the quantile is then set. */
    void merge(double q) {
        threshold[0] = q;
        ready = true;
    }

    void save(StateWriter out) throws IOException {
        out.writeDouble(threshold[0]);
        out.writeBoolean(ready);
    }

    /** Reads what {@link #save} wrote; returns what adopts it (the expert's restore applies it last). */
    Runnable read(StateReader in) throws IOException {
        double q = in.readDouble();
        boolean newReady = in.readBoolean();
        return () -> {
            threshold[0] = q;
            ready = newReady;
        };
    }
}
