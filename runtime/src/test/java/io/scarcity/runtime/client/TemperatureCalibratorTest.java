package io.scarcity.runtime.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Prediction;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TemperatureCalibratorTest {
    static final int K = 4;
    static final int N = 50;

    /**
     * A batch from an expert whose evidence is right with probability {@code accuracy}: it favours the
     * row's "evidence class" by a logit of {@code 2 * sharpness}, and the evidence class is the label with
     * probability {@code accuracy}. With sharpness s* = ln(3 accuracy / (1 - accuracy)) / 2, the expert is
     * calibrated; larger sharpness makes it overconfident.
     */
    record Draw(Prediction prediction, int[] labels) {
    }

    static Draw draw(Random rnd, double accuracy, double sharpness) {
        double[] p = new double[N * K];
        int[] y = new int[N];
        for (int r = 0; r < N; r++) {
            int evidence = rnd.nextInt(K);
            y[r] = rnd.nextDouble() < accuracy ? evidence : (evidence + 1 + rnd.nextInt(K - 1)) % K;
            double z = 0;
            for (int c = 0; c < K; c++) {
                p[r * K + c] = Math.exp(c == evidence ? 2 * sharpness : 0);
                z += p[r * K + c];
            }
            for (int c = 0; c < K; c++) {
                p[r * K + c] /= z;
            }
        }
        return new Draw(Prediction.ofProbabilities(N, K, p), y);
    }

    static double logLoss(TemperatureCalibrator cal, Draw d) {
        double[] q = new double[N * K];
        cal.temper(d.prediction(), q);
        double sum = 0;
        for (int r = 0; r < N; r++) {
            sum -= Math.log(q[r * K + d.labels()[r]]);
        }
        return sum / N;
    }

    static void train(TemperatureCalibrator cal, Random rnd, double accuracy, double sharpness, int batches) {
        double[] q = new double[N * K];
        for (int b = 0; b < batches; b++) {
            Draw d = draw(rnd, accuracy, sharpness);
            cal.temper(d.prediction(), q);
            cal.update(d.prediction(), q, d.labels());
        }
    }

    @Test
    void anOverconfidentExpertIsSoftenedToItsTrueAccuracy() {
        double accuracy = 0.7;
        double calibrated = Math.log(3 * accuracy / (1 - accuracy)) / 2;
        double sharpness = 20 * calibrated; // claims ~1.0 for a 0.7 guess
        TemperatureCalibrator cal = new TemperatureCalibrator(K);
        Random rnd = new Random(3);
        Draw test = draw(new Random(99), accuracy, sharpness);
        double before = logLoss(cal, test);
        train(cal, rnd, accuracy, sharpness, 40);
        // the exact answer is s = calibrated / sharpness = 0.05; 40 batches of 50 rows pin it within 20%
        assertEquals(0.05, cal.inverseTemperature(), 0.01);
        double after = logLoss(cal, test);
        assertTrue(after < 0.2 * before, "log loss " + before + " -> " + after);
        // tempered confidence in the favoured class matches the accuracy
        double[] q = new double[N * K];
        cal.temper(test.prediction(), q);
        double top = 0;
        for (int r = 0; r < N; r++) {
            double m = 0;
            for (int c = 0; c < K; c++) {
                m = Math.max(m, q[r * K + c]);
            }
            top += m / N;
        }
        assertEquals(accuracy, top, 0.08);
    }

    @Test
    void aTimidExpertIsSharpenedAndACalibratedOneLeftAlone() {
        double accuracy = 0.8;
        double calibrated = Math.log(3 * accuracy / (1 - accuracy)) / 2;
        TemperatureCalibrator timid = new TemperatureCalibrator(K);
        train(timid, new Random(4), accuracy, calibrated / 3, 60);
        assertEquals(3.0, timid.inverseTemperature(), 0.6);
        TemperatureCalibrator fine = new TemperatureCalibrator(K);
        train(fine, new Random(5), accuracy, calibrated, 60);
        assertEquals(1.0, fine.inverseTemperature(), 0.15);
    }

    @Test
    void temperingKeepsEachRowsRankingAndSumsToOneEvenWithZeroProbabilities() {
        double[] p = {1, 0, 0, 0, 0.1, 0.6, 0.3, 0, 0.25, 0.25, 0.25, 0.25};
        Prediction pred = Prediction.ofProbabilities(3, K, p);
        TemperatureCalibrator cal = new TemperatureCalibrator(K);
        train(cal, new Random(6), 0.6, 30, 10); // drive s well below 1
        assertTrue(cal.inverseTemperature() < 0.2, "s = " + cal.inverseTemperature());
        double[] q = new double[3 * K];
        cal.temper(pred, q);
        for (int r = 0; r < 3; r++) {
            double sum = 0;
            for (int c = 0; c < K; c++) {
                assertTrue(Double.isFinite(q[r * K + c]) && q[r * K + c] > 0, "q = " + q[r * K + c]);
                sum += q[r * K + c];
            }
            assertEquals(1.0, sum, 1e-12);
        }
        assertTrue(q[0] > q[1] && q[1] == q[2], "a zero probability stays the least, ties stay ties");
        assertTrue(q[5] > q[6] && q[6] > q[4] && q[4] > q[7]);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, java.util.Arrays.copyOfRange(q, 8, 12), 1e-12);
    }

    @Test
    void uniformPredictionsTeachNothing() {
        double[] p = new double[N * K];
        java.util.Arrays.fill(p, 1.0 / K);
        Prediction pred = Prediction.ofProbabilities(N, K, p);
        TemperatureCalibrator cal = new TemperatureCalibrator(K);
        double[] q = new double[N * K];
        cal.temper(pred, q);
        cal.update(pred, q, new int[N]);
        assertEquals(1.0, cal.inverseTemperature());
    }

    @Test
    void aRestoredCalibratorContinuesExactlyAndCorruptStateIsRefused() throws IOException {
        TemperatureCalibrator a = new TemperatureCalibrator(K);
        train(a, new Random(7), 0.7, 5, 5);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StateWriter w = new StateWriter(bytes);
        a.saveState(w);
        w.flush();
        TemperatureCalibrator b = new TemperatureCalibrator(K);
        b.restoreState(new StateReader(new ByteArrayInputStream(bytes.toByteArray())));
        train(a, new Random(8), 0.7, 5, 5);
        train(b, new Random(8), 0.7, 5, 5);
        assertEquals(a.inverseTemperature(), b.inverseTemperature());

        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        StateWriter corrupt = new StateWriter(bad);
        corrupt.writeDouble(Double.NaN);
        corrupt.writeDouble(1.0);
        corrupt.flush();
        TemperatureCalibrator c = new TemperatureCalibrator(K);
        IOException e = assertThrows(IOException.class,
                () -> c.restoreState(new StateReader(new ByteArrayInputStream(bad.toByteArray()))));
        assertTrue(e.getMessage().contains("corrupt calibration state"), e.getMessage());
        assertEquals(1.0, c.inverseTemperature());
    }
}
