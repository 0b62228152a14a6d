package io.scarcity.plugins.reconstruction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The analytic gradients of the whole loss ({@code -ELBO + headWeight * head loss}) against central finite
 * differences, for every parameter; with {@code headWeight = 0} the encoder's against the ELBO's alone (the
 * head learns on a stop-gradient).
 */
class VaeGradientTest {
    private static final int FEATURES = 5;
    private static final int ROWS = 7;

    @ParameterizedTest(name = "classification={0}, headWeight={1}, beta={2}, weighted={3}")
    @CsvSource({"true, 5.0, 1.0, false", "true, 0.0, 0.5, true", "false, 2.0, 1.0, true", "false, 1.0, 0.0, false"})
    void gradientsMatchFiniteDifferences(boolean classification, double headWeight, double beta, boolean weighted) {
        Options options = new Options(4, 3, beta, 0.01, 0.1, Options.Optimizer.ADAM, 5.0, headWeight, 0.0, 3.0, 1e-3, 0);
        int outputs = classification ? 3 : 1;
        Random random = new Random(11);
        Vae vae = new Vae(FEATURES, options, classification, outputs, random);
        // Non-zero biases and head so that every term is exercised.
        for (Vae.Param p : vae.params) {
            for (int i = 0; i < p.value.length; i++) {
                p.value[i] += 0.3 * random.nextGaussian();
            }
        }
        vae.syncAll();
        double[] x = new double[ROWS * FEATURES];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        double[] eps = new double[ROWS * 3];
        for (int i = 0; i < eps.length; i++) {
            eps[i] = random.nextGaussian();
        }
        double[] weights = null;
        if (weighted) {
            weights = new double[ROWS];
            for (int r = 0; r < ROWS; r++) {
                weights[r] = r == 2 ? 0.0 : 0.5 + random.nextDouble();
            }
        }
        int[] labels = classification ? new int[ROWS] : null;
        double[] targets = classification ? null : new double[ROWS];
        for (int r = 0; r < ROWS; r++) {
            if (classification) {
                labels[r] = random.nextInt(3);
            } else {
                targets[r] = random.nextGaussian();
            }
        }
        double[] errors = new double[ROWS];
        double loss = vae.gradients(x, ROWS, weights, labels, targets, eps, errors);
        assertEquals(vae.lastReconstruction() + beta * vae.lastKl() + (headWeight > 0 ? headWeight : 1.0) * vae.lastHeadLoss(),
                loss, 1e-12);
        assertTrue(Double.isFinite(loss));
        Map<String, double[]> analytic = new java.util.TreeMap<>();
        for (Vae.Param p : vae.params) {
            analytic.put(p.name, p.grad.clone());
        }
        double h = 1e-6;
        int checked = 0;
        for (Vae.Param p : vae.params) {
            for (int i = 0; i < p.value.length; i++) {
                double saved = p.value[i];
                p.value[i] = saved + h;
                p.sync();
                double up = objective(vae, x, weights, labels, targets, eps, p, headWeight);
                p.value[i] = saved - h;
                p.sync();
                double down = objective(vae, x, weights, labels, targets, eps, p, headWeight);
                p.value[i] = saved;
                p.sync();
                double numeric = (up - down) / (2 * h);
                double a = analytic.get(p.name)[i];
                assertEquals(numeric, a, 1e-6 + 1e-5 * Math.abs(numeric), p.name + "[" + i + "]");
                checked++;
            }
        }
        assertTrue(checked >= 99, "checked " + checked);
        // The per-row errors are the mean squared reconstruction errors: their weighted mean is the loss's
        // reconstruction term over half the number of features.
        double total = 0;
        double sum = 0;
        for (int r = 0; r < ROWS; r++) {
            double w = weights == null ? 1.0 : weights[r];
            total += w;
            sum += w * errors[r];
        }
        assertEquals(vae.lastReconstruction(), 0.5 * FEATURES * sum / total, 1e-12);
    }

    /**
     * What the gradient of {@code p} is the derivative of: the whole loss, except for the encoder's
     * parameters when the head learns on a stop-gradient ({@code headWeight = 0}), where the head's loss
     * does not count.
     */
    private static double objective(Vae vae, double[] x, double[] weights, int[] labels, double[] targets, double[] eps,
                                    Vae.Param p, double headWeight) {
        double loss = vae.gradients(x, ROWS, weights, labels, targets, eps, null);
        boolean encoder = p.name.startsWith("encoder.");
        return headWeight == 0 && encoder ? loss - vae.lastHeadLoss() : loss;
    }
}
