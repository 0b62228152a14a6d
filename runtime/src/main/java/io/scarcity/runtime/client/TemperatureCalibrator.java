package io.scarcity.runtime.client;

import io.scarcity.api.Prediction;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;

/**
 * Temperature scaling of one expert's class probabilities, fitted online: {@code q_c = p_c^s / sum_j p_j^s}
 * with an inverse temperature {@code s} that minimises the log loss of the expert's own recent
 * predictions. Tempering keeps the expert's ranking of classes (and so its accuracy) and changes only how
 * sure it is: {@code s < 1} softens an overconfident expert, {@code s > 1} sharpens a timid one.
 *
 * <p>The log loss {@code L(s) = sum_r [-s l_ry + log sum_c exp(s l_rc)]} ({@code l = log p}) is convex in
 * {@code s}, with {@code L' = sum_r (E_q[l_r] - l_ry)} and {@code L'' = sum_r Var_q(l_r)}. Each labelled
 * batch makes one Newton step with the curvature accumulated over recent batches
 * ({@code H <- decay H + L''}, {@code s <- s - L' / H}): recursive least squares in one dimension, whose
 * step shrinks as evidence accumulates and recovers after a change (about {@code 1 / (1 - decay)}
 * batches are remembered). A step changes {@code s} by at most a factor {@link #MAX_FACTOR} either way,
 * and {@code s} stays in [{@link #MIN_S}, {@link #MAX_S}]. The gradient is taken on the predictions the
 * expert made before it learned from the batch, so the fit never sees its own training rows.
 *
 * <p>Probabilities are floored at {@link #FLOOR} before the logarithm, so that an expert that gives a
 * class exactly zero probability can still be softened.
 */
final class TemperatureCalibrator implements io.scarcity.api.Checkpointable {
    static final double FLOOR = 1e-300;
    static final double MIN_S = 1e-4;
    static final double MAX_S = 100.0;
    static final double MAX_FACTOR = 4.0;
    static final double DECAY = 0.9;

    private final int classes;
    private double s = 1.0;
    private double curvature;
    private double[] logs = new double[0];

    TemperatureCalibrator(int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("calibration needs >= 2 classes, got " + classes);
        }
        this.classes = classes;
    }

    /** The current inverse temperature. */
    double inverseTemperature() {
        return s;
    }

    /** The tempered probabilities of {@code p} (rows x classes, row-major), into {@code out}. */
    void temper(Prediction p, double[] out) {
        int n = p.rows();
        int k = classes;
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double v = s * Math.log(Math.max(FLOOR, p.probability(r, c)));
                out[r * k + c] = v;
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                double e = Math.exp(out[r * k + c] - max);
                out[r * k + c] = e;
                sum += e;
            }
            for (int c = 0; c < k; c++) {
                out[r * k + c] /= sum;
            }
        }
    }

    /**
     * One Newton step on a labelled batch: {@code p} the expert's untempered prediction of it, {@code q}
     * the tempered one (from {@link #temper} with the current {@code s}), {@code labels} the true classes.
     */
    void update(Prediction p, double[] q, int[] labels) {
        int n = p.rows();
        int k = classes;
        if (logs.length < k) {
            logs = new double[k];
        }
        double gradient = 0;
        double hessian = 0;
        for (int r = 0; r < n; r++) {
            double mean = 0;
            for (int c = 0; c < k; c++) {
                logs[c] = Math.log(Math.max(FLOOR, p.probability(r, c)));
                mean += q[r * k + c] * logs[c];
            }
            double var = 0;
            for (int c = 0; c < k; c++) {
                double d = logs[c] - mean;
                var += q[r * k + c] * d * d;
            }
            gradient += mean - logs[labels[r]];
            hessian += var;
        }
        curvature = DECAY * curvature + hessian;
        if (!(curvature > 0) || !Double.isFinite(gradient) || !Double.isFinite(curvature)) {
            // All classes equally likely under q (or no rows): the loss is flat in s; nothing to learn.
            return;
        }
        double next = s - gradient / curvature;
        next = Math.min(s * MAX_FACTOR, Math.max(s / MAX_FACTOR, next));
        s = Math.min(MAX_S, Math.max(MIN_S, next));
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        out.writeDouble(s);
        out.writeDouble(curvature);
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        double savedS = in.readDouble();
        double savedCurvature = in.readDouble();
        if (!(savedS >= MIN_S && savedS <= MAX_S) || !(savedCurvature >= 0) || Double.isInfinite(savedCurvature)) {
            throw new IOException("corrupt calibration state: inverse temperature " + savedS + ", curvature " + savedCurvature);
        }
        s = savedS;
        curvature = savedCurvature;
    }
}
