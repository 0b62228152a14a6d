package io.scarcity.plugins.causal;

import io.scarcity.api.Batch;
import io.scarcity.api.Prediction;

/**
 * The predictor on the target's Markov blanket, fitted in closed form from the running covariance (no
 * pass over rows): both models are linear in the centred blanket features {@code x_B - m_B}.
 *
 * <p><b>Regression</b>: ridge least squares, {@code beta = (C_BB + ridge diag(C_BB))^-1 C_Bt},
 * prediction {@code m_t + beta . (x_B - m_B)}.
 *
 * <p><b>Classification</b>: linear discriminant analysis (Gaussian classes with a shared covariance).
 * The covariance holds the indicators {@code I_k} of classes {@code 1..K-1} (class 0 is the reference), so
 * every class statistic follows from it: {@code pi_k = E[I_k]}, the class mean's offset
 * {@code d_k = mu_k - m = C_(B,I_k) / pi_k} (because {@code Cov(x, I_k) = pi_k (mu_k - m)}),
 * {@code d_0 = -sum_k C_(B,I_k) / pi_0}, and the within-class covariance
 * {@code S_W = C_BB - sum_k pi_k d_k d_k^T} (total minus between). Score
 * {@code (x - m)^T S_W^-1 d_k - d_k^T S_W^-1 d_k / 2 + log pi~_k}, with {@code S_W} ridged like the
 * regression's and {@code pi~_k = (W pi_k + 1) / (W + K)} (one pseudo-row per class, so an unseen class
 * keeps a small probability); softmax.
 *
 * <p>With an empty blanket both reduce to the prior: the target's mean, the class frequencies.
 */
final class BlanketModel {
    private final int features;
    private final int targetColumn;
    private final int classes;
    private final double ridge;

    private int[] blanket = new int[0];
    private final double[] centre;
    /** Regression: one coefficient per blanket feature. Classification: {@code classes x |B|}. */
    private double[] coefficients = new double[0];
    /** Regression: the target's mean. Classification: one offset per class. */
    private double[] offsets;

    /**
     * @param features number of features (columns {@code 0..features-1})
     * @param classes 0 for regression (the target is column {@code features}), else {@code K >= 2} (the
     *        indicators of classes {@code 1..K-1} are columns {@code features..features+K-2})
     */
    BlanketModel(int features, int classes, double ridge) {
        this.features = features;
        this.targetColumn = features;
        this.classes = classes;
        this.ridge = ridge;
        this.centre = new double[features];
        this.offsets = new double[Math.max(1, classes)];
        if (classes > 0) {
            java.util.Arrays.fill(offsets, -Math.log(classes));
        }
    }

    int[] blanket() {
        return blanket.clone();
    }

    /** Refits on the blanket from the covariance's current state. */
    void fit(RunningCovariance cov, int[] blanketFeatures) {
        this.blanket = blanketFeatures.clone();
        int b = blanket.length;
        for (int j = 0; j < features; j++) {
            centre[j] = cov.mean(j);
        }
        if (classes == 0) {
            fitRegression(cov, b);
        } else {
            fitDiscriminant(cov, b);
        }
    }

    private void fitRegression(RunningCovariance cov, int b) {
        double[] a = ridged(cov, b, null);
        double[] beta = new double[b];
        for (int x = 0; x < b; x++) {
            beta[x] = cov.covariance(blanket[x], targetColumn);
        }
        solve(a, b, beta);
        coefficients = beta;
        offsets = new double[] {cov.mean(targetColumn)};
    }

    private void fitDiscriminant(RunningCovariance cov, int b) {
        int k = classes;
        double w = cov.weight();
        double[] pi = new double[k];
        double rest = 1.0;
        for (int c = 1; c < k; c++) {
            pi[c] = Math.max(0.0, Math.min(1.0, cov.mean(targetColumn + c - 1)));
            rest -= pi[c];
        }
        pi[0] = Math.max(0.0, rest);
        double[][] offset = new double[k][b];
        for (int c = 1; c < k; c++) {
            for (int x = 0; x < b; x++) {
                double cross = cov.covariance(blanket[x], targetColumn + c - 1);
                offset[0][x] -= cross;
                offset[c][x] = pi[c] > 1e-9 ? cross / pi[c] : 0.0;
            }
        }
        for (int x = 0; x < b; x++) {
            offset[0][x] = pi[0] > 1e-9 ? offset[0][x] / pi[0] : 0.0;
        }
        double[] between = new double[b * b];
        for (int c = 0; c < k; c++) {
            for (int x = 0; x < b; x++) {
                for (int y = 0; y < b; y++) {
                    between[x * b + y] += pi[c] * offset[c][x] * offset[c][y];
                }
            }
        }
        double[] a = ridged(cov, b, between);
        coefficients = new double[k * b];
        offsets = new double[k];
        for (int c = 0; c < k; c++) {
            double[] v = offset[c].clone();
            solve(a, b, v);
            double quad = 0;
            for (int x = 0; x < b; x++) {
                coefficients[c * b + x] = v[x];
                quad += v[x] * offset[c][x];
            }
            double prior = (w * pi[c] + 1.0) / (w + k);
            offsets[c] = -0.5 * quad + Math.log(prior);
        }
    }

    /**
     * The lower Cholesky factor of {@code C_BB - minus + ridge diag(C_BB)}; the diagonal gets a growing
     * jitter if it is not positive definite (a constant feature, an exact collinearity).
     */
    private double[] ridged(RunningCovariance cov, int b, double[] minus) {
        double[] m = new double[b * b];
        double jitter = 0;
        for (int attempt = 0; ; attempt++) {
            for (int x = 0; x < b; x++) {
                for (int y = 0; y <= x; y++) {
                    double v = cov.covariance(blanket[x], blanket[y]) - (minus == null ? 0.0 : minus[x * b + y]);
                    if (x == y) {
                        double var = cov.covariance(blanket[x], blanket[x]);
                        v += ridge * var + jitter * (1 + var);
                    }
                    m[x * b + y] = v;
                }
            }
            if (IndependenceTest.cholesky(m, b) || attempt > 30) {
                return m;
            }
            jitter = jitter == 0 ? 1e-12 : jitter * 10;
        }
    }

    /** Solves {@code (L L^T) v = rhs} in place. */
    private static void solve(double[] l, int b, double[] v) {
        IndependenceTest.forward(l, b, v);
        for (int x = b - 1; x >= 0; x--) {
            double s = v[x];
            for (int y = x + 1; y < b; y++) {
                s -= l[y * b + x] * v[y];
            }
            v[x] = s / l[x * b + x];
        }
    }

    Prediction predict(Batch batch) {
        int rows = batch.rows();
        int b = blanket.length;
        if (classes == 0) {
            double[] out = new double[rows];
            for (int r = 0; r < rows; r++) {
                double s = offsets[0];
                for (int x = 0; x < b; x++) {
                    s += coefficients[x] * (batch.value(r, blanket[x]) - centre[blanket[x]]);
                }
                out[r] = Double.isFinite(s) ? s : offsets[0];
            }
            return Prediction.ofValues(out);
        }
        int k = classes;
        double[] p = new double[rows * k];
        double[] score = new double[k];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double s = offsets[c];
                for (int x = 0; x < b; x++) {
                    s += coefficients[c * b + x] * (batch.value(r, blanket[x]) - centre[blanket[x]]);
                }
                score[c] = s;
                max = Math.max(max, s);
            }
            for (int c = 0; c < k; c++) {
                double e = Math.exp(score[c] - max);
                p[r * k + c] = Double.isFinite(e) ? e : 0.0;
            }
        }
        return Prediction.ofProbabilities(rows, k, p);
    }
}
