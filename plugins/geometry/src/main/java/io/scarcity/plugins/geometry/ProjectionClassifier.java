package io.scarcity.plugins.geometry;

import io.scarcity.api.Batch;
import io.scarcity.api.Prediction;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * Per-class Gaussians with full {@code k x k} covariances on the projected coordinates (quadratic
 * discriminant analysis), exponentially weighted, plus exponentially weighted class priors.
 *
 * <p>Each class's mean and covariance start as plain running averages and become EW ones: the step of
 * a row of weight {@code w} after {@code n} weighted rows is {@code max(rate * w, w / n)} (West's
 * weighted update: {@code mu += a dev}, {@code S = (1 - a)(S + a dev dev^T)}). A class seen a few times
 * has a useless covariance, so prediction uses {@code pi_c diag(lambda) + (1 - pi_c) S_c + minVariance I}:
 * the subspace's eigenvalues (the overall variance along each direction, wider than any class) as a
 * prior worth {@code priorRows} rows, whose share {@code pi_c} shrinks as the class's rows arrive exactly
 * as the statistical expert's variance prior does. Full covariances are affordable (k is small) and,
 * unlike diagonal ones, are exactly transported by a rotation of the basis.
 */
final class ProjectionClassifier implements ProjectionLearner {
    private static final String[] NAMES = {"classCount", "classCovariance", "classMean", "classPrior", "classPriorCount",
        "classWeightedMean", "classWeightedSecond", "classWeightedShare"};
    /** Keeps a class not seen for long from being ruled out by its prior alone. */
    private static final double PRIOR_FLOOR = 1e-6;
    /** Below this pooled prior the weighted moments are too degraded to divide by. */
    private static final double MIN_POOLED_PRIOR = 1e-250;

    private final int k;
    private final int classes;
    private final double minVariance;
    private final double priorRows;

    private final double[] mean;
    private final double[] covariance;
    private final double[] prior;
    private final double[] count;
    private final double[] share;
    private final double[] priorCount = new double[1];

    // Derived for gossip: prior-weighted moments average to the moments of the pooled mixture.
    private final double[] weightedMean;
    private final double[] weightedSecond;
    private final double[] weightedShare;

    // Scratch.
    private final double[] dev;
    private final double[] factor;
    private final double[] logConstant;
    private final double[] tmp;

    ProjectionClassifier(int k, int classes, double minVariance, double priorRows) {
        this.k = k;
        this.classes = classes;
        this.minVariance = minVariance;
        this.priorRows = priorRows;
        this.mean = new double[classes * k];
        this.covariance = new double[classes * k * k];
        this.prior = new double[classes];
        this.count = new double[classes];
        this.share = new double[classes];
        Arrays.fill(share, 1.0);
        this.weightedMean = new double[classes * k];
        this.weightedSecond = new double[classes * k * k];
        this.weightedShare = new double[classes];
        this.dev = new double[k];
        this.factor = new double[classes * k * k];
        this.logConstant = new double[classes];
        this.tmp = new double[k * k];
    }

    @Override
    public void learn(Batch batch, double[] projections, int stride, double rate) {
        if (!batch.hasLabels()) {
            return;
        }
        int kk = k * k;
        for (int r = 0; r < batch.rows(); r++) {
            double w = batch.weight(r);
            if (w <= 0) {
                continue;
            }
            int y = batch.label(r);
            double ew = Math.min(1.0, rate * w);
            priorCount[0] += w;
            double ap = Math.max(ew, w / priorCount[0]);
            for (int c = 0; c < classes; c++) {
                prior[c] += ap * ((c == y ? 1.0 : 0.0) - prior[c]);
            }
            count[y] += w;
            double a = Math.max(ew, w / count[y]);
            share[y] *= 1 - Math.min(1.0, Math.max(ew, w / (priorRows + count[y])));
            int mo = y * k;
            int co = y * kk;
            int po = r * stride;
            for (int i = 0; i < k; i++) {
                dev[i] = projections[po + i] - mean[mo + i];
                mean[mo + i] += a * dev[i];
            }
            double keep = 1 - a;
            for (int i = 0; i < k; i++) {
                double adi = a * dev[i];
                for (int j = 0; j < k; j++) {
                    covariance[co + i * k + j] = keep * (covariance[co + i * k + j] + adi * dev[j]);
                }
            }
        }
    }

    @Override
    public Prediction predict(int rows, double[] projections, int stride, double[] eigenvalues) {
        double[] out = new double[rows * classes];
        boolean anySeen = false;
        int kk = k * k;
        for (int c = 0; c < classes; c++) {
            if (count[c] <= 0) {
                continue;
            }
            anySeen = true;
            double pi = priorRows > 0 ? share[c] : 0.0;
            int fo = c * kk;
            double logDet = Double.NaN;
            // Retry with a larger ridge if rounding made the blend indefinite (it is PSD + ridge in exact arithmetic).
            for (double ridge = minVariance; Double.isNaN(logDet) && ridge < 1e12; ridge *= 100) {
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        double v = (1 - pi) * covariance[fo + i * k + j];
                        if (i == j) {
                            v += pi * eigenvalues[i] + ridge;
                        }
                        factor[fo + i * k + j] = v;
                    }
                }
                System.arraycopy(factor, fo, tmp, 0, kk);
                logDet = Dense.cholesky(tmp, k);
                System.arraycopy(tmp, 0, factor, fo, kk);
            }
            logConstant[c] = Math.log(Math.max(prior[c], PRIOR_FLOOR)) - 0.5 * logDet;
        }
        if (!anySeen) {
            Arrays.fill(out, 1.0);
            return Prediction.ofProbabilities(rows, classes, out);
        }
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            int po = r * stride;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                if (count[c] <= 0 || Double.isNaN(logConstant[c])) {
                    out[base + c] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                // Solve L y = p - mu by forward substitution; the Mahalanobis distance is |y|^2.
                int fo = c * kk;
                int mo = c * k;
                double q = 0;
                for (int i = 0; i < k; i++) {
                    double s = projections[po + i] - mean[mo + i];
                    for (int j = 0; j < i; j++) {
                        s -= factor[fo + i * k + j] * dev[j];
                    }
                    dev[i] = s / factor[fo + i * k + i];
                    q += dev[i] * dev[i];
                }
                double s = logConstant[c] - 0.5 * q;
                s = s > Double.NEGATIVE_INFINITY ? s : Double.NEGATIVE_INFINITY;
                out[base + c] = s;
                if (s > max) {
                    max = s;
                }
            }
            if (max == Double.NEGATIVE_INFINITY) {
                for (int c = 0; c < classes; c++) {
                    out[base + c] = count[c] > 0 ? Math.max(prior[c], PRIOR_FLOOR) : 0.0;
                }
                continue;
            }
            for (int c = 0; c < classes; c++) {
                double s = out[base + c];
                out[base + c] = s == Double.NEGATIVE_INFINITY ? 0.0 : Math.exp(s - max);
            }
        }
        return Prediction.ofProbabilities(rows, classes, out);
    }

    @Override
    public void transport(double[] t, double[] eigenvalues) {
        int kk = k * k;
        double[] nm = new double[k];
        for (int c = 0; c < classes; c++) {
            int mo = c * k;
            for (int i = 0; i < k; i++) {
                double s = 0;
                for (int j = 0; j < k; j++) {
                    s += t[i * k + j] * mean[mo + j];
                }
                nm[i] = s;
            }
            System.arraycopy(nm, 0, mean, mo, k);
            int co = c * kk;
            congruence(t, covariance, co, tmp, k);
            // What the old coordinates did not cover gets the overall variance: S' += D^1/2 (I - T T^T) D^1/2.
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    double ttij = 0;
                    for (int l = 0; l < k; l++) {
                        ttij += t[i * k + l] * t[j * k + l];
                    }
                    double missing = (i == j ? 1.0 : 0.0) - ttij;
                    covariance[co + i * k + j] += Math.sqrt(eigenvalues[i] * eigenvalues[j]) * missing;
                }
            }
        }
    }

    /** {@code S <- T S T^T} for the {@code k x k} block of {@code s} at {@code o}. */
    static void congruence(double[] t, double[] s, int o, double[] tmp, int k) {
        // tmp = T S
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double v = 0;
                for (int l = 0; l < k; l++) {
                    v += t[i * k + l] * s[o + l * k + j];
                }
                tmp[i * k + j] = v;
            }
        }
        // S = tmp T^T, symmetrised against rounding
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) {
                double v = 0;
                for (int l = 0; l < k; l++) {
                    v += tmp[i * k + l] * t[j * k + l];
                }
                s[o + i * k + j] = v;
                s[o + j * k + i] = v;
            }
        }
    }

    @Override
    public String[] names() {
        return NAMES.clone();
    }

    @Override
    public double[][] views() {
        int kk = k * k;
        for (int c = 0; c < classes; c++) {
            double p = prior[c];
            weightedShare[c] = p * share[c];
            for (int i = 0; i < k; i++) {
                weightedMean[c * k + i] = p * mean[c * k + i];
                for (int j = 0; j < k; j++) {
                    weightedSecond[c * kk + i * k + j] = p * (covariance[c * kk + i * k + j] + mean[c * k + i] * mean[c * k + j]);
                }
            }
        }
        return new double[][] {count, covariance, mean, prior, priorCount, weightedMean, weightedSecond, weightedShare};
    }

    /**
     * Adopts merged statistics. Means and covariances are recovered from the averaged prior-weighted
     * moments, so that a peer that never saw a class (all zeros) does not pull its mean towards zero.
     */
    @Override
    public void merge(Map<String, double[]> merged) {
        int kk = k * k;
        double[] newPrior = merged.get("classPrior");
        double[] newCount = merged.get("classCount");
        double[] newMean = merged.get("classMean");
        double[] newCovariance = merged.get("classCovariance");
        double[] wm = merged.get("classWeightedMean");
        double[] ws = merged.get("classWeightedSecond");
        double[] wsh = merged.get("classWeightedShare");
        for (int c = 0; c < classes; c++) {
            prior[c] = Math.max(0.0, newPrior[c]);
            count[c] = Math.max(0.0, newCount[c]);
            boolean pooled = prior[c] > MIN_POOLED_PRIOR;
            share[c] = pooled ? Math.min(1.0, Math.max(0.0, wsh[c] / prior[c]))
                    : (priorRows + count[c] > 0 ? priorRows / (priorRows + count[c]) : 1.0);
            for (int i = 0; i < k; i++) {
                mean[c * k + i] = pooled ? wm[c * k + i] / prior[c] : newMean[c * k + i];
            }
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    int x = c * kk + i * k + j;
                    covariance[x] = pooled ? ws[x] / prior[c] - mean[c * k + i] * mean[c * k + j] : newCovariance[x];
                }
            }
        }
        priorCount[0] = Math.max(0.0, merged.get("classPriorCount")[0]);
    }

    @Override
    public void save(StateWriter out) throws IOException {
        out.writeDoubles(mean);
        out.writeDoubles(covariance);
        out.writeDoubles(prior);
        out.writeDoubles(count);
        out.writeDoubles(share);
        out.writeDouble(priorCount[0]);
    }

    @Override
    public void restore(StateReader in) throws IOException {
        double[] m = in.readDoubles(classes * k, "class means (classes x components)");
        double[] s = in.readDoubles(classes * k * k, "class covariances (classes x components x components)");
        double[] p = in.readDoubles(classes, "class priors (one per class)");
        double[] n = in.readDoubles(classes, "class counts (one per class)");
        double[] sh = in.readDoubles(classes, "prior shares (one per class)");
        double pc = in.readDouble();
        System.arraycopy(m, 0, mean, 0, m.length);
        System.arraycopy(s, 0, covariance, 0, s.length);
        System.arraycopy(p, 0, prior, 0, p.length);
        System.arraycopy(n, 0, count, 0, n.length);
        System.arraycopy(sh, 0, share, 0, sh.length);
        priorCount[0] = pc;
    }
}
