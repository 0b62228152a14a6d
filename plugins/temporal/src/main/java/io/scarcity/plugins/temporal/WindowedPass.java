package io.scarcity.plugins.temporal;

import io.scarcity.api.Batch;

/**
 * The forward pass the temporal expert's network holds, and what it was computed for: each row's window
 * (the rows {@code r - window + 1 .. r} of the history followed by the batch, padded with the earliest row
 * known where it reaches before it), standardised with the running feature moments and clipped to
 * +-{@value #INPUT_CLIP}. The pass is reused while neither the batch nor the expert's state changed
 * ({@link #invalidate} after every change), so that {@code learn} reuses the pass of {@code predict}.
 */
final class WindowedPass {
    static final double INPUT_CLIP = 10.0;

    private final LstmNetwork net;
    private final RunningMoments scaler;
    private final RowHistory history;
    private final int window;
    private final int features;
    private final double[] featureMean;
    private final double[] featureStd;
    /** Whether step {@code s} of row {@code r}'s window is a real row (not padding), at {@code s * rows + r}. */
    private boolean[] valid = new boolean[0];
    private long version;
    private Batch passBatch;
    private long passVersion = -1;

    WindowedPass(LstmNetwork net, RunningMoments scaler, RowHistory history, int window, int features) {
        this.net = net;
        this.scaler = scaler;
        this.history = history;
        this.window = window;
        this.features = features;
        this.featureMean = new double[features];
        this.featureStd = new double[features];
    }

    /** The expert's state changed (weights, moments, history): the held pass is stale. */
    void invalidate() {
        version++;
    }

    /** Makes the network hold the forward pass of {@code batch} in the current state (reusing the last one). */
    void ensure(Batch batch) {
        if (batch == passBatch && passVersion == version) {
            return;
        }
        int n = batch.rows();
        int t = window;
        int before = history.before(batch);
        scaler.scale(featureMean, featureStd, batch.featuresCopy(), n);
        double[] in = net.prepare(n, t);
        if (valid.length < n * t) {
            valid = new boolean[n * t];
        }
        for (int s = 0; s < t; s++) {
            for (int r = 0; r < n; r++) {
                int position = before + r - (t - 1) + s; // in (history ++ batch)
                valid[s * n + r] = position >= 0;
                position = Math.max(position, 0);
                int o = (s * n + r) * features;
                for (int j = 0; j < features; j++) {
                    double x = position < before ? history.value(position, j) : batch.value(position - before, j);
                    double z = (x - featureMean[j]) / featureStd[j];
                    in[o + j] = z > INPUT_CLIP ? INPUT_CLIP : z < -INPUT_CLIP ? -INPUT_CLIP : z;
                }
            }
        }
        net.forward();
        passBatch = batch;
        passVersion = version;
    }

    /** Whether step {@code s} of row {@code r}'s window in the held pass of {@code rows} rows is a real row. */
    boolean valid(int s, int rows, int r) {
        return valid[s * rows + r];
    }

    /**
     * The held pass's mean over its {@code rows} rows of the squared error of forecasting each row's
     * standardised features from the step before, averaged over features; NaN with a window below 2, when no
     * row has a real step before it, or when the sum is not finite.
     */
    double forecastError(int rows) {
        int t = window;
        if (t < 2) {
            return Double.NaN;
        }
        double sum = 0;
        int counted = 0;
        for (int r = 0; r < rows; r++) {
            if (!valid[(t - 2) * rows + r]) {
                continue;
            }
            double e = 0;
            for (int j = 0; j < features; j++) {
                double d = net.forecast(t - 2, r, j) - net.input(t - 1, r, j);
                e += d * d;
            }
            sum += e / features;
            counted++;
        }
        return counted > 0 && Double.isFinite(sum) ? sum / counted : Double.NaN;
    }
}
