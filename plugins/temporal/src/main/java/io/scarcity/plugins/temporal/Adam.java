package io.scarcity.plugins.temporal;

/**
 * Adam (Kingma and Ba, 2015) with bias correction, after clipping the gradient to a maximum global L2
 * norm: {@code g <- g * min(1, clip / |g|)}. Clipping bounds a single batch's step when the loss surface
 * of a recurrent network is steep (exploding gradients); Adam's per-parameter scaling then makes the
 * step size depend on the learning rate rather than on the gradient's scale, which suits a rate
 * suggested by the coordinator for clients whose losses differ in scale.
 */
final class Adam {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPSILON = 1e-8;

    private final double[] first;
    private final double[] second;
    private long steps;

    Adam(int parameters) {
        first = new double[parameters];
        second = new double[parameters];
    }

    /**
     * Clips {@code gradient} in place and takes one step on {@code params}.
     *
     * @return the gradient's norm before clipping; if it is not finite nothing changes
     */
    double step(double[] params, double[] gradient, double rate, double clip) {
        return step(params, gradient, rate, clip, null, null);
    }

    /**
     * Clips {@code gradient} in place and takes one step on {@code params}, with an elastic-weight-consolidation
     * penalty's gradient {@code pull_i (params_i - anchor_i)} added to each clipped gradient in the same loop
     * (the penalty is not clipped). Without a penalty ({@code pull == null}) this is exactly {@link #step(double[],
     * double[], double, double)}.
     *
     * @param anchor the penalty's anchors, one per parameter (ignored without {@code pull})
     * @param pull {@code strength * importance} per parameter, or {@code null} for no penalty
     * @return the gradient's norm before clipping; if it is not finite nothing changes
     */
    double step(double[] params, double[] gradient, double rate, double clip, double[] anchor, double[] pull) {
        double squares = 0;
        for (double g : gradient) {
            squares += g * g;
        }
        double norm = Math.sqrt(squares);
        if (!Double.isFinite(norm)) {
            return norm;
        }
        double scale = norm > clip ? clip / norm : 1.0;
        steps++;
        double correct1 = 1 - Math.pow(BETA1, steps);
        double correct2 = 1 - Math.pow(BETA2, steps);
        double stepSize = rate * Math.sqrt(correct2) / correct1;
        if (pull != null) {
            for (int i = 0; i < params.length; i++) {
                double g = gradient[i] * scale + pull[i] * (params[i] - anchor[i]);
                first[i] = BETA1 * first[i] + (1 - BETA1) * g;
                second[i] = BETA2 * second[i] + (1 - BETA2) * g * g;
                params[i] -= stepSize * first[i] / (Math.sqrt(second[i]) + EPSILON);
            }
            return norm;
        }
        for (int i = 0; i < params.length; i++) {
            double g = gradient[i] * scale;
            first[i] = BETA1 * first[i] + (1 - BETA1) * g;
            second[i] = BETA2 * second[i] + (1 - BETA2) * g * g;
            params[i] -= stepSize * first[i] / (Math.sqrt(second[i]) + EPSILON);
        }
        return norm;
    }

    long steps() {
        return steps;
    }

    void save(io.scarcity.api.StateWriter out) throws java.io.IOException {
        out.writeLong(steps);
        out.writeDoubles(first);
        out.writeDoubles(second);
    }

    void restore(io.scarcity.api.StateReader in) throws java.io.IOException {
        long s = in.readLong();
        if (s < 0) {
            throw new java.io.IOException("optimiser: " + s + " steps");
        }
        double[] m = in.readDoubles(first.length, "optimiser's first moments (one per parameter)");
        double[] v = in.readDoubles(second.length, "optimiser's second moments (one per parameter)");
        steps = s;
        System.arraycopy(m, 0, first, 0, first.length);
        System.arraycopy(v, 0, second, 0, second.length);
    }
}
