package io.scarcity.plugins.geometry;

import io.scarcity.api.Batch;
import io.scarcity.api.Prediction;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * Recursive least squares with exponential forgetting on {@code x = (p_1 .. p_k, 1)}: the projected
 * coordinates and an intercept. Per row of weight {@code w}, with forgetting factor
 * {@code lambda = 1 - min(rate * w, 1/2)}: {@code P <- P / lambda}, {@code g = P x / (1/w + x^T P x)},
 * {@code theta += g (y - theta^T x)}, {@code P <- P - g x^T P}. {@code P} starts at {@link #P0} times the
 * identity (a weak prior towards zero weights); its trace is capped so that a direction without
 * variance (a constant coordinate) cannot wind it up to overflow under forgetting. A running target
 * mean stands in if the weights ever become non-finite.
 */
final class ProjectionRegressor implements ProjectionLearner {
    private static final String[] NAMES = {"rlsCovariance", "rlsWeights", "targetMean"};
    static final double P0 = 100.0;
    private static final double MAX_TRACE = 1e8;

    private final int k;
    private final int n;
    private final double[] theta;
    private final double[] p;
    private final double[] targetMean = new double[1];
    private double targetCount;

    private final double[] x;
    private final double[] px;
    private final double[] tmp;

    ProjectionRegressor(int k) {
        this.k = k;
        this.n = k + 1;
        this.theta = new double[n];
        this.p = new double[n * n];
        for (int i = 0; i < n; i++) {
            p[i * n + i] = P0;
        }
        this.x = new double[n];
        this.px = new double[n];
        this.tmp = new double[n * n];
    }

    @Override
    public void learn(Batch batch, double[] projections, int stride, double rate) {
        if (!batch.hasLabels()) {
            return;
        }
        for (int r = 0; r < batch.rows(); r++) {
            double w = batch.weight(r);
            if (w <= 0) {
                continue;
            }
            double y = batch.target(r);
            double ew = Math.min(1.0, rate * w);
            targetCount += w;
            targetMean[0] += Math.max(ew, w / targetCount) * (y - targetMean[0]);
            System.arraycopy(projections, r * stride, x, 0, k);
            x[k] = 1.0;
            double inverseLambda = 1.0 / (1.0 - Math.min(ew, 0.5));
            double denominator = 1.0 / w;
            double trace = 0;
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += p[i * n + j] * x[j];
                }
                px[i] = s * inverseLambda;
                denominator += x[i] * px[i];
            }
            double error = y - Dense.dot(theta, 0, x, 0, n);
            for (int i = 0; i < n; i++) {
                double gi = px[i] / denominator;
                theta[i] += gi * error;
                for (int j = 0; j < n; j++) {
                    // P/lambda - g (P x / lambda)^T, kept symmetric by construction of px.
                    p[i * n + j] = p[i * n + j] * inverseLambda - gi * px[j];
                }
                trace += p[i * n + i];
            }
            if (trace > MAX_TRACE) {
                double s = MAX_TRACE / trace;
                for (int i = 0; i < p.length; i++) {
                    p[i] *= s;
                }
            }
        }
    }

    @Override
    public Prediction predict(int rows, double[] projections, int stride, double[] eigenvalues) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double v = theta[k] + Dense.dot(theta, 0, projections, r * stride, k);
            out[r] = Double.isFinite(v) ? v : targetMean[0];
        }
        return Prediction.ofValues(out);
    }

    /**
     * {@code theta_p <- T theta_p}, {@code P_pp <- T P_pp T^T + P0 (I - T T^T)}, {@code P_p1 <- T P_p1}: the
     * same predictions for rows inside both subspaces, and prior uncertainty for what the old
     * coordinates did not cover.
     */
    @Override
    public void transport(double[] t, double[] eigenvalues) {
        double[] nt = new double[k];
        double[] cross = new double[k];
        for (int i = 0; i < k; i++) {
            double s = 0;
            double c = 0;
            for (int j = 0; j < k; j++) {
                s += t[i * k + j] * theta[j];
                c += t[i * k + j] * p[j * n + k];
            }
            nt[i] = s;
            cross[i] = c;
        }
        System.arraycopy(nt, 0, theta, 0, k);
        double[] block = new double[k * k];
        for (int i = 0; i < k; i++) {
            System.arraycopy(p, i * n, block, i * k, k);
        }
        ProjectionClassifier.congruence(t, block, 0, tmp, k);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double tt = 0;
                for (int l = 0; l < k; l++) {
                    tt += t[i * k + l] * t[j * k + l];
                }
                p[i * n + j] = block[i * k + j] + P0 * ((i == j ? 1.0 : 0.0) - tt);
            }
            p[i * n + k] = cross[i];
            p[k * n + i] = cross[i];
        }
    }

    @Override
    public String[] names() {
        return NAMES.clone();
    }

    @Override
    public double[][] views() {
        return new double[][] {p, theta, targetMean};
    }

    @Override
    public void merge(Map<String, double[]> merged) {
        System.arraycopy(merged.get("rlsCovariance"), 0, p, 0, p.length);
        // an average of positive-definite matrices is positive definite; rounding may break symmetry
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double v = 0.5 * (p[i * n + j] + p[j * n + i]);
                p[i * n + j] = v;
                p[j * n + i] = v;
            }
        }
        System.arraycopy(merged.get("rlsWeights"), 0, theta, 0, n);
        targetMean[0] = merged.get("targetMean")[0];
    }

    @Override
    public void save(StateWriter out) throws IOException {
        out.writeDoubles(theta);
        out.writeDoubles(p);
        out.writeDouble(targetMean[0]);
        out.writeDouble(targetCount);
    }

    @Override
    public void restore(StateReader in) throws IOException {
        double[] t = in.readDoubles(n, "regression weights (components + 1)");
        double[] q = in.readDoubles(n * n, "RLS covariance ((components + 1)^2)");
        double m = in.readDouble();
        double c = in.readDouble();
        System.arraycopy(t, 0, theta, 0, n);
        System.arraycopy(q, 0, p, 0, q.length);
        targetMean[0] = m;
        targetCount = c;
    }

    /** For tests: the current weights. */
    double[] weights() {
        return Arrays.copyOf(theta, n);
    }
}
