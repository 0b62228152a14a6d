package io.scarcity.plugins.geometry;

import io.scarcity.api.ExpertState;
import io.scarcity.api.MergeLaw;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The geometry expert's {@link MergeLaw}: states merge into the state of one learner that saw all the
 * clients' rows, not into an average of numbers that live in each client's own frame.
 *
 * <p>Client {@code i} (weight {@code w_i}, normalised) holds its standardisation ({@code mu_i}, variances,
 * scales {@code s_i = sqrt(max(var_i, minVariance))}), its tracked basis {@code U_i} ({@code m x d}) with
 * eigenvalues {@code lambda_i} in its own standardised frame {@code z_i = (x - mu_i) / s_i}, and its learner's
 * statistics in its own coordinates {@code p_i = U_ik z_i}. The law:
 * <ol>
 *   <li><b>Standardisation</b>: pooled moments, {@code mu = sum w_i mu_i}, {@code E[x^2] = sum w_i E_i[x^2]}
 *       (the between-group variance included); the pooled frame {@code z = (x - mu) / s}.</li>
 *   <li><b>Subspace</b>: the pooled covariance in that frame, {@code C = sum w_i (S^-1 D_i U_i^T Lambda_i U_i D_i S^-1
 *       + S^-1 (mu_i - mu)(mu_i - mu)^T S^-1)}, is {@code R^T R} for the {@code n (m + 1)} rows
 *       {@code sqrt(w_i lambda_ij) S^-1 D_i u_ij} and {@code sqrt(w_i) S^-1 (mu_i - mu)}; its top {@code m} eigenpairs
 *       come from the small Gram matrix {@code R R^T} (Jacobi), {@code u = R^T v / sqrt(theta)}. No {@code d x d}
 *       matrix is formed: {@code O(n^2 m^2 d)}.</li>
 *   <li><b>Learner</b>: each client's statistics are carried into the new coordinates before they are pooled:
 *       {@code p' = T_i p_i + o_i} with {@code T_i = U_k S^-1 D_i U_ik^T} and {@code o_i = U_k S^-1 (mu_i - mu)}.
 *       Class means move by it, class covariances by {@code T_i Sigma T_i^T} plus, for what client {@code i}'s
 *       coordinates did not cover, the overall variance ({@code Lambda^1/2 (I - T_i T_i^T) Lambda^1/2}, its
 *       positive part), as the expert does when its own basis turns. Then class-conditional pooling: prior
 *       {@code pi_c = sum w_i pi_ic}, mean and second moment weighted by {@code w_i pi_ic}. A regressor's
 *       weights and covariance move by the same map ({@code theta' = (A_i^T theta_w, theta_b + theta_w . c_i)}
 *       with {@code p_i = A_i p' + c_i}) and are then averaged.</li>
 * </ol>
 * Counts and the novelty threshold are averaged; the result's samples are the largest input's (the
 * convention of {@link ExpertState#sampleWeightedMean}). Arrays the law does not know are averaged
 * element-wise. The new directions get the expert's sign convention ({@link Dense#reference}) before the
 * learner's statistics are carried into them. Self-merge (identical states) returns the state up to rounding.
 */
final class GeometryMerge implements MergeLaw {
    static final GeometryMerge LAW = new GeometryMerge();
    /** Below this an eigenvalue of the pooled covariance is no direction at all. */
    private static final double NEGLIGIBLE = 1e-300;

    private GeometryMerge() {
    }

    @Override
    public ExpertState merge(List<ExpertState> states, double[] weights) {
        Objects.requireNonNull(states, "states is null");
        Objects.requireNonNull(weights, "weights is null");
        if (states.isEmpty() || weights.length != states.size()) {
            throw new IllegalArgumentException(states.size() + " states but " + weights.length + " weights");
        }
        int n = states.size();
        double[] w = ExpertState.normalisedWeights(weights);
        ExpertState first = states.get(0);
        int d = array(first, "featureMean").length;
        int m = array(first, "eigenvalues").length;
        double minVariance = array(first, "minVariance")[0];
        for (ExpertState s : states) {
            check(s, "basis", m * d);
            check(s, "featureMean", d);
            check(s, "featureSecond", d);
        }
        Map<String, double[]> out = new TreeMap<>(ExpertState.weightedMean(states, w).weights());

        // 1. pooled standardisation
        double[] mean = out.get("featureMean");
        double[] second = out.get("featureSecond");
        double[] scale = new double[d];
        for (int l = 0; l < d; l++) {
            scale[l] = Math.sqrt(Math.max(second[l] - mean[l] * mean[l], minVariance));
        }
        // ratio[i][l] = s_il / s_l: client i's standardised unit in the pooled frame
        double[][] ratio = new double[n][d];
        double[][] offset = new double[n][d];
        for (int i = 0; i < n; i++) {
            double[] mi = array(states.get(i), "featureMean");
            double[] si = array(states.get(i), "featureSecond");
            for (int l = 0; l < d; l++) {
                ratio[i][l] = Math.sqrt(Math.max(si[l] - mi[l] * mi[l], minVariance)) / scale[l];
                offset[i][l] = (mi[l] - mean[l]) / scale[l];
            }
        }

        // 2. the pooled covariance's principal subspace from its factor rows R
        int rows = n * (m + 1);
        double[][] r = new double[rows][d];
        for (int i = 0; i < n; i++) {
            double[] basis = array(states.get(i), "basis");
            double[] lambda = array(states.get(i), "eigenvalues");
            for (int j = 0; j < m; j++) {
                double f = Math.sqrt(w[i] * Math.max(lambda[j], 0.0));
                double[] row = r[i * (m + 1) + j];
                for (int l = 0; l < d; l++) {
                    row[l] = f * ratio[i][l] * basis[j * d + l];
                }
            }
            double f = Math.sqrt(w[i]);
            double[] row = r[i * (m + 1) + m];
            for (int l = 0; l < d; l++) {
                row[l] = f * offset[i][l];
            }
        }
        double[] gram = new double[rows * rows];
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b <= a; b++) {
                double v = Dense.dot(r[a], 0, r[b], 0, d);
                gram[a * rows + b] = v;
                gram[b * rows + a] = v;
            }
        }
        double[] theta = new double[rows];
        double[] vectors = new double[rows * rows];
        Dense.symmetricEigen(gram, rows, theta, vectors);
        double[] newBasis = new double[m * d];
        double[] newLambda = new double[m];
        for (int j = 0; j < m; j++) {
            newLambda[j] = Math.max(theta[j], 0.0);
            if (theta[j] <= NEGLIGIBLE) {
                continue; // left zero: the expert's re-orthonormalisation fills it with an axis
            }
            double norm = 1.0 / Math.sqrt(theta[j]);
            for (int a = 0; a < rows; a++) {
                double c = vectors[a * rows + j] * norm;
                if (c != 0) {
                    Dense.axpy(c, r[a], 0, newBasis, j * d, d);
                }
            }
        }
        // the expert's sign convention, before anything is expressed in these coordinates
        for (int j = 0; j < m; j++) {
            double dot = 0;
            for (int l = 0; l < d; l++) {
                dot += newBasis[j * d + l] * Dense.reference(l);
            }
            if (dot < 0) {
                for (int l = 0; l < d; l++) {
                    newBasis[j * d + l] = -newBasis[j * d + l];
                }
            }
        }
        out.put("basis", newBasis);
        out.put("eigenvalues", newLambda);

        // 3. the learner, carried into the new coordinates and pooled
        if (first.weights().containsKey("classPrior")) {
            mergeClassifier(states, w, out, ratio, offset, newBasis, newLambda, d);
        } else if (first.weights().containsKey("rlsWeights")) {
            mergeRegressor(states, w, out, ratio, offset, newBasis, d);
        }
        long samples = 0;
        for (ExpertState s : states) {
            samples = Math.max(samples, s.samples());
        }
        return new ExpertState(first.expert(), out, samples);
    }

    /**
     * {@code T_i} ({@code k x k}, {@code T[a][b] = sum_l U[a][l] ratio_l U_i[b][l]}) and {@code o_i}
     * ({@code o[a] = sum_l U[a][l] offset_l}) for one client, into {@code t} and {@code o}.
     */
    private static void map(double[] newBasis, double[] oldBasis, double[] ratio, double[] offset, int k, int d,
                            double[] t, double[] o, double[] scratch) {
        for (int a = 0; a < k; a++) {
            for (int l = 0; l < d; l++) {
                scratch[l] = newBasis[a * d + l] * ratio[l];
            }
            for (int b = 0; b < k; b++) {
                t[a * k + b] = Dense.dot(scratch, 0, oldBasis, b * d, d);
            }
            o[a] = Dense.dot(newBasis, a * d, offset, 0, d);
        }
    }

    private static void mergeClassifier(List<ExpertState> states, double[] w, Map<String, double[]> out,
                                        double[][] ratio, double[][] offset, double[] newBasis, double[] newLambda, int d) {
        int n = states.size();
        int classes = array(states.get(0), "classPrior").length;
        int k = array(states.get(0), "classMean").length / classes;
        int kk = k * k;
        double[] priorMass = new double[classes];
        double[] meanSum = new double[classes * k];
        double[] secondSum = new double[classes * kk];
        double[] t = new double[kk];
        double[] o = new double[k];
        double[] missing = new double[kk];
        double[] scratch = new double[d];
        double[] moved = new double[k];
        double[] tmp = new double[kk];
        double[] product = new double[kk];
        for (int i = 0; i < n; i++) {
            ExpertState s = states.get(i);
            double[] prior = check(s, "classPrior", classes);
            double[] cm = check(s, "classMean", classes * k);
            double[] cc = check(s, "classCovariance", classes * kk);
            map(newBasis, array(s, "basis"), ratio[i], offset[i], k, d, t, o, scratch);
            missing(t, newLambda, k, missing);
            for (int c = 0; c < classes; c++) {
                double mass = w[i] * Math.max(prior[c], 0.0);
                if (mass <= 0) {
                    continue;
                }
                priorMass[c] += mass;
                for (int a = 0; a < k; a++) {
                    double v = o[a];
                    for (int b = 0; b < k; b++) {
                        v += t[a * k + b] * cm[c * k + b];
                    }
                    moved[a] = v;
                    meanSum[c * k + a] += mass * v;
                }
                System.arraycopy(cc, c * kk, tmp, 0, kk);
                ProjectionClassifier.congruence(t, tmp, 0, product, k);
                for (int a = 0; a < k; a++) {
                    for (int b = 0; b < k; b++) {
                        secondSum[c * kk + a * k + b] += mass * (tmp[a * k + b] + missing[a * k + b] + moved[a] * moved[b]);
                    }
                }
            }
        }
        double[] classMean = new double[classes * k];
        double[] classCovariance = new double[classes * kk];
        double[] weightedMean = new double[classes * k];
        double[] weightedSecond = new double[classes * kk];
        for (int c = 0; c < classes; c++) {
            double p = priorMass[c];
            if (p <= 0) {
                continue; // no client has seen the class: zero statistics (and count) as on each of them
            }
            for (int a = 0; a < k; a++) {
                classMean[c * k + a] = meanSum[c * k + a] / p;
                weightedMean[c * k + a] = meanSum[c * k + a];
            }
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    int x = c * kk + a * k + b;
                    classCovariance[x] = secondSum[x] / p - classMean[c * k + a] * classMean[c * k + b];
                    weightedSecond[x] = secondSum[x];
                }
            }
        }
        out.put("classPrior", priorMass);
        out.put("classMean", classMean);
        out.put("classCovariance", classCovariance);
        out.put("classWeightedMean", weightedMean);
        out.put("classWeightedSecond", weightedSecond);
        // classCount, classPriorCount and classWeightedShare (prior x share) are averages already
    }

    /**
     * The overall variance along the new coordinates that the old ones did not cover: the positive part of
     * {@code Lambda^1/2 (I - T T^T) Lambda^1/2}.
     */
    private static void missing(double[] t, double[] lambda, int k, double[] out) {
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                double tt = 0;
                for (int l = 0; l < k; l++) {
                    tt += t[a * k + l] * t[b * k + l];
                }
                out[a * k + b] = Math.sqrt(lambda[a] * lambda[b]) * ((a == b ? 1.0 : 0.0) - tt);
            }
        }
        double[] values = new double[k];
        double[] vectors = new double[k * k];
        double[] copy = out.clone();
        Dense.symmetricEigen(copy, k, values, vectors);
        java.util.Arrays.fill(out, 0.0);
        for (int j = 0; j < k; j++) {
            if (values[j] <= 0) {
                continue;
            }
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    out[a * k + b] += values[j] * vectors[a * k + j] * vectors[b * k + j];
                }
            }
        }
    }

    private static void mergeRegressor(List<ExpertState> states, double[] w, Map<String, double[]> out,
                                       double[][] ratio, double[][] offset, double[] newBasis, int d) {
        int n = states.size();
        int k = array(states.get(0), "rlsWeights").length - 1;
        int q = k + 1;
        double[] weightSum = new double[q];
        double[] covarianceSum = new double[q * q];
        // p_i = A_i p' + c_i with A_i = U_ik D_i^-1 S U_k^T and c_i = U_ik D_i^-1 (mu - mu_i): the inverse map
        double[] inverseRatio = new double[d];
        double[] minusOffset = new double[d];
        double[] a = new double[k * k];
        double[] c = new double[k];
        double[] scratch = new double[d];
        double[] j = new double[q * q];
        double[] tmp = new double[q * q];
        for (int i = 0; i < n; i++) {
            ExpertState s = states.get(i);
            double[] theta = check(s, "rlsWeights", q);
            double[] p = check(s, "rlsCovariance", q * q);
            for (int l = 0; l < d; l++) {
                inverseRatio[l] = 1.0 / ratio[i][l];
                minusOffset[l] = -offset[i][l] * inverseRatio[l];
            }
            // A_i[x][y] = sum_l U_i[x][l] / ratio_l U[y][l]: map(oldBasis -> newBasis) with the roles swapped
            map(array(s, "basis"), newBasis, inverseRatio, minusOffset, k, d, a, c, scratch);
            // J = [[A^T, 0], [c^T, 1]]: theta' = J theta, P' = J P J^T
            java.util.Arrays.fill(j, 0.0);
            for (int x = 0; x < k; x++) {
                for (int y = 0; y < k; y++) {
                    j[x * q + y] = a[y * k + x];
                }
                j[k * q + x] = c[x];
            }
            j[k * q + k] = 1.0;
            for (int x = 0; x < q; x++) {
                double v = 0;
                for (int y = 0; y < q; y++) {
                    v += j[x * q + y] * theta[y];
                }
                weightSum[x] += w[i] * v;
            }
            System.arraycopy(p, 0, tmp, 0, q * q);
            ProjectionClassifier.congruence(j, tmp, 0, new double[q * q], q);
            for (int x = 0; x < q * q; x++) {
                covarianceSum[x] += w[i] * tmp[x];
            }
        }
        out.put("rlsWeights", weightSum);
        out.put("rlsCovariance", covarianceSum);
    }

    private static double[] array(ExpertState s, String name) {
        double[] v = s.weights().get(name);
        if (v == null) {
            throw new IllegalArgumentException("a geometry state lacks '" + name + "'");
        }
        return v;
    }

    private static double[] check(ExpertState s, String name, int length) {
        double[] v = array(s, name);
        if (v.length != length) {
            throw new IllegalArgumentException("a geometry state's '" + name + "' has " + v.length + " values, expected " + length);
        }
        return v;
    }
}
