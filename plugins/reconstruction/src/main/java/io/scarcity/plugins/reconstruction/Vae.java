package io.scarcity.plugins.reconstruction;

import java.nio.DoubleBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A variational autoencoder with a small head on its latent means, trained a whole mini-batch at a time.
 * One algorithm kept in one class on purpose: the forward pass, the backward pass and the optimiser
 * share the per-batch native buffers and the exact order of the arithmetic (checkpoints continue bit for
 * bit), and read best side by side.
 *
 * <p><b>Network.</b> Encoder {@code h1 = tanh(x W1 + b1)}, {@code [mu | s] = h1 W2 + b2} with
 * {@code s = log sigma^2} clamped to [-{@value #MAX_LOG_VARIANCE}, {@value #MAX_LOG_VARIANCE}];
 * reparameterised latent {@code z = mu + sigma * eps}, {@code eps ~ N(0, I)}; decoder
 * {@code g = tanh(z W3 + b3)}, {@code xhat = g W4 + b4}. Head on the latent means: {@code mu Wh + bh},
 * softmax for classification, the value itself for regression.
 *
 * <p><b>Loss</b> per row {@code r} of weight {@code w_r}, averaged with weights {@code w_r / sum w}:
 * {@code 0.5 |x - xhat|^2 + beta * KL(N(mu, sigma^2) || N(0, I))}, i.e. the negative ELBO with a
 * unit-variance Gaussian likelihood on the (standardised) features, where
 * {@code KL = 0.5 sum (mu^2 + sigma^2 - log sigma^2 - 1)}; plus, on labelled batches,
 * {@code headWeight} times the head's loss (cross-entropy, or half the squared error of the standardised
 * target) averaged over the rows. One objective: the head's gradient reaches {@code mu} and through it
 * the encoder. With {@code headWeight = 0} the head is trained on its own unscaled loss with {@code mu}
 * as fixed inputs (a stop-gradient), and the code stays unsupervised. The head's parameters take steps
 * {@value #HEAD_RATE_FACTOR} times the learning rate: Adam's steps are about the learning rate in size
 * whatever the gradient, and a softmax on codes of unit scale needs weights of several units, which at
 * the network's rate would take thousands of batches (on digits this factor raised the first pass's
 * prequential accuracy from about 0.4 to 0.6).
 *
 * <p><b>Computation.</b> Every layer is one {@code [rows, in] x [in, out]} product done by ND4J's
 * {@code gemm} (OpenBLAS) on arrays allocated once per batch size: four products forward, seven backward
 * ({@code dW = A^T dY}, {@code dA = dY W^T}). The cheap element-wise maths (biases, tanh, the
 * reparameterisation, the loss's gradient, the head with its handful of outputs, the optimiser) runs
 * on {@code double[]} that are copied to and from the native buffers in bulk; at these sizes ND4J's
 * per-op overhead (tens of microseconds) would cost more than the arithmetic. Weights live in
 * {@code double[]} (the master copy that the optimiser, gossip and checkpoints use) mirrored into ND4J
 * arrays after every change. Everything is in double precision, so checkpoints restore bit for bit.
 *
 * <p>One gradient step per call of {@link #train} (a batch, or a slice of one): the global L2 norm of the whole gradient is clipped to
 * {@code clipNorm}, then Adam (or RMSProp) updates every parameter. Before the clipping each parameter's
 * squared gradient joins its running mean, the diagonal Fisher estimate ({@link Param#fisher}) behind
 * {@code Expert.importance()}. With an elastic-weight-consolidation penalty ({@link #setPenalty}), its
 * gradient {@code strength * importance_i * (theta_i - anchor_i)} is added to each clipped gradient in the
 * optimiser's loop (so the clipping bounds the data's gradient only, and the Fisher estimate stays that of
 * the data's loss).
 *
 * <p>Not thread-safe; one instance belongs to one expert.
 */
final class Vae {
    /** Bound of the encoder's log-variance output; beyond it the gradient of that output is zero. */
    static final double MAX_LOG_VARIANCE = 8.0;
    /** Work buffers are kept for this many distinct batch sizes. */
    private static final int MAX_WORKSPACES = 4;
    private static final double ADAM_BETA1 = 0.9;
    private static final double ADAM_BETA2 = 0.999;
    private static final double RMSPROP_DECAY = 0.9;
    private static final double EPSILON = 1e-8;
    /** Floor of the step of the Fisher estimate's running mean: a memory of about 100 batches. */
    static final double FISHER_RATE = 0.01;
    static final double HEAD_RATE_FACTOR = 10.0;

    private final int features;
    private final int hidden;
    private final int latent;
    private final int outputs;
    private final boolean classification;
    private final double beta;
    private final double headWeight;
    private final double clipNorm;
    private final Options.Optimizer optimizer;

    final Param w1;
    final Param b1;
    final Param w2;
    final Param b2;
    final Param w3;
    final Param b3;
    final Param w4;
    final Param b4;
    final Param headW;
    final Param headB;
    /** Every parameter, in a fixed order (gossip, checkpoints, the optimiser). */
    final List<Param> params;
    /** Optimiser steps taken (Adam's {@code t}). */
    private long steps;

    private final Map<Integer, Work> works = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Work> eldest) {
            return size() > MAX_WORKSPACES;
        }
    };

    // What the last training step saw (diagnostics and tests).
    private double lastReconstruction = Double.NaN;
    private double lastKl = Double.NaN;
    private double lastHeadLoss = Double.NaN;
    private double lastGradientNorm = Double.NaN;

    /**
     * @param outputs the head's outputs: the number of classes, or 1 for regression
     * @param init the generator of the initial weights (Glorot-uniform matrices, zero biases and head)
     */
    Vae(int features, Options options, boolean classification, int outputs, Random init) {
        Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(init, "init is null");
        if (features < 1 || outputs < 1) {
            throw new IllegalArgumentException("features and outputs must be >= 1");
        }
        this.features = features;
        this.hidden = options.hidden();
        this.latent = options.latent();
        this.outputs = outputs;
        this.classification = classification;
        this.beta = options.beta();
        this.headWeight = options.headWeight();
        this.clipNorm = options.clipNorm();
        this.optimizer = options.optimizer();
        w1 = new Param("encoder.w1", features, hidden, true);
        b1 = new Param("encoder.b1", 1, hidden, false);
        w2 = new Param("encoder.w2", hidden, 2 * latent, true);
        b2 = new Param("encoder.b2", 1, 2 * latent, false);
        w3 = new Param("decoder.w3", latent, hidden, true);
        b3 = new Param("decoder.b3", 1, hidden, false);
        w4 = new Param("decoder.w4", hidden, features, true);
        b4 = new Param("decoder.b4", 1, features, false);
        headW = new Param("head.w", latent, outputs, false);
        headB = new Param("head.b", 1, outputs, false);
        params = List.of(w1, b1, w2, b2, w3, b3, w4, b4, headW, headB);
        glorot(w1, init);
        glorot(w2, init);
        // Start with sigma near 1 whatever the inputs: the log-variance columns get a tenth of the scale.
        for (int i = 0; i < hidden; i++) {
            for (int j = latent; j < 2 * latent; j++) {
                w2.value[i * 2 * latent + j] *= 0.1;
            }
        }
        glorot(w3, init);
        glorot(w4, init);
        syncAll();
    }

    private static void glorot(Param p, Random random) {
        double s = Math.sqrt(6.0 / (p.rows + p.cols));
        for (int i = 0; i < p.value.length; i++) {
            p.value[i] = s * (2 * random.nextDouble() - 1);
        }
    }

    int latent() {
        return latent;
    }

    int features() {
        return features;
    }

    long steps() {
        return steps;
    }

    void setSteps(long steps) {
        this.steps = steps;
    }

    /** Copies every parameter's master values into its ND4J mirror (after a merge or a restore). */
    void syncAll() {
        for (Param p : params) {
            p.sync();
        }
    }

    double lastReconstruction() {
        return lastReconstruction;
    }

    double lastKl() {
        return lastKl;
    }

    double lastHeadLoss() {
        return lastHeadLoss;
    }

    double lastGradientNorm() {
        return lastGradientNorm;
    }

    // ------------------------------------------------------------------------------------ training

    /**
     * One optimiser step on a batch: forward with {@code eps} drawn from {@code random}, backward, clip,
     * update.
     *
     * @param x standardised features, {@code rows x features}, row-major
     * @param weights per-row weights, or {@code null} for all 1
     * @param labels class per row, or {@code null} (the head does not learn)
     * @param targets standardised target per row, or {@code null}
     * @param errors receives each row's reconstruction error (mean squared error per feature, with the
     *        sampled code), length {@code rows}; may be {@code null}
     * @return the batch's loss before the step (weighted mean ELBO term plus the head's loss)
     */
    double train(double[] x, int rows, double[] weights, int[] labels, double[] targets, Random random,
                 double learningRate, double[] errors) {
        Work w = work(rows);
        for (int i = 0; i < rows * latent; i++) {
            w.eps[i] = random.nextGaussian();
        }
        double loss = gradients(x, rows, weights, labels, targets, w.eps, errors);
        if (Double.isNaN(loss)) {
            return loss; // nothing to learn from (all weights zero)
        }
        double norm = 0;
        for (Param p : params) {
            for (double g : p.grad) {
                norm += g * g;
            }
        }
        norm = Math.sqrt(norm);
        lastGradientNorm = norm;
        if (!Double.isFinite(norm)) {
            return loss; // a poisoned gradient must not reach the weights
        }
        double scale = norm > clipNorm ? clipNorm / norm : 1.0;
        steps++;
        boolean labelled = labels != null || targets != null;
        for (Param p : params) {
            if (!labelled && (p == headW || p == headB)) {
                continue; // no gradient, and the optimiser's momentum must not move the head either
            }
            accumulateFisher(p);
            update(p, scale, p == headW || p == headB ? HEAD_RATE_FACTOR * learningRate : learningRate);
            p.sync();
        }
        return loss;
    }

    /**
     * Adds the batch's squared gradient to the running mean: plain for the first {@code 1 / }{@value #FISHER_RATE}
     * batches, then exponentially weighted, so that the estimate follows what the network currently knows.
     */
    private static void accumulateFisher(Param p) {
        p.fisherCount++;
        double a = Math.max(1.0 / p.fisherCount, FISHER_RATE);
        double[] f = p.fisher;
        double[] g = p.grad;
        for (int i = 0; i < f.length; i++) {
            f[i] += a * (g[i] * g[i] - f[i]);
        }
    }

    private void update(Param p, double scale, double rate) {
        double[] v = p.value;
        double[] g = p.grad;
        double[] m1 = p.m;
        double[] m2 = p.v;
        if (p.pull != null) {
            updatePenalised(p, scale, rate);
            return;
        }
        if (optimizer == Options.Optimizer.ADAM) {
            double c1 = 1 - Math.pow(ADAM_BETA1, steps);
            double c2 = 1 - Math.pow(ADAM_BETA2, steps);
            double step = rate * Math.sqrt(c2) / c1;
            double eps = EPSILON * Math.sqrt(c2);
            for (int i = 0; i < v.length; i++) {
                double gi = g[i] * scale;
                m1[i] = ADAM_BETA1 * m1[i] + (1 - ADAM_BETA1) * gi;
                m2[i] = ADAM_BETA2 * m2[i] + (1 - ADAM_BETA2) * gi * gi;
                v[i] -= step * m1[i] / (Math.sqrt(m2[i]) + eps);
            }
        } else {
            for (int i = 0; i < v.length; i++) {
                double gi = g[i] * scale;
                m2[i] = RMSPROP_DECAY * m2[i] + (1 - RMSPROP_DECAY) * gi * gi;
                v[i] -= rate * gi / (Math.sqrt(m2[i]) + EPSILON);
            }
        }
    }

    /**
     * {@link #update} with the elastic-weight-consolidation penalty's gradient
     * {@code pull_i (theta_i - anchor_i)} ({@code pull = strength * importance}) added to the clipped
     * gradient, in the same loop (the penalty is not clipped, and the Fisher estimate does not see it).
     */
    private void updatePenalised(Param p, double scale, double rate) {
        double[] v = p.value;
        double[] g = p.grad;
        double[] m1 = p.m;
        double[] m2 = p.v;
        double[] k = p.pull;
        double[] a = p.anchor;
        if (optimizer == Options.Optimizer.ADAM) {
            double c1 = 1 - Math.pow(ADAM_BETA1, steps);
            double c2 = 1 - Math.pow(ADAM_BETA2, steps);
            double step = rate * Math.sqrt(c2) / c1;
            double eps = EPSILON * Math.sqrt(c2);
            for (int i = 0; i < v.length; i++) {
                double gi = g[i] * scale + k[i] * (v[i] - a[i]);
                m1[i] = ADAM_BETA1 * m1[i] + (1 - ADAM_BETA1) * gi;
                m2[i] = ADAM_BETA2 * m2[i] + (1 - ADAM_BETA2) * gi * gi;
                v[i] -= step * m1[i] / (Math.sqrt(m2[i]) + eps);
            }
        } else {
            for (int i = 0; i < v.length; i++) {
                double gi = g[i] * scale + k[i] * (v[i] - a[i]);
                m2[i] = RMSPROP_DECAY * m2[i] + (1 - RMSPROP_DECAY) * gi * gi;
                v[i] -= rate * gi / (Math.sqrt(m2[i]) + EPSILON);
            }
        }
    }

    /**
     * Sets the elastic-weight-consolidation penalty {@code strength / 2 * sum_i importance_i (theta_i - anchor_i)^2}
     * on every parameter (arrays in the order of {@link #params}, already checked: finite, importances
     * {@code >= 0}, lengths of the parameters), or removes it ({@code anchors == null}). The arrays are
     * kept, not copied. A parameter whose importances are all 0 takes no penalty work at all.
     */
    void setPenalty(double strength, double[][] anchors, double[][] importances) {
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            if (anchors == null) {
                p.anchor = null;
                p.importance = null;
                p.pull = null;
                continue;
            }
            p.anchor = anchors[i];
            p.importance = importances[i];
            double[] pull = new double[p.value.length];
            boolean any = false;
            for (int j = 0; j < pull.length; j++) {
                pull[j] = strength * importances[i][j];
                any |= pull[j] != 0;
            }
            p.pull = any ? pull : null;
        }
    }

    /**
     * Forward and backward with the given noise: fills every parameter's {@code grad} and returns the loss
     * (NaN, with zero gradients, when the weights sum to zero). Package-private for the gradient check.
     */
    double gradients(double[] x, int rows, double[] weights, int[] labels, double[] targets, double[] eps,
                     double[] errors) {
        Work w = work(rows);
        double total = 0;
        for (int r = 0; r < rows; r++) {
            total += weights == null ? 1.0 : weights[r];
        }
        System.arraycopy(x, 0, w.x.data, 0, rows * features);
        w.x.push();
        encode(w);
        // z = mu + sigma * eps
        int l2 = 2 * latent;
        double[] o = w.o2.data;
        double[] z = w.z.data;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < latent; j++) {
                double s = clamp(o[r * l2 + latent + j]);
                double sigma = Math.exp(0.5 * s);
                w.sigma[r * latent + j] = sigma;
                z[r * latent + j] = o[r * l2 + j] + sigma * eps[r * latent + j];
            }
        }
        w.z.push();
        decode(w);

        // Reconstruction: loss, per-row errors and dL/dxhat.
        double[] xh = w.xh.data;
        double[] dxh = w.dxh.data;
        double rec = 0;
        double kl = 0;
        for (int r = 0; r < rows; r++) {
            double c = total > 0 ? (weights == null ? 1.0 : weights[r]) / total : 0.0;
            double sq = 0;
            int base = r * features;
            for (int j = 0; j < features; j++) {
                double diff = xh[base + j] - x[base + j];
                sq += diff * diff;
                dxh[base + j] = c * diff;
            }
            if (errors != null) {
                errors[r] = sq / features;
            }
            rec += c * 0.5 * sq;
            double k = 0;
            for (int j = 0; j < latent; j++) {
                double mu = o[r * l2 + j];
                double s = clamp(o[r * l2 + latent + j]);
                double sigma = w.sigma[r * latent + j];
                k += mu * mu + sigma * sigma - s - 1;
            }
            kl += c * 0.5 * k;
        }
        lastReconstruction = rec;
        lastKl = kl;
        if (!(total > 0)) {
            for (Param p : params) {
                java.util.Arrays.fill(p.grad, 0.0);
            }
            lastHeadLoss = Double.NaN;
            return Double.NaN;
        }
        w.dxh.push();
        // Decoder, output layer: dW4 = g^T dxhat, db4 = sum dxhat, dg = dxhat W4^T.
        gemm(w.a3.array, w.dxh.array, w4.gradArray, true, false);
        columnSums(dxh, rows, features, b4.grad);
        gemm(w.dxh.array, w4.array, w.dg3.array, false, true);
        w.dg3.pull();
        tanhBackward(w.dg3.data, w.a3.data, rows * hidden);
        w.dg3.push();
        // Decoder, hidden layer: dW3 = z^T da3, db3 = sum da3, dz = da3 W3^T.
        gemm(w.z.array, w.dg3.array, w3.gradArray, true, false);
        columnSums(w.dg3.data, rows, hidden, b3.grad);
        gemm(w.dg3.array, w3.array, w.dz.array, false, true);
        w.dz.pull();

        // Latent: d/dmu and d/ds of the reconstruction (through z) and of the KL term.
        double[] dz = w.dz.data;
        double[] d2 = w.do2.data;
        for (int r = 0; r < rows; r++) {
            double c = (weights == null ? 1.0 : weights[r]) / total;
            for (int j = 0; j < latent; j++) {
                int i = r * latent + j;
                double mu = o[r * l2 + j];
                double raw = o[r * l2 + latent + j];
                double sigma = w.sigma[i];
                d2[r * l2 + j] = dz[i] + c * beta * mu;
                boolean inside = raw > -MAX_LOG_VARIANCE && raw < MAX_LOG_VARIANCE;
                d2[r * l2 + latent + j] = inside ? dz[i] * eps[i] * 0.5 * sigma + c * beta * 0.5 * (sigma * sigma - 1) : 0.0;
            }
        }
        double head = headGradients(w, rows, weights, labels, targets);
        lastHeadLoss = head;
        w.do2.push();
        // Encoder, output layer: dW2 = h1^T do2, db2 = sum do2, dh1 = do2 W2^T.
        gemm(w.a1.array, w.do2.array, w2.gradArray, true, false);
        columnSums(d2, rows, l2, b2.grad);
        gemm(w.do2.array, w2.array, w.dh1.array, false, true);
        w.dh1.pull();
        tanhBackward(w.dh1.data, w.a1.data, rows * hidden);
        w.dh1.push();
        // Encoder, hidden layer: dW1 = x^T da1, db1 = sum da1.
        gemm(w.x.array, w.dh1.array, w1.gradArray, true, false);
        columnSums(w.dh1.data, rows, hidden, b1.grad);
        w1.pullGrad();
        w2.pullGrad();
        w3.pullGrad();
        w4.pullGrad();
        return rec + beta * kl + (Double.isNaN(head) ? 0.0 : (headWeight > 0 ? headWeight : 1.0) * head);
    }

    /**
     * The head's loss on the labelled rows (NaN without labels) and its gradients, scaled by
     * {@code headWeight}: into {@code headW}/{@code headB} and into the latent means' gradient in
     * {@code w.do2}. With {@code headWeight = 0} the head's own gradients are those of its unscaled loss and
     * nothing reaches the latent means (the head learns on them as fixed inputs).
     */
    private double headGradients(Work w, int rows, double[] weights, int[] labels, double[] targets) {
        java.util.Arrays.fill(headW.grad, 0.0);
        java.util.Arrays.fill(headB.grad, 0.0);
        if (labels == null && targets == null) {
            return Double.NaN;
        }
        double[] o = w.o2.data;
        int l2 = 2 * latent;
        head(o, l2, rows, w.logits);
        double total = 0;
        for (int r = 0; r < rows; r++) {
            total += weights == null ? 1.0 : weights[r];
        }
        double scale = headWeight > 0 ? headWeight : 1.0;
        double loss = 0;
        double[] dlogit = w.dlogits;
        for (int r = 0; r < rows; r++) {
            double c = (weights == null ? 1.0 : weights[r]) / total;
            int base = r * outputs;
            if (classification) {
                softmaxRow(w.logits, base, outputs);
                int y = labels[r];
                loss -= c * Math.log(Math.max(w.logits[base + y], 1e-300));
                for (int k = 0; k < outputs; k++) {
                    dlogit[base + k] = scale * c * (w.logits[base + k] - (k == y ? 1.0 : 0.0));
                }
            } else {
                double diff = w.logits[base] - targets[r];
                loss += c * 0.5 * diff * diff;
                dlogit[base] = scale * c * diff;
            }
        }
        double[] hw = headW.value;
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < outputs; k++) {
                double g = dlogit[r * outputs + k];
                if (g == 0) {
                    continue;
                }
                headB.grad[k] += g;
                for (int j = 0; j < latent; j++) {
                    headW.grad[j * outputs + k] += o[r * l2 + j] * g;
                }
            }
            if (headWeight > 0) {
                for (int j = 0; j < latent; j++) {
                    double s = 0;
                    for (int k = 0; k < outputs; k++) {
                        s += hw[j * outputs + k] * dlogit[r * outputs + k];
                    }
                    w.do2.data[r * l2 + j] += s;
                }
            }
        }
        return loss;
    }

    // ------------------------------------------------------------------------------------ inference

    /** The latent means of standardised rows, {@code rows x latent}, row-major (a fresh array). */
    double[] encodeMeans(double[] x, int rows) {
        Work w = work(rows);
        System.arraycopy(x, 0, w.x.data, 0, rows * features);
        w.x.push();
        encode(w);
        double[] mu = new double[rows * latent];
        int l2 = 2 * latent;
        for (int r = 0; r < rows; r++) {
            System.arraycopy(w.o2.data, r * l2, mu, r * latent, latent);
        }
        return mu;
    }

    /** The decoder's output (standardised features) for latent codes, {@code rows x features} (a fresh array). */
    double[] decode(double[] codes, int rows) {
        Work w = work(rows);
        System.arraycopy(codes, 0, w.z.data, 0, rows * latent);
        w.z.push();
        decode(w);
        return java.util.Arrays.copyOf(w.xh.data, rows * features);
    }

    /**
     * The head's output for standardised rows: class probabilities ({@code rows x classes}) or
     * standardised regression values ({@code rows}), a fresh array.
     */
    double[] predict(double[] x, int rows) {
        Work w = work(rows);
        System.arraycopy(x, 0, w.x.data, 0, rows * features);
        w.x.push();
        encode(w);
        double[] out = new double[rows * outputs];
        head(w.o2.data, 2 * latent, rows, out);
        if (classification) {
            for (int r = 0; r < rows; r++) {
                softmaxRow(out, r * outputs, outputs);
            }
        }
        return out;
    }

    /** Head logits (or values) from the latent means held in the first {@code latent} columns of {@code o}. */
    private void head(double[] o, int stride, int rows, double[] out) {
        double[] hw = headW.value;
        double[] hb = headB.value;
        for (int r = 0; r < rows; r++) {
            int base = r * outputs;
            System.arraycopy(hb, 0, out, base, outputs);
            for (int j = 0; j < latent; j++) {
                double mu = o[r * stride + j];
                int wo = j * outputs;
                for (int k = 0; k < outputs; k++) {
                    out[base + k] += mu * hw[wo + k];
                }
            }
        }
    }

    /** x (pushed) -> h1 (in a1, pushed) -> [mu | s] (in o2, pulled, biases added; s not yet clamped). */
    private void encode(Work w) {
        gemm(w.x.array, w1.array, w.a1.array, false, false);
        w.a1.pull();
        tanhForward(w.a1.data, b1.value, w.rows, hidden);
        w.a1.push();
        gemm(w.a1.array, w2.array, w.o2.array, false, false);
        w.o2.pull();
        addBias(w.o2.data, b2.value, w.rows, 2 * latent);
    }

    /** z (pushed) -> g (in a3, pushed) -> xhat (in xh, pulled, biases added). */
    private void decode(Work w) {
        gemm(w.z.array, w3.array, w.a3.array, false, false);
        w.a3.pull();
        tanhForward(w.a3.data, b3.value, w.rows, hidden);
        w.a3.push();
        gemm(w.a3.array, w4.array, w.xh.array, false, false);
        w.xh.pull();
        addBias(w.xh.data, b4.value, w.rows, features);
    }

    // ------------------------------------------------------------------------------------ helpers

    private static double clamp(double s) {
        return Math.max(-MAX_LOG_VARIANCE, Math.min(MAX_LOG_VARIANCE, s));
    }

    /** {@code c = op(a) op(b)}, written into {@code c}. */
    private static void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB) {
        Nd4j.gemm(a, b, c, transposeA, transposeB, 1.0, 0.0);
    }

    private static void addBias(double[] m, double[] bias, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int j = 0; j < cols; j++) {
                m[base + j] += bias[j];
            }
        }
    }

    private static void tanhForward(double[] m, double[] bias, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int j = 0; j < cols; j++) {
                m[base + j] = Math.tanh(m[base + j] + bias[j]);
            }
        }
    }

    /** {@code grad *= 1 - out^2}, in place. */
    private static void tanhBackward(double[] grad, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            grad[i] *= 1 - out[i] * out[i];
        }
    }

    private static void columnSums(double[] m, int rows, int cols, double[] sums) {
        java.util.Arrays.fill(sums, 0.0);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int j = 0; j < cols; j++) {
                sums[j] += m[base + j];
            }
        }
    }

    private static void softmaxRow(double[] v, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            max = Math.max(max, v[from + k]);
        }
        double sum = 0;
        for (int k = 0; k < n; k++) {
            double e = Math.exp(v[from + k] - max);
            v[from + k] = e;
            sum += e;
        }
        for (int k = 0; k < n; k++) {
            v[from + k] /= sum;
        }
    }

    private Work work(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("a batch needs at least one row");
        }
        return works.computeIfAbsent(rows, Work::new);
    }

    /** One learnable array: master values, gradient, optimiser moments and, for matrices, ND4J mirrors. */
    static final class Param {
        final String name;
        final int rows;
        final int cols;
        final double[] value;
        final double[] grad;
        /** Adam's first moment (unused by RMSProp). */
        final double[] m;
        /** Adam's or RMSProp's second moment. */
        final double[] v;
        /** Running mean of the squared (unclipped) per-step gradient: the diagonal Fisher estimate. */
        final double[] fisher;
        /** Batches {@link #fisher} averages (the head's counts only labelled ones). */
        long fisherCount;
        /** The EWC penalty's anchor and importances ({@code null} without a penalty). */
        double[] anchor;
        double[] importance;
        /** {@code strength * importance}, or {@code null} when no penalty acts on this parameter. */
        double[] pull;
        final INDArray array;
        private final DoubleBuffer view;
        final INDArray gradArray;
        private final DoubleBuffer gradView;

        Param(String name, int rows, int cols, boolean nd4j) {
            this.name = name;
            this.rows = rows;
            this.cols = cols;
            int n = rows * cols;
            value = new double[n];
            grad = new double[n];
            m = new double[n];
            v = new double[n];
            fisher = new double[n];
            if (nd4j) {
                array = Nd4j.create(DataType.DOUBLE, rows, cols);
                view = array.data().asNioDouble();
                gradArray = Nd4j.create(DataType.DOUBLE, rows, cols);
                gradView = gradArray.data().asNioDouble();
            } else {
                array = null;
                view = null;
                gradArray = null;
                gradView = null;
            }
        }

        void sync() {
            if (view != null) {
                view.put(0, value);
            }
        }

        void pullGrad() {
            gradView.get(0, grad);
        }
    }

    /** A matrix in ND4J with a Java copy: {@link #push} and {@link #pull} copy in bulk. */
    private static final class Mat {
        final INDArray array;
        final double[] data;
        private final DoubleBuffer view;

        Mat(int rows, int cols) {
            array = Nd4j.create(DataType.DOUBLE, rows, cols);
            view = array.data().asNioDouble();
            data = new double[rows * cols];
        }

        void push() {
            view.put(0, data);
        }

        void pull() {
            view.get(0, data);
        }
    }

    /** The buffers of one batch size. */
    private final class Work {
        final int rows;
        final Mat x;
        /** Encoder hidden layer: pre-activation, then tanh output. */
        final Mat a1;
        /** Encoder output {@code [mu | log sigma^2]}. */
        final Mat o2;
        final Mat z;
        /** Decoder hidden layer: pre-activation, then tanh output. */
        final Mat a3;
        final Mat xh;
        final Mat dxh;
        /** d/dg, then d/d(pre-activation) of the decoder's hidden layer. */
        final Mat dg3;
        final Mat dz;
        final Mat do2;
        /** d/dh1, then d/d(pre-activation) of the encoder's hidden layer. */
        final Mat dh1;
        final double[] eps;
        final double[] sigma;
        final double[] logits;
        final double[] dlogits;

        Work(int rows) {
            this.rows = rows;
            x = new Mat(rows, features);
            a1 = new Mat(rows, hidden);
            o2 = new Mat(rows, 2 * latent);
            z = new Mat(rows, latent);
            a3 = new Mat(rows, hidden);
            xh = new Mat(rows, features);
            dxh = new Mat(rows, features);
            dg3 = new Mat(rows, hidden);
            dz = new Mat(rows, latent);
            do2 = new Mat(rows, 2 * latent);
            dh1 = new Mat(rows, hidden);
            eps = new double[rows * latent];
            sigma = new double[rows * latent];
            logits = new double[rows * outputs];
            dlogits = new double[rows * outputs];
        }
    }
}
