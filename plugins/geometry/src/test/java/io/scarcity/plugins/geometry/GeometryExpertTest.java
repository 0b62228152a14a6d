package io.scarcity.plugins.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.Batch;
import io.scarcity.api.BatchOutcome;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertState;
import io.scarcity.api.FeatureMoments;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.MetaParameters;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.PluginContext;
import io.scarcity.api.Prediction;
import io.scarcity.api.SignalBoard;
import io.scarcity.api.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;

class GeometryExpertTest {
    private static final int D = 20;
    private static final DataSchema SYNTHETIC = new DataSchema(names(D), Task.CLASSIFICATION, List.of("a", "b"));
    private static final DataSchema SYNTHETIC_REGRESSION = new DataSchema(names(D), Task.REGRESSION, null);

    private static List<String> names(int d) {
        List<String> out = new ArrayList<>();
        for (int j = 0; j < d; j++) {
            out.add("f" + j);
        }
        return out;
    }

    private static GeometryExpert expert(DataSchema schema, Map<String, ?> config, long seed) {
        return (GeometryExpert) new GeometryExpertFactory().create(PluginConfig.of("experts[0].config", config),
                PluginContext.standalone(seed, schema, "geometry"));
    }

    /** Test-then-train on one batch; returns the prediction. */
    private static Prediction step(Expert expert, Batch batch, SignalBoard signals) {
        Prediction p = expert.predict(batch, signals);
        expert.learn(batch, new BatchOutcome(p, new double[batch.hasLabels() ? batch.rows() : 0], 1), signals);
        return p;
    }

    // ---------------------------------------------------------------- digits: subspace vs batch PCA

    /** Top-k eigenvectors (rows, k x d) of the covariance of the digits standardised as the expert does. */
    private static double[] batchPca(int k, double minVariance) {
        double[][] x = Digits.X;
        int n = x.length;
        int d = Digits.FEATURES;
        double[] mean = new double[d];
        double[] sd = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                sd[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
            }
        }
        for (int j = 0; j < d; j++) {
            sd[j] = Math.sqrt(Math.max(sd[j], minVariance));
        }
        double[][] covariance = new double[d][d];
        for (double[] row : x) {
            double[] z = new double[d];
            for (int j = 0; j < d; j++) {
                z[j] = (row[j] - mean[j]) / sd[j];
            }
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    covariance[i][j] += z[i] * z[j] / n;
                }
            }
        }
        EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(covariance));
        double[] values = eigen.getRealEigenvalues();
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        double[] basis = new double[k * d];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < d; j++) {
                basis[i * d + j] = eigen.getEigenvector(order[i]).getEntry(j);
            }
        }
        return basis;
    }

    /** ||P_a - P_b||_F for the orthogonal projectors on the row spaces of a and b (k x d, orthonormal rows). */
    private static double projectorDistance(double[] a, double[] b, int k, int d) {
        return Math.sqrt(2 * k * PrincipalSubspace.distance(a, b, 0, k, d, new double[k * k]));
    }

    /** The largest principal angle between the row spaces, in degrees (from the smallest singular value of A B^T). */
    private static double largestAngle(double[] a, double[] b, int k, int d) {
        double[][] m = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                m[i][j] = Dense.dot(a, i * d, b, j * d, d);
            }
        }
        double[] s = new SingularValueDecomposition(new Array2DRowRealMatrix(m)).getSingularValues();
        return Math.toDegrees(Math.acos(Math.min(1.0, s[k - 1])));
    }

    private static double[] streamDigits(GeometryExpert expert, int passes, long seed) {
        SignalBoard signals = new InMemorySignalBoard();
        for (Batch b : Digits.stream(passes, 50, seed)) {
            step(expert, b, signals);
        }
        return expert.principalBasis();
    }

    /**
     * With a small rate (close to a plain average of all rows seen) the online subspace of the digits
     * converges to the batch PCA's. Measured over seeds 1..3: ||P_online - P_batch||_F = 0.061-0.085 after
     * six passes (0 = same subspace, sqrt(2k) = 2.83 = orthogonal), largest principal angle 1.9-2.7 degrees.
     */
    @Test
    void digitsOnlineSubspaceMatchesBatchPca() {
        int k = 4;
        double[] batch = batchPca(k, Options.DEFAULT_MIN_VARIANCE);
        for (long seed = 1; seed <= 3; seed++) {
            GeometryExpert expert = expert(Digits.SCHEMA, Map.of("learningRate", 1e-4), seed);
            double[] online = streamDigits(expert, 6, seed);
            double distance = projectorDistance(online, batch, k, Digits.FEATURES);
            double angle = largestAngle(online, batch, k, Digits.FEATURES);
            System.out.printf("digits, learningRate 1e-4, 6 passes, seed %d: ||P - P*||_F = %.4f, largest angle %.2f deg%n",
                    seed, distance, angle);
            assertTrue(distance < 0.15, "seed " + seed + ": ||P_online - P_batch||_F = " + distance);
            assertTrue(angle < 6, "seed " + seed + ": largest principal angle " + angle + " degrees");
        }
    }

    /**
     * At the default rate the expert remembers ~1000 rows, so its subspace is a noisier estimate of the
     * batch PCA's. Measured over seeds 1..3 after three passes: ||P - P*||_F = 0.15-0.24.
     */
    @Test
    void digitsSubspaceAtTheDefaultRateIsCloseToBatchPca() {
        int k = 4;
        double[] batch = batchPca(k, Options.DEFAULT_MIN_VARIANCE);
        for (long seed = 1; seed <= 3; seed++) {
            GeometryExpert expert = expert(Digits.SCHEMA, Map.of(), seed);
            double distance = projectorDistance(streamDigits(expert, 3, seed), batch, k, Digits.FEATURES);
            System.out.printf("digits, defaults, 3 passes, seed %d: ||P - P*||_F = %.4f%n", seed, distance);
            assertTrue(distance < 0.45, "seed " + seed + ": ||P_online - P_batch||_F = " + distance);
        }
    }

    // ---------------------------------------------------------------- digits: the learner on the projection

    /**
     * Prequential (test-then-train) accuracy of the Gaussian classifier on the 4 projected coordinates,
     * over three passes of the digits at the defaults. Chance is 0.1; measured 0.78-0.79 over seeds 1..3
     * (0.71-0.73 on the first pass, which starts from nothing).
     */
    @Test
    void digitsPrequentialAccuracyIsWellAboveChance() {
        for (long seed = 1; seed <= 3; seed++) {
            GeometryExpert expert = expert(Digits.SCHEMA, Map.of(), seed);
            SignalBoard signals = new InMemorySignalBoard();
            List<Batch> batches = Digits.stream(3, 50, seed);
            int correct = 0;
            int firstPassCorrect = 0;
            int firstPassRows = 0;
            int rows = 0;
            for (int i = 0; i < batches.size(); i++) {
                Batch b = batches.get(i);
                Prediction p = step(expert, b, signals);
                for (int r = 0; r < b.rows(); r++) {
                    boolean ok = p.predictedClass(r) == b.label(r);
                    correct += ok ? 1 : 0;
                    if (i < batches.size() / 3) {
                        firstPassCorrect += ok ? 1 : 0;
                        firstPassRows++;
                    }
                }
                rows += b.rows();
            }
            double accuracy = (double) correct / rows;
            double firstPass = (double) firstPassCorrect / firstPassRows;
            System.out.printf("digits prequential accuracy, seed %d: %.3f (first pass %.3f)%n", seed, accuracy, firstPass);
            assertTrue(accuracy > 0.65, "seed " + seed + ": prequential accuracy " + accuracy);
            assertTrue(firstPass > 0.55, "seed " + seed + ": first-pass accuracy " + firstPass);
        }
    }

    // ---------------------------------------------------------------- synthetic streams

    /** A random orthonormal set of {@code rows} directions in {@code d} dimensions. */
    private static double[] axes(Random random, int rows, int d) {
        double[] a = new double[rows * d];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextGaussian();
        }
        Dense.orthonormaliseRows(a, rows, d);
        return a;
    }

    private static final double[] SCALES = {5, 4, 3, 2};

    /**
     * The principal subspace of {@link #lowRank} rows after standardisation: the expert divides feature
     * {@code j} by its standard deviation {@code sd_j = sqrt(sum_i s_i^2 a_ij^2 + 0.09)}, which maps the
     * span of the axes to the span of the rows {@code a_i / sd} (orthonormalised here).
     */
    private static double[] standardisedAxes(double[] axes) {
        double[] sd = new double[D];
        for (int j = 0; j < D; j++) {
            double v = 0.09;
            for (int i = 0; i < SCALES.length; i++) {
                v += SCALES[i] * SCALES[i] * axes[i * D + j] * axes[i * D + j];
            }
            sd[j] = Math.sqrt(v);
        }
        double[] out = new double[SCALES.length * D];
        for (int i = 0; i < SCALES.length; i++) {
            for (int j = 0; j < D; j++) {
                out[i * D + j] = axes[i * D + j] / sd[j];
            }
        }
        Dense.orthonormaliseRows(out, SCALES.length, D);
        return out;
    }

    /**
     * Rows {@code sum_i s_i g_i axes_i + 0.3 noise} (latent Gaussians {@code g_i} with scales 5, 4, 3, 2) plus
     * an offset; the label is the sign of the first latent coordinate, the target {@code 2 g_0 - g_1}.
     */
    private static Batch lowRank(DataSchema schema, Random random, double[] axes, int rows) {
        double[] x = new double[rows * D];
        int[] y = new int[rows];
        double[] t = new double[rows];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < D; j++) {
                x[r * D + j] = 0.3 * random.nextGaussian() + 10 + j;
            }
            double[] g = new double[SCALES.length];
            for (int i = 0; i < SCALES.length; i++) {
                g[i] = random.nextGaussian();
                Dense.axpy(SCALES[i] * g[i], axes, i * D, x, r * D, D);
            }
            y[r] = g[0] > 0 ? 1 : 0;
            t[r] = 2 * g[0] - g[1] + 0.1 * random.nextGaussian();
        }
        return schema.task() == Task.CLASSIFICATION ? Batch.ofClasses(schema, "d", 0, x, y) : Batch.ofTargets(schema, "d", 0, x, t);
    }

    /**
     * A planted novelty: after 60 batches from one 4-dimensional subspace, rows from another. The residual
     * (distance to the learned subspace) jumps and most of the novel batch's rows exceed the running 95%
     * quantile. Measured (seed 3): residual 0.94 before, 5.2 on the first novel batch; novelty rate 0.058
     * before, 0.98 on it.
     */
    @Test
    void residualAndNoveltyRateRiseWhenRowsFromAnotherDistributionArrive() {
        Random random = new Random(3);
        double[] familiar = axes(random, 4, D);
        double[] other = axes(random, 4, D);
        GeometryExpert expert = expert(SYNTHETIC, Map.of(), 3);
        SignalBoard signals = new InMemorySignalBoard();
        double residualBefore = 0;
        double rateBefore = 0;
        for (int b = 0; b < 60; b++) {
            step(expert, lowRank(SYNTHETIC, random, familiar, 50), signals);
            if (b >= 40) {
                residualBefore += signals.get(GeometryExpert.RESIDUAL, Double.NaN) / 20;
                rateBefore += signals.get(GeometryExpert.NOVELTY_RATE, Double.NaN) / 20;
            }
        }
        step(expert, lowRank(SYNTHETIC, random, other, 50), signals);
        double residualNovel = signals.get(GeometryExpert.RESIDUAL, Double.NaN);
        double rateNovel = signals.get(GeometryExpert.NOVELTY_RATE, Double.NaN);
        System.out.printf("planted novelty: residual %.3f -> %.3f, novelty rate %.3f -> %.3f%n", residualBefore, residualNovel,
                rateBefore, rateNovel);
        assertTrue(rateBefore < 0.15, "novelty rate on familiar data " + rateBefore);
        assertTrue(residualNovel > 3 * residualBefore, "residual " + residualBefore + " -> " + residualNovel);
        assertTrue(rateNovel > 0.8, "novelty rate on the novel batch " + rateNovel);
    }

    /**
     * The principal axes rotate mid-stream (the same variances along new directions): the subspace-change
     * signal, quiet while the axes stay put, fires as the subspace follows. Measured at the defaults (seed
     * 11): at most 0.0002 over the 40 stable batches before the rotation, a peak of 0.37 within the 60
     * batches after, by which the subspace is within ||P - P_new||_F = 0.26 of the new one (2.46 before).
     */
    @Test
    void subspaceChangeFiresWhenThePrincipalAxesRotate() {
        Random random = new Random(11);
        double[] before = axes(random, 4, D);
        double[] after = axes(random, 4, D);
        GeometryExpert expert = expert(SYNTHETIC, Map.of(), 11);
        SignalBoard signals = new InMemorySignalBoard();
        double quiet = 0;
        for (int b = 0; b < 100; b++) {
            step(expert, lowRank(SYNTHETIC, random, before, 50), signals);
            if (b >= 60) {
                quiet = Math.max(quiet, signals.get(GeometryExpert.SUBSPACE_CHANGE, Double.NaN));
            }
        }
        double[] learnedBefore = expert.principalBasis();
        double peak = 0;
        for (int b = 0; b < 60; b++) {
            step(expert, lowRank(SYNTHETIC, random, after, 50), signals);
            peak = Math.max(peak, signals.get(GeometryExpert.SUBSPACE_CHANGE, Double.NaN));
        }
        double[] truth = standardisedAxes(after);
        double tracked = projectorDistance(expert.principalBasis(), truth, 4, D);
        System.out.printf("rotation: subspace-change quiet max %.4f, peak after %.4f; distance to the new axes %.3f (before %.3f)%n",
                quiet, peak, tracked, projectorDistance(learnedBefore, truth, 4, D));
        assertTrue(quiet < 0.05, "subspace change while the axes stay put: " + quiet);
        assertTrue(peak > 0.25, "subspace change after the rotation: " + peak);
        assertTrue(tracked < 0.5, "the subspace follows the new axes: ||P - P_new||_F = " + tracked);
    }

    /** RLS on the projection learns a target linear in the latent coordinates. Measured prequential R^2 0.99 over batches 40-80. */
    @Test
    void regressionOnTheProjectionLearnsALinearTarget() {
        Random random = new Random(5);
        double[] axes = axes(random, 4, D);
        GeometryExpert expert = expert(SYNTHETIC_REGRESSION, Map.of(), 5);
        SignalBoard signals = new InMemorySignalBoard();
        double sse = 0;
        double sst = 0;
        for (int b = 0; b < 80; b++) {
            Batch batch = lowRank(SYNTHETIC_REGRESSION, random, axes, 50);
            Prediction p = step(expert, batch, signals);
            if (b >= 40) {
                for (int r = 0; r < batch.rows(); r++) {
                    double e = batch.target(r) - p.value(r);
                    sse += e * e;
                    sst += batch.target(r) * batch.target(r); // the target has mean 0
                }
            }
        }
        double r2 = 1 - sse / sst;
        System.out.printf("regression on the projection: prequential R^2 %.4f%n", r2);
        assertTrue(r2 > 0.9, "R^2 " + r2);
    }

    @Test
    void unlabelledBatchesLearnTheSubspaceAndPublishSignals() {
        Random random = new Random(8);
        double[] axes = axes(random, 4, D);
        GeometryExpert expert = expert(SYNTHETIC, Map.of(), 8);
        SignalBoard signals = new InMemorySignalBoard();
        for (int b = 0; b < 60; b++) {
            Batch labelled = lowRank(SYNTHETIC, random, axes, 50);
            Batch unlabelled = Batch.ofClasses(SYNTHETIC, "d", 0, labelled.featuresCopy(), null);
            Prediction p = step(expert, unlabelled, signals);
            assertEquals(0.5, p.probability(0, 0), 1e-12, "no class seen: uniform");
        }
        for (String s : List.of(GeometryExpert.RESIDUAL, GeometryExpert.NOVELTY_RATE, GeometryExpert.SUBSPACE_CHANGE)) {
            assertTrue(Double.isFinite(signals.get(s, Double.NaN)), s);
        }
        assertTrue(projectorDistance(expert.principalBasis(), standardisedAxes(axes), 4, D) < 0.2);
        assertEquals(0, expert.exportState().weight("classCount")[0]);
        assertEquals(3000, expert.exportState().samples());
    }

    /**
     * Gossip: an average of two clients' bases is not orthonormal; the merged expert re-orthonormalises it,
     * keeps the subspace they agree on, and still predicts. Importance has exportState's names and shapes.
     */
    @Test
    void mergedStateIsReorthonormalisedAndImportanceMatchesTheExportedShapes() {
        Random random = new Random(9);
        double[] axes = axes(random, 4, D);
        GeometryExpert a = expert(SYNTHETIC, Map.of(), 1);
        GeometryExpert b = expert(SYNTHETIC, Map.of(), 2);
        SignalBoard signals = new InMemorySignalBoard();
        for (int i = 0; i < 40; i++) {
            step(a, lowRank(SYNTHETIC, random, axes, 50), signals);
            step(b, lowRank(SYNTHETIC, random, axes, 50), signals);
        }
        ExpertState sa = a.exportState();
        ExpertState merged = ExpertState.weightedMean(List.of(sa, b.exportState()), new double[] {1, 3});
        a.mergeState(merged);
        double[] basis = a.exportState().weight("basis");
        int m = basis.length / D;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                assertEquals(i == j ? 1.0 : 0.0, Dense.dot(basis, i * D, basis, j * D, D), 1e-12, "row " + i + " . row " + j);
            }
        }
        assertTrue(projectorDistance(a.principalBasis(), standardisedAxes(axes), 4, D) < 0.2);
        Batch test = lowRank(SYNTHETIC, random, axes, 200);
        Prediction p = a.predict(test, signals);
        int correct = 0;
        for (int r = 0; r < test.rows(); r++) {
            correct += p.predictedClass(r) == test.label(r) ? 1 : 0;
        }
        assertTrue(correct > 0.85 * test.rows(), "accuracy after the merge " + correct + "/200");

        ExpertState importance = a.importance().orElseThrow();
        assertEquals(sa.weights().keySet(), importance.weights().keySet());
        for (String name : sa.weights().keySet()) {
            double[] v = importance.weight(name);
            assertEquals(sa.weight(name).length, v.length, name);
            for (double x : v) {
                assertTrue(x >= 0 && Double.isFinite(x), name + ": " + x);
            }
        }
        assertTrue(Arrays.stream(importance.weight("basis")).sum() > 0, "the basis moved while learning");

        double[] wrong = new double[3];
        ExpertState bad = new ExpertState("geometry", Map.of("basis", wrong), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.mergeState(bad));
        assertTrue(e.getMessage().contains("basis"), e.getMessage());
    }

    @Test
    void adaptTakesTheHintWithJitterAndIgnoresOthers() {
        GeometryExpert exact = expert(SYNTHETIC, Map.of("explore", 0.0), 1);
        MetaParameters hint = new MetaParameters("d", 1, Map.of("geometry", 0.02), Map.of(),
                new FeatureMoments(0, new double[D], new double[D]), Map.of());
        exact.adapt(hint, "geometry");
        assertEquals(0.02, exact.learningRate());
        exact.adapt(MetaParameters.none("d", D), "geometry");
        assertEquals(0.02, exact.learningRate(), "no hint: unchanged");
        exact.adapt(hint, "other-instance");
        assertEquals(0.02, exact.learningRate());

        GeometryExpert jittered = expert(SYNTHETIC, Map.of(), 1);
        jittered.adapt(hint, "geometry");
        double rate = jittered.learningRate();
        assertTrue(rate != 0.02 && rate > 0.02 * Math.exp(-0.5) && rate < 0.02 * Math.exp(0.5), "jittered rate " + rate);
        MetaParameters huge = new MetaParameters("d", 1, Map.of("geometry", 50.0), Map.of(),
                new FeatureMoments(0, new double[D], new double[D]), Map.of());
        jittered.adapt(huge, "geometry");
        assertEquals(GeometryExpert.MAX_RATE, jittered.learningRate(), "clamped");
    }

    private static MetaParameters hint(double rate) {
        return new MetaParameters("d", 1, Map.of("geometry", rate), Map.of(),
                new FeatureMoments(0, new double[D], new double[D]), Map.of());
    }

    @Test
    void aLearningRateScaleMultipliesTheConfiguredAndHintedRateUntilOneRestoresIt() {
        GeometryExpert expert = expert(SYNTHETIC, Map.of("learningRate", 0.08, "explore", 0.0), 1);
        assertTrue(expert.scaleLearningRate(0.5));
        assertEquals(0.04, expert.learningRate(), 1e-15, "learningRate() reports the effective rate");
        expert.adapt(hint(0.2), "geometry");
        assertEquals(0.1, expert.learningRate(), 1e-15, "the scale stays on top of a hint");
        assertTrue(expert.scaleLearningRate(1.0));
        assertEquals(0.2, expert.learningRate(), 1e-15, "1 restores the hinted rate");
        assertTrue(expert.scaleLearningRate(50));
        assertEquals(GeometryExpert.MAX_RATE, expert.learningRate(), "the effective rate is clamped");
    }

    @Test
    void aHalvedScaleLearnsExactlyLikeAHalvedRateAndDifferentlyFromTheUnscaledTwin() {
        // 0.2 * 0.5 is exactly 0.1 in binary, so the scaled expert must match the one configured at 0.1 bit for bit
        for (DataSchema schema : List.of(SYNTHETIC, SYNTHETIC_REGRESSION)) {
            GeometryExpert scaled = expert(schema, Map.of("learningRate", 0.2), 2);
            GeometryExpert half = expert(schema, Map.of("learningRate", 0.1), 2);
            GeometryExpert unscaled = expert(schema, Map.of("learningRate", 0.2), 2);
            assertTrue(scaled.scaleLearningRate(0.5));
            Random random = new Random(9);
            double[] axes = axes(random, 4, D);
            SignalBoard[] boards = {new InMemorySignalBoard(), new InMemorySignalBoard(), new InMemorySignalBoard()};
            GeometryExpert[] experts = {scaled, half, unscaled};
            for (int b = 0; b < 6; b++) {
                Batch batch = lowRank(schema, random, axes, 30);
                Batch replay = lowRank(schema, random, axes, 5);
                for (int e = 0; e < 3; e++) {
                    step(experts[e], batch, boards[e]);
                    experts[e].replay(replay);
                }
            }
            ExpertState s = scaled.exportState();
            ExpertState h = half.exportState();
            for (String k : s.weights().keySet()) {
                assertArrayEquals(h.weight(k), s.weight(k), 0.0, k);
            }
            assertEquals(boards[1].snapshot(), boards[0].snapshot());
            assertTrue(!Arrays.equals(unscaled.exportState().weight("featureMean"), s.weight("featureMean")),
                    "the unscaled twin learns differently");
            assertTrue(scaled.scaleLearningRate(1.0));
            assertEquals(unscaled.learningRate(), scaled.learningRate());
        }
    }

    @Test
    void aLearningRateScaleThatIsNotFiniteAndPositiveIsRefused() {
        GeometryExpert expert = expert(SYNTHETIC, Map.of("explore", 0.0), 1);
        for (double bad : new double[] {0.0, -0.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> expert.scaleLearningRate(bad), "" + bad);
            assertTrue(e.getMessage().contains("scale") && e.getMessage().contains(String.valueOf(bad)), e.getMessage());
        }
        assertEquals(0.001, expert.learningRate(), "a refused scale changes nothing");
    }

    @Test
    void wildAndNonFiniteValuesKeepTheExpertUsable() {
        Random random = new Random(4);
        double[] axes = axes(random, 4, D);
        GeometryExpert expert = expert(SYNTHETIC, Map.of(), 4);
        SignalBoard signals = new InMemorySignalBoard();
        for (int b = 0; b < 30; b++) {
            step(expert, lowRank(SYNTHETIC, random, axes, 50), signals);
        }
        double[] wild = lowRank(SYNTHETIC, random, axes, 4).featuresCopy();
        wild[0] = 1e300;
        wild[D + 3] = -1e300;
        wild[2 * D + 5] = Double.POSITIVE_INFINITY;
        wild[3 * D + 7] = Double.NaN;
        Batch bad = Batch.ofClasses(SYNTHETIC, "d", 0, wild, new int[] {0, 1, 0, 1});
        Prediction p = step(expert, bad, signals);
        for (int r = 0; r < 4; r++) {
            assertEquals(1.0, p.probability(r, 0) + p.probability(r, 1), 1e-9);
        }
        assertTrue(expert.exportState().isFinite(), "no non-finite value reached the state");
        Batch normal = lowRank(SYNTHETIC, random, axes, 200);
        Prediction after = expert.predict(normal, signals);
        int correct = 0;
        for (int r = 0; r < normal.rows(); r++) {
            correct += after.predictedClass(r) == normal.label(r) ? 1 : 0;
        }
        assertTrue(correct > 0.85 * normal.rows(), "accuracy after wild rows " + correct + "/200");
    }

    /**
     * The feature statistics equal a plain reference of the documented update (EW mean and variance per
     * row, deviations winsorised at 10 clip standard deviations of the variance before the batch, NaN
     * counting as the mean, the first batch only kept finite), bit for bit, on weighted batches with NaN,
     * infinite and huge values: the expert's one-pass, vectorisable form for rows without NaN and its
     * careful form for the others compute the same values.
     */
    @Test
    void featureStatisticsEqualTheReferenceUpdateWithWildValuesAndWeights() {
        Random random = new Random(6);
        double[] axes = axes(random, 4, D);
        GeometryExpert expert = expert(SYNTHETIC, Map.of(), 6);
        SignalBoard signals = new InMemorySignalBoard();
        double rate = expert.learningRate();
        double clip = Options.DEFAULT_CLIP;
        double floor = Options.DEFAULT_MIN_VARIANCE;
        double[] mean = new double[D];
        double[] variance = new double[D];
        double[] limit = new double[D];
        double seen = 0;
        for (int b = 0; b < 40; b++) {
            Batch clean = lowRank(SYNTHETIC, random, axes, 1 + random.nextInt(30));
            double[] x = clean.featuresCopy();
            double[] w = new double[clean.rows()];
            for (int r = 0; r < w.length; r++) {
                w[r] = random.nextInt(5) == 0 ? 0.0 : 0.25 + random.nextDouble();
                if (b > 0 && random.nextInt(4) == 0) {
                    double[] wild = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300, -1e6};
                    x[r * D + random.nextInt(D)] = wild[random.nextInt(wild.length)];
                }
            }
            int[] y = new int[w.length];
            for (int r = 0; r < y.length; r++) {
                y[r] = clean.label(r);
            }
            Batch batch = Batch.ofClasses(SYNTHETIC, "d", 0, x, y).withWeights(w);
            for (int j = 0; j < D; j++) {
                limit[j] = seen > 0 ? 10 * clip * Math.sqrt(Math.max(variance[j], floor)) : 1e150;
            }
            for (int r = 0; r < w.length; r++) {
                if (w[r] <= 0) {
                    continue;
                }
                seen += w[r];
                double a = Math.max(Math.min(1.0, rate * w[r]), w[r] / seen);
                for (int j = 0; j < D; j++) {
                    double dev = x[r * D + j] - mean[j];
                    dev = Double.isNaN(dev) ? 0.0 : Math.max(-limit[j], Math.min(limit[j], dev));
                    mean[j] += a * dev;
                    variance[j] = (1 - a) * (variance[j] + dev * (a * dev));
                }
            }
            step(expert, batch, signals);
        }
        double[] second = new double[D];
        for (int j = 0; j < D; j++) {
            second[j] = variance[j] + mean[j] * mean[j];
        }
        assertArrayEquals(mean, expert.exportState().weights().get("featureMean"), 0.0, "means");
        assertArrayEquals(second, expert.exportState().weights().get("featureSecond"), 0.0, "second moments");
    }

    @Test
    void aBatchOfTheWrongWidthIsRejected() {
        GeometryExpert expert = expert(SYNTHETIC, Map.of(), 1);
        DataSchema narrow = new DataSchema(names(3), Task.CLASSIFICATION, List.of("a", "b"));
        Batch batch = Batch.ofClasses(narrow, "d", 0, new double[6], new int[] {0, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> expert.predict(batch, new InMemorySignalBoard()));
        assertTrue(e.getMessage().contains("3 features") && e.getMessage().contains("expected 20"), e.getMessage());
    }
}
