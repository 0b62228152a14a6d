package io.scarcity.plugins.causal;

/**
 * The two critical values the independence tests need, in plain Java (no library in the plugin
 * archive): the standard normal quantile, by bisection on the normal distribution function computed
 * from a Chebyshev-fitted complementary error function (fractional error below 1.2e-7 everywhere), and
 * the chi-square quantile by bisection on its survival function, which has closed forms for integer
 * degrees of freedom (a finite Poisson sum for even ones; the normal tail plus a finite series for odd
 * ones). Both are computed once per expert, not per test.
 */
final class Quantiles {
    private Quantiles() {
    }

    /** {@code P(Z <= z)} for a standard normal {@code Z}. */
    static double normalCdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    /** The complementary error function, {@code 1 - erf(x)}. */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277))))))));
        double ans = t * Math.exp(poly);
        return x >= 0 ? ans : 2.0 - ans;
    }

    /** The {@code p} quantile of the standard normal, {@code p} in (0, 1). */
    static double normalQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must be in (0, 1), got " + p);
        }
        double lo = -40;
        double hi = 40;
        for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
            double mid = 0.5 * (lo + hi);
            if (normalCdf(mid) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /** {@code P(X > x)} for a chi-square {@code X} with {@code df} degrees of freedom. */
    static double chiSquareSurvival(int df, double x) {
        if (x <= 0) {
            return 1.0;
        }
        if (df % 2 == 0) {
            double term = 1.0;
            double sum = 1.0;
            for (int i = 1; i < df / 2; i++) {
                term *= 0.5 * x / i;
                sum += term;
            }
            return Math.exp(-0.5 * x) * sum;
        }
        double root = Math.sqrt(x);
        double density = Math.exp(-0.5 * x) / Math.sqrt(2 * Math.PI);
        double term = root;
        double sum = 0;
        for (int r = 1; r <= (df - 1) / 2; r++) {
            sum += term;
            term *= x / (2 * r + 1);
        }
        return 2 * (1 - normalCdf(root)) + 2 * density * sum;
    }

    /** The {@code 1 - alpha} quantile of a chi-square with {@code df} degrees of freedom. */
    static double chiSquareCritical(int df, double alpha) {
        if (df < 1) {
            throw new IllegalArgumentException("df must be >= 1, got " + df);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        double lo = 0;
        double hi = df + 20 * Math.sqrt(2.0 * df) + 100;
        for (int i = 0; i < 200 && hi - lo > 1e-10 * hi; i++) {
            double mid = 0.5 * (lo + hi);
            if (chiSquareSurvival(df, mid) > alpha) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }
}
