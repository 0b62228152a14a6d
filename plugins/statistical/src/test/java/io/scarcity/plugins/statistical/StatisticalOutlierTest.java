package io.scarcity.plugins.statistical;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertState;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.StandardSignals;
import io.scarcity.api.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Outlier scoring, the outlier signals and down-weighting, on data with known answers. */
class StatisticalOutlierTest {
    private static final DataSchema SCHEMA = new DataSchema(List.of("a", "b", "c"), Task.CLASSIFICATION, List.of("neg", "pos"));
    private static final double RHO = 0.95;

    private static Expert expert(DataSchema schema, Map<String, ?> config) {
        return new StatisticalExpertFactory().create(PluginConfig.of("experts[0].config", config),
                PluginContext.standalone(3, schema, "stat"));
    }

    /** Standard normal features, the first two correlated by {@link #RHO}, plus {@code shift} for class 1 if {@code classShift}. */
    private static double[] row(Random random, int features, double shift) {
        double[] x = new double[features];
        double g0 = random.nextGaussian();
        x[0] = g0 + shift;
        x[1] = RHO * g0 + Math.sqrt(1 - RHO * RHO) * random.nextGaussian() + shift;
        for (int j = 2; j < features; j++) {
            x[j] = random.nextGaussian() + shift;
        }
        return x;
    }

    private static Batch batch(DataSchema schema, Random random, int rows, double shift) {
        int f = schema.numFeatures();
        double[] x = new double[rows * f];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = random.nextInt(2);
            System.arraycopy(row(random, f, y[r] == 1 ? shift : -shift), 0, x, r * f, f);
        }
        return Batch.ofClasses(schema, "d", 0, x, y);
    }

    private static void step(Expert expert, Batch batch, SignalBoard signals) {
        Prediction p = expert.predict(batch, signals);
        expert.learn(batch, new BatchOutcome(p, new double[batch.rows()], 1), signals);
    }

    /** The outlier rate of a batch of one row with the given features, after the expert has seen {@code rows} clean rows. */
    private static double rateOfOne(Expert expert, SignalBoard signals, double... x) {
        step(expert, Batch.ofClasses(SCHEMA, "d", 0, x, new int[] {0}), signals);
        return signals.get(StandardSignals.OUTLIER_RATE, Double.NaN);
    }

    @Test
    void chiSquareQuantilesMatchTheTables() {
        // Tabulated upper points (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.4).
        assertEquals(3.841, ChiSquare.quantile(1, 0.95), 1e-3);
        assertEquals(10.828, ChiSquare.quantile(1, 0.999), 1e-3);
        assertEquals(13.816, ChiSquare.quantile(2, 0.999), 1e-3);
        assertEquals(16.266, ChiSquare.quantile(3, 0.999), 1e-3);
        assertEquals(29.588, ChiSquare.quantile(10, 0.999), 1e-3);
        assertEquals(149.449, ChiSquare.quantile(100, 0.999), 1e-3);
        assertEquals(124.342, ChiSquare.quantile(100, 0.95), 1e-3);
        // Two degrees of freedom: the CDF is 1 - exp(-x / 2) exactly.
        for (double x : new double[] {0.01, 0.5, 3, 13.8, 40}) {
            assertEquals(1 - Math.exp(-x / 2), ChiSquare.cdf(2, x), 1e-14, "x = " + x);
        }
        // Many degrees of freedom (a diagonal covariance of 784 pixels): Wilson–Hilferty is accurate there.
        double z = 3.090232306167813; // the standard normal's 0.999-quantile
        double k = 784;
        double wilsonHilferty = k * Math.pow(1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k)), 3);
        assertEquals(wilsonHilferty, ChiSquare.quantile(784, 0.999), 1e-3 * wilsonHilferty);
        assertEquals(0.5 * Math.log(Math.PI), ChiSquare.lnGammaHalf(1), 1e-15);
        assertEquals(Math.log(24), ChiSquare.lnGammaHalf(10), 1e-13);
    }

    @Test
    void runningCovarianceOfPlainAveragesIsTheSampleCovarianceAndScoresItsDistance() {
        Random random = new Random(4);
        int n = 400;
        double[] x = new double[n * 3];
        for (int r = 0; r < n; r++) {
            System.arraycopy(row(random, 3, 0), 0, x, r * 3, 3);
        }
        Batch batch = Batch.ofClasses(SCHEMA, "d", 0, x, new int[n]);
        RunningCovariance cov = new RunningCovariance(3, true, 0.0, 1e-12);
        for (int r = 0; r < n; r++) {
            cov.update(batch, r, 1.0, 1e-9, 1.0); // the rate is negligible: a plain running average
        }
        double[] mean = new double[3];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < 3; j++) {
                mean[j] += x[r * 3 + j] / n;
            }
        }
        double[][] c = new double[3][3];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 3; k++) {
                    c[i][k] += (x[r * 3 + i] - mean[i]) * (x[r * 3 + k] - mean[k]) / n;
                }
            }
        }
        assertArrayEquals(mean, cov.mean(), 1e-12);
        double[] second = cov.secondMoments();
        assertEquals(c[1][0] + mean[1] * mean[0], second[1], 1e-12);
        assertEquals(c[2][2] + mean[2] * mean[2], second[5], 1e-12);
        // D^2 of a probe by the explicit inverse of the 3 x 3 covariance (cofactors).
        double[] probe = {2.0, -2.0, 0.5};
        Batch one = Batch.ofClasses(SCHEMA, "d", 0, probe, new int[1]);
        double det = c[0][0] * (c[1][1] * c[2][2] - c[1][2] * c[2][1]) - c[0][1] * (c[1][0] * c[2][2] - c[1][2] * c[2][0])
                + c[0][2] * (c[1][0] * c[2][1] - c[1][1] * c[2][0]);
        double[][] inv = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 3; k++) {
                int i1 = (k + 1) % 3;
                int i2 = (k + 2) % 3;
                int k1 = (i + 1) % 3;
                int k2 = (i + 2) % 3;
                inv[i][k] = (c[i1][k1] * c[i2][k2] - c[i1][k2] * c[i2][k1]) / det;
            }
        }
        double expected = 0;
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 3; k++) {
                expected += (probe[i] - mean[i]) * inv[i][k] * (probe[k] - mean[k]);
            }
        }
        assertEquals(expected, cov.distance2(one, 0), 1e-9 * expected);
        // The whole-batch solve gives every row's distance as the row-by-row one does.
        double[] all = new double[n];
        cov.distances(batch, all);
        for (int r = 0; r < n; r++) {
            assertEquals(cov.distance2(batch, r), all[r], 1e-12 * (1 + all[r]), "row " + r);
        }
        // Off the correlation: (2, -2) is about (4 + 2 * 0.95 * 4 + 4) / (1 - 0.95^2) = 160 away, though each z is 2.
        assertTrue(expected > 120 && expected < 200, "D^2 " + expected);
    }

    @Test
    void pooledMomentsOfTwoCovariancesAreThoseOfTheUnion() {
        Random random = new Random(6);
        int na = 300;
        int nb = 100;
        double[] x = new double[(na + nb) * 3];
        for (int r = 0; r < na + nb; r++) {
            System.arraycopy(row(random, 3, r < na ? 0 : 3), 0, x, r * 3, 3);
        }
        Batch all = Batch.ofClasses(SCHEMA, "d", 0, x, new int[na + nb]);
        RunningCovariance a = new RunningCovariance(3, true, 0.0, 1e-12);
        RunningCovariance b = new RunningCovariance(3, true, 0.0, 1e-12);
        RunningCovariance union = new RunningCovariance(3, true, 0.0, 1e-12);
        for (int r = 0; r < na + nb; r++) {
            (r < na ? a : b).update(all, r, 1.0, 1e-9, 1.0);
            union.update(all, r, 1.0, 1e-9, 1.0);
        }
        // What gossip does: sample-weighted averages of the exported arrays.
        ExpertState sa = new ExpertState("statistical", Map.of("m", a.mean(), "s", a.secondMoments()), na);
        ExpertState sb = new ExpertState("statistical", Map.of("m", b.mean(), "s", b.secondMoments()), nb);
        ExpertState merged = ExpertState.sampleWeightedMean(sa, sb);
        RunningCovariance pooled = new RunningCovariance(3, true, 0.0, 1e-12);
        pooled.setMoments(na + nb, merged.weight("m"), merged.weight("s"));
        assertArrayEquals(union.mean(), pooled.mean(), 1e-12);
        assertArrayEquals(union.secondMoments(), pooled.secondMoments(), 1e-12);
        Batch probe = Batch.ofClasses(SCHEMA, "d", 0, new double[] {1, -1, 2}, new int[1]);
        assertEquals(union.distance2(probe, 0), pooled.distance2(probe, 0), 1e-9);
    }

    @Test
    void gossipMergesTheCovarianceAsPooledMomentsAndTheMergedExpertScoresWithIt() {
        Expert a = expert(SCHEMA, Map.of());
        Expert b = expert(SCHEMA, Map.of());
        Expert early = expert(SCHEMA, Map.of());
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(31);
        for (int i = 0; i < 30; i++) {
            step(a, batch(SCHEMA, random, 100, 0), signals);
            if (i < 10) {
                step(b, batch(SCHEMA, random, 100, 0.5), signals);
            }
        }
        step(early, batch(SCHEMA, random, 10, 0), signals); // still warming up: exports no covariance
        ExpertState sa = a.exportState();
        ExpertState sb = b.exportState();
        assertEquals(6, sa.weight("covarianceSecond").length, "3 x 4 / 2 packed second moments");
        assertEquals(null, early.exportState().weight("covarianceMean"));
        ExpertState merged = ExpertState.sampleWeightedMean(sa, sb);
        double wa = 3000.0 / 4000;
        for (String k : List.of("covarianceMean", "covarianceSecond", "covarianceCount")) {
            for (int i = 0; i < sa.weight(k).length; i++) {
                assertEquals(wa * sa.weight(k)[i] + (1 - wa) * sb.weight(k)[i], merged.weight(k)[i], 1e-12, k);
            }
        }
        Expert fresh = expert(SCHEMA, Map.of("outlierWeighting", "off"));
        fresh.mergeState(merged);
        ExpertState adopted = fresh.exportState();
        for (String k : List.of("covarianceMean", "covarianceSecond", "covarianceCount")) {
            assertArrayEquals(merged.weight(k), adopted.weight(k), 1e-12, k);
        }
        // The merged expert has never learned a row, yet scores with the pooled covariance.
        SignalBoard board = new InMemorySignalBoard();
        assertEquals(1.0, rateOfOne(fresh, board, 2.0, -2.0, 0.0), "off the correlation");
        // A peer without a covariance (warming up) leaves ours as it is.
        Expert kept = expert(SCHEMA, Map.of());
        kept.mergeState(sa);
        kept.mergeState(ExpertState.sampleWeightedMean(early.exportState(), new ExpertState("statistical",
                Map.of("mean", sa.weight("mean"), "variance", sa.weight("variance"), "prior", sa.weight("prior"),
                        "count", sa.weight("count"), "priorCount", sa.weight("priorCount")), 1)));
        assertArrayEquals(sa.weight("covarianceSecond"), kept.exportState().weight("covarianceSecond"), 0.0);
    }

    @Test
    void robustMedianAndMadTrackNormalDataWithinTheirDocumentedAccuracy() {
        Random random = new Random(12);
        RobustStatistics robust = new RobustStatistics(1, Math.sqrt(1e-3));
        double sigma = 2.0;
        double medianSq = 0;
        double scaleSq = 0;
        int measured = 0;
        for (int b = 0; b < 400; b++) {
            double[] x = new double[50];
            for (int r = 0; r < 50; r++) {
                x[r] = 5 + sigma * random.nextGaussian();
            }
            DataSchema one = new DataSchema(List.of("a"), Task.CLASSIFICATION, List.of("n", "p"));
            robust.scan(Batch.ofClasses(one, "d", 0, x, new int[50]), 0.02, 3.5, null);
            if (b >= 40) {
                double m = (robust.median()[0] - 5) / sigma;
                double s = RobustStatistics.MAD_TO_SD * robust.mad()[0] / sigma - 1;
                medianSq += m * m;
                scaleSq += s * s;
                measured++;
            }
        }
        double medianRms = Math.sqrt(medianSq / measured);
        double scaleRms = Math.sqrt(scaleSq / measured);
        // Documented: about 0.79 sqrt(rate) = 0.11 and 0.76 sqrt(rate) = 0.11 at rate 0.02.
        assertTrue(medianRms < 0.16, "median RMS error " + medianRms + " sd");
        assertTrue(scaleRms < 0.16, "scale RMS relative error " + scaleRms);
    }

    @Test
    void aPlantedEightSigmaRowIsFlaggedAndSoIsARowOffTheCorrelation() {
        for (boolean mahalanobis : new boolean[] {true, false}) {
            Expert expert = expert(SCHEMA, Map.of("mahalanobis", mahalanobis, "outlierWeighting", "off"));
            SignalBoard signals = new InMemorySignalBoard();
            Random random = new Random(17);
            for (int b = 0; b < 40; b++) {
                step(expert, batch(SCHEMA, random, 100, 0), signals);
            }
            assertEquals(0.0, rateOfOne(expert, signals, 0.3, 0.2, -0.4), "a typical row");
            assertEquals(1.0, rateOfOne(expert, signals, 8.0, 0.0, 0.0), "8 sigma in one feature");
            assertEquals(1.0, rateOfOne(expert, signals, 0.0, 0.0, -8.0), "8 sigma in another");
            // Each feature 2 sigma out (robust z about 2 < 3.5), but against their 0.95 correlation: D^2 about 160.
            assertEquals(mahalanobis ? 1.0 : 0.0, rateOfOne(expert, signals, 2.0, -2.0, 0.0),
                    "off the correlation structure, mahalanobis " + mahalanobis);
            if (mahalanobis) {
                double meanD2 = signals.get(StatisticalExpert.MAHALANOBIS_SIGNAL, Double.NaN) * 3;
                assertTrue(meanD2 > 100 && meanD2 < 250, "its D^2 " + meanD2);
                // Along the correlation the same size is ordinary: D^2 about (4 - 7.6 + 4) / 0.0975 + 0 = 4.1.
                assertEquals(0.0, rateOfOne(expert, signals, 2.0, 2.0, 0.0), "along the correlation");
            } else {
                assertTrue(Double.isNaN(signals.get(StatisticalExpert.MAHALANOBIS_SIGNAL, Double.NaN)));
            }
        }
    }

    /** The mean outlier rate over many clean batches after a warm-up. */
    private static double cleanRate(DataSchema schema, Map<String, ?> config, long seed) {
        Expert expert = expert(schema, config);
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(seed);
        double sum = 0;
        int n = 0;
        for (int b = 0; b < 600; b++) {
            step(expert, batch(schema, random, 100, 0), signals);
            if (b >= 20) {
                sum += signals.get(StandardSignals.OUTLIER_RATE, Double.NaN);
                n++;
            }
        }
        return sum / n;
    }

    @Test
    void theOutlierRateOnCleanGaussianDataIsNearTheNominalRate() {
        // Mahalanobis alone (z threshold out of reach): nominal 1 - 0.999 = 0.001, over 58,000 rows. The EW
        // covariance rests on about 2 / rate = 100 rows, whose estimation noise fattens the tail: measured 0.0018.
        double mahalanobis = cleanRate(SCHEMA, Map.of("outlierThreshold", 1e9), 1);
        assertTrue(mahalanobis > 0.0005 && mahalanobis < 0.0025, "Mahalanobis-only rate " + mahalanobis);
        // Robust z alone: nominal 1 - (1 - 2 (1 - Phi(3.5)))^3 = 0.0014 over three features; measured 0.0021
        // (the sign-based estimates wander, see RobustStatistics).
        double robust = cleanRate(SCHEMA, Map.of("mahalanobis", false), 2);
        assertTrue(robust > 0.0007 && robust < 0.003, "robust-only rate " + robust);
        // Both: at most their sum.
        double both = cleanRate(SCHEMA, Map.of(), 3);
        System.out.printf("clean Gaussian flag rates: Mahalanobis %.4f (nominal 0.001), robust z %.4f, both %.4f%n",
                mahalanobis, robust, both);
        assertTrue(both > 0.0015 && both < 0.005, "combined rate " + both);
        // Ten features, full covariance at its capped rate: nominal 0.001 again.
        List<String> ten = new ArrayList<>();
        for (int j = 0; j < 10; j++) {
            ten.add("f" + j);
        }
        DataSchema wide = new DataSchema(ten, Task.CLASSIFICATION, List.of("neg", "pos"));
        double wideRate = cleanRate(wide, Map.of("outlierThreshold", 1e9), 4);
        assertTrue(wideRate > 0.0005 && wideRate < 0.003, "10-feature Mahalanobis-only rate " + wideRate); // measured 0.0023
        double diagonal = cleanRate(wide, Map.of("outlierThreshold", 1e9, "maxMahalanobisFeatures", 0), 5);
        // The diagonal ignores the 0.95 correlation of two features, so it flags a few more than nominal.
        assertTrue(diagonal > 0.0005 && diagonal < 0.006, "10-feature diagonal rate " + diagonal);
    }

    @Test
    void aWindowedRateCoversTheLastRowsAcrossBatches() {
        Expert expert = expert(SCHEMA, Map.of("outlierWindow", 200, "outlierWeighting", "off"));
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(5);
        for (int b = 0; b < 40; b++) {
            step(expert, batch(SCHEMA, random, 100, 0), signals);
        }
        double before = signals.get(StandardSignals.OUTLIER_RATE, Double.NaN);
        Batch dirty = batch(SCHEMA, random, 100, 0);
        double[] x = dirty.featuresCopy();
        int[] y = new int[100];
        for (int r = 0; r < 100; r++) {
            y[r] = dirty.label(r);
            if (r % 5 == 0) {
                x[r * 3 + 2] += 30;
            }
        }
        step(expert, Batch.ofClasses(SCHEMA, "d", 0, x, y), signals);
        double after = signals.get(StandardSignals.OUTLIER_RATE, Double.NaN);
        // 20 planted in the last 200 rows (plus the odd clean one).
        assertTrue(after >= 0.1 && after <= 0.12, "windowed rate " + after + " (before " + before + ")");
        step(expert, batch(SCHEMA, random, 100, 0), signals);
        double next = signals.get(StandardSignals.OUTLIER_RATE, Double.NaN);
        assertTrue(next >= 0.1 && next <= 0.12, "still in the window: " + next);
        step(expert, batch(SCHEMA, random, 100, 0), signals);
        assertTrue(signals.get(StandardSignals.OUTLIER_RATE, Double.NaN) <= 0.02, "out of the window");
    }

    /**
     * Mean absolute error of the learned class means against the true ones (+-1) over the last 100 of 300
     * batches, when 5% of the rows get {@code +gross} on feature b.
     */
    private static double classMeanError(String weighting, double gross) {
        Expert expert = expert(SCHEMA, Map.of("outlierWeighting", weighting));
        SignalBoard signals = new InMemorySignalBoard();
        Random random = new Random(99);
        double error = 0;
        int n = 0;
        for (int b = 0; b < 300; b++) {
            Batch clean = batch(SCHEMA, random, 100, 1.0);
            double[] x = clean.featuresCopy();
            int[] y = new int[100];
            for (int r = 0; r < 100; r++) {
                y[r] = clean.label(r);
                if (random.nextDouble() < 0.05) {
                    x[r * 3 + 1] += gross;
                }
            }
            step(expert, Batch.ofClasses(SCHEMA, "d", 0, x, y), signals);
            if (b >= 200) {
                double[] mean = expert.exportState().weight("mean");
                for (int c = 0; c < 2; c++) {
                    for (int j = 0; j < 3; j++) {
                        error += Math.abs(mean[c * 3 + j] - (c == 1 ? 1.0 : -1.0));
                        n++;
                    }
                }
            }
        }
        return error / n;
    }

    @Test
    void downWeightingKeepsClassMeansWhenFivePercentOfRowsAreGrossOutliers() {
        Map<String, Double> errors = new HashMap<>();
        for (String w : List.of("off", "huber", "reject")) {
            for (double gross : new double[] {20, 40}) {
                errors.put(w + gross, classMeanError(w, gross));
            }
        }
        // Without: feature b's means move by about 5% of the outlier (1 and 2), a third of that averaged over features.
        assertTrue(errors.get("off20.0") > 0.3 && errors.get("off40.0") > 0.6, errors.toString());
        // Huber bounds each outlier's pull, so the error does not grow with the outlier's size.
        assertTrue(errors.get("huber20.0") < 0.2 && errors.get("huber40.0") < 0.2, errors.toString());
        assertTrue(errors.get("huber40.0") < 0.3 * errors.get("off40.0"), errors.toString());
        // Rejecting leaves only the EW noise of a clean run.
        double clean = classMeanError("off", 0);
        System.out.println("class-mean error with 5% gross outliers (weighting + sd): " + errors + ", clean " + clean);
        assertTrue(errors.get("reject20.0") < clean + 0.03 && errors.get("reject40.0") < clean + 0.03,
                errors + ", clean " + clean);
    }

    @Test
    void replayedOutliersAreDownWeightedToo() {
        Map<String, Object> reject = Map.of("outlierWeighting", "reject");
        Expert a = expert(SCHEMA, reject);
        Expert b = expert(SCHEMA, reject);
        SignalBoard sa = new InMemorySignalBoard();
        SignalBoard sb = new InMemorySignalBoard();
        Random random = new Random(23);
        for (int i = 0; i < 30; i++) {
            Batch batch = batch(SCHEMA, random, 100, 1.0);
            step(a, batch, sa);
            step(b, batch, sb);
        }
        double[] before = a.exportState().weight("mean");
        a.replay(Batch.ofClasses(SCHEMA, "d", 0, new double[] {1, 1, 60}, new int[] {1}));
        assertArrayEquals(before, a.exportState().weight("mean"), 0.0, "a rejected replayed row changes nothing");
        Expert off = expert(SCHEMA, Map.of()); // the default: no down-weighting
        off.mergeState(b.exportState());
        off.replay(Batch.ofClasses(SCHEMA, "d", 0, new double[] {1, 1, 60}, new int[] {1}));
        assertFalse(off.exportState().weight("mean")[5] == before[5], "without down-weighting it is learned");
    }

    @Test
    void rowsWithNonFiniteOrHugeValuesAreFlaggedWithoutPoisoningTheCovariance() {
        for (String weighting : List.of("off", "huber")) {
            Expert expert = expert(SCHEMA, Map.of("outlierWeighting", weighting));
            SignalBoard signals = new InMemorySignalBoard();
            Random random = new Random(8);
            for (int b = 0; b < 20; b++) {
                step(expert, batch(SCHEMA, random, 100, 0), signals);
            }
            assertEquals(1.0, rateOfOne(expert, signals, 1e200, 0, 0));
            assertEquals(1.0, rateOfOne(expert, signals, Double.POSITIVE_INFINITY, 0, 0));
            assertTrue(Double.isFinite(signals.get(StatisticalExpert.MAHALANOBIS_SIGNAL, Double.NaN)));
            ExpertState state = expert.exportState();
            for (String k : List.of("covarianceMean", "covarianceSecond", "covarianceCount")) {
                for (double v : state.weight(k)) {
                    assertTrue(Double.isFinite(v), weighting + ": " + k + " has " + v);
                }
            }
            if (weighting.equals("huber")) {
                // Weight 0 for the infinite row: the class statistics never see it either.
                assertTrue(state.isFinite(), "no NaN or infinity reached the class statistics");
            }
            assertEquals(0.0, rateOfOne(expert, signals, 0.1, 0.1, 0.1), "the estimates still score ordinary rows");
        }
    }

    @Test
    void overflowingRowsOrMomentsNeverHangTheFactorisation() {
        // Before the fix, either case searched for a ridge forever: a regression fails here instead of hanging.
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), StatisticalOutlierTest::overflowCases);
    }

    private static void overflowCases() {
        int n = 200;
        Batch clean = batch(SCHEMA, new Random(5), n, 0);
        Batch huge = Batch.ofClasses(SCHEMA, "d", 0, new double[] {1e200, -1e200, 1e200}, new int[1]);
        Batch probe = Batch.ofClasses(SCHEMA, "d", 0, new double[] {0.1, 0.1, 0.1}, new int[1]);
        RunningCovariance cov = new RunningCovariance(3, true, 0.0, 1e-6);
        for (int r = 0; r < n; r++) {
            cov.update(clean, r, 1.0, 0.01, 1.0);
        }
        double before = cov.distance2(probe, 0);
        // Unshrunk (huber 1): its square overflows, so the row is ignored rather than poisoning the covariance.
        cov.update(huge, 0, 1.0, 0.01, 1.0);
        assertEquals(before, cov.distance2(probe, 0), 1e-12);
        // Rows whose squares are each finite but whose sum is not (1e154 squared is 1e308): ignored too, so the
        // covariance stays finite and ordinary rows are still scored as before.
        Batch large = Batch.ofClasses(SCHEMA, "d", 0, new double[] {1e154, 0, 0}, new int[1]);
        for (int i = 0; i < 4; i++) {
            cov.update(large, 0, 1.0, 0.01, 1.0);
        }
        cov.normalise();
        for (double v : cov.secondMoments()) {
            assertTrue(Double.isFinite(v), "finite second moments: " + v);
        }
        assertEquals(before, cov.distance2(probe, 0), 1e-12);
        // Moments that overflowed elsewhere (a peer, a checkpoint): scored by the diagonal, not a ridge search.
        double[] second = cov.secondMoments();
        second[1] = Double.POSITIVE_INFINITY;
        cov.setMoments(cov.count(), cov.mean(), second);
        double d2 = cov.distance2(probe, 0);
        assertTrue(Double.isFinite(d2) && d2 >= 0, "a finite distance from the diagonal: " + d2);
        double[] out = new double[n];
        cov.distances(clean, out);
        for (double v : out) {
            assertTrue(Double.isFinite(v), "every clean row scored: " + v);
        }
        // An infinite variance: that feature weighs nothing (as in the diagonal mode), so an ordinary row is not
        // flagged for it, in full and in diagonal mode alike.
        for (boolean full : new boolean[] {true, false}) {
            RunningCovariance c = new RunningCovariance(3, full, 0.0, 1e-6);
            for (int r = 0; r < n; r++) {
                c.update(clean, r, 1.0, 0.01, 1.0);
            }
            double[] s2 = c.secondMoments();
            s2[0] = Double.POSITIVE_INFINITY;
            c.setMoments(c.count(), c.mean(), s2);
            double d = c.distance2(probe, 0);
            assertTrue(d >= 0 && d < 10, (full ? "full" : "diagonal") + ": the probe's distance without feature 0: " + d);
        }
    }

    @Test
    void outlierMergePooledAdoptsThePeersEstimatesAndOwnKeepsAWarmScorersOwn() {
        // On a stream without labels, where pooled is the default since the motes measured it (it was own there).
        DataSchema none = new DataSchema(SCHEMA.featureNames(), Task.UNLABELLED, null);
        for (String merge : List.of("pooled", "own")) {
            Map<String, Object> config = merge.equals("pooled") ? Map.of() : Map.of("outlierMerge", "own");
            Expert a = expert(none, config);
            Expert b = expert(none, config);
            SignalBoard signals = new InMemorySignalBoard();
            Random random = new Random(21);
            for (int i = 0; i < 10; i++) {
                a.learn(unlabelled(none, random, 100, 0), new BatchOutcome(null, new double[0], 1), signals);
                b.learn(unlabelled(none, random, 100, 3.0), new BatchOutcome(null, new double[0], 1), signals);
            }
            double[] before = a.exportState().weight("median");
            a.mergeState(ExpertState.sampleWeightedMean(a.exportState(), b.exportState()));
            double[] after = a.exportState().weight("median");
            if (merge.equals("own")) {
                assertArrayEquals(before, after, 0.0, "own: a warm scorer keeps its medians");
            } else {
                assertFalse(java.util.Arrays.equals(before, after), "pooled (the default): the medians move to the peers' pool");
            }
        }
    }

    /** Rows of {@link #row} shifted by {@code shift}, without labels. */
    private static Batch unlabelled(DataSchema schema, Random random, int rows, double shift) {
        int f = schema.numFeatures();
        double[] x = new double[rows * f];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(row(random, f, shift), 0, x, r * f, f);
        }
        return Batch.ofTargets(schema, "d", 0, x, null);
    }
}
