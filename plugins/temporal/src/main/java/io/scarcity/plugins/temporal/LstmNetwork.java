package io.scarcity.plugins.temporal;

import java.util.Arrays;
import java.util.Random;

/**
 * A stack of LSTM layers with two linear heads, evaluated on many short sequences at once.
 *
 * <p><b>Shapes.</b> A pass runs {@code B} sequences (one per row of a batch) of {@code T} time steps.
 * Every sequence matrix is time-major, row {@code t * B + b} holding step {@code t} of sequence
 * {@code b}, so that the rows of one step are one contiguous block. Layer {@code l} has input width
 * {@code D_l} (the features for the first layer, {@code hidden} above) and one fused weight matrix
 * {@code W_l} of shape {@code [D_l + H, 4H]} (input rows, then recurrent rows; gate columns in the order
 * input, forget, cell, output) plus a bias of {@code 4H}; the forget bias starts at 1.
 *
 * <p><b>Forward.</b> Per layer, the input part of every gate for all rows and all steps is one product
 * {@code X[T*B, D] W_x} ({@link MatMul}, ND4J for large sizes); then, step by step, the recurrent part
 * {@code h_{t-1}[B, H] W_h} is added for the whole batch and the gates applied. The rows of
 * {@code [x_t | h_{t-1}]} are kept, so that the backward pass gets the whole fused weight gradient as one
 * product {@code [X | H_prev]^T dA}. The heads read the top layer: the <em>output head</em> (class logits
 * or one regression value) at the last step, the <em>forecast head</em> ({@code D_0} values, the next
 * step's standardised input) at every step. The forecast head is residual: it adds a learned change to
 * the step's own input, so that its starting point (zero weights) is the last value, which a smooth
 * series is hard to beat by anything else a small network learns quickly.
 *
 * <p><b>Backward</b> is back-propagation through the {@code T} steps (truncated at the window); the
 * per-step products are plain Java (they are {@code B x H x 4H}, far below ND4J's break-even), the weight
 * gradients and the gradient into the layer below one product each for all steps.
 *
 * <p>All parameters live in one flat array ({@link #parameters()}), their gradients in another of the
 * same layout, so that clipping, the optimiser and gossip treat them as one vector.
 */
final class LstmNetwork {
    private final int inputs;
    private final int hidden;
    private final int layers;
    private final int outputs;
    private final MatMul matMul;

    private final double[] params;
    private final double[] grads;
    private final int[] weightOffset;
    private final int[] biasOffset;
    private final int headWeights;
    private final int headBias;
    private final int forecastWeights;
    private final int forecastBias;

    // workspaces of the last pass, grown as needed
    private int batch;
    private int steps;
    private double[] input = new double[0];              // [T*B, D_0], standardised
    private final double[][] xh;                         // per layer [T*B, D_l + H]
    private final double[][] gates;                      // per layer [T*B, 4H], activated
    private final double[][] cell;                       // per layer [T*B, H]
    private final double[][] cellTanh;                   // per layer [T*B, H]
    private final double[][] out;                        // per layer [T*B, H]
    private double[] logits = new double[0];             // [B, K]
    private double[] forecast = new double[0];           // [T*B, D_0]
    // backward workspaces
    private double[] dGates = new double[0];             // [T*B, 4H]
    private double[] dOut = new double[0];               // [T*B, H], gradient arriving at a layer's outputs
    private double[] dBelow = new double[0];             // [T*B, H], gradient for the layer below
    private double[] dForecast = new double[0];          // [T*B, D_0]
    private double[] dh = new double[0];                 // [B, H]
    private double[] dc = new double[0];                 // [B, H]
    private final double[] recurrentT;                   // [4H, H], W_h transposed

    /**
     * @param inputs features per step, >= 1
     * @param outputs width of the output head (classes, or 1 for a regression value), >= 1
     * @param init the generator of the initial weights
     */
    LstmNetwork(int inputs, int hidden, int layers, int outputs, MatMul matMul, Random init) {
        this.inputs = inputs;
        this.hidden = hidden;
        this.layers = layers;
        this.outputs = outputs;
        this.matMul = matMul;
        this.weightOffset = new int[layers];
        this.biasOffset = new int[layers];
        int offset = 0;
        for (int l = 0; l < layers; l++) {
            weightOffset[l] = offset;
            offset += (width(l) + hidden) * 4 * hidden;
            biasOffset[l] = offset;
            offset += 4 * hidden;
        }
        headWeights = offset;
        offset += hidden * outputs;
        headBias = offset;
        offset += outputs;
        forecastWeights = offset;
        offset += hidden * inputs;
        forecastBias = offset;
        offset += inputs;
        params = new double[offset];
        grads = new double[offset];
        recurrentT = new double[4 * hidden * hidden];
        xh = new double[layers][0];
        gates = new double[layers][0];
        cell = new double[layers][0];
        cellTanh = new double[layers][0];
        out = new double[layers][0];
        initialise(init);
    }

    /** Glorot-uniform weights, zero biases except the forget gates' (1: remember by default). */
    private void initialise(Random random) {
        int g = 4 * hidden;
        for (int l = 0; l < layers; l++) {
            int rows = width(l) + hidden;
            double limit = Math.sqrt(6.0 / (rows + g));
            for (int i = 0; i < rows * g; i++) {
                params[weightOffset[l] + i] = limit * (2 * random.nextDouble() - 1);
            }
            for (int j = 0; j < hidden; j++) {
                params[biasOffset[l] + hidden + j] = 1.0;
            }
        }
        double head = Math.sqrt(6.0 / (hidden + outputs));
        for (int i = 0; i < hidden * outputs; i++) {
            params[headWeights + i] = head * (2 * random.nextDouble() - 1);
        }
        double fc = Math.sqrt(6.0 / (hidden + inputs));
        for (int i = 0; i < hidden * inputs; i++) {
            params[forecastWeights + i] = fc * (2 * random.nextDouble() - 1);
        }
    }

    private int width(int layer) {
        return layer == 0 ? inputs : hidden;
    }

    int inputs() {
        return inputs;
    }

    int hidden() {
        return hidden;
    }

    int layers() {
        return layers;
    }

    int outputs() {
        return outputs;
    }

    /** Every parameter, in the flat layout; live (not a copy). */
    double[] parameters() {
        return params;
    }

    /** The gradient of the last {@link #backward}, in the layout of {@link #parameters()}; live. */
    double[] gradients() {
        return grads;
    }

    /** Named slices of the parameter vector: {@code {name, offset, length}} per slice, in layout order. */
    String[] sliceNames() {
        String[] names = new String[2 * layers + 4];
        for (int l = 0; l < layers; l++) {
            names[2 * l] = "lstm" + l + ".weights";
            names[2 * l + 1] = "lstm" + l + ".bias";
        }
        names[2 * layers] = "head.weights";
        names[2 * layers + 1] = "head.bias";
        names[2 * layers + 2] = "forecast.weights";
        names[2 * layers + 3] = "forecast.bias";
        return names;
    }

    /** Offsets of the slices named by {@link #sliceNames()}, plus the total length at the end. */
    int[] sliceOffsets() {
        int[] offsets = new int[2 * layers + 5];
        for (int l = 0; l < layers; l++) {
            offsets[2 * l] = weightOffset[l];
            offsets[2 * l + 1] = biasOffset[l];
        }
        offsets[2 * layers] = headWeights;
        offsets[2 * layers + 1] = headBias;
        offsets[2 * layers + 2] = forecastWeights;
        offsets[2 * layers + 3] = forecastBias;
        offsets[2 * layers + 4] = params.length;
        return offsets;
    }

    /**
     * The input buffer of a pass of {@code b} sequences of {@code t} steps, {@code [t*b, inputs]}
     * time-major, to be filled before {@link #forward()}; grows the workspaces if needed.
     */
    double[] prepare(int b, int t) {
        batch = b;
        steps = t;
        int rows = b * t;
        input = grow(input, rows * inputs);
        for (int l = 0; l < layers; l++) {
            xh[l] = grow(xh[l], rows * (width(l) + hidden));
            gates[l] = grow(gates[l], rows * 4 * hidden);
            cell[l] = grow(cell[l], rows * hidden);
            cellTanh[l] = grow(cellTanh[l], rows * hidden);
            out[l] = grow(out[l], rows * hidden);
        }
        logits = grow(logits, b * outputs);
        forecast = grow(forecast, rows * inputs);
        return input;
    }

    private static double[] grow(double[] a, int length) {
        return a.length >= length ? a : new double[length];
    }

    /** Runs the prepared inputs through the layers and both heads. */
    void forward() {
        int b = batch;
        int t = steps;
        int rows = b * t;
        int h = hidden;
        int g = 4 * h;
        for (int l = 0; l < layers; l++) {
            int d = width(l);
            int w = d + h;
            double[] x = l == 0 ? input : out[l - 1];
            double[] z = gates[l];
            double[] c = cell[l];
            double[] tc = cellTanh[l];
            double[] o = out[l];
            double[] cat = xh[l];
            // input part of every gate, all rows and steps at once
            matMul.gemm(false, false, rows, g, d, x, 0, params, weightOffset[l], z, 0, 0.0);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(x, r * d, cat, r * w, d);
                int zr = r * g;
                for (int j = 0; j < g; j++) {
                    z[zr + j] += params[biasOffset[l] + j];
                }
            }
            int recurrent = weightOffset[l] + d * g;
            for (int s = 0; s < t; s++) {
                int first = s * b;
                if (s > 0) {
                    int prev = (s - 1) * b;
                    JavaMatMul.INSTANCE.gemm(false, false, b, g, h, o, prev * h, params, recurrent, z, first * g, 1.0);
                    for (int r = 0; r < b; r++) {
                        System.arraycopy(o, (prev + r) * h, cat, (first + r) * w + d, h);
                    }
                } else {
                    for (int r = 0; r < b; r++) {
                        Arrays.fill(cat, r * w + d, r * w + w, 0.0);
                    }
                }
                for (int r = 0; r < b; r++) {
                    int row = first + r;
                    int zr = row * g;
                    int hr = row * h;
                    int cp = (row - b) * h;
                    for (int j = 0; j < h; j++) {
                        double in = sigmoid(z[zr + j]);
                        double forget = sigmoid(z[zr + h + j]);
                        double cand = tanh(z[zr + 2 * h + j]);
                        double outGate = sigmoid(z[zr + 3 * h + j]);
                        z[zr + j] = in;
                        z[zr + h + j] = forget;
                        z[zr + 2 * h + j] = cand;
                        z[zr + 3 * h + j] = outGate;
                        double cv = in * cand + (s > 0 ? forget * c[cp + j] : 0.0);
                        c[hr + j] = cv;
                        double th = tanh(cv);
                        tc[hr + j] = th;
                        o[hr + j] = outGate * th;
                    }
                }
            }
        }
        double[] top = out[layers - 1];
        int last = (t - 1) * b * h;
        JavaMatMul.INSTANCE.gemm(false, false, b, outputs, h, top, last, params, headWeights, logits, 0, 0.0);
        for (int r = 0; r < b; r++) {
            for (int k = 0; k < outputs; k++) {
                logits[r * outputs + k] += params[headBias + k];
            }
        }
        matMul.gemm(false, false, rows, inputs, h, top, 0, params, forecastWeights, forecast, 0, 0.0);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < inputs; j++) {
                forecast[r * inputs + j] += params[forecastBias + j] + input[r * inputs + j];
            }
        }
    }

    /** Output head of sequence {@code b}, unit {@code k} (a logit, or the standardised regression value). */
    double output(int b, int k) {
        return logits[b * outputs + k];
    }

    /** Forecast of input {@code j} of step {@code s + 1} made at step {@code s} of sequence {@code b} (input plus learned change). */
    double forecast(int s, int b, int j) {
        return forecast[(s * batch + b) * inputs + j];
    }

    /** The (standardised) input {@code j} of step {@code s} of sequence {@code b}. */
    double input(int s, int b, int j) {
        return input[(s * batch + b) * inputs + j];
    }

    /**
     * Back-propagates through the heads, the steps and the layers of the last {@link #forward()} and leaves
     * the gradient in {@link #gradients()} (overwritten, not accumulated).
     *
     * @param dOutput gradient of the loss with respect to the output head, {@code [B, K]}
     * @param forecastScale per step and sequence ({@code [T*B]}, time-major), the weight of the squared
     *        error {@code 1/2 sum_j (forecast_j - input_j(s+1))^2} of the forecast at step {@code s} in the
     *        loss; entries of the last step are ignored (its target is not in the window)
     */
    void backward(double[] dOutput, double[] forecastScale) {
        int b = batch;
        int t = steps;
        int rows = b * t;
        int h = hidden;
        int g = 4 * h;
        Arrays.fill(grads, 0.0);
        dGates = grow(dGates, rows * g);
        dOut = grow(dOut, rows * h);
        dBelow = grow(dBelow, rows * h);
        dForecast = grow(dForecast, rows * inputs);
        dh = grow(dh, b * h);
        dc = grow(dc, b * h);
        double[] top = out[layers - 1];

        // forecast head: every step but the last predicts the next step's input
        Arrays.fill(dForecast, 0, rows * inputs, 0.0);
        for (int s = 0; s + 1 < t; s++) {
            for (int r = 0; r < b; r++) {
                int row = s * b + r;
                double scale = forecastScale[row];
                if (scale == 0) {
                    continue;
                }
                int next = (row + b) * inputs;
                for (int j = 0; j < inputs; j++) {
                    dForecast[row * inputs + j] = scale * (forecast[row * inputs + j] - input[next + j]);
                }
            }
        }
        matMul.gemm(true, false, h, inputs, rows, top, 0, dForecast, 0, grads, forecastWeights, 0.0);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < inputs; j++) {
                grads[forecastBias + j] += dForecast[r * inputs + j];
            }
        }
        matMul.gemm(false, true, rows, h, inputs, dForecast, 0, params, forecastWeights, dOut, 0, 0.0);

        // output head, last step
        int last = (t - 1) * b;
        JavaMatMul.INSTANCE.gemm(true, false, h, outputs, b, top, last * h, dOutput, 0, grads, headWeights, 0.0);
        for (int r = 0; r < b; r++) {
            for (int k = 0; k < outputs; k++) {
                grads[headBias + k] += dOutput[r * outputs + k];
            }
        }
        JavaMatMul.INSTANCE.gemm(false, true, b, h, outputs, dOutput, 0, params, headWeights, dOut, last * h, 1.0);

        for (int l = layers - 1; l >= 0; l--) {
            int d = width(l);
            int w = d + h;
            double[] z = gates[l];
            double[] c = cell[l];
            double[] tc = cellTanh[l];
            int recurrent = weightOffset[l] + d * g;
            // W_h^T, so that dh = dA W_h^T runs along contiguous rows like the forward product
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < g; j++) {
                    recurrentT[j * h + i] = params[recurrent + i * g + j];
                }
            }
            Arrays.fill(dh, 0, b * h, 0.0);
            Arrays.fill(dc, 0, b * h, 0.0);
            for (int s = t - 1; s >= 0; s--) {
                int first = s * b;
                for (int r = 0; r < b; r++) {
                    int row = first + r;
                    int zr = row * g;
                    int hr = row * h;
                    int cp = (row - b) * h;
                    int br = r * h;
                    for (int j = 0; j < h; j++) {
                        double dhv = dh[br + j] + dOut[hr + j];
                        double in = z[zr + j];
                        double forget = z[zr + h + j];
                        double cand = z[zr + 2 * h + j];
                        double outGate = z[zr + 3 * h + j];
                        double th = tc[hr + j];
                        double dcv = dc[br + j] + dhv * outGate * (1 - th * th);
                        double cPrev = s > 0 ? c[cp + j] : 0.0;
                        dGates[zr + j] = dcv * cand * in * (1 - in);
                        dGates[zr + h + j] = dcv * cPrev * forget * (1 - forget);
                        dGates[zr + 2 * h + j] = dcv * in * (1 - cand * cand);
                        dGates[zr + 3 * h + j] = dhv * th * outGate * (1 - outGate);
                        dc[br + j] = dcv * forget;
                    }
                }
                if (s > 0) {
                    JavaMatMul.INSTANCE.gemm(false, false, b, h, g, dGates, first * g, recurrentT, 0, dh, 0, 0.0);
                }
            }
            // the whole fused weight gradient [D + H, 4H] in one product over all steps
            matMul.gemm(true, false, w, g, rows, xh[l], 0, dGates, 0, grads, weightOffset[l], 0.0);
            for (int r = 0; r < rows; r++) {
                int zr = r * g;
                for (int j = 0; j < g; j++) {
                    grads[biasOffset[l] + j] += dGates[zr + j];
                }
            }
            if (l > 0) {
                matMul.gemm(false, true, rows, h, g, dGates, 0, params, weightOffset[l], dBelow, 0, 0.0);
                double[] swap = dOut;
                dOut = dBelow;
                dBelow = swap;
            }
        }
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** {@code tanh} through {@link Math#exp} (an intrinsic), several times faster than {@link Math#tanh}. */
    static double tanh(double x) {
        return 2.0 / (1.0 + Math.exp(-2.0 * x)) - 1.0;
    }
}
