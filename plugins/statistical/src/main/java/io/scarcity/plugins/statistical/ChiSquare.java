package io.scarcity.plugins.statistical;

/**
 * The chi-square distribution's CDF and quantile, for the Mahalanobis threshold.
 *
 * <p>The CDF is the regularised lower incomplete gamma function {@code P(k/2, x/2)}, summed as the
 * Poisson-weighted series {@code P(a, y) = sum_{n >= 0} e^-y y^(a+n) / Gamma(a+n+1)}. Every term is a
 * probability (at most 1), so the sum is accumulated term by term in log space and neither overflows nor
 * loses the leading terms for thousands of degrees of freedom; {@code ln Gamma} of the half-integers
 * {@code k/2} is exact by the recurrence from {@code Gamma(1) = 1} and {@code Gamma(1/2) = sqrt(pi)}. The
 * quantile is found by bisection on that CDF to a relative 1e-12, so it is exact to double precision for
 * the levels an outlier threshold uses (the CDF itself is accurate to ~1e-15 absolute, so levels above
 * {@code 1 - 1e-9} are not resolved; {@link Options} keeps the level below that). No approximation such as
 * Wilson–Hilferty is involved: it errs by ~1.5% at one degree of freedom and p = 0.999.
 */
final class ChiSquare {
    private static final double LN_SQRT_PI = 0.5 * Math.log(Math.PI);

    private ChiSquare() {
    }

    /** {@code P(X <= x)} for {@code X} chi-square with {@code dof >= 1} degrees of freedom. */
    static double cdf(int dof, double x) {
        if (dof < 1) {
            throw new IllegalArgumentException("degrees of freedom must be >= 1, got " + dof);
        }
        if (!(x > 0)) {
            return 0.0;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return 1.0;
        }
        double y = 0.5 * x;
        double lnY = Math.log(y);
        // ln of the first term: a ln y - y - ln Gamma(a + 1), with a = dof / 2.
        double lnTerm = 0.5 * dof * lnY - y - lnGammaHalf(dof + 2);
        double sum = 0.0;
        for (int n = 1; n < 1_000_000; n++) {
            double term = Math.exp(lnTerm);
            sum += term;
            // Past the mode (a + n > y) the terms fall geometrically; stop when they no longer count.
            if (0.5 * dof + n > y && term <= 1e-17 * sum) {
                break;
            }
            lnTerm += lnY - Math.log(0.5 * dof + n);
        }
        return Math.min(1.0, sum);
    }

    /** The {@code p}-quantile, {@code 0 < p < 1}, of the chi-square distribution with {@code dof} degrees of freedom. */
    static double quantile(int dof, double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must be in (0, 1), got " + p);
        }
        double lo = 0.0;
        double hi = dof + 10.0 * Math.sqrt(2.0 * dof) + 50.0;
        while (cdf(dof, hi) < p) {
            lo = hi;
            hi *= 2;
        }
        while (hi - lo > 1e-12 * hi) {
            double mid = 0.5 * (lo + hi);
            if (cdf(dof, mid) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /** {@code ln Gamma(m / 2)} for an integer {@code m >= 1}, exactly by recurrence. */
    static double lnGammaHalf(int m) {
        double s = m % 2 == 0 ? 0.0 : LN_SQRT_PI; // Gamma(1) = 1, Gamma(1/2) = sqrt(pi)
        for (int k = m % 2 == 0 ? 2 : 1; k + 2 <= m; k += 2) {
            s += Math.log(0.5 * k); // Gamma(k/2 + 1) = (k/2) Gamma(k/2)
        }
        return s;
    }
}
