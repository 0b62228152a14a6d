package io.scarcity.plugins.temporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LstmNetworkTest {
    /** A scalar loss whose gradients are what {@link LstmNetwork#backward} takes: linear in the outputs, quadratic in the forecasts. */
    private static double loss(LstmNetwork net, int b, int t, double[] outputCoefficients, double[] forecastScale) {
        double loss = 0;
        for (int r = 0; r < b; r++) {
            for (int k = 0; k < net.outputs(); k++) {
                loss += outputCoefficients[r * net.outputs() + k] * net.output(r, k);
            }
        }
        for (int s = 0; s + 1 < t; s++) {
            for (int r = 0; r < b; r++) {
                for (int j = 0; j < net.inputs(); j++) {
                    double d = net.forecast(s, r, j) - net.input(s + 1, r, j);
                    loss += 0.5 * forecastScale[s * b + r] * d * d;
                }
            }
        }
        return loss;
    }

    private static void fill(double[] x, int n, Random random) {
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian();
        }
    }

    @ParameterizedTest
    @CsvSource({"3, 4, 1, 2, 5, 6", "2, 5, 2, 1, 4, 3", "4, 3, 3, 3, 3, 5", "1, 2, 1, 1, 6, 1"})
    void backwardMatchesFiniteDifferences(int inputs, int hidden, int layers, int outputs, int batch, int steps) {
        Random random = new Random(inputs * 100 + hidden * 10 + layers);
        LstmNetwork net = new LstmNetwork(inputs, hidden, layers, outputs, JavaMatMul.INSTANCE, random);
        double[] p = net.parameters();
        for (int i = 0; i < p.length; i++) {
            p[i] += 0.3 * random.nextGaussian(); // away from the initial symmetric point
        }
        double[] in = net.prepare(batch, steps);
        double[] x = new double[batch * steps * inputs];
        fill(x, x.length, random);
        System.arraycopy(x, 0, in, 0, x.length);
        double[] a = new double[batch * outputs];
        fill(a, a.length, random);
        double[] scale = new double[batch * steps];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = random.nextDouble();
        }
        net.forward();
        net.backward(a, scale);
        double[] analytic = net.gradients().clone();
        double eps = 1e-6;
        double worst = 0;
        for (int i = 0; i < p.length; i++) {
            double keep = p[i];
            p[i] = keep + eps;
            net.forward();
            double up = loss(net, batch, steps, a, scale);
            p[i] = keep - eps;
            net.forward();
            double down = loss(net, batch, steps, a, scale);
            p[i] = keep;
            double numeric = (up - down) / (2 * eps);
            double err = Math.abs(numeric - analytic[i]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic[i]));
            worst = Math.max(worst, err);
        }
        assertTrue(worst < 1e-5, "largest relative gradient error " + worst);
    }

    @Test
    void nd4jProductsGiveTheSameNetworkAsPlainJava() {
        int inputs = 5;
        int hidden = 16;
        int batch = 50;
        int steps = 8;
        for (int layers = 1; layers <= 3; layers++) {
            Nd4jMatMul nd4j = new Nd4jMatMul(0); // every product on ND4J
            LstmNetwork a = new LstmNetwork(inputs, hidden, layers, 3, JavaMatMul.INSTANCE, new Random(3));
            LstmNetwork b = new LstmNetwork(inputs, hidden, layers, 3, nd4j, new Random(3));
            Random random = new Random(layers);
            double[] x = new double[batch * steps * inputs];
            fill(x, x.length, random);
            System.arraycopy(x, 0, a.prepare(batch, steps), 0, x.length);
            System.arraycopy(x, 0, b.prepare(batch, steps), 0, x.length);
            a.forward();
            b.forward();
            double[] d = new double[batch * 3];
            fill(d, d.length, random);
            double[] scale = new double[batch * steps];
            java.util.Arrays.fill(scale, 0.1);
            a.backward(d, scale);
            b.backward(d, scale);
            for (int r = 0; r < batch; r++) {
                for (int k = 0; k < 3; k++) {
                    assertEquals(a.output(r, k), b.output(r, k), 1e-12);
                }
            }
            for (int i = 0; i < a.gradients().length; i++) {
                assertEquals(a.gradients()[i], b.gradients()[i], 1e-10 * (1 + Math.abs(a.gradients()[i])), "gradient " + i);
            }
            assertTrue(nd4j.nd4jProducts() >= 3 * layers, "products on ND4J: " + nd4j.nd4jProducts());
        }
    }

    @Test
    void tanhAndSigmoidAreAccurate() {
        for (double x = -30; x <= 30; x += 0.0137) {
            assertEquals(Math.tanh(x), LstmNetwork.tanh(x), 1e-15);
            assertEquals(1 / (1 + Math.exp(-x)), LstmNetwork.sigmoid(x), 1e-15);
        }
        assertEquals(1.0, LstmNetwork.tanh(1e6));
        assertEquals(-1.0, LstmNetwork.tanh(-1e6));
    }
}
