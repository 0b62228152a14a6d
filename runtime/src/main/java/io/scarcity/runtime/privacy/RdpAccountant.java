package io.scarcity.runtime.privacy;

import java.util.Arrays;

/**
 * A Rényi differential privacy accountant for the Gaussian mechanism, with Poisson subsampling where it applies
 * (the sampled Gaussian mechanism): every release adds its Rényi divergence bound at each order, and the
 * (ε, δ) spent is the best conversion over the orders.
 *
 * <p>The bounds are those of Mironov, Talwar and Zhang, "Rényi Differential Privacy of the Sampled Gaussian
 * Mechanism" (2019): for a sampling rate {@code q} and a noise multiplier {@code σ} (the noise's standard deviation
 * over the L2 sensitivity), the divergence at order {@code α} is {@code log(A_α) / (α - 1)}, with {@code A_α} a finite
 * binomial sum for whole orders and two converging series for fractional ones; without subsampling ({@code q = 1})
 * it is {@code α / (2σ²)} (Mironov, "Rényi Differential Privacy", 2017). The conversion to (ε, δ) is that of Balle et
 * al., "Hypothesis Testing Interpretations and Rényi Differential Privacy" (2020), Theorem 21:
 * {@code ε = rdp(α) + log((α - 1)/α) - (log δ + log α) / (α - 1)}, minimised over the orders. The default orders are
 * Opacus': 1.1 to 10.9 in steps of 0.1, then 12 to 63, so that the same mechanism gives the same ε as there.
 *
 * <p>Not thread-safe: one accountant per client.
 */
public final class RdpAccountant {
    /** Opacus' default orders: 1.1, 1.2, ..., 10.9, then 12, 13, ..., 63. */
    public static final double[] DEFAULT_ORDERS = defaultOrders();

    private final double[] orders;
    private final double[] rdp;
    private long releases;

    public RdpAccountant() {
        this(DEFAULT_ORDERS);
    }

    public RdpAccountant(double[] orders) {
        if (orders.length == 0) {
            throw new IllegalArgumentException("no orders");
        }
        for (double a : orders) {
            if (!(a > 1) || Double.isInfinite(a)) {
                throw new IllegalArgumentException("orders must be finite and > 1, got " + a);
            }
        }
        this.orders = orders.clone();
        this.rdp = new double[orders.length];
    }

    /**
     * Accounts for {@code steps} releases of the Gaussian mechanism with noise multiplier {@code sigma}, each on a
     * Poisson sample of rate {@code q} ({@code 1}: no subsampling).
     */
    public void compose(double sigma, double q, long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        double[] once = rdpOf(sigma, q, orders);
        for (int i = 0; i < orders.length; i++) {
            rdp[i] += once[i] * steps;
        }
        releases += steps;
    }

    /** The ε spent so far at {@code delta} (0 before any release). */
    public double epsilon(double delta) {
        double e = epsilonOf(rdp, orders, delta);
        return releases == 0 ? 0 : e;
    }

    /** The ε that {@code steps} more releases with {@code sigma} and {@code q} would leave spent at {@code delta}. */
    public double epsilonAfter(double sigma, double q, long steps, double delta) {
        double[] once = rdpOf(sigma, q, orders);
        double[] after = rdp.clone();
        for (int i = 0; i < orders.length; i++) {
            after[i] += once[i] * steps;
        }
        return epsilonOf(after, orders, delta);
    }

    /** Releases accounted so far. */
    public long releases() {
        return releases;
    }

    /** The accumulated Rényi divergence bound at each order (a copy), for checkpoints. */
    public double[] rdp() {
        return rdp.clone();
    }

    /** Restores what {@link #rdp()} and {@link #releases()} returned. */
    public void restore(double[] saved, long savedReleases) {
        if (saved.length != rdp.length || savedReleases < 0) {
            throw new IllegalArgumentException("saved accountant has " + saved.length + " orders, expected " + rdp.length);
        }
        for (double v : saved) {
            if (!(v >= 0) || Double.isNaN(v)) {
                throw new IllegalArgumentException("saved accountant holds a value that is not >= 0: " + v);
            }
        }
        System.arraycopy(saved, 0, rdp, 0, rdp.length);
        releases = savedReleases;
    }

    public double[] orders() {
        return orders.clone();
    }

    /**
     * The smallest noise multiplier (to 0.1% of it) with which {@code steps} releases on Poisson samples of rate
     * {@code q} spend at most {@code epsilon} at {@code delta}.
     */
    public static double noiseMultiplierFor(double epsilon, double delta, double q, long steps) {
        if (!(epsilon > 0) || !(delta > 0 && delta < 1) || steps < 1) {
            throw new IllegalArgumentException("need epsilon > 0, delta in (0, 1) and steps >= 1");
        }
        double lo = 1e-3;
        double hi = 1.0;
        while (spent(hi, q, steps, delta) > epsilon) {
            lo = hi;
            hi *= 2;
            if (hi > 1e9) {
                throw new IllegalArgumentException("no noise multiplier below 1e9 reaches epsilon " + epsilon);
            }
        }
        while (hi - lo > 1e-3 * hi) {
            double mid = 0.5 * (lo + hi);
            if (spent(mid, q, steps, delta) > epsilon) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    private static double spent(double sigma, double q, long steps, double delta) {
        RdpAccountant a = new RdpAccountant();
        a.compose(sigma, q, steps);
        return a.epsilon(delta);
    }

    static double epsilonOf(double[] rdp, double[] orders, double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must lie in (0, 1), got " + delta);
        }
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            double e = rdp[i] + Math.log((a - 1) / a) - (Math.log(delta) + Math.log(a)) / (a - 1);
            if (e < best) {
                best = e;
            }
        }
        return Math.max(0, best);
    }

    /** The Rényi divergence bound of one release at each order. */
    static double[] rdpOf(double sigma, double q, double[] orders) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("sampling rate must lie in [0, 1], got " + q);
        }
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("noise multiplier must be finite and >= 0, got " + sigma);
        }
        double[] out = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            out[i] = rdpAt(sigma, q, orders[i]);
        }
        return out;
    }

    static double rdpAt(double sigma, double q, double alpha) {
        if (q == 0) {
            return 0;
        }
        if (sigma == 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        double logA = alpha == Math.rint(alpha) ? logAWhole(sigma, q, (int) alpha) : logAFractional(sigma, q, alpha);
        return logA / (alpha - 1);
    }

    /** {@code log A_α} for a whole order: {@code Σ_k C(α,k) (1-q)^(α-k) q^k exp((k² - k) / (2σ²))}. */
    static double logAWhole(double sigma, double q, int alpha) {
        double logA = Double.NEGATIVE_INFINITY;
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double logBinomial = 0; // log C(alpha, 0)
        for (int k = 0; k <= alpha; k++) {
            if (k > 0) {
                logBinomial += Math.log(alpha - k + 1) - Math.log(k);
            }
            double term = logBinomial + k * logQ + (alpha - k) * log1mQ + (k * (double) k - k) / (2 * sigma * sigma);
            logA = logAdd(logA, term);
        }
        return logA;
    }

    /**
     * {@code log A_α} for a fractional order, as the sum of two series over {@code i = 0, 1, ...} split at
     * {@code z0 = σ² log(1/q - 1) + 1/2} (Mironov, Talwar and Zhang, Section 3.3), summed until both terms fall below
     * {@code e^-30}.
     */
    static double logAFractional(double sigma, double q, double alpha) {
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double logCoefficient = 0; // log |C(alpha, i)|
        int sign = 1;              // sign of C(alpha, i)
        double root2Sigma = Math.sqrt(2) * sigma;
        for (int i = 0; i < 100_000; i++) {
            if (i > 0) {
                double factor = (alpha - i + 1) / i;
                logCoefficient += Math.log(Math.abs(factor));
                sign *= factor < 0 ? -1 : 1;
            }
            double j = alpha - i;
            double logT0 = logCoefficient + i * logQ + j * log1mQ;
            double logT1 = logCoefficient + j * logQ + i * log1mQ;
            double logE0 = Math.log(0.5) + Erfc.logErfc((i - z0) / root2Sigma);
            double logE1 = Math.log(0.5) + Erfc.logErfc((z0 - j) / root2Sigma);
            double logS0 = logT0 + (i * (double) i - i) / (2 * sigma * sigma) + logE0;
            double logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
            if (sign > 0) {
                logA0 = logAdd(logA0, logS0);
                logA1 = logAdd(logA1, logS1);
            } else {
                logA0 = logSubtract(logA0, logS0);
                logA1 = logSubtract(logA1, logS1);
                if (Double.isNaN(logA0) || Double.isNaN(logA1)) {
                    // rounding took a partial sum below 0: the bound at this order is unknown, so it is not used
                    return Double.POSITIVE_INFINITY;
                }
            }
            if (Math.max(logS0, logS1) < -30) {
                return logAdd(logA0, logA1);
            }
        }
        throw new ArithmeticException("the series for order " + alpha + " did not converge");
    }

    static double logAdd(double x, double y) {
        double a = Math.max(x, y);
        double b = Math.min(x, y);
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        return a + Math.log1p(Math.exp(b - a));
    }

    /**
     * {@code log(e^x - e^y)}; NaN when {@code x < y} (a partial sum of the alternating series gone below 0 by rounding,
     * which must not be taken for 0: that would understate the divergence), {@code -inf} when they are equal.
     */
    static double logSubtract(double x, double y) {
        if (y == Double.NEGATIVE_INFINITY) {
            return x;
        }
        if (x < y) {
            return Double.NaN;
        }
        if (x == y) {
            return Double.NEGATIVE_INFINITY;
        }
        return x + Math.log(-Math.expm1(y - x));
    }

    private static double[] defaultOrders() {
        double[] o = new double[99 + 52];
        int n = 0;
        for (int x = 1; x < 100; x++) {
            o[n++] = 1 + x / 10.0;
        }
        for (int a = 12; a < 64; a++) {
            o[n++] = a;
        }
        return Arrays.copyOf(o, n);
    }
}
